/// Every provider by name, built from the settings: one table.
package struct ProviderRegistry: Sendable {
    /// The built-in provider names.
    package static let builtInNames = ["ollama", "openai", "anthropic", "echo"]

    private let settings: Settings
    private let keys: KeyResolver

    /// A registry for the given settings.
    package init(settings: Settings) {
        self.settings = settings
        self.keys = KeyResolver(environment: settings.environment)
    }

    /// The provider named `name`.
    /// - Throws: `AIError` (`config`) for an unknown name; (`no_key`) when a key is required and missing;
    ///   (`config`) when a key would cross plain HTTP to a non-loopback host.
    package func provider(named name: String) throws -> any Provider {
        switch name {
        case "echo":
            return EchoProvider()
        case "openai":
            let baseURL = settings.baseURL ?? settings.environment[.openAIBaseURL] ?? OpenAIProvider.officialBaseURL
            let key = keys.key(named: Environment.Key.openAIKey.rawValue)?.key
            let provider = OpenAIProvider(baseURL: baseURL, apiKey: key)
            if key == nil, provider.isOfficial {
                throw AIError(.noKey, "no key for openai", hints: ["set OPENAI_API_KEY"])
            }
            try Self.checkTransportSecurity(url: baseURL, provider: name, sendsKey: key != nil)
            return provider
        case "anthropic":
            let baseURL = settings.baseURL ?? settings.environment[.anthropicBaseURL]
                ?? AnthropicProvider.officialBaseURL
            guard let key = keys.key(named: Environment.Key.anthropicKey.rawValue)?.key else {
                throw AIError(.noKey, "no key for anthropic", hints: ["set ANTHROPIC_API_KEY"])
            }
            try Self.checkTransportSecurity(url: baseURL, provider: name, sendsKey: true)
            return AnthropicProvider(baseURL: baseURL, apiKey: key)
        case "ollama":
            let baseURL = settings.baseURL ?? OllamaProvider.baseURL(fromHost: settings.environment[.ollamaHost])
            // The key is optional (Ollama's cloud); it is left out rather than sent over plain http.
            var key = keys.key(named: "OLLAMA_API_KEY")?.key
            if key != nil, (try? Self.checkTransportSecurity(url: baseURL, provider: name, sendsKey: true)) == nil {
                key = nil
            }
            return OllamaProvider(baseURL: baseURL, apiKey: key)
        default:
            throw AIError(.config, "unknown provider '\(name)'",
                          hints: ["known providers: \(Self.builtInNames.joined(separator: ", "))"])
        }
    }

    /// Refuses to send a key over plain `http://` to anything but a loopback address (DESIGN §6).
    /// - Throws: `AIError` (`config`).
    package static func checkTransportSecurity(url: String, provider: String, sendsKey: Bool) throws {
        guard sendsKey, url.lowercased().hasPrefix("http://") else { return }
        var host = CurlTransport.host(of: url).lowercased()
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        guard !loopback else { return }
        throw AIError(.config, "refusing to send the \(provider) key over plain http to \(host)",
                      hints: ["use https, or a loopback address"])
    }
}
