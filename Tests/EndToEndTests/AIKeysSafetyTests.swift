import AIBase
import AIKeys
import AITestSupport
import Foundation
import Glibc
import Testing

/// What `ai-keys` refuses to hand on (DESIGN §6): the passphrase descriptor to `exec`'s command, a key to the
/// loader's or the shell's variables, the launcher's environment to the agent; and an audit log nobody may block.
@Suite struct AIKeysSafetyTests {
    static let descriptorProbe =
        #"if [ -e /proc/self/fd/3 ]; then echo open; cat /proc/self/fd/3; else echo closed; fi"#

    /// Before: the command inherited descriptor 3 and read the passphrase through /proc/self/fd/3.
    @Test func exec_neverHandsThePassphraseDescriptorOn() throws {
        let home = try KeysHome()
        let script = #"exec "$KEYS" exec openai --passphrase-fd 3 -- /bin/sh -c "$PROBE" 3<"$PASS""#
        let viaVault = try home.shell(script, ["PROBE": Self.descriptorProbe])
        #expect(viaVault.status == 0, "\(viaVault.stderrText)")
        #expect(viaVault.stdoutText == "closed\n" && !viaVault.stdoutText.contains(KeysHome.passphrase))
        try home.startAgent()
        #expect(try home.unlock().status == 0)
        let viaAgent = try home.shell(script, ["PROBE": Self.descriptorProbe])
        #expect(viaAgent.status == 0, "\(viaAgent.stderrText)")
        #expect(viaAgent.stdoutText == "closed\n" && !viaAgent.stdoutText.contains(KeysHome.passphrase))
        #expect(home.auditLines().last?["via"] == "agent")
    }

    /// Before: `--env LD_PRELOAD` made ld.so print the key on stderr, `--env PATH` ran whatever the key names.
    @Test(arguments: [
        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "PATH", "BASH_ENV", "ENV", "IFS", "LC_ALL",
        "GLIBC_TUNABLES", "BASH_FUNC_x",
    ])
    func exec_refusesLoaderAndShellVariables(_ variable: String) throws {
        let home = try KeysHome()
        let result = try home.keys(["exec", "openai", "--env", variable, "--", "/bin/sh", "-c", "echo ran"])
        #expect(result.status == 64 && result.stdout.isEmpty && result.hasOneErrorLine, "\(result.stderrText)")
        #expect(result.firstErrorLine.hasPrefix("ai-keys: error: refusing to put a key in \(variable): "))
        #expect(!result.stderrText.contains("sk-fixture"))
        #expect(home.auditLines().isEmpty)
    }

    /// Before: a FIFO in the log's place made `get` and the agent wait forever for a reader.
    @Test func aFIFOAsTheAuditLog_blocksNothing() throws {
        let home = try KeysHome()
        mkdir(home.root + "/state/ai", 0o700)
        #expect(mkfifo(home.auditPath, 0o600) == 0)
        let got = try home.keys(["get", "openai"], timeout: 15)
        #expect(got.status == 0 && got.stdoutText == "sk-fixture-openai\n")
        #expect(
            got.stderrText
                == "ai-keys: warning: not writing the audit log \(home.auditPath): it is not a regular file\n")
        let agent = try home.startAgent()
        let unlocked = try home.keys(["unlock"], timeout: 15)
        #expect(unlocked.status == 0, "\(unlocked.stderrText)")
        let viaAgent = try home.keys(["get", "openai"], passphrase: false, timeout: 15)
        #expect(viaAgent.status == 0 && viaAgent.stdoutText == "sk-fixture-openai\n")
        try agent.waitForStderr(containing: "not writing the audit log", timeout: 10)
        let audit = try home.keys(["audit"], timeout: 15)
        #expect(audit.status == 78 && audit.firstErrorLine.contains("is not a regular file"))
    }

    /// Before: a log made 0666 or owned by another user was appended to without a word.
    @Test func anUnsafeAuditLog_isNotWritten() throws {
        let home = try KeysHome()
        mkdir(home.root + "/state/ai", 0o700)
        try home.write([], to: home.auditPath, mode: 0o666)
        chmod(home.auditPath, 0o666)
        let open = try home.keys(["get", "openai"])
        #expect(open.status == 0 && open.stdoutText == "sk-fixture-openai\n")
        #expect(open.stderrText.contains("warning: not writing the audit log: permissions 0666"))
        #expect(home.read(home.auditPath).isEmpty)
        let listed = try home.keys(["audit"])
        #expect(listed.status == 78 && listed.firstErrorLine.contains("permissions 0666"))
        chmod(home.auditPath, 0o600)
        chown(home.auditPath, 65534, 65534)
        let foreign = try home.keys(["get", "openai"])
        #expect(foreign.status == 0 && foreign.stderrText.contains("belongs to uid 65534"))
        #expect(home.read(home.auditPath).isEmpty)
    }

    /// Before: the background agent got every variable of the shell that started it, provider keys included.
    @Test func theAgent_startsWithACleanEnvironment() throws {
        let home = try KeysHome()
        let started = try home.keys(
            ["agent", "--ttl", "10m"], ["OPENAI_API_KEY": "sk-leak-marker", "AI_PASSPHRASE_FILE": home.passphraseFile])
        #expect(started.status == 0, "\(started.stderrText)")
        let pidText = try #require(
            started.stdoutTextLines.last?.split(separator: "=").last?.split(separator: ";").first)
        let pid = try #require(Int32(pidText))
        defer { kill(pid, SIGKILL) }
        let environ = home.read("/proc/\(pid)/environ").split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let names = Set(environ.compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(!environ.isEmpty)
        #expect(names.isSubset(of: Set(KeysService.agentVariables + ["SWIFT_BACKTRACE"])), "\(names)")
        #expect(!environ.contains { $0.contains("sk-leak-marker") || $0.hasPrefix("PATH=") })
        #expect(environ.contains("XDG_RUNTIME_DIR=\(home.root)/run"))
        #expect(try home.unlock().status == 0)
        #expect(try home.keys(["get", "openai"], passphrase: false).stdoutText == "sk-fixture-openai\n")
        #expect(home.auditLines().contains { $0["action"] == "unlock" && $0["via"] == "agent" })
    }

    /// Before: a vault or socket in /tmp got the hint `chmod go-rwx '/tmp'`.
    @Test func aSharedDirectory_getsAProperHint() throws {
        let home = try KeysHome()
        let shared = home.root + "/shared"
        mkdir(shared, 0o700)
        chmod(shared, 0o1777)
        try home.install("v1-min.vault")
        try home.write(try KeysHome.fixture("v1-min.vault"), to: shared + "/vault")
        let vault = try home.keys(["get", "openai"], ["AI_VAULT": shared + "/vault"])
        #expect(vault.status == 78 && vault.hasOneErrorLine)
        #expect(
            vault.firstErrorLine == "ai-keys: error: '\(shared)' is a directory shared with other users (mode 1777)")
        #expect(vault.stderrText.contains("hint: keep the vault and the agent's socket in a private directory"))
        #expect(!vault.stderrText.contains("chmod"))
        let agent = try home.keys(["agent", "-D", "-a", shared + "/agent.sock"])
        #expect(agent.status == 78 && agent.firstErrorLine.contains("shared with other users"))
    }

    /// Before: `init` where a directory (or any other file) stood said "a vault already exists".
    @Test func initOnSomethingElse_saysWhatItIs() throws {
        let home = try KeysHome(vault: nil)
        mkdir(home.vaultPath, 0o700)
        let directory = try home.keys(["init", "--kdf-ops", "1", "--kdf-mem", "8"])
        #expect(directory.status == 78)
        #expect(
            directory.firstErrorLine
                == "ai-keys: error: \(home.vaultPath) is a directory, not a vault; refusing to replace it")
        rmdir(home.vaultPath)
        try home.write(Array("notes\n".utf8), to: home.vaultPath)
        let file = try home.keys(["init", "--kdf-ops", "1", "--kdf-mem", "8"])
        #expect(file.status == 78 && file.firstErrorLine.contains("is a file that is not an ai-keys vault"))
        try home.install("v1-min.vault")
        let vault = try home.keys(["init", "--kdf-ops", "1", "--kdf-mem", "8"])
        #expect(vault.status == 78 && vault.firstErrorLine.contains("a vault already exists"))
    }

    /// Before: 77 "vault is locked" and a hint to run `ai-keys unlock` (issue 15, item 14).
    @Test func unlockWithAnAgentButNoVault_is66() throws {
        let home = try KeysHome(vault: nil)
        try home.startAgent()
        let result = try home.keys(["unlock"], passphrase: false)
        #expect(result.status == 66 && result.hasOneErrorLine, "\(result.stderrText)")
        #expect(result.firstErrorLine == "ai-keys: error: no vault at \(home.vaultPath)")
        #expect(result.stderrText.contains("ai-keys: hint: create one with 'ai-keys init'"))
    }
}
