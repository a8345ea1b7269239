import AIBase
import AITransport
import AIWire

/// Everything a run needs to know, merged once at start-up: flags, then environment, then defaults.
package struct Settings: Sendable {
    /// The environment read at start-up.
    package var environment: Environment
    /// What fills the gaps of each request.
    package var defaults: RequestDefaults
    /// `--base-url`: the chosen provider's server for this run.
    package var baseURL: String?
    /// Timeouts.
    package var limits: TransferLimits
    /// `--retries`.
    package var retries: Int
    /// `--repair`: how many times an answer that fails its schema is sent back to be fixed.
    package var repairs = 0
    /// `--schema-format-assert`: `format` is checked, not only an annotation.
    package var schemaFormatAssert = false
    /// `-c`: results carry the whole conversation (`messages`), and input lines with `messages` continue theirs.
    package var conversation = false
    /// The `User-Agent` sent.
    package var userAgent: String
    /// The config file, if one was read.
    package var config: ConfigFile?
    /// `--passphrase-fd`: where the key vault's passphrase is read from, if anywhere.
    package var passphraseFD: Int32?
    /// Where warnings go (the command line's stderr; silent by default).
    package var reporter: any Reporter
    /// The libcurl configuration these settings imply (CA bundle from the usual variables).
    package var transportConfiguration: CurlTransport.Configuration
    /// Makes the transport a runner sends with (one per thread): libcurl with `transportConfiguration` unless the
    /// caller passes another.
    package var makeTransport: @Sendable () throws -> any Transport
    /// Where providers' keys come from (the keys layer's resolver; by default the environment alone).
    package var keys: any KeyLookup

    /// Settings from the flags' values, the environment and the config file (flags win, then environment, then
    /// config, then defaults).
    package init(
        environment: Environment,
        provider: String?,
        model: String?,
        system: String? = nil,
        temperature: Double? = nil,
        maxTokens: Int? = nil,
        stop: [String] = [],
        baseURL: String? = nil,
        limits: TransferLimits = .default,
        retries: Int = 2,
        config: ConfigFile? = nil,
        passphraseFD: Int32? = nil,
        reporter: any Reporter = SilentReporter(),
        keys: (any KeyLookup)? = nil,
        makeTransport: (@Sendable () throws -> any Transport)? = nil
    ) {
        self.environment = environment
        self.config = config
        self.defaults = RequestDefaults(
            provider: provider ?? environment[.provider] ?? config?.defaultProvider ?? "ollama",
            model: model ?? environment[.model],
            system: system,
            temperature: temperature,
            maxTokens: maxTokens,
            stop: stop.isEmpty ? nil : stop
        )
        self.baseURL = baseURL
        self.limits = limits
        self.retries = retries
        self.userAgent = "ai/\(Version.string)"
        self.passphraseFD = passphraseFD
        self.reporter = reporter
        self.keys = keys ?? EnvironmentKeys(environment: environment)
        let configuration = CurlTransport.Configuration(
            userAgent: userAgent,
            caBundle: environment[.curlCABundle] ?? environment[.sslCertFile],
            caPath: environment[.sslCertDirectory],
            noProxy: CurlProxy.noProxyList(environment: environment)
        )
        self.transportConfiguration = configuration
        self.makeTransport = makeTransport ?? { try CurlTransport(configuration: configuration) }
    }
}

extension Settings {
    /// The environment variables that hold providers' keys (OpenAI's, Anthropic's, Ollama's, and every `key` the
    /// config file names): never passed on to a tool or an MCP server.
    package var keyVariables: Set<String> {
        var names: Set<String> = [
            Environment.Key.openAIKey.rawValue, Environment.Key.anthropicKey.rawValue, "OLLAMA_API_KEY",
        ]
        for provider in config?.providers ?? [] {
            if let key = provider.entry.key { names.insert(key) }
        }
        return names
    }
}
