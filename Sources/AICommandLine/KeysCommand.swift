import AIBase
import AIKeys
import AIProviders
import AIWire
import ArgumentParser
import Glibc

/// The bodies of the `ai-keys` commands (DESIGN §6); `KeysCommands.swift` declares their options.
///
/// Each body turns `KeysError` into `AIError`, so `Tool.main` prints one `ai-keys: error: …` line and exits with
/// the documented status. Nothing secret reaches stdout except `get`'s key, and nothing secret ever reaches
/// stderr, argv or the environment (except the child's environment under `exec`, by design).
package enum KeysCommand {
    /// Runs `body`, turning a `KeysError` into the `AIError` users see.
    /// - Throws: `AIError`.
    static func keys<Value>(_ body: () throws(KeysError) -> Value) throws(AIError) -> Value {
        do {
            return try body()
        } catch {
            throw AIError(error)
        }
    }

    /// `ai-keys init`: creates an empty vault with a new passphrase.
    /// - Throws: `AIError` (`config` when a vault exists, `auth` for an empty or mismatched passphrase…).
    package static func initialize(_ options: KeysOptions, kdf: KDFOptions) throws {
        let environment = Environment.current()
        let location = options.location(environment)
        try keys { () throws(KeysError) in
            if Vault.exists(location) { throw .vaultExists(path: location.path) }
            let passphrase = try options.passphrases(environment).readNew(
                prompt: "new passphrase for \(location.path): ", confirmation: "repeat the passphrase: ")
            warnAboutStrength(passphrase: passphrase, kdf: kdf.parameters)
            try Vault.create(location, passphrase: passphrase, kdf: kdf.parameters)
        }
        AuditLog(environment: environment).recordOrWarn(
            action: "init", name: nil, via: "vault", reporter: StandardErrorReporter())
    }

    /// `ai-keys set NAME`: stores the key read from stdin (when it is not a terminal) or typed at a prompt.
    /// - Throws: `AIError`.
    package static func set(_ name: String, options: KeysOptions) throws {
        let environment = Environment.current()
        let location = options.location(environment)
        try keys { () throws(KeysError) in
            try VaultContents.checkName(name)
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let secret = try readSecret(for: name)
            let passphrase = try options.passphrases(environment).read(prompt: "passphrase for \(location.path): ")
            try Vault.modify(location, passphrase: passphrase) { (contents) throws(KeysError) in
                try contents.set(name, secret: secret, time: WallClock.now())
            }
        }
        AuditLog(environment: environment).recordOrWarn(
            action: "set", name: name, via: "vault", reporter: StandardErrorReporter())
    }

    /// `ai-keys rm NAME`.
    /// - Throws: `AIError` (`no_key` when there is no such entry).
    package static func remove(_ name: String, options: KeysOptions) throws {
        let environment = Environment.current()
        let location = options.location(environment)
        try keys { () throws(KeysError) in
            try VaultContents.checkName(name)
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let passphrase = try options.passphrases(environment).read(prompt: "passphrase for \(location.path): ")
            try Vault.modify(location, passphrase: passphrase) { (contents) throws(KeysError) in
                try contents.remove(name)
            }
        }
        AuditLog(environment: environment).recordOrWarn(
            action: "rm", name: name, via: "vault", reporter: StandardErrorReporter())
    }

    /// `ai-keys get NAME`: prints the key and a newline, from the agent when it is unlocked, else the vault.
    /// - Throws: `AIError`; `usage` when stdout is a terminal and `reveal` is false.
    package static func get(_ name: String, reveal: Bool, options: KeysOptions) throws {
        try keys { () throws(KeysError) in try VaultContents.checkName(name) }
        if Terminal.isTerminal(1), !reveal {
            throw AIError(.usage, "refusing to print a key to a terminal", hints: ["pipe it, or add --reveal"])
        }
        let secret = try fetch(name, options: options, action: "get")
        try writeLine(secret)
    }

    /// `ai-keys exec NAME -- CMD…`: runs CMD with the key in its environment (the only place a key is put there).
    /// - Throws: `AIError`; `ExitCode` 126/127 when CMD cannot run.
    package static func exec(_ name: String, variable: String?, command: [String], options: KeysOptions) throws {
        guard let program = command.first else { throw AIError(.usage, "no command to run after --") }
        let variable = variable ?? defaultVariable(for: name)
        guard isValidVariable(variable) else {
            throw AIError(.usage, "invalid environment variable name '\(variable)'")
        }
        try keys { () throws(KeysError) in try VaultContents.checkName(name) }
        guard let path = findExecutable(program, environment: Environment.current()) else {
            Diagnostics.error("cannot run '\(program)': command not found")
            throw ExitCode(127)
        }
        let secret = try fetch(name, options: options, action: "exec")
        try ChildProcess.replace(path: path, arguments: command, variable: variable, secret: secret)
    }

    /// `ai-keys list`: one JSON line per key: name, fingerprint, created, updated; never the key.
    /// - Throws: `AIError`.
    package static func list(_ options: KeysOptions) throws {
        let environment = Environment.current()
        var rows: [AgentListEntry]?
        if options.vault == nil,
            let client = try keys({ () throws(KeysError) in
                try AgentClient.connect(path: KeysPaths.agentSocket(environment))
            })
        {
            rows = try? client.list(tool: Diagnostics.tool)
        }
        if rows == nil {
            let location = options.location(environment)
            rows = try keys { () throws(KeysError) in
                guard Vault.exists(location) else { throw .noVault(path: location.path) }
                let passphrase = try options.passphrases(environment).read(prompt: "passphrase for \(location.path): ")
                return try Vault.open(location, passphrase: passphrase).contents.entries.map {
                    AgentListEntry(name: $0.name, fingerprint: $0.fingerprint, created: $0.created, updated: $0.updated)
                }
            }
        }
        for row in rows ?? [] {
            try JSONLWriter.standardOutput.write(
                .object([
                    "name": .string(row.name), "fingerprint": .string(row.fingerprint),
                    "created": .string(WallClock.format(row.created)),
                    "updated": .string(WallClock.format(row.updated)),
                ]))
        }
    }

    /// `ai-keys passwd`: checks the current passphrase, then re-encrypts under a new one with a new data key.
    /// - Throws: `AIError` (`auth` for a wrong current passphrase or mismatched new ones).
    package static func changePassphrase(_ options: KeysOptions, newPassphraseFD: Int32?, kdf: KDFOptions) throws {
        let environment = Environment.current()
        let location = options.location(environment)
        try keys { () throws(KeysError) in
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let old = try options.passphrases(environment).read(prompt: "current passphrase for \(location.path): ")
            let opened = try Vault.open(location, passphrase: old)
            var newSources = PassphraseSources(descriptor: newPassphraseFD, environment: Environment([:]))
            newSources.allowsPrompt = true
            let new = try newSources.readNew(prompt: "new passphrase: ", confirmation: "repeat the new passphrase: ")
            warnAboutStrength(passphrase: new, kdf: kdf.parameters)
            try Vault.changePassphrase(location, opened: opened, oldPassphrase: old, to: new, kdf: kdf.parameters)
        }
        AuditLog(environment: environment).recordOrWarn(
            action: "passwd", name: nil, via: "vault", reporter: StandardErrorReporter())
        if let client = try? AgentClient.connect(path: KeysPaths.agentSocket(environment), timeout: 2) {
            try? client.lock(tool: Diagnostics.tool)
        }
    }

    /// `ai-keys unlock`: sends the passphrase to the running agent, which keeps the data key for its TTLs.
    /// - Throws: `AIError` (`unavailable` without an agent, `auth` for a wrong passphrase, `vault_locked` without
    ///   a passphrase source).
    package static func unlock(_ options: KeysOptions, ttl: KeysDuration?, idleTTL: KeysDuration?) throws {
        let environment = Environment.current()
        let socket = KeysPaths.agentSocket(environment)
        try keys { () throws(KeysError) in
            guard let client = try AgentClient.connect(path: socket) else { throw .noAgent(path: socket) }
            let passphrase = try options.passphrases(environment).read(prompt: "passphrase for the agent's vault: ")
            client.setTimeout(120)
            try client.unlock(
                passphrase: passphrase, idleTTL: idleTTL?.seconds ?? 0, hardTTL: ttl?.seconds ?? 0,
                tool: Diagnostics.tool)
        }
    }

    /// `ai-keys lock`: makes the agent forget its data key.
    /// - Throws: `AIError` (`unavailable` without an agent).
    package static func lock() throws {
        let socket = KeysPaths.agentSocket(Environment.current())
        try keys { () throws(KeysError) in
            guard let client = try AgentClient.connect(path: socket) else { throw .noAgent(path: socket) }
            try client.lock(tool: Diagnostics.tool)
        }
    }

    /// `ai-keys status`: one JSON line about the agent; exits 1 when there is no unlocked agent.
    /// - Throws: `ExitCode(1)` when locked; `AIError` for an untrusted socket.
    package static func status(_ options: KeysOptions) throws {
        let environment = Environment.current()
        let socket = KeysPaths.agentSocket(environment)
        var line: JSONObject = ["agent": .string("absent"), "socket": .string(socket), "locked": .bool(true)]
        if let client = try keys({ () throws(KeysError) in try AgentClient.connect(path: socket, timeout: 5) }) {
            let status = try keys { () throws(KeysError) in try client.status() }
            line["agent"] = .string("running")
            line["pid"] = .int(Int(status.pid))
            line["locked"] = .bool(status.locked)
            if !status.locked {
                line["idle_left"] = status.idleLeft.map { .int(Int($0)) } ?? .null
                line["ttl_left"] = status.hardLeft.map { .int(Int($0)) } ?? .null
            }
        }
        line["vault"] = .string(options.location(environment).path)
        try JSONLWriter.standardOutput.write(.object(line))
        if line["locked"] == .bool(true) { throw ExitCode(ExitStatus.predicateFalse.rawValue) }
    }

    /// `ai-keys audit`: prints the audit log (optionally one entry's lines, or the last N).
    /// - Throws: `AIError` (`io`).
    package static func audit(name: String?, last: Int?) throws {
        let log = AuditLog(environment: Environment.current())
        let bytes = try keys { () throws(KeysError) -> [UInt8] in
            guard let descriptor = try KeysFileSystem.openForReading(log.path) else { return [] }
            defer { KeysFileSystem.closeQuietly(descriptor) }
            return try KeysFileSystem.readAll(descriptor, limit: 1 << 30, path: log.path)
        }
        var lines = bytes.split(separator: 0x0A).filter { !$0.isEmpty }
        if let name {
            lines = lines.filter { (try? JSON.parse(Array($0)))?["name"]?.stringValue == name }
        }
        if let last { lines = Array(lines.suffix(max(0, last))) }
        for line in lines { try JSONLWriter.standardOutput.write(bytes: Array(line) + [0x0A]) }
    }

    // MARK: - Helpers

    /// The key from the agent (when one is unlocked, and no `--vault` names another vault) or from the vault, with
    /// the access recorded.
    private static func fetch(_ name: String, options: KeysOptions, action: String) throws(AIError) -> SecretBytes {
        let environment = Environment.current()
        return try keys { () throws(KeysError) -> SecretBytes in
            if options.vault == nil, let client = try AgentClient.connect(path: KeysPaths.agentSocket(environment)) {
                do throws(KeysError) {
                    guard let secret = try client.get(name, tool: Diagnostics.tool) else {
                        throw KeysError.entryNotFound(name: name)
                    }
                    return secret
                } catch .agentLocked, .agentRefused, .agentProtocol, .agentVault {
                    // Fall through to the vault and its passphrase.
                }
            }
            let location = options.location(environment)
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let passphrase = try options.passphrases(environment).read(prompt: "passphrase for \(location.path): ")
            let vault = try Vault.open(location, passphrase: passphrase)
            guard let entry = vault.contents.entry(named: name) else { throw .entryNotFound(name: name) }
            AuditLog(environment: environment).recordOrWarn(
                action: action, name: name, via: "vault", reporter: StandardErrorReporter())
            return entry.secret
        }
    }

    /// A key from stdin when it is not a terminal (one trailing newline dropped), else typed on `/dev/tty`.
    private static func readSecret(for name: String) throws(KeysError) -> SecretBytes {
        guard !Terminal.isTerminal(0) else {
            let secret = try TerminalPrompt.read("key for \(name) (not echoed): ")
            guard secret.count > 0 else { throw .emptySecret }
            return secret
        }
        let buffer = try SecretBytes(count: VaultContents.maximumSecretBytes + 3)
        var length = 0
        var failure: KeysError?
        buffer.withUnsafeMutableBytes { bytes in
            while length < bytes.count {
                let count = read(0, bytes.baseAddress.map { $0 + length }, bytes.count - length)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = .io("cannot read stdin: \(KeysFileSystem.describe())")
                    return
                }
                if count == 0 { break }
                length += count
            }
            if length > 0, bytes[length - 1] == 0x0A { length -= 1 }
            if length > 0, bytes[length - 1] == 0x0D { length -= 1 }
        }
        if let failure { throw failure }
        guard length > 0 else { throw .emptySecret }
        guard length <= VaultContents.maximumSecretBytes else { throw .secretTooLong }
        return try buffer.slice(0..<length)
    }

    /// Writes a secret and a newline to stdout in one `write`, from locked memory.
    private static func writeLine(_ secret: SecretBytes) throws {
        let line = try keys { () throws(KeysError) in try SecretBytes(count: secret.count + 1) }
        line.withUnsafeMutableBytes { buffer in
            secret.withUnsafeBytes { source in
                if let to = buffer.baseAddress, let from = source.baseAddress {
                    to.copyMemory(from: from, byteCount: source.count)
                }
            }
            buffer[secret.count] = 0x0A
        }
        let written = line.withUnsafeBytes { KeysFileSystem.writeAll(1, $0) }
        if !written {
            if errno == EPIPE { throw OutputClosed() }
            throw AIError(.io, "cannot write output: \(KeysFileSystem.describe())")
        }
    }

    private static func warnAboutStrength(passphrase: SecretBytes, kdf: KDFParameters) {
        if passphrase.count < 12 {
            Diagnostics.warning("short passphrase (under 12 characters): a stolen vault could be guessed offline")
        }
        if kdf.isWeak {
            Diagnostics.warning("kdf cost below the default (3 passes, 256 MiB): weak against offline guessing")
        }
    }

    /// `OPENAI_API_KEY` for `openai`, `ANTHROPIC_API_KEY` for `anthropic`, else NAME upper-cased with `-` and `.`
    /// as `_`, plus `_API_KEY`.
    package static func defaultVariable(for name: String) -> String {
        let upper = name.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 }
        return String(upper) + "_API_KEY"
    }

    private static func isValidVariable(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F
                || ($0 >= 0x61 && $0 <= 0x7A)
        }
    }

    private static func findExecutable(_ program: String, environment: Environment) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = String(directory) + "/" + program
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
