import AIBase
import AIKeys
import AIWire
import Foundation
import Glibc
import Testing

/// The engines of `ai-keys` in-process: values returned, `AIError`s thrown, warnings through the reporter.
@Suite struct KeysServiceTests {
    /// A private directory with a passphrase file, and a service whose paths all point inside it.
    final class Home {
        let directory = KeysTest.privateDirectory()
        let reporter = CollectingReporter()
        var vaultPath: String { directory + "/data/vault" }
        var auditPath: String { directory + "/state/ai/audit.jsonl" }

        init(vault: String? = "v1-min.vault", passphrase: String = KeysTest.fixturePassphrase) throws {
            mkdir(directory + "/data", 0o700)
            try KeysTest.write(Array((passphrase + "\n").utf8), to: directory + "/pass")
            if let vault { try KeysTest.write(try KeysTest.fixture(vault), to: vaultPath) }
        }

        deinit { KeysTest.removeTree(directory) }

        var environment: [String: String] {
            [
                "AI_VAULT": vaultPath, "AI_PASSPHRASE_FILE": directory + "/pass",
                "XDG_STATE_HOME": directory + "/state", "AI_KEYS_SOCK": directory + "/none.sock",
                "PATH": "/usr/bin:/bin",
            ]
        }

        func service(_ extra: [String: String] = [:], vault: String? = nil) -> KeysService {
            KeysService(
                environment: Environment(environment.merging(extra) { $1 }), reporter: reporter, vault: vault)
        }

        func auditActions() -> [String] {
            let bytes = (try? KeysTest.read(auditPath)) ?? []
            return bytes.split(separator: 0x0A).compactMap {
                (try? JSON.parse(Array($0)))?["action"]?.stringValue
            }
        }
    }

    func code(_ body: () throws -> Void) -> ErrorCode? {
        do {
            try body()
            return nil
        } catch let error as AIError {
            return error.code
        } catch {
            return .internal
        }
    }

    @Test func initialize_createsAVault_warnsAboutAWeakCost_andRefusesASecond() throws {
        let home = try Home(vault: nil, passphrase: "short")
        try home.service().initialize(kdf: KDFParameters(operations: 1, memoryKiB: 8 * 1024))
        #expect(FileManager.default.fileExists(atPath: home.vaultPath))
        #expect(home.reporter.messages.count == 2)
        #expect(home.reporter.messages.first?.hasPrefix("short passphrase") == true)
        #expect(home.reporter.messages.last?.hasPrefix("kdf cost below the default") == true)
        #expect(home.auditActions() == ["init"])
        let audit = String(decoding: try KeysTest.read(home.auditPath), as: UTF8.self)
        #expect(audit.contains(#""tool":"ai-test""#))
        #expect(code { try home.service().initialize(kdf: .interactive) } == .config)
    }

    @Test func setFetchListRemove_roundTrip() throws {
        let home = try Home()
        let service = home.service()
        try service.set("groq", secret: try KeysTest.secret("sk-groq-test"))
        #expect(try service.fetch("groq", action: "get").isEqual(to: Array("sk-groq-test".utf8)))
        #expect(try service.list().map(\.name) == ["anthropic", "groq", "openai"])
        try service.remove("groq")
        #expect(code { _ = try service.fetch("groq", action: "get") } == .noKey)
        #expect(code { try service.remove("groq") } == .noKey)
        #expect(code { try service.checkName("bad name") } == .usage)
        #expect(home.auditActions() == ["set", "get", "rm"])
        #expect(home.reporter.messages.isEmpty)
    }

    @Test func withoutAVault_everyCommandIs66() throws {
        let home = try Home(vault: nil)
        let service = home.service()
        #expect(code { try service.set("x", secret: try KeysTest.secret("k")) } == .noInput)
        #expect(code { try service.remove("x") } == .noInput)
        #expect(code { _ = try service.fetch("x", action: "get") } == .noInput)
        #expect(code { _ = try service.list() } == .noInput)
        #expect(code { try service.changePassphrase(newPassphraseDescriptor: nil, kdf: .interactive) } == .noInput)
    }

    @Test func changePassphrase_readsTheNewOneFromItsDescriptor() throws {
        let home = try Home()
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let line = Array("a much newer passphrase\n".utf8)
        _ = line.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        let kdf = KDFParameters(operations: 1, memoryKiB: 8 * 1024)
        try home.service().changePassphrase(newPassphraseDescriptor: ends[0], kdf: kdf)
        #expect(home.reporter.messages.count == 1)
        #expect(code { _ = try home.service().fetch("openai", action: "get") } == .auth)
        try KeysTest.write(Array(line), to: home.directory + "/pass")
        #expect(try home.service().fetch("openai", action: "get").isEqual(to: Array("sk-fixture-openai".utf8)))
    }

    @Test func withoutAnAgent_statusIsNil_andUnlockOrLockIs69() throws {
        let home = try Home()
        let service = home.service()
        #expect(try service.agentStatus() == nil)
        #expect(code { try service.unlock(idleTTL: 0, hardTTL: 0) } == .unavailable)
        #expect(code { try service.lock() } == .unavailable)
        #expect(
            code { _ = try service.agentConfiguration(socket: "relative.sock", idleTTL: nil, hardTTL: nil) } == .usage)
        let configuration = try service.agentConfiguration(socket: nil, idleTTL: 60, hardTTL: nil)
        #expect(configuration.socketPath == home.directory + "/none.sock")
        #expect(configuration.vault.path == home.vaultPath && configuration.audit.path == home.auditPath)
    }

    @Test func auditLines_filterByNameAndKeepTheLast() throws {
        let home = try Home()
        let service = home.service()
        #expect(try service.auditLines(name: nil, last: nil).isEmpty)
        _ = try service.fetch("openai", action: "get")
        _ = try service.fetch("anthropic", action: "get")
        _ = try service.fetch("openai", action: "get")
        #expect(try service.auditLines(name: nil, last: nil).count == 3)
        #expect(try service.auditLines(name: "openai", last: nil).count == 2)
        let last = try #require(try service.auditLines(name: nil, last: 1).first)
        #expect((try JSON.parse(Array(last)))["name"] == "openai")
    }

    @Test func prepareExec_checksBeforeItFetches() throws {
        let home = try Home()
        let service = home.service()
        #expect(code { _ = try service.prepareExec("openai", variable: nil, command: []) } == .usage)
        #expect(code { _ = try service.prepareExec("openai", variable: "1X", command: ["sh"]) } == .usage)
        #expect(code { _ = try service.prepareExec("bad name", variable: nil, command: ["sh"]) } == .usage)
        guard
            case .commandNotFound("no-such-program") = try service.prepareExec(
                "openai", variable: nil, command: ["no-such-program"])
        else { throw AIError(.internal, "expected command not found") }
        #expect(home.auditActions().isEmpty)
        guard case .ready(let prepared) = try service.prepareExec("openai", variable: nil, command: ["sh", "-c", ":"])
        else { throw AIError(.internal, "expected a prepared command") }
        #expect(prepared.path.hasSuffix("/sh") && prepared.variable == "OPENAI_API_KEY")
        #expect(prepared.arguments == ["sh", "-c", ":"])
        #expect(home.auditActions() == ["exec"])
    }

    @Test func stopAgent_refusesWithoutAnAgentPID() throws {
        let home = try Home()
        #expect(code { _ = try home.service().stopAgent() } == .usage)
        #expect(code { _ = try home.service(["AI_KEYS_AGENT_PID": "\(getpid())"]).stopAgent() } == .usage)
        #expect(KeysService.processName(getpid()) != nil)
    }
}
