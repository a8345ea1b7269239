import AIBase
import Glibc
import Synchronization

/// Finds a provider's key (DESIGN §6): its environment variable, then the agent, then the vault.
///
/// This is the one place keys are looked up. The environment variable costs nothing more than a dictionary
/// lookup: no socket, no file. The agent is asked next (at `AI_KEYS_SOCK`, else the default socket); a locked or
/// absent agent falls through to the vault, which is opened with a passphrase from `--passphrase-fd`,
/// `AI_PASSPHRASE_FILE` or a `/dev/tty` prompt, never stdin. Results are kept for the life of the process, so a
/// batch asks for the passphrase at most once.
package struct KeyResolver: KeyLookup {
    private let environment: Environment
    private let passphrases: PassphraseSources
    private let reporter: any Reporter
    private var tool: String { reporter.tool }

    /// A resolver reading `environment`, with `--passphrase-fd` when given; `reporter` names the tool in the agent's
    /// and the audit log's records and takes the audit log's warnings.
    package init(environment: Environment, passphraseDescriptor: Int32? = nil, reporter: any Reporter) {
        self.environment = environment
        self.passphrases = PassphraseSources(descriptor: passphraseDescriptor, environment: environment)
        self.reporter = reporter
    }

    /// The key in environment variable `variable` only (no agent, no vault): for listings that must not prompt.
    package func key(named variable: String) -> (key: String, source: KeySource)? {
        if let value = environment[variable] {
            ProcessHardening.holdingSecrets()
            return (key: value, source: .environment)
        }
        return nil
    }

    /// Where a key would come from, without prompting, unlocking or recording an access: the environment, an
    /// unlocked agent that lists the entry, else `.vault` when a vault exists (it may or may not hold the entry).
    package func probe(environmentVariable: String?, entry: String) -> KeySource {
        if let environmentVariable, environment[environmentVariable] != nil { return .environment }
        if let client = try? AgentClient.connect(path: KeysPaths.agentSocket(environment), timeout: 2),
            let names = try? client.list(tool: tool).map(\.name), names.contains(entry)
        {
            return .agent
        }
        return Vault.exists(VaultLocation(environment: environment)) ? .vault : .none
    }

    /// The key for vault entry `entry` (also environment variable `environmentVariable`, when given), or nil
    /// when no source has it.
    /// Once a key is found the process is made non-dumpable with no core file (`ProcessHardening`).
    /// - Throws: `AIError`: `vault_locked` (77) when the vault is locked and nothing here can unlock it, with a
    ///   hint to start the agent; `auth` (77) for a wrong passphrase; `input` (65) for a corrupted vault;
    ///   `config` (78) for unsafe permissions or an untrusted agent socket.
    package func key(environmentVariable: String?, entry: String) throws -> (key: String, source: KeySource)? {
        if let environmentVariable, let value = environment[environmentVariable] {
            ProcessHardening.holdingSecrets()
            return (key: value, source: .environment)
        }
        let location = VaultLocation(environment: environment)
        let cacheKey = location.path + "\u{0}" + entry
        ProcessHardening.holdingSecrets()
        return try Self.cache.withLock { cache throws(AIError) -> (key: String, source: KeySource)? in
            if let cached = cache.results[cacheKey] { return try cached.get() }
            let result: Result<(key: String, source: KeySource)?, AIError>
            do throws(KeysError) {
                result = .success(try resolve(entry: entry, location: location, vault: &cache.vault))
            } catch {
                result = .failure(AIError(error))
            }
            cache.results[cacheKey] = result
            return try result.get()
        }
    }

    private func resolve(
        entry: String, location: VaultLocation, vault: inout OpenVault?
    )
        throws(KeysError) -> (key: String, source: KeySource)?
    {
        if let client = try AgentClient.connect(path: KeysPaths.agentSocket(environment), timeout: 5) {
            do throws(KeysError) {
                guard let secret = try client.get(entry, tool: tool) else { return nil }
                return (key: secret.unprotectedString(), source: .agent)
            } catch .agentLocked, .agentRefused, .agentProtocol, .agentVault {
                // Locked, changed or unreadable through the agent: the vault and its passphrase decide.
            }
        }
        guard Vault.exists(location) else { return nil }
        if vault?.location != location {
            let passphrase = try passphrases.read(prompt: "passphrase for \(location.path): ")
            vault = OpenVault(try Vault.open(location, passphrase: passphrase))
        }
        guard let opened = vault?.vault, let found = opened.contents.entry(named: entry) else { return nil }
        AuditLog(environment: environment).recordOrWarn(action: "get", name: entry, via: "vault", reporter: reporter)
        return (key: found.secret.unprotectedString(), source: .vault)
    }

    /// The process-wide results and the vault opened for them.
    private static let cache = Mutex(Cache())

    private struct Cache: ~Copyable {
        var results: [String: Result<(key: String, source: KeySource)?, AIError>] = [:]
        var vault: OpenVault?
    }
}

/// An opened vault kept for the process's later lookups (only ever touched under `KeyResolver.cache`'s lock).
private struct OpenVault: @unchecked Sendable {
    let vault: Vault
    var location: VaultLocation { vault.location }

    init(_ vault: Vault) {
        self.vault = vault
    }
}
