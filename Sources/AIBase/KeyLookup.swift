/// Where a provider's key came from, for `ai-models providers` and the audit log; never the key itself.
package enum KeySource: String, Sendable {
    case environment = "env"
    case agent
    case vault
    case none
}

/// Finds providers' keys: what the provider layer is given instead of building a key store itself.
///
/// The keys layer's `KeyResolver` is the one implementation the tools use (environment, agent, vault); tests pass
/// their own.
package protocol KeyLookup: Sendable {
    /// The key in environment variable `variable` only (no agent, no vault): for listings that must not prompt.
    func key(named variable: String) -> (key: String, source: KeySource)?
    /// Where a key would come from, without prompting, unlocking or recording an access.
    func probe(environmentVariable: String?, entry: String) -> KeySource
    /// The key for vault entry `entry` (also environment variable `environmentVariable`, when given), or nil
    /// when no source has it.
    /// - Throws: `AIError` (`vault_locked`, `auth`, `input`, `config`) when a store holding keys cannot be read.
    func key(environmentVariable: String?, entry: String) throws -> (key: String, source: KeySource)?
}

/// Keys from environment variables alone: no agent, no vault (the library's default; the tools pass the keys
/// layer's resolver).
package struct EnvironmentKeys: KeyLookup {
    private let environment: Environment

    /// A lookup reading `environment`.
    package init(environment: Environment) {
        self.environment = environment
    }

    package func key(named variable: String) -> (key: String, source: KeySource)? {
        environment[variable].map { (key: $0, source: .environment) }
    }

    package func probe(environmentVariable: String?, entry: String) -> KeySource {
        key(named: environmentVariable ?? "")?.source ?? .none
    }

    package func key(environmentVariable: String?, entry: String) throws -> (key: String, source: KeySource)? {
        key(named: environmentVariable ?? "")
    }
}
