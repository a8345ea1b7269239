import AIBase
import AIConfig
import AITransport
import AIWire
import Synchronization

/// One provider's settings after flags, environment and config are merged: what `provider(named:)` builds.
package struct ProviderSpec: Sendable {
    /// The name users give with `-p`.
    package var name: String
    /// What it speaks.
    package var kind: ProviderKind
    /// Its server.
    package var baseURL: String
    /// The environment variable holding its key, if any.
    package var keyVariable: String?
    /// The vault entry holding its key, if any.
    package var keyEntry: String?
    /// Whether a request without a key must fail (78) rather than go without one.
    package var keyRequired: Bool
    /// Extra headers.
    package var headers: [(name: String, value: String)] = []
    /// The model the config names, if any.
    package var model: String?
    /// Allows the key over plain `http://` to a non-loopback host.
    package var allowInsecureHTTP = false
    /// Whether streams ask an OpenAI-kind server for usage (`stream_options`); config `stream_usage`.
    package var streamUsage = true

    /// Capabilities `ai-models providers` reports: streaming, tools, vision.
    package var capabilities: JSON {
        let tools = kind != .echo
        return .object(["streaming": .bool(true), "tools": .bool(tools), "vision": .bool(tools)])
    }
}

/// Every provider by name, built from the settings: one table.
package struct ProviderRegistry: Sendable {
    /// The built-in provider names.
    package static let builtInNames = ProviderKind.allCases.map(\.rawValue)

    /// The settings the providers are built from.
    package let settings: Settings
    private var keys: any KeyLookup { settings.keys }

    /// A registry for the given settings; keys come from `settings.keys`, warnings go to `settings.reporter`.
    package init(settings: Settings) {
        self.settings = settings
    }

    /// Every provider: the built-in ones, then those the config file adds, in file order.
    package var specs: [ProviderSpec] {
        let configured = settings.config?.providers.map(\.name) ?? []
        let names = Self.builtInNames + configured.filter { ProviderKind.builtIn(named: $0) == nil }
        return names.compactMap { try? spec(named: $0) }
    }

    /// The merged settings of the provider named `name`.
    /// - Throws: `AIError` (`config`) for an unknown name.
    package func spec(named name: String) throws -> ProviderSpec {
        let entry = settings.config?.provider(name)
        let environment = settings.environment
        // --base-url points the chosen provider (the one -p or the defaults name) elsewhere for this run.
        let flagURL = name == settings.defaults.provider ? settings.baseURL : nil
        var spec: ProviderSpec
        switch ProviderKind.builtIn(named: name) {
        case .ollama:
            let url = flagURL ?? environment[.ollamaHost].map { OllamaProvider.baseURL(fromHost: $0) } ?? entry?.baseURL
            spec = ProviderSpec(
                name: name, kind: .ollama, baseURL: url ?? OllamaProvider.defaultBaseURL,
                keyVariable: "OLLAMA_API_KEY", keyEntry: nil, keyRequired: false)
        case .openai:
            let url = flagURL ?? environment[.openAIBaseURL] ?? entry?.baseURL ?? OpenAIProvider.officialBaseURL
            spec = ProviderSpec(
                name: name, kind: .openai, baseURL: url, keyVariable: Environment.Key.openAIKey.rawValue,
                keyEntry: "openai",
                keyRequired: OpenAIProvider(baseURL: url, apiKey: nil).isOfficial)
        case .anthropic:
            let url = flagURL ?? environment[.anthropicBaseURL] ?? entry?.baseURL ?? AnthropicProvider.officialBaseURL
            spec = ProviderSpec(
                name: name, kind: .anthropic, baseURL: url,
                keyVariable: Environment.Key.anthropicKey.rawValue, keyEntry: "anthropic",
                keyRequired: true)
        case .echo:
            return ProviderSpec(
                name: name, kind: .echo, baseURL: "", keyVariable: nil, keyEntry: nil,
                keyRequired: false)
        case nil:
            guard let entry, let kind = entry.kind else {
                throw AIError(.config, "unknown provider '\(name)'", hints: ["known providers: \(knownNames)"])
            }
            let url = flagURL ?? entry.baseURL ?? Self.defaultURL(kind)
            spec = ProviderSpec(
                name: name, kind: kind, baseURL: url, keyVariable: entry.key, keyEntry: entry.key,
                keyRequired: false)
        }
        if let entry {
            if let key = entry.key {
                spec.keyVariable = key
                spec.keyEntry = key
            }
            spec.headers = entry.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
            spec.model = entry.model
            spec.allowInsecureHTTP = entry.allowInsecureHTTP
            spec.streamUsage = entry.streamUsage
        }
        return spec
    }

    /// The provider named `name`, ready to send requests.
    /// - Throws: `AIError` (`config`) for an unknown name; (`no_key`) when a key is required and missing;
    ///   (`config`) when a key would cross plain HTTP to a non-loopback host; (`vault_locked`, `auth`, `input`)
    ///   from the key lookup (`Settings.keys`).
    package func provider(named name: String) throws -> any Provider {
        let spec = try spec(named: name)
        if spec.kind == .echo { return EchoProvider() }
        let key = try key(for: spec)
        if key == nil, spec.keyRequired {
            var hint = "set \(spec.keyVariable ?? "its key variable")"
            if let entry = spec.keyEntry { hint += ", or store the key with 'ai-keys set \(entry)'" }
            throw AIError(.noKey, "no key for \(name)", hints: [hint])
        }
        try Self.checkTransportSecurity(
            url: spec.baseURL, provider: name, sendsKey: key != nil, allowInsecureHTTP: spec.allowInsecureHTTP,
            environment: settings.environment)
        switch spec.kind {
        case .openai:
            return OpenAIProvider(
                name: name, baseURL: spec.baseURL, apiKey: key,
                defaultModel: spec.model ?? "gpt-4o-mini", extraHeaders: spec.headers, streamUsage: spec.streamUsage)
        case .anthropic:
            return AnthropicProvider(
                name: name, baseURL: spec.baseURL, apiKey: key ?? "",
                defaultModel: spec.model ?? "claude-sonnet-4-5", extraHeaders: spec.headers)
        case .ollama:
            return OllamaProvider(
                name: name, baseURL: spec.baseURL, apiKey: key,
                defaultModel: spec.model ?? "llama3.2", extraHeaders: spec.headers)
        case .echo:
            return EchoProvider()
        }
    }

    /// Where the key of `spec` would come from (`env`, `agent`, `vault`, `none`), without prompting or unlocking
    /// (`vault`: a vault exists and may hold it); never the key.
    package func keySource(of spec: ProviderSpec) -> KeySource {
        guard let entry = spec.keyEntry else {
            return spec.keyVariable.flatMap { keys.key(named: $0)?.source } ?? .none
        }
        return keys.probe(environmentVariable: spec.keyVariable, entry: entry)
    }

    /// The key of `spec`: its environment variable, then (when it has a vault entry) the agent and the vault. A
    /// vault that is locked with no way to unlock it here fails only a provider that requires a key; the others
    /// go without one, with a warning.
    /// - Throws: `AIError` from the key lookup.
    private func key(for spec: ProviderSpec) throws -> String? {
        guard let entry = spec.keyEntry else { return spec.keyVariable.flatMap { keys.key(named: $0)?.key } }
        do {
            return try keys.key(environmentVariable: spec.keyVariable, entry: entry)?.key
        } catch let error as AIError where error.code == .vaultLocked && !spec.keyRequired {
            if Self.warnedWithoutKey.withLock({ $0.insert(spec.name).inserted }) {
                settings.reporter.warning("\(error.message); sending requests to \(spec.name) without a key")
            }
            return nil
        }
    }

    /// The providers already warned about going without a key.
    private static let warnedWithoutKey = Mutex<Set<String>>([])

    private var knownNames: String {
        (Self.builtInNames + (settings.config?.providers.map(\.name) ?? [])).joined(separator: ", ")
    }

    private static func defaultURL(_ kind: ProviderKind) -> String {
        switch kind {
        case .openai: OpenAIProvider.officialBaseURL
        case .anthropic: AnthropicProvider.officialBaseURL
        case .ollama, .echo: OllamaProvider.defaultBaseURL
        }
    }

    /// Refuses a base URL libcurl would not read as `http://` or `https://`, and a key that would cross plain http
    /// to anything but loopback (DESIGN §6).
    ///
    /// The URL is read by libcurl's own parser, as the request will be: a scheme must be written (libcurl would
    /// guess one), and loopback is `localhost`, `::1` or an IPv4 literal in 127.0.0.0/8 (never a name that starts
    /// with `127.`). Loopback requests never go through a proxy; for any other host, a proxy the environment gives
    /// for plain http (http or socks: not https) is where the key goes in clear, so `allowInsecureHTTP`, which allows
    /// the provider's own host, does not allow a proxy that is not on loopback.
    /// - Throws: `AIError` (`config`).
    package static func checkTransportSecurity(
        url: String, provider: String, sendsKey: Bool, allowInsecureHTTP: Bool = false,
        environment: Environment = Environment([:])
    ) throws {
        let parsed: ParsedURL
        do {
            parsed = try ParsedURL(url)
        } catch .noScheme {
            throw AIError(
                .config, "the \(provider) base url '\(url)' has no scheme",
                hints: ["write it with https:// (or http:// for a server on this machine)"])
        } catch .malformed(let detail) {
            throw AIError(.config, "the \(provider) base url '\(url)' is not a valid url: \(detail.lowercased())")
        }
        guard parsed.scheme == "http" || parsed.scheme == "https" else {
            throw AIError(
                .config, "the \(provider) base url '\(url)' uses \(parsed.scheme); only http and https are allowed")
        }
        guard sendsKey, parsed.scheme == "http", !parsed.isLoopback else { return }
        let proxy = CurlProxy.proxy(for: parsed, environment: environment).flatMap { $0.scheme == "https" ? nil : $0 }
        if !allowInsecureHTTP {
            let through = proxy.map { " through the proxy \($0.host)" } ?? ""
            throw AIError(
                .config, "refusing to send the \(provider) key over plain http to \(parsed.host)\(through)",
                hints: ["use https, a loopback address, or \"allow_insecure_http\": true in the config"])
        }
        if let proxy, !proxy.isLoopback {
            throw AIError(
                .config, "refusing to send the \(provider) key over plain http through the proxy \(proxy.host)",
                hints: ["add \(parsed.host) to no_proxy, or use https"])
        }
    }
}
