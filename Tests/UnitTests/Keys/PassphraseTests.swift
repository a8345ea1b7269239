import AIBase
import AIKeys
import Glibc
import Testing

/// T11: passphrase files and descriptors: the first line only, and ssh's ownership and mode rules.
@Suite struct PassphraseTests {
    @Test func file_readsTheFirstLine_droppingCRLF() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        try KeysTest.write(Array("pass word\r\nsecond line\n".utf8), to: directory + "/p")
        #expect(try Passphrase.read(file: directory + "/p").isEqual(to: Array("pass word".utf8)))
        try KeysTest.write(Array("no newline".utf8), to: directory + "/q")
        #expect(try Passphrase.read(file: directory + "/q").isEqual(to: Array("no newline".utf8)))
    }

    @Test func unsafeFiles_areRefused() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        let path = directory + "/p"
        try KeysTest.write(Array("pw\n".utf8), to: path, mode: 0o644)
        #expect(throws: KeysError.self) { try Passphrase.read(file: path) }
        chmod(path, 0o640)
        #expect(throws: KeysError.self) { try Passphrase.read(file: path) }
        chmod(path, 0o600)
        symlink(path, directory + "/link")
        #expect(throws: KeysError.self) { try Passphrase.read(file: directory + "/link") }
        mkdir(directory + "/dir", 0o700)
        #expect(throws: KeysError.self) { try Passphrase.read(file: directory + "/dir") }
        if geteuid() == 0 {
            chown(path, 65534, 65534)
            #expect(throws: KeysError.self) { try Passphrase.read(file: path) }
        }
        #expect(throws: KeysError.self) { try Passphrase.read(file: directory + "/missing") }
        try KeysTest.write([UInt8](repeating: 0x61, count: 5000), to: directory + "/big")
        #expect(throws: KeysError.self) { try Passphrase.read(file: directory + "/big") }
    }

    @Test func descriptors_readOneLineAndRefuseStandardStreams() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let text = Array("first\nsecond\n".utf8)
        _ = text.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        defer { close(ends[0]) }
        #expect(try Passphrase.read(descriptor: ends[0]).isEqual(to: Array("first".utf8)))
        #expect(try Passphrase.read(descriptor: ends[0]).isEqual(to: Array("second".utf8)))
        for standard: Int32 in 0...2 {
            #expect(throws: KeysError.self) { try Passphrase.read(descriptor: standard) }
        }
        #expect(throws: KeysError.self) { try Passphrase.read(descriptor: 987) }
    }

    @Test func overlongPassphrases_areRefused() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        try KeysTest.write([UInt8](repeating: 0x61, count: 1025) + [0x0A], to: directory + "/p")
        #expect(throws: KeysError.passphraseTooLong) { try Passphrase.read(file: directory + "/p") }
    }

    @Test func sources_withoutAPromptAndWithoutOthers_sayNoTerminal() {
        let sources = PassphraseSources(descriptor: nil, environment: Environment([:]), allowsPrompt: false)
        #expect(throws: KeysError.noTerminal) { _ = try sources.read(prompt: "x") }
        let error = AIError(KeysError.noTerminal)
        #expect(error.code == .vaultLocked && error.exitStatus.rawValue == 77)
        #expect(error.hints.first?.contains("ai-keys agent") == true)
    }
}
