import AIBase
import AIProviders
import AITestSupport
import AIWire
import Foundation
import Glibc

/// A private home for `ai-keys` runs: XDG directories in a fresh 0700 temp dir, a 0600 passphrase file, and
/// optionally a golden vault copied into place at 0600. Removed (agents stopped) on deinit.
final class KeysHome: @unchecked Sendable {
    /// The passphrase of every golden vault (Tests/Fixtures/vault/fixtures.json).
    static let passphrase = "correct horse battery staple"
    /// The `ai-keys` binary under test.
    static var binary: String { ToolProcess.executablePath("ai-keys") }
    /// Tests/Fixtures/vault.
    static let fixtures: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Tests/Fixtures/vault"
    }()

    let root: String
    private var agents: [ToolProcess] = []

    /// A home, with `vault` (a golden file name) installed as the vault when given.
    init(vault: String? = "v1-min.vault") throws {
        var template = Array((NSTemporaryDirectory() + "ai-keys-e2e-XXXXXX").utf8CString)
        root =
            template.withUnsafeMutableBufferPointer { buffer -> String? in
                guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return nil }
                return String(cString: made)
            } ?? NSTemporaryDirectory() + "ai-keys-e2e-\(UUID().uuidString)"
        for directory in ["data", "data/ai", "state", "run"] { mkdir(root + "/" + directory, 0o700) }
        try write(Array((Self.passphrase + "\n").utf8), to: passphraseFile)
        if let vault { try install(vault) }
    }

    deinit {
        for agent in agents { agent.send(signal: SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    var vaultPath: String { root + "/data/ai/vault" }
    var passphraseFile: String { root + "/pass" }
    var socket: String { root + "/run/ai-keys/agent.sock" }
    var auditPath: String { root + "/state/ai/audit.jsonl" }

    /// Copies a golden vault into place (0600).
    func install(_ fixture: String) throws {
        try write(try Self.fixture(fixture), to: vaultPath)
    }

    /// The bytes of a golden vault.
    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name)))
    }

    /// Writes a file with `mode`.
    func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
    }

    /// The bytes of a file (empty when missing).
    func read(_ path: String) -> [UInt8] {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Array.init) ?? []
    }

    /// The clean environment of a run; `passphrase: true` adds AI_PASSPHRASE_FILE.
    func environment(passphrase: Bool = false, _ extra: [String: String] = [:]) -> [String: String] {
        var values = [
            "HOME": root, "XDG_DATA_HOME": root + "/data", "XDG_STATE_HOME": root + "/state",
            "XDG_RUNTIME_DIR": root + "/run", "XDG_CONFIG_HOME": root + "/config", "PATH": "/usr/bin:/bin",
        ]
        if passphrase { values["AI_PASSPHRASE_FILE"] = passphraseFile }
        values.merge(extra) { $1 }
        return values
    }

    /// Runs `ai-keys` (in a new session, so no controlling terminal is ever reachable).
    func keys(
        _ arguments: [String], stdin: StdinSource = .devNull, passphrase: Bool = true,
        _ extra: [String: String] = [:], timeout: Double = 30
    ) throws -> ToolResult {
        try runTool(
            "/usr/bin/setsid", arguments: ["-w", Self.binary] + arguments, stdin: stdin,
            environment: environment(passphrase: passphrase, extra), timeout: timeout)
    }

    /// Runs a shell script with `$KEYS` naming the binary, `$PASS` the passphrase file and `$HOME_DIR` the home.
    func shell(
        _ script: String, stdin: StdinSource = .devNull, _ extra: [String: String] = [:],
        timeout: Double = 60
    ) throws -> ToolResult {
        var values = environment(extra)
        values["KEYS"] = Self.binary
        values["PASS"] = passphraseFile
        values["HOME_DIR"] = root
        return try runTool(
            "/usr/bin/setsid", arguments: ["-w", "/bin/sh", "-c", script], stdin: stdin,
            environment: values, timeout: timeout)
    }

    /// Starts `ai-keys agent -D` with `arguments` and waits until it announced itself.
    @discardableResult
    func startAgent(_ arguments: [String] = [], _ extra: [String: String] = [:]) throws -> ToolProcess {
        let agent = try ToolProcess(
            Self.binary, arguments: ["agent", "-D"] + arguments,
            environment: environment(extra))
        agents.append(agent)
        try agent.waitForStdout(containing: "AI_KEYS_AGENT_PID=", timeout: 20)
        return agent
    }

    /// Unlocks the running agent through the passphrase file.
    func unlock(_ arguments: [String] = []) throws -> ToolResult {
        try keys(["unlock"] + arguments)
    }

    /// The directory's entries (hidden ones included).
    func entries(of directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// The audit log's lines, parsed.
    func auditLines() -> [JSON] {
        read(auditPath).split(separator: 0x0A).compactMap { try? JSON.parse(Array($0)) }
    }
}

extension ToolResult {
    /// Whether stderr is exactly one `ai-keys: error:` line, optionally followed by hint lines.
    var hasOneErrorLine: Bool {
        let lines = stderrTextLines
        guard let first = lines.first, first.hasPrefix("ai-keys: error: ") else { return false }
        return lines.dropFirst().allSatisfy { $0.hasPrefix("ai-keys: hint: ") }
    }

    /// The first stderr line.
    var firstErrorLine: String { stderrTextLines.first ?? "" }
}

/// File identity and contents, to prove a vault was not touched.
struct FileSnapshot: Equatable {
    var bytes: [UInt8]
    var inode: UInt
    var modified: Int

    init(_ path: String) {
        var info = stat()
        stat(path, &info)
        bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))).map(Array.init) ?? []
        inode = UInt(info.st_ino)
        modified = info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
    }
}

/// Runs `body` over `items` on `workers` threads (independent process runs).
func concurrently<Item: Sendable>(_ items: [Item], workers: Int = 4, _ body: @escaping @Sendable (Item) -> Void) {
    let next = NSLock()
    nonisolated(unsafe) var index = 0
    let group = DispatchGroup()
    for _ in 0..<workers {
        group.enter()
        Thread.detachNewThread {
            while true {
                next.lock()
                let current = index
                index += 1
                next.unlock()
                guard current < items.count else { break }
                body(items[current])
            }
            group.leave()
        }
    }
    group.wait()
}
