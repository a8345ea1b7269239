import AIBase
import AICommandLine
import AIProviders
import Glibc
import Testing

@testable import AIKeys

/// Format v1 (docs/vault-format.md): the header layout, every pre-KDF check, and what a flipped, cut or extended
/// file gives. Library level, so every bit can be tried; `AIKeysTests` repeats the sweeps through the binary.
@Suite struct VaultFormatTests {
    @Test func header_hasTheDocumentedLayout() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        #expect(Array(file[0..<8]) == [0x41, 0x49, 0x4B, 0x45, 0x59, 0x53, 0x00, 0x01])
        #expect(Array(file[8..<10]) == [0, 1])
        #expect(Array(file[10..<16]) == [0, 0, 2, 0, 0, 0])
        #expect(file.bigEndianUInt32(at: 16) == 1)
        #expect(file.bigEndianUInt32(at: 20) == 8)
        #expect(Array(file[112..<128]) == VaultHeader.checksum(of: Array(file[0..<112])))
        #expect(Int(file.bigEndianUInt32(at: 152)) == file.count - 156)
        let header = try VaultHeader.validate(file, path: "v")
        #expect(header.encoded() == Array(file[0..<156]))
        #expect((file.count - 156 - 16) % 512 == 0)
    }

    @Test func everyHeaderBitFlipped_isRefusedAsDamageNeverAsAWrongPassphrase() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        var failures: [String] = []
        for offset in 0..<VaultHeader.size {
            for bit in 0..<8 {
                var copy = file
                copy[offset] ^= UInt8(1 << bit)
                let error = KeysTest.openError(copy)
                if !KeysTest.isDamage(error) {
                    failures.append("offset \(offset) bit \(bit): \(String(describing: error))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func headerFlips_beforeTheBodyNonce_areRefusedBeforeTheKDF() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        for offset in 0..<VaultHeader.bodyNonceStart {
            var copy = file
            copy[offset] ^= 0xFF
            #expect(throws: KeysError.self, "offset \(offset)") { try VaultHeader.validate(copy, path: "v") }
        }
    }

    @Test func everyBodyByteFlipped_isCorrupted() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        let location = try KeysTest.vault(file)
        defer { KeysTest.removeTree(location.directory) }
        let dataKey = try Vault.open(location, passphrase: try KeysTest.secret()).dataKey
        for offset in VaultHeader.size..<file.count {
            var copy = file
            copy[offset] ^= UInt8(1 << (offset % 8))
            let header = try VaultHeader.validate(copy, path: "v")
            #expect(throws: KeysError.corrupted(path: "v"), "offset \(offset)") {
                _ = try VaultCrypto.openBody(file: copy, header: header, dek: dataKey, path: "v")
            }
        }
    }

    @Test func everyTruncation_isTruncated() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        for length in 0..<file.count {
            #expect(throws: KeysError.truncated(path: "v"), "length \(length)") {
                try VaultHeader.validate(Array(file[0..<length]), path: "v")
            }
        }
    }

    @Test(arguments: [1, 16, 4096])
    func trailingBytes_areRefused(_ count: Int) throws {
        let file = try KeysTest.fixture("v1-min.vault") + [UInt8](repeating: 0x41, count: count)
        #expect(throws: KeysError.trailingData(path: "v")) { try VaultHeader.validate(file, path: "v") }
    }

    @Test func notAVault_andOversizedFiles_areRefused() throws {
        #expect(throws: KeysError.notAVault(path: "v")) { try VaultHeader.validate(Array("hello".utf8), path: "v") }
        let huge = try KeysTest.fixture("v1-min.vault") + [UInt8](repeating: 0, count: 1 << 20)
        #expect(throws: KeysError.tooLarge(path: "v")) { try VaultHeader.validate(huge, path: "v") }
    }

    static let hostile: [(UInt32, UInt32)] = [
        (0, 8), (17, 8), (UInt32.max, 8), (1, 0), (1, 7), (1, 67_108_864), (UInt32.max, UInt32.max),
    ]

    @Test(arguments: hostile)
    func hostileKDFParameters_areRefusedBeforeTheKDFRuns(_ operations: UInt32, _ memoryKiB: UInt32) throws {
        var file = try KeysTest.fixture("v1-min.vault")
        file = KeysTest.storing(operations, at: 16, in: file)
        file = KeysTest.rechecksummed(KeysTest.storing(memoryKiB, at: 20, in: file))
        let started = Monotonic.now()
        let error = KeysTest.openError(file)
        #expect(Monotonic.now() - started < 0.1)
        guard case .kdfParametersOutOfBounds = error else {
            Issue.record("ops \(operations) mem \(memoryKiB): \(String(describing: error))")
            return
        }
        #expect(AIError(error ?? .headerCorrupted).exitStatus == .dataError)
    }

    @Test func unsupportedVersionFlagsKDFAndReservedBytes_haveTheirOwnMessages() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        var version = file
        version[9] = 2
        #expect(KeysTest.openError(version) == .unsupportedVersion(2))
        #expect(AIError(.unsupportedVersion(2)).message == "unsupported vault version 2; upgrade ai-keys")
        var flags = file
        flags[11] = 1
        #expect(KeysTest.openError(flags) == .unsupportedFlags(1))
        var kdf = file
        kdf[12] = 1
        #expect(KeysTest.openError(kdf) == .unsupportedKDF(1))
        var reserved = file
        reserved[14] = 9
        #expect(KeysTest.openError(reserved) == .reservedBytesSet)
    }

    @Test func deliberateHeaderEdits_withTheChecksumRecomputed_failAfterTheKDF() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        for offset in [16, 20, 24, 39, 40, 63, 64, 111] {
            var copy = file
            copy[offset] ^= 0x01
            let error = KeysTest.openError(KeysTest.rechecksummed(copy))
            #expect(
                error == .incorrectPassphrase || KeysTest.isDamage(error),
                "offset \(offset): \(String(describing: error))")
        }
        var salt = file
        salt[30] ^= 0x80
        #expect(KeysTest.openError(KeysTest.rechecksummed(salt)) == .incorrectPassphrase)
    }

    @Test func wrongPassphrase_isIncorrectPassphrase() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        #expect(KeysTest.openError(file, passphrase: "correct horse battery stapler") == .incorrectPassphrase)
        #expect(AIError(.incorrectPassphrase).exitStatus == .noPermission)
        #expect(AIError(.incorrectPassphrase).code == .auth)
    }

    @Test func sealedFiles_validateAndReopen_withFreshNonces() throws {
        let location = VaultLocation(path: KeysTest.privateDirectory() + "/vault")
        defer { KeysTest.removeTree(location.directory) }
        let passphrase = try KeysTest.secret("a long enough passphrase")
        try Vault.create(location, passphrase: passphrase, kdf: KDFParameters(operations: 1, memoryKiB: 8))
        let first = try KeysTest.read(location.path)
        try Vault.modify(location, passphrase: passphrase) { (contents) throws(KeysError) in
            try contents.set("openai", secret: try SecretBytes(utf8: "sk-1"), time: 5)
        }
        let second = try KeysTest.read(location.path)
        #expect(Array(first[0..<128]) == Array(second[0..<128]))
        #expect(Array(first[128..<152]) != Array(second[128..<152]))
        let vault = try Vault.open(location, passphrase: passphrase)
        #expect(vault.contents.generation == 2)
        #expect(vault.contents.entry(named: "openai")?.secret.isEqual(to: Array("sk-1".utf8)) == true)
    }

    @Test func changingThePassphrase_rotatesTheDataKey() throws {
        let location = VaultLocation(path: KeysTest.privateDirectory() + "/vault")
        defer { KeysTest.removeTree(location.directory) }
        let old = try KeysTest.secret("the old passphrase")
        let new = try KeysTest.secret("the new passphrase")
        let kdf = KDFParameters(operations: 1, memoryKiB: 8)
        try Vault.create(location, passphrase: old, kdf: kdf)
        try Vault.modify(location, passphrase: old) { (contents) throws(KeysError) in
            try contents.set("openai", secret: try SecretBytes(utf8: "sk-1"), time: 5)
        }
        let before = try Vault.open(location, passphrase: old)
        try Vault.changePassphrase(location, opened: before, oldPassphrase: old, to: new, kdf: kdf)
        #expect(throws: KeysError.incorrectPassphrase) { _ = try Vault.open(location, passphrase: old) }
        let after = try Vault.open(location, passphrase: new)
        #expect(after.contents.entry(named: "openai")?.secret.isEqual(to: Array("sk-1".utf8)) == true)
        #expect(after.contents.generation == before.contents.generation + 1)
        #expect(!after.dataKey.isEqual(to: before.dataKey))
        #expect(after.header.salt != before.header.salt)
        // An old copy's data key (learned with the old passphrase) does not open the new body.
        #expect(throws: KeysError.self) {
            _ = try VaultCrypto.openBody(file: after.file, header: after.header, dek: before.dataKey, path: "v")
        }
    }

    @Test func writes_leaveNoTemporaryFilesAndMode0600() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        let location = VaultLocation(path: directory + "/vault")
        let passphrase = try KeysTest.secret("a long enough passphrase")
        try KeysTest.write([1, 2, 3], to: directory + "/.vault.tmp.deadbeef")
        try Vault.create(location, passphrase: passphrase, kdf: KDFParameters(operations: 1, memoryKiB: 8))
        let names = try FileManagerNames.list(directory)
        #expect(names == ["vault", "vault.lock"])
        var info = stat()
        stat(location.path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(throws: KeysError.vaultExists(path: location.path)) {
            try Vault.create(location, passphrase: passphrase, kdf: KDFParameters(operations: 1, memoryKiB: 8))
        }
    }

    @Test func unsafePermissions_areRefused() throws {
        let file = try KeysTest.fixture("v1-min.vault")
        let location = try KeysTest.vault(file)
        defer { KeysTest.removeTree(location.directory) }
        chmod(location.path, 0o644)
        #expect(throws: KeysError.permissionsTooOpen(path: location.path, mode: 0o644)) {
            _ = try Vault.open(location, passphrase: try KeysTest.secret())
        }
        chmod(location.path, 0o600)
        chmod(location.directory, 0o777)
        #expect(throws: KeysError.permissionsTooOpen(path: location.directory, mode: 0o777)) {
            _ = try Vault.open(location, passphrase: try KeysTest.secret())
        }
        chmod(location.directory, 0o700)
        symlink(location.path, location.directory + "/link")
        #expect(throws: KeysError.symbolicLink(path: location.directory + "/link")) {
            _ = try Vault.open(VaultLocation(path: location.directory + "/link"), passphrase: try KeysTest.secret())
        }
    }
}

/// Directory listings without Foundation's hidden-file filtering.
enum FileManagerNames {
    static func list(_ directory: String) throws -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
