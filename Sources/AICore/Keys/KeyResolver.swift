/// Where a provider's key came from, for `ai-models providers` and the audit log; never the key itself.
package enum KeySource: String, Sendable {
    case environment = "env"
    case agent
    case vault
    case none
}

/// Finds a provider's key (DESIGN §6): its environment variable first.
///
/// This is the one place keys are looked up; the agent and the vault join the search order here.
package struct KeyResolver: Sendable {
    private let environment: Environment

    /// A resolver reading `environment`.
    package init(environment: Environment) {
        self.environment = environment
    }

    /// The key named `variable` and where it came from, or nil when no source has it.
    package func key(named variable: String) -> (key: String, source: KeySource)? {
        if let value = environment[variable] { return (key: value, source: .environment) }
        return nil
    }
}
