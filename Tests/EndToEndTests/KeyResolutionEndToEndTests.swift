import AIBase
import AICommandLine
import AIProviders
import AITestSupport
import Foundation
import Glibc
import Testing

/// DESIGN §6 through `ai-complete`: the key comes from the environment, the agent or the vault; locked with no way
/// to unlock is 77 `vault_locked`; no key at all is 78 `no_key` naming `ai-keys set`.
@Suite struct KeyResolutionEndToEndTests {
    func run(
        _ home: KeysHome, _ server: FakeServer?, arguments: [String] = [], _ extra: [String: String] = [:],
        passphrase: Bool = false
    ) throws -> ToolResult {
        var values = home.environment(passphrase: passphrase, extra)
        if let server { values["OPENAI_BASE_URL"] = server.baseURL + "/v1" }
        let command = ["-w", ToolProcess.executablePath("ai-complete"), "-p", "openai", "--retries", "0"]
        return try runTool(
            "/usr/bin/setsid", arguments: command + arguments, stdin: .text("Say hello"),
            environment: values)
    }

    @Test func environmentVariable_winsAndNothingElseIsTouched() throws {
        let home = try KeysHome()
        try home.write(Array("garbage".utf8), to: home.vaultPath)
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let result = try run(
            home, server, ["OPENAI_API_KEY": "sk-fixture-openai", "AI_KEYS_SOCK": home.root + "/none"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(home.auditLines().isEmpty)
    }

    @Test func key_fromTheAgent() throws {
        let home = try KeysHome()
        try home.startAgent()
        #expect(try home.unlock().status == 0)
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let result = try run(home, server)
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(home.auditLines().last)
        #expect(
            line["action"] == "get" && line["name"] == "openai" && line["tool"] == "ai-complete"
                && line["via"] == "agent")
    }

    @Test func key_fromTheVault_withPassphraseFDOrFile() throws {
        let home = try KeysHome()
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let viaFile = try run(home, server, passphrase: true)
        #expect(viaFile.status == 0, "\(viaFile.stderrText)")
        var values = home.environment()
        values["OPENAI_BASE_URL"] = server.baseURL + "/v1"
        let script = #"exec "$0" -p openai --retries 0 --passphrase-fd 3 3<"$1""#
        let viaDescriptor = try runTool(
            "/usr/bin/setsid",
            arguments: [
                "-w", "/bin/sh", "-c", script,
                ToolProcess.executablePath("ai-complete"),
                home.passphraseFile,
            ],
            stdin: .text("Say hello"), environment: values)
        #expect(viaDescriptor.status == 0, "\(viaDescriptor.stderrText)")
        #expect(home.auditLines().filter { $0["via"] == "vault" && $0["tool"] == "ai-complete" }.count == 2)
    }

    @Test func lockedVault_withoutATerminal_is77VaultLocked() throws {
        let home = try KeysHome()
        let result = try run(home, nil)
        #expect(result.status == 77)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "vault_locked")
        #expect(result.stderrText.contains("ai-complete: hint: start an agent"))
        let wrong = try run(home, nil, ["AI_PASSPHRASE_FILE": home.root + "/wrong"])
        #expect(wrong.status == 78)
        try home.write(Array("nope\n".utf8), to: home.root + "/wrong")
        let incorrect = try run(home, nil, ["AI_PASSPHRASE_FILE": home.root + "/wrong"])
        let last = try incorrect.stdoutLines.last
        #expect(incorrect.status == 77 && last?["error"]?["code"] == "auth")
    }

    @Test func noKeyAnywhere_is78NoKeyNamingAiKeysSet() throws {
        let home = try KeysHome(vault: nil)
        let result = try run(home, nil)
        #expect(result.status == 78)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "no_key")
        #expect(result.stderrText.contains("ai-keys set openai"))
    }

    @Test func corruptVault_is65() throws {
        let home = try KeysHome()
        var file = try KeysHome.fixture("v1-min.vault")
        file[500] ^= 0x10
        try home.write(file, to: home.vaultPath)
        let result = try run(home, nil, passphrase: true)
        #expect(result.status == 65)
    }

    @Test func aiStream_takesPassphraseFD() throws {
        let home = try KeysHome()
        let result = try runTool(
            ToolProcess.executablePath("ai-stream"),
            arguments: ["--passphrase-fd", "1", "-p", "echo"], stdin: .text("x"),
            environment: home.environment())
        #expect(result.status == 64)
    }
}
