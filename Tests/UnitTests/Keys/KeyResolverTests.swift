import AIBase
import AICommandLine
import AIKeys
import AIProviders
import Glibc
import Testing

/// DESIGN §6 search order: environment variable, agent, vault; cheap when the variable is set.
@Suite struct KeyResolverTests {
    @Test func environmentVariable_winsWithoutTouchingAnything() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        try KeysTest.write(Array("garbage".utf8), to: directory + "/vault")
        let environment = Environment([
            "OPENAI_API_KEY": "sk-env", "AI_VAULT": directory + "/vault",
            "AI_KEYS_SOCK": directory + "/nothing.sock",
        ])
        let resolver = KeyResolver(environment: environment, reporter: SilentReporter())
        let found = try resolver.key(environmentVariable: "OPENAI_API_KEY", entry: "openai")
        #expect(found?.key == "sk-env" && found?.source == .environment)
    }

    @Test func noVaultAndNoAgent_isNil() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        let environment = Environment([
            "AI_VAULT": directory + "/vault", "AI_KEYS_SOCK": directory + "/a.sock",
            "XDG_STATE_HOME": directory,
        ])
        #expect(
            try KeyResolver(environment: environment, reporter: SilentReporter()).key(
                environmentVariable: "NOPE_KEY", entry: "x") == nil)
        #expect(
            KeyResolver(environment: environment, reporter: SilentReporter()).probe(
                environmentVariable: "NOPE_KEY", entry: "x") == .none)
    }

    @Test func vault_withAPassphraseFile_givesTheKeyAndAnAuditLine() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        try KeysTest.write(try KeysTest.fixture("v1-min.vault"), to: directory + "/vault")
        try KeysTest.write(Array((KeysTest.fixturePassphrase + "\n").utf8), to: directory + "/pass")
        let environment = Environment([
            "AI_VAULT": directory + "/vault", "AI_KEYS_SOCK": directory + "/a.sock",
            "AI_PASSPHRASE_FILE": directory + "/pass", "XDG_STATE_HOME": directory,
        ])
        let resolver = KeyResolver(environment: environment, reporter: SilentReporter(tool: "ai-test"))
        let found = try resolver.key(environmentVariable: "UNSET_VARIABLE_FOR_TEST", entry: "anthropic")
        #expect(found?.key == "sk-ant-fixture-anthropic" && found?.source == .vault)
        #expect(try resolver.key(environmentVariable: nil, entry: "absent") == nil)
        let audit = String(decoding: try KeysTest.read(directory + "/ai/audit.jsonl"), as: UTF8.self)
        #expect(audit.contains(#""action":"get","name":"anthropic","tool":"ai-test""#))
        #expect(audit.contains(#""via":"vault""#))
        #expect(!audit.contains("sk-ant"))
    }

    @Test func wrongPassphrase_is77Auth_andACorruptVaultIs65() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        var file = try KeysTest.fixture("v1-min.vault")
        try KeysTest.write(file, to: directory + "/vault")
        try KeysTest.write(Array("not it\n".utf8), to: directory + "/pass")
        let environment = Environment([
            "AI_VAULT": directory + "/vault", "AI_KEYS_SOCK": directory + "/a.sock",
            "AI_PASSPHRASE_FILE": directory + "/pass", "XDG_STATE_HOME": directory,
        ])
        #expect(throws: AIError.self) {
            do {
                _ = try KeyResolver(environment: environment, reporter: SilentReporter()).key(
                    environmentVariable: nil, entry: "openai")
            } catch let error as AIError {
                #expect(error.code == .auth && error.exitStatus.rawValue == 77)
                throw error
            }
        }
        file[file.count - 1] ^= 1
        try KeysTest.write(file, to: directory + "/vault2")
        let corrupt = Environment([
            "AI_VAULT": directory + "/vault2", "AI_KEYS_SOCK": directory + "/a.sock",
            "AI_PASSPHRASE_FILE": directory + "/pass", "XDG_STATE_HOME": directory,
        ])
        #expect(throws: AIError.self) {
            do {
                _ = try KeyResolver(environment: corrupt, reporter: SilentReporter()).key(
                    environmentVariable: nil, entry: "openai")
            } catch let error as AIError {
                #expect(error.exitStatus.rawValue == 65 || error.exitStatus.rawValue == 77)
                throw error
            }
        }
    }
}
