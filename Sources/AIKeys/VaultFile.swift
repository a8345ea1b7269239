import AIBase

/// The on-disk vault, format v1: a fixed 156-byte header, the body, then exact end of file.
///
/// All integers are big-endian. The layout (also in docs/vault-format.md, which is normative):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 8 | magic `41 49 4B 45 59 53 00 01` ("AIKEYS\0\1") |
/// | 8 | 2 | format version, 1 |
/// | 10 | 2 | flags, 0 (any other bit is refused) |
/// | 12 | 1 | KDF, 2 (`crypto_pwhash_ALG_ARGON2ID13`) |
/// | 13 | 3 | reserved, 0 |
/// | 16 | 4 | Argon2id opslimit, 1…16 |
/// | 20 | 4 | Argon2id memlimit in KiB, 8…4,194,304 (4 GiB) |
/// | 24 | 16 | salt |
/// | 40 | 24 | nonce of the wrapped data key |
/// | 64 | 48 | wrapped data key: XChaCha20-Poly1305(KEK, ad = bytes 0..<40, 32-byte DEK) |
/// | 112 | 16 | BLAKE2b-128 of bytes 0..<112 (tells damage from a wrong passphrase; not security) |
/// | 128 | 24 | body nonce |
/// | 152 | 4 | body length L (ciphertext + 16-byte tag), 16…1 MiB − 156; the file is exactly 156 + L bytes |
/// | 156 | L | body: XChaCha20-Poly1305(DEK, ad = bytes 0..<156, padded payload) |
///
/// The KEK is Argon2id(passphrase, salt, opslimit, memlimit). Reading checks, in order and before any KDF
/// work: the size cap, the magic, version, flags, KDF identifier and reserved bytes, the checksum, the KDF
/// bounds, then the body length against the file size. Only then does the KDF run; a wrapped key that does
/// not open means a wrong passphrase (77), a body that does not open means tampering (65). Nothing from the
/// body is released before it authenticates.
package struct VaultHeader: Equatable, Sendable {
    /// The header's size in bytes.
    package static let size = 156
    /// The first 8 bytes of every vault.
    package static let magic: [UInt8] = [0x41, 0x49, 0x4B, 0x45, 0x59, 0x53, 0x00, 0x01]
    /// The one format version this build reads and writes.
    package static let version: UInt16 = 1
    /// The largest vault file accepted, in bytes.
    package static let maximumFileSize = 1 << 20
    /// Offsets of the fields that later code slices out.
    package static let kdfAssociatedDataEnd = 40
    /// End of the bytes the checksum covers (and start of the checksum).
    package static let checksumStart = 112
    /// Start of the body nonce; the bytes before it identify one passphrase and data key.
    package static let bodyNonceStart = 128

    /// Argon2id cost.
    package var kdf: KDFParameters
    /// 16-byte salt.
    package var salt: [UInt8]
    /// 24-byte nonce of the wrapped data key.
    package var keyNonce: [UInt8]
    /// 48-byte wrapped data key.
    package var wrappedKey: [UInt8]
    /// 24-byte body nonce.
    package var bodyNonce: [UInt8]
    /// Body length in bytes, tag included.
    package var bodyLength: UInt32

    /// The 156 header bytes, checksum computed.
    package func encoded() -> [UInt8] {
        var bytes = Self.magic
        bytes.appendBigEndian(Self.version)
        bytes.appendBigEndian(UInt16(0))
        bytes.append(PasswordHash.argon2id13)
        bytes.append(contentsOf: [0, 0, 0])
        bytes.appendBigEndian(kdf.operations)
        bytes.appendBigEndian(kdf.memoryKiB)
        bytes.append(contentsOf: salt)
        bytes.append(contentsOf: keyNonce)
        bytes.append(contentsOf: wrappedKey)
        bytes.append(contentsOf: Self.checksum(of: bytes))
        bytes.append(contentsOf: bodyNonce)
        bytes.appendBigEndian(bodyLength)
        precondition(bytes.count == Self.size)
        return bytes
    }

    /// BLAKE2b-128 of the first 112 header bytes.
    package static func checksum(of prefix: [UInt8]) -> [UInt8] {
        Sodium.hash(Array(prefix[0..<checksumStart]), length: 16)
    }

    /// Checks a whole vault file without the passphrase and returns its header.
    /// - Throws: `KeysError` (`tooLarge`, `truncated`, `notAVault`, `unsupportedVersion`, `unsupportedFlags`,
    ///   `unsupportedKDF`, `reservedBytesSet`, `headerCorrupted`, `kdfParametersOutOfBounds`, `trailingData`).
    package static func validate(_ file: [UInt8], path: String) throws(KeysError) -> VaultHeader {
        if file.count > maximumFileSize { throw .tooLarge(path: path) }
        let prefixLength = min(file.count, magic.count)
        if file[0..<prefixLength].elementsEqual(magic[0..<prefixLength]) == false { throw .notAVault(path: path) }
        if file.count < size { throw .truncated(path: path) }
        let version = file.bigEndianUInt16(at: 8)
        if version != Self.version { throw .unsupportedVersion(Int(version)) }
        let flags = file.bigEndianUInt16(at: 10)
        if flags != 0 { throw .unsupportedFlags(Int(flags)) }
        if file[12] != PasswordHash.argon2id13 { throw .unsupportedKDF(Int(file[12])) }
        if file[13] != 0 || file[14] != 0 || file[15] != 0 { throw .reservedBytesSet }
        let stored = file[checksumStart..<(checksumStart + 16)]
        if !stored.elementsEqual(checksum(of: Array(file[0..<checksumStart]))) { throw .headerCorrupted }
        let kdf = KDFParameters(operations: file.bigEndianUInt32(at: 16), memoryKiB: file.bigEndianUInt32(at: 20))
        try kdf.checkReadable()
        let bodyLength = file.bigEndianUInt32(at: 152)
        if bodyLength < UInt32(AEAD.tagBytes) || Int(bodyLength) > maximumFileSize - size {
            throw Int(bodyLength) > file.count - size ? .truncated(path: path) : .trailingData(path: path)
        }
        if file.count < size + Int(bodyLength) { throw .truncated(path: path) }
        if file.count > size + Int(bodyLength) { throw .trailingData(path: path) }
        return VaultHeader(
            kdf: kdf,
            salt: Array(file[24..<40]),
            keyNonce: Array(file[40..<64]),
            wrappedKey: Array(file[64..<112]),
            bodyNonce: Array(file[128..<152]),
            bodyLength: bodyLength
        )
    }
}

/// Argon2id cost as stored in a vault header: operations and memory (KiB).
package struct KDFParameters: Equatable, Sendable {
    /// Argon2id passes (opslimit).
    package var operations: UInt32
    /// Argon2id memory in KiB (memlimit / 1024).
    package var memoryKiB: UInt32

    /// A cost.
    package init(operations: UInt32, memoryKiB: UInt32) {
        self.operations = operations
        self.memoryKiB = memoryKiB
    }

    /// The default for new vaults: libsodium's MODERATE (3 passes, 256 MiB), about 0.5 s on 2 cores.
    package static let moderate = KDFParameters(operations: 3, memoryKiB: 256 * 1024)
    /// libsodium's INTERACTIVE (2 passes, 64 MiB).
    package static let interactive = KDFParameters(operations: 2, memoryKiB: 64 * 1024)
    /// What a reader accepts for opslimit: outside, the vault is refused before the KDF runs.
    package static let readableOperations: ClosedRange<UInt32> = 1...16
    /// What a reader accepts for memlimit (KiB): libsodium's minimum (8 KiB) to 4 GiB.
    package static let readableMemoryKiB: ClosedRange<UInt32> = 8...4_194_304
    /// What `init --kdf-ops` / `passwd --kdf-ops` accept.
    package static let writableOperations: ClosedRange<UInt32> = 1...16
    /// What `init --kdf-mem` / `passwd --kdf-mem` accept, in MiB: 8 MiB to 4 GiB.
    package static let writableMemoryMiB: ClosedRange<UInt32> = 8...4096

    /// Whether this cost is below the default (the writer warns).
    package var isWeak: Bool { operations < Self.moderate.operations || memoryKiB < Self.moderate.memoryKiB }

    /// Refuses a cost outside the reader's bounds, before any KDF work.
    /// - Throws: `KeysError.kdfParametersOutOfBounds`.
    package func checkReadable() throws(KeysError) {
        guard Self.readableOperations.contains(operations) else {
            throw .kdfParametersOutOfBounds("opslimit \(operations) not in 1...16")
        }
        guard Self.readableMemoryKiB.contains(memoryKiB) else {
            throw .kdfParametersOutOfBounds("memlimit \(memoryKiB) KiB not in 8 KiB...4 GiB")
        }
    }
}

/// The cryptographic steps of format v1, over whole-file byte arrays (ciphertext) and `SecretBytes` (plaintext).
package enum VaultCrypto {
    /// Length of the data key and of the key-encryption key.
    package static let keyBytes = 32
    /// The payload is padded to a multiple of this many bytes (hides entry sizes).
    package static let paddingBlock = 512

    /// Argon2id(passphrase, salt) at the header's cost: the key-encryption key.
    /// - Throws: `KeysError.emptyPassphrase`, `.kdfOutOfMemory`, `.kdfParametersOutOfBounds`.
    package static func deriveKeyEncryptionKey(
        passphrase: SecretBytes,
        salt: [UInt8],
        kdf: KDFParameters
    ) throws(KeysError) -> SecretBytes {
        try kdf.checkReadable()
        guard passphrase.count > 0 else { throw .emptyPassphrase }
        let kek = try SecretBytes(count: keyBytes)
        let failure: KeysError? = kek.withUnsafeMutableBytes { output in
            passphrase.withUnsafeBytes { passphraseBytes in
                salt.withUnsafeBytes { saltBytes in
                    do throws(KeysError) {
                        try PasswordHash.deriveKey(
                            into: output, passphrase: passphraseBytes, salt: saltBytes,
                            operations: kdf.operations, memoryKiB: kdf.memoryKiB)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
        }
        if let failure { throw failure }
        return kek
    }

    /// Opens the wrapped data key of a validated file.
    /// - Throws: `KeysError.incorrectPassphrase` when it does not authenticate.
    package static func unwrapDataKey(
        file: [UInt8], header: VaultHeader, kek: SecretBytes
    ) throws(KeysError)
        -> SecretBytes
    {
        let dek = try SecretBytes(count: keyBytes)
        let opened = dek.withUnsafeMutableBytes { output in
            kek.withUnsafeBytes { key in
                header.wrappedKey.withUnsafeBytes { wrapped in
                    header.keyNonce.withUnsafeBytes { nonce in
                        file.withUnsafeBytes { whole in
                            AEAD.open(
                                wrapped,
                                additionalData: UnsafeRawBufferPointer(
                                    rebasing:
                                        whole[0..<VaultHeader.kdfAssociatedDataEnd]), nonce: nonce, key: key,
                                into: output)
                        }
                    }
                }
            }
        }
        guard opened else { throw .incorrectPassphrase }
        return dek
    }

    /// Decrypts and unpads the body of a validated file: the payload bytes.
    /// - Throws: `KeysError.corrupted` when the body does not authenticate or its padding is malformed.
    package static func openBody(
        file: [UInt8], header: VaultHeader, dek: SecretBytes, path: String
    )
        throws(KeysError) -> SecretBytes
    {
        let padded = try SecretBytes(count: Int(header.bodyLength) - AEAD.tagBytes)
        let opened = padded.withUnsafeMutableBytes { output in
            dek.withUnsafeBytes { key in
                header.bodyNonce.withUnsafeBytes { nonce in
                    file.withUnsafeBytes { whole in
                        AEAD.open(
                            UnsafeRawBufferPointer(rebasing: whole[VaultHeader.size...]),
                            additionalData: UnsafeRawBufferPointer(rebasing: whole[0..<VaultHeader.size]),
                            nonce: nonce, key: key, into: output)
                    }
                }
            }
        }
        guard opened else { throw .corrupted(path: path) }
        guard let length = padded.withUnsafeBytes({ Sodium.unpad($0, blockSize: paddingBlock) }) else {
            throw .corrupted(path: path)
        }
        return try padded.slice(0..<length)
    }

    /// A complete vault file: header fields as given (a fresh body nonce and length), body sealed with `dek`.
    /// - Throws: `KeysError.vaultFull` when the result would exceed the size cap.
    package static func seal(
        payload: SecretBytes, header template: VaultHeader, dek: SecretBytes
    )
        throws(KeysError) -> [UInt8]
    {
        let paddedCount = (payload.count / paddingBlock + 1) * paddingBlock
        let bodyLength = paddedCount + AEAD.tagBytes
        guard VaultHeader.size + bodyLength <= VaultHeader.maximumFileSize else {
            throw .vaultFull("the vault would exceed \(VaultHeader.maximumFileSize / 1024) KiB")
        }
        let padded = try SecretBytes(count: paddedCount)
        padded.withUnsafeMutableBytes { buffer in
            payload.withUnsafeBytes { source in
                if let from = source.baseAddress, let to = buffer.baseAddress {
                    to.copyMemory(from: from, byteCount: source.count)
                }
            }
            _ = Sodium.pad(buffer, length: payload.count, blockSize: paddingBlock)
        }
        var header = template
        header.bodyNonce = Sodium.randomBytes(count: AEAD.nonceBytes)
        header.bodyLength = UInt32(bodyLength)
        let headerBytes = header.encoded()
        var file = headerBytes + [UInt8](repeating: 0, count: bodyLength)
        file.withUnsafeMutableBytes { whole in
            let body = UnsafeMutableRawBufferPointer(rebasing: whole[VaultHeader.size...])
            padded.withUnsafeBytes { message in
                dek.withUnsafeBytes { key in
                    header.bodyNonce.withUnsafeBytes { nonce in
                        headerBytes.withUnsafeBytes { associated in
                            AEAD.seal(message, additionalData: associated, nonce: nonce, key: key, into: body)
                        }
                    }
                }
            }
        }
        return file
    }

    /// A header for a new passphrase: fresh salt and data key, the data key wrapped under `kek`.
    package static func wrap(dek: SecretBytes, kek: SecretBytes, salt: [UInt8], kdf: KDFParameters) -> VaultHeader {
        var header = VaultHeader(
            kdf: kdf, salt: salt, keyNonce: Sodium.randomBytes(count: AEAD.nonceBytes),
            wrappedKey: [], bodyNonce: [UInt8](repeating: 0, count: AEAD.nonceBytes),
            bodyLength: 0)
        let prefix = Array(header.encodedPrefixForWrapping())
        var wrapped = [UInt8](repeating: 0, count: keyBytes + AEAD.tagBytes)
        wrapped.withUnsafeMutableBytes { output in
            dek.withUnsafeBytes { message in
                kek.withUnsafeBytes { key in
                    header.keyNonce.withUnsafeBytes { nonce in
                        prefix.withUnsafeBytes { associated in
                            AEAD.seal(message, additionalData: associated, nonce: nonce, key: key, into: output)
                        }
                    }
                }
            }
        }
        header.wrappedKey = wrapped
        return header
    }
}

extension VaultHeader {
    /// Bytes 0..<40 (magic … salt): the associated data of the wrapped key.
    fileprivate func encodedPrefixForWrapping() -> ArraySlice<UInt8> {
        var copy = self
        copy.wrappedKey = [UInt8](repeating: 0, count: 48)
        return copy.encoded()[0..<Self.kdfAssociatedDataEnd]
    }
}

extension Array where Element == UInt8 {
    /// Appends a big-endian integer.
    mutating func appendBigEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// The big-endian `UInt16` at `offset`.
    func bigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    /// The big-endian `UInt32` at `offset`.
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(self[offset + $1]) }
    }
}
