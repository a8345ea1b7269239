import AIBase
import AIWire
import Glibc

/// The engines of the `ai-keys` commands (DESIGN §6): each returns a value or throws the `AIError` users see.
///
/// The command-line layer parses the options, builds one service for the run and formats what it returns: JSON
/// lines on stdout, `tool: error: …` lines on stderr, exit statuses. The service itself never prints: its warnings
/// (a weak passphrase or KDF cost, an audit line that could not be written, memory that cannot be locked) go to
/// `reporter`, and `reporter.tool` names the caller in the audit log and in the agent's records. A command that
/// reads a passphrase or a key first makes the process non-dumpable with no core file (`ProcessHardening`).
package struct KeysService {
    /// The environment the run reads (paths, `AI_PASSPHRASE_FILE`, `PATH` for `exec`).
    package let environment: Environment
    /// Where warnings go; its `tool` names this process in audit lines.
    package let reporter: any Reporter
    /// `--vault`: the vault named instead of `AI_VAULT` or the default (it also passes over the agent).
    package let vaultOverride: String?
    /// `--passphrase-fd`: the descriptor the vault's passphrase is read from, if any.
    package let passphraseDescriptor: Int32?

    /// A service for one run: the environment, the reporter, and the `--vault` and `--passphrase-fd` values.
    package init(
        environment: Environment, reporter: any Reporter, vault: String? = nil, passphraseDescriptor: Int32? = nil
    ) {
        self.environment = environment
        self.reporter = reporter
        self.vaultOverride = vault
        self.passphraseDescriptor = passphraseDescriptor
    }

    /// The vault the options and the environment name.
    package var location: VaultLocation { VaultLocation(environment: environment, override: vaultOverride) }

    /// Where the vault's passphrase comes from.
    package var passphrases: PassphraseSources {
        PassphraseSources(descriptor: passphraseDescriptor, environment: environment)
    }

    /// The agent's socket the environment names.
    package var agentSocket: String { KeysPaths.agentSocket(environment) }

    /// The audit log of this environment.
    package var auditLog: AuditLog { AuditLog(environment: environment) }

    private var tool: String { reporter.tool }

    /// Runs `body`, turning a `KeysError` into the `AIError` users see.
    /// - Throws: `AIError`.
    package static func keys<Value>(_ body: () throws(KeysError) -> Value) throws(AIError) -> Value {
        do {
            return try body()
        } catch {
            throw AIError(error)
        }
    }

    // MARK: - The vault

    /// Refuses an entry name outside `[A-Za-z0-9._-]{1,64}`.
    /// - Throws: `AIError` (`usage`).
    package func checkName(_ name: String) throws(AIError) {
        try Self.keys { () throws(KeysError) in try VaultContents.checkName(name) }
    }

    /// `init`: creates an empty vault with a new passphrase at cost `kdf`, and records it.
    /// - Throws: `AIError` (`config` when a vault exists, `auth` for an empty or mismatched passphrase…).
    package func initialize(kdf: KDFParameters) throws(AIError) {
        let location = location
        Self.harden()
        try Self.keys { () throws(KeysError) in
            if let found = try Vault.occupant(location) {
                throw found == .vault
                    ? .vaultExists(path: location.path) : .occupied(path: location.path, what: found.description)
            }
            let passphrase = try passphrases.readNew(
                prompt: "new passphrase for \(location.path): ", confirmation: "repeat the passphrase: ")
            warnAboutStrength(passphrase: passphrase, kdf: kdf)
            try Vault.create(location, passphrase: passphrase, kdf: kdf)
        }
        auditLog.recordOrWarn(action: "init", name: nil, via: "vault", reporter: reporter)
    }

    /// `set NAME`: stores `secret`, or (when nil) the key read from stdin when it is not a terminal, else typed at
    /// a prompt; then records it.
    /// - Throws: `AIError` (`no_input` without a vault, `input` for an empty or long key, `auth`…).
    package func set(_ name: String, secret: SecretBytes? = nil) throws(AIError) {
        let location = location
        Self.harden()
        try Self.keys { () throws(KeysError) in
            try VaultContents.checkName(name)
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let secret = if let secret { secret } else { try Self.readSecret(for: name) }
            let passphrase = try passphrases.read(prompt: "passphrase for \(location.path): ")
            try Vault.modify(location, passphrase: passphrase) { (contents) throws(KeysError) in
                try contents.set(name, secret: secret, time: WallClock.now())
            }
        }
        auditLog.recordOrWarn(action: "set", name: name, via: "vault", reporter: reporter)
    }

    /// `rm NAME`: removes the entry and records it.
    /// - Throws: `AIError` (`no_key` when there is no such entry).
    package func remove(_ name: String) throws(AIError) {
        let location = location
        Self.harden()
        try Self.keys { () throws(KeysError) in
            try VaultContents.checkName(name)
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let passphrase = try passphrases.read(prompt: "passphrase for \(location.path): ")
            try Vault.modify(location, passphrase: passphrase) { (contents) throws(KeysError) in
                try contents.remove(name)
            }
        }
        auditLog.recordOrWarn(action: "rm", name: name, via: "vault", reporter: reporter)
    }

    /// The key `name` from the agent (when one is unlocked, and no `--vault` names another vault) or from the
    /// vault, with the access recorded as `action` (`get`, `exec`).
    /// - Throws: `AIError` (`no_key`, `no_input`, `auth`, `vault_locked`…).
    package func fetch(_ name: String, action: String) throws(AIError) -> SecretBytes {
        let location = location
        Self.harden(forExec: action == "exec")
        return try Self.keys { () throws(KeysError) -> SecretBytes in
            if vaultOverride == nil, let client = try AgentClient.connect(path: agentSocket) {
                do throws(KeysError) {
                    guard let secret = try client.get(name, tool: tool) else {
                        throw KeysError.entryNotFound(name: name)
                    }
                    return secret
                } catch .agentLocked, .agentRefused, .agentProtocol, .agentVault {
                    // Fall through to the vault and its passphrase.
                }
            }
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let passphrase = try passphrases.read(prompt: "passphrase for \(location.path): ")
            let vault = try Vault.open(location, passphrase: passphrase)
            guard let entry = vault.contents.entry(named: name) else { throw .entryNotFound(name: name) }
            auditLog.recordOrWarn(action: action, name: name, via: "vault", reporter: reporter)
            return entry.secret
        }
    }

    /// `list`: every entry's name, fingerprint and dates (never a key), from an unlocked agent when there is one
    /// and no `--vault` names another vault, else from the vault.
    /// - Throws: `AIError` (`no_input`, `auth`, `config` for an untrusted agent…).
    package func list() throws(AIError) -> [AgentListEntry] {
        Self.harden()
        if vaultOverride == nil,
            let client = try Self.keys({ () throws(KeysError) in try AgentClient.connect(path: agentSocket) }),
            let rows = try? client.list(tool: tool)
        {
            return rows
        }
        let location = location
        return try Self.keys { () throws(KeysError) in
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let passphrase = try passphrases.read(prompt: "passphrase for \(location.path): ")
            return try Vault.open(location, passphrase: passphrase).contents.entries.map {
                AgentListEntry(name: $0.name, fingerprint: $0.fingerprint, created: $0.created, updated: $0.updated)
            }
        }
    }

    /// `passwd`: checks the current passphrase, re-encrypts under a new one (from `newPassphraseDescriptor` or
    /// typed twice) with a new data key, records it, and locks a running agent.
    /// - Throws: `AIError` (`auth` for a wrong current passphrase or mismatched new ones).
    package func changePassphrase(newPassphraseDescriptor: Int32?, kdf: KDFParameters) throws(AIError) {
        let location = location
        Self.harden()
        try Self.keys { () throws(KeysError) in
            guard Vault.exists(location) else { throw .noVault(path: location.path) }
            let old = try passphrases.read(prompt: "current passphrase for \(location.path): ")
            let opened = try Vault.open(location, passphrase: old)
            var newSources = PassphraseSources(descriptor: newPassphraseDescriptor, environment: Environment([:]))
            newSources.allowsPrompt = true
            let new = try newSources.readNew(prompt: "new passphrase: ", confirmation: "repeat the new passphrase: ")
            warnAboutStrength(passphrase: new, kdf: kdf)
            try Vault.changePassphrase(location, opened: opened, oldPassphrase: old, to: new, kdf: kdf)
        }
        auditLog.recordOrWarn(action: "passwd", name: nil, via: "vault", reporter: reporter)
        if let client = try? AgentClient.connect(path: agentSocket, timeout: 2) {
            try? client.lock(tool: tool)
        }
    }

    // MARK: - The agent's clients

    /// `unlock`: sends the passphrase to the running agent, which keeps the data key for its TTLs (0: the agent's).
    /// When the agent says which vault it serves and there is none there, no passphrase is asked for.
    /// - Throws: `AIError` (`unavailable` without an agent, `no_input` without its vault, `auth` for a wrong
    ///   passphrase, `vault_locked` without a passphrase source).
    package func unlock(idleTTL: UInt32, hardTTL: UInt32) throws(AIError) {
        let socket = agentSocket
        Self.harden()
        try Self.keys { () throws(KeysError) in
            guard let client = try AgentClient.connect(path: socket) else { throw .noAgent(path: socket) }
            if let vault = (try? client.status())?.vault, vault.hasPrefix("/"),
                !Vault.exists(VaultLocation(path: vault))
            {
                throw .noVault(path: vault)
            }
            let passphrase = try passphrases.read(prompt: "passphrase for the agent's vault: ")
            client.setTimeout(120)
            try client.unlock(passphrase: passphrase, idleTTL: idleTTL, hardTTL: hardTTL, tool: tool)
        }
    }

    /// `lock`: makes the agent forget its data key.
    /// - Throws: `AIError` (`unavailable` without an agent).
    package func lock() throws(AIError) {
        let socket = agentSocket
        try Self.keys { () throws(KeysError) in
            guard let client = try AgentClient.connect(path: socket) else { throw .noAgent(path: socket) }
            try client.lock(tool: tool)
        }
    }

    /// `status`: the agent's state at the socket, nil when no agent answers there.
    /// - Throws: `AIError` (`config` for an untrusted socket, `protocol`).
    package func agentStatus() throws(AIError) -> AgentStatus? {
        let socket = agentSocket
        guard let client = try Self.keys({ () throws(KeysError) in try AgentClient.connect(path: socket, timeout: 5) })
        else { return nil }
        return try Self.keys { () throws(KeysError) in try client.status() }
    }

    // MARK: - The audit log

    /// `audit`: the log's lines (without their newlines), only those about `name` when given, the last `last`
    /// when given; none when there is no log.
    /// - Throws: `AIError` (`io`; `config` for a log that is not a private regular file of ours).
    package func auditLines(name: String?, last: Int?) throws(AIError) -> [ArraySlice<UInt8>] {
        let log = auditLog
        let bytes = try Self.keys { () throws(KeysError) -> [UInt8] in try log.contents() }
        var lines = bytes.split(separator: 0x0A).filter { !$0.isEmpty }
        if let name {
            lines = lines.filter { (try? JSON.parse(Array($0)))?["name"]?.stringValue == name }
        }
        if let last { lines = Array(lines.suffix(max(0, last))) }
        return lines
    }

    // MARK: - Helpers

    /// A key from stdin when it is not a terminal (one trailing newline, or CR LF, dropped), else typed on
    /// `/dev/tty` without echo.
    /// - Throws: `KeysError.emptySecret`, `.secretTooLong`, `.io`, and the prompt's errors.
    package static func readSecret(for name: String) throws(KeysError) -> SecretBytes {
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

    /// Keeps the passphrases and keys this process is about to hold out of core files (`ProcessHardening`); before
    /// `exec` the core limit is left for the command, which is dumpable again once it runs.
    private static func harden(forExec: Bool = false) {
        if forExec { ProcessHardening.forbidCoreDumpsUntilExec() } else { ProcessHardening.holdingSecrets() }
    }

    private func warnAboutStrength(passphrase: SecretBytes, kdf: KDFParameters) {
        if passphrase.count < 12 {
            reporter.warning("short passphrase (under 12 characters): a stolen vault could be guessed offline")
        }
        if kdf.isWeak {
            reporter.warning("kdf cost below the default (3 passes, 256 MiB): weak against offline guessing")
        }
    }
}
