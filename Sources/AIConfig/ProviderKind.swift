/// The kinds of provider the suite speaks.
package enum ProviderKind: String, Sendable, CaseIterable {
    case ollama, openai, anthropic, echo

    /// The kind of the built-in provider of that name, if it is one.
    package static func builtIn(named name: String) -> ProviderKind? {
        ProviderKind(rawValue: name)
    }
}
