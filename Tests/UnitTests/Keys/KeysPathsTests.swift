import AIBase
import AICommandLine
import AIKeys
import Glibc
import Testing

/// DESIGN §7: where the vault, the audit log and the agent socket are.
@Suite struct KeysPathsTests {
    @Test func defaults_followXDG() {
        let environment = Environment([
            "HOME": "/h", "XDG_DATA_HOME": "/d", "XDG_STATE_HOME": "/s",
            "XDG_RUNTIME_DIR": "/r",
        ])
        #expect(VaultLocation(environment: environment).path == "/d/ai/vault")
        #expect(VaultLocation(environment: environment).lockPath == "/d/ai/vault.lock")
        #expect(KeysPaths.auditLog(environment) == "/s/ai/audit.jsonl")
        #expect(KeysPaths.agentSocket(environment) == "/r/ai-keys/agent.sock")
    }

    @Test func withoutXDG_homeAndRunUserAreUsed() {
        let environment = Environment(["HOME": "/h", "XDG_RUNTIME_DIR": "relative/ignored"])
        #expect(VaultLocation(environment: environment).path == "/h/.local/share/ai/vault")
        #expect(KeysPaths.auditLog(environment) == "/h/.local/state/ai/audit.jsonl")
        #expect(KeysPaths.agentSocket(environment) == "/run/user/\(geteuid())/ai-keys/agent.sock")
    }

    @Test func explicitVariablesAndFlags_win() {
        let environment = Environment(["HOME": "/h", "AI_VAULT": "/v/my", "AI_KEYS_SOCK": "/tmp/s.sock"])
        #expect(VaultLocation(environment: environment).path == "/v/my")
        #expect(VaultLocation(environment: environment).lockPath == "/v/my.lock")
        #expect(VaultLocation(environment: environment, override: "/o").path == "/o")
        #expect(KeysPaths.agentSocket(environment) == "/tmp/s.sock")
    }

    @Test func durations_parse() {
        #expect(KeysDuration(argument: "90")?.seconds == 90)
        #expect(KeysDuration(argument: "15m")?.seconds == 900)
        #expect(KeysDuration(argument: "2h")?.seconds == 7200)
        #expect(KeysDuration(argument: "1d")?.seconds == 86_400)
        #expect(KeysDuration(argument: "0")?.ttl == nil)
        #expect(KeysDuration(argument: "x") == nil)
        #expect(KeysDuration(argument: "-1") == nil)
        #expect(KeysDuration(argument: "99999999d") == nil)
    }

    @Test func exports_lookLikeSSHAgents() {
        #expect(
            KeysAgent.exports(socket: "/r/ai-keys/agent.sock", pid: 42)
                == "AI_KEYS_SOCK=/r/ai-keys/agent.sock; export AI_KEYS_SOCK;\n"
                + "AI_KEYS_AGENT_PID=42; export AI_KEYS_AGENT_PID;\n")
        #expect(KeysAgent.exports(socket: "/a b/it's", pid: 1).hasPrefix("AI_KEYS_SOCK='/a b/it'\\''s';"))
    }

    @Test func execVariables_defaultToTheProviderNames() {
        #expect(KeysService.defaultVariable(for: "openai") == "OPENAI_API_KEY")
        #expect(KeysService.defaultVariable(for: "my-groq.eu") == "MY_GROQ_EU_API_KEY")
    }

    @Test func wallClock_formatsRFC3339UTC() {
        #expect(WallClock.format(0) == "1970-01-01T00:00:00Z")
        #expect(WallClock.format(1_767_225_600) == "2026-01-01T00:00:00Z")
    }
}
