import CSodium

/// Argon2id (version 1.3) key derivation from a passphrase; parallelism is fixed at 1 by libsodium.
package enum PasswordHash {
    /// Salt length in bytes.
    package static let saltBytes = Int(crypto_pwhash_saltbytes())
    /// The algorithm identifier stored in vault headers (`crypto_pwhash_ALG_ARGON2ID13`, 2).
    package static let argon2id13 = UInt8(crypto_pwhash_alg_argon2id13())
    /// libsodium's smallest accepted memory limit, in bytes.
    package static let minimumMemoryBytes = Int(crypto_pwhash_memlimit_min())
    /// libsodium's smallest accepted operations limit.
    package static let minimumOperations = Int(crypto_pwhash_opslimit_min())

    /// Derives `output.count` bytes from `passphrase` and `salt` with Argon2id at the given cost.
    ///
    /// The corresponding C function is `crypto_pwhash` with `crypto_pwhash_ALG_ARGON2ID13`.
    /// - Throws: `KeysError.kdfOutOfMemory` when libsodium fails (it cannot map the memory).
    static func deriveKey(
        into output: UnsafeMutableRawBufferPointer,
        passphrase: UnsafeRawBufferPointer,
        salt: UnsafeRawBufferPointer,
        operations: UInt32,
        memoryKiB: UInt32
    ) throws(KeysError) {
        precondition(salt.count == saltBytes)
        guard let passphraseBase = passphrase.baseAddress, passphrase.count > 0 else { throw .emptyPassphrase }
        let result = crypto_pwhash(
            output.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), UInt64(output.count),
            passphraseBase.assumingMemoryBound(to: CChar.self), UInt64(passphrase.count),
            salt.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self),
            UInt64(operations), Int(memoryKiB) * 1024, crypto_pwhash_alg_argon2id13()
        )
        guard result == 0 else { throw .kdfOutOfMemory(mebibytes: Int(memoryKiB) / 1024) }
    }
}
