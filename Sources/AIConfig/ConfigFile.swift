import AIBase
import AIWire

/// The optional config file (DESIGN §7): JSON with `"version": 1`; every unknown field is an error.
///
/// ```json
/// {"version": 1,
///  "default_provider": "local",
///  "providers": {
///    "local": {"kind": "openai", "base_url": "http://127.0.0.1:8080/v1", "model": "qwen2.5"},
///    "router": {"kind": "openai", "base_url": "https://openrouter.ai/api/v1", "key": "OPENROUTER_API_KEY",
///               "headers": {"X-Title": "ai"}},
///    "openai": {"model": "gpt-4.1-mini"}}}
/// ```
/// A provider entry names a new provider (its `kind` is required) or adjusts a built-in one (`openai`,
/// `anthropic`, `ollama`: any `kind` given must match). `key` names the key: an environment variable, or
/// the vault entry of that name. A provider with no `key` sends no Authorization header.
package struct ConfigFile: Sendable, Equatable {
    /// A model's price in US dollars per million tokens (`prices.MODEL`).
    package struct Price: Sendable, Equatable {
        /// For prompt tokens.
        package var input: Double
        /// For generated tokens.
        package var output: Double
        /// For prompt tokens read from the provider's cache; the input price when not given.
        package var cachedInput: Double?

        /// A price with the given parts.
        package init(input: Double, output: Double, cachedInput: Double? = nil) {
            self.input = input
            self.output = output
            self.cachedInput = cachedInput
        }

        /// What `usage` costs at this price: cached prompt tokens at the cached price, the rest at the input price.
        package func cost(of usage: Usage) -> Cost {
            let cached = min(max(usage.cachedTokens ?? 0, 0), usage.promptTokens)
            let fresh = usage.promptTokens - cached
            let input = (Double(fresh) * self.input + Double(cached) * (cachedInput ?? self.input)) / 1_000_000
            return Cost(input: input, output: Double(usage.completionTokens) * output / 1_000_000)
        }
    }

    /// The newest format this build reads.
    package static let supportedVersion = 1

    /// One provider entry.
    package struct ProviderEntry: Sendable, Equatable {
        /// `openai`, `anthropic` or `ollama`; nil to keep a built-in's.
        package var kind: ProviderKind?
        /// The server.
        package var baseURL: String?
        /// The key's name (environment variable or vault entry).
        package var key: String?
        /// Headers sent with every request.
        package var headers: [String: String] = [:]
        /// The default model.
        package var model: String?
        /// Allows sending the key over plain `http://` to a non-loopback host.
        package var allowInsecureHTTP = false
        /// `stream_usage`: whether to ask an OpenAI-kind server for usage in streams (`stream_options`).
        package var streamUsage = true
        /// `prices`: this provider's prices by model, before the file's.
        package var prices: [String: Price] = [:]
    }

    /// Where the file was read from.
    package var path: String
    /// `default_provider`.
    package var defaultProvider: String?
    /// `providers`, in file order.
    package var providers: [(name: String, entry: ProviderEntry)] = []
    /// `prices`: prices by model, for every provider.
    package var prices: [String: Price] = [:]

    package static func == (lhs: ConfigFile, rhs: ConfigFile) -> Bool {
        lhs.path == rhs.path && lhs.defaultProvider == rhs.defaultProvider && lhs.prices == rhs.prices
            && lhs.providers.map(\.name) == rhs.providers.map(\.name)
            && lhs.providers.map(\.entry) == rhs.providers.map(\.entry)
    }

    /// The entry named `name`, if the file has one.
    package func provider(_ name: String) -> ProviderEntry? {
        providers.last { $0.name == name }?.entry
    }

    /// The price of `model` (or, failing that, of `fallback`) at `provider`: the provider entry's prices first,
    /// then the file's; nil when none is configured.
    package func price(provider: String, model: String, fallback: String? = nil) -> Price? {
        let entry = self.provider(provider)?.prices ?? [:]
        return entry[model] ?? prices[model] ?? fallback.flatMap { entry[$0] ?? prices[$0] }
    }

    /// Loads the config file the environment points at; nil when there is none (the default path is missing).
    /// - Throws: `AIError` (`config`, 78) naming the file and field for a bad file, or a missing `AI_CONFIG` file.
    package static func load(environment: Environment) throws -> ConfigFile? {
        let (path, explicit) = Paths(environment: environment).configFile
        guard let bytes = try FileReader.read(path) else {
            if explicit { throw AIError(.config, "config file \(path) does not exist (AI_CONFIG)") }
            return nil
        }
        return try parse(bytes, path: path)
    }

    /// Parses a config file's bytes.
    /// - Throws: `AIError` (`config`) naming `path` and the field.
    package static func parse(_ bytes: [UInt8], path: String) throws -> ConfigFile {
        func bad(_ field: String, _ reason: String) -> AIError {
            AIError(.config, "bad config file \(path): \(field): \(reason)")
        }
        let json: JSON
        do { json = try JSON.parse(bytes) } catch {
            throw AIError(.config, "bad config file \(path): not JSON: \(error.reason) at byte \(error.offset)")
        }
        guard case .object(let root) = json else { throw bad("top level", "must be an object") }
        for key in root.keys where !["version", "default_provider", "providers", "prices"].contains(key) {
            throw bad(key, "unknown field")
        }
        guard let version = root["version"]?.intValue else { throw bad("version", "must be the integer 1") }
        guard version <= supportedVersion else {
            throw bad("version", "version \(version) is newer than this build reads (\(supportedVersion))")
        }
        guard version == supportedVersion else { throw bad("version", "must be the integer 1") }
        var config = ConfigFile(path: path)
        if let value = root["prices"] { config.prices = try parsePrices(value, field: "prices", bad: bad) }
        if let value = root["default_provider"] {
            guard let name = value.stringValue, !name.isEmpty else { throw bad("default_provider", "must be a name") }
            config.defaultProvider = name
        }
        if let value = root["providers"] {
            guard case .object(let providers) = value else { throw bad("providers", "must be an object") }
            for (name, value) in providers.members {
                let field = "providers.\(name)"
                guard !name.isEmpty, name != "echo" else { throw bad(field, "this name cannot be configured") }
                guard case .object(let object) = value else { throw bad(field, "must be an object") }
                var entry = ProviderEntry()
                for (key, value) in object.members {
                    switch key {
                    case "kind":
                        guard let text = value.stringValue, let kind = ProviderKind(rawValue: text), kind != .echo
                        else {
                            throw bad("\(field).kind", "must be openai, anthropic or ollama")
                        }
                        entry.kind = kind
                    case "base_url":
                        guard let text = value.stringValue, text.hasPrefix("http://") || text.hasPrefix("https://")
                        else { throw bad("\(field).base_url", "must be an http:// or https:// URL") }
                        entry.baseURL = text
                    case "key":
                        guard let text = value.stringValue, !text.isEmpty else {
                            throw bad("\(field).key", "must be the name of an environment variable or vault entry")
                        }
                        entry.key = text
                    case "headers":
                        guard case .object(let headers) = value else {
                            throw bad("\(field).headers", "must be an object")
                        }
                        for (header, value) in headers.members {
                            guard let text = value.stringValue, !header.isEmpty, !header.contains(":"),
                                !text.contains("\n"), !text.contains("\r")
                            else { throw bad("\(field).headers.\(header)", "must be a one-line string") }
                            entry.headers[header] = text
                        }
                    case "model":
                        guard let text = value.stringValue, !text.isEmpty else {
                            throw bad("\(field).model", "must be a string")
                        }
                        entry.model = text
                    case "allow_insecure_http":
                        guard let flag = value.boolValue else {
                            throw bad("\(field).allow_insecure_http", "must be true or false")
                        }
                        entry.allowInsecureHTTP = flag
                    case "stream_usage":
                        guard let flag = value.boolValue else {
                            throw bad("\(field).stream_usage", "must be true or false")
                        }
                        entry.streamUsage = flag
                    case "prices":
                        entry.prices = try parsePrices(value, field: "\(field).prices", bad: bad)
                    default:
                        throw bad("\(field).\(key)", "unknown field")
                    }
                }
                if let builtIn = ProviderKind.builtIn(named: name) {
                    if let kind = entry.kind, kind != builtIn {
                        throw bad("\(field).kind", "the built-in provider \(name) is of kind \(builtIn.rawValue)")
                    }
                } else if entry.kind == nil {
                    throw bad("\(field).kind", "is required (openai, anthropic or ollama)")
                }
                config.providers.append((name: name, entry: entry))
            }
        }
        if let name = config.defaultProvider, ProviderKind.builtIn(named: name) == nil, config.provider(name) == nil {
            throw bad("default_provider", "names no provider: \(name)")
        }
        return config
    }

    /// `{"MODEL": {"input": N, "output": N, "cached_input": N}}`, each a finite number of at least 0.
    /// - Throws: `AIError` (`config`) naming the field.
    private static func parsePrices(
        _ value: JSON,
        field: String,
        bad: (String, String) -> AIError
    ) throws -> [String: Price] {
        guard case .object(let models) = value else { throw bad(field, "must be an object of models") }
        var prices: [String: Price] = [:]
        for (model, value) in models.members {
            let here = "\(field).\(model)"
            guard case .object(let object) = value else { throw bad(here, "must be an object") }
            func number(_ key: String) throws -> Double? {
                guard let member = object[key] else { return nil }
                guard let number = member.doubleValue, number.isFinite, number >= 0 else {
                    throw bad("\(here).\(key)", "must be a number of US dollars per million tokens, at least 0")
                }
                return number
            }
            for key in object.keys where !["input", "output", "cached_input"].contains(key) {
                throw bad("\(here).\(key)", "unknown field")
            }
            guard let input = try number("input"), let output = try number("output") else {
                throw bad(here, "needs input and output prices")
            }
            prices[model] = Price(input: input, output: output, cachedInput: try number("cached_input"))
        }
        return prices
    }
}
