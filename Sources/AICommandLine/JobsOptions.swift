import AIBase
import AIConfig
import AIProviders
import AIWire
import ArgumentParser

/// The options every `ai-batch` subcommand takes: config, retries, timeouts, the vault's passphrase.
package struct JobsOptions: ParsableArguments {
    @Flag(name: .customLong("no-config"), help: "Do not read the config file.")
    package var noConfig = false

    @Flag(name: .shortAndLong, help: "Silence warnings (never errors).")
    package var quiet = false

    @Option(
        help: ArgumentHelp("Retries after a failed call to the provider (connection errors, 429, 5xx).", valueName: "n")
    )
    package var retries = 2

    @Option(
        name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds allowed to connect.", valueName: "seconds"))
    package var connectTimeout = Seconds(10)

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Seconds allowed between two received bytes.", valueName: "seconds"))
    package var idleTimeout = Seconds(300)

    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp(
            "Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.",
            valueName: "n"))
    package var passphraseFD: Int32?

    /// Options with their defaults.
    package init() {}

    package func validate() throws {
        try requestOptions.validate()
    }

    /// The options `ai-complete` shares, holding these values.
    var requestOptions: RequestOptions {
        var options = RequestOptions.quickDefaults
        options.noConfig = noConfig
        options.quiet = quiet
        options.retries = retries
        options.connectTimeout = connectTimeout
        options.idleTimeout = idleTimeout
        options.passphraseFD = passphraseFD
        return options
    }
}

/// What `ai-batch submit` takes besides `JobsOptions`: the provider and what fills the requests' gaps, as
/// `ai-complete` takes them.
package struct SubmitOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Provider: openai, anthropic, or a config provider of those kinds (default: $AI_PROVIDER).",
            valueName: "provider"),
        completion: .list(["openai", "anthropic"]))
    package var provider: String?

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Model (default: $AI_MODEL, else the provider's default).", valueName: "model"))
    package var model: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("System prompt.", valueName: "text"))
    package var system: String?

    @Option(name: [.customShort("t"), .long], help: ArgumentHelp("Sampling temperature.", valueName: "number"))
    package var temperature: Double?

    @Option(name: .customLong("max-tokens"), help: ArgumentHelp("Cap on generated tokens.", valueName: "n"))
    package var maxTokens: Int?

    @Option(help: ArgumentHelp("Stop sequence (repeatable).", valueName: "text"))
    package var stop: [String] = []

    @Option(
        name: .customLong("base-url"),
        help: ArgumentHelp("Send the job to another server for the chosen provider.", valueName: "url"))
    package var baseURL: String?

    @Option(
        help: ArgumentHelp(
            "JSON Schema file the answers must meet, or the schema itself when it starts with '{' (adds \"data\").",
            valueName: "file"))
    package var schema: String?

    @Flag(name: .customLong("schema-format-assert"), help: "Check the schema's 'format' keywords, not only note them.")
    package var schemaFormatAssert = false

    @Option(help: ArgumentHelp("Read stdin as auto, text, json or jsonl.", valueName: "format"))
    package var input: InputFormat = .auto

    @Flag(name: [.customShort("n"), .customLong("no-stdin")], help: "Never read stdin (for while-read loops).")
    package var noStdin = false

    @Argument(help: "The prompt (one request). With stdin too, the message is the prompt, a blank line, then stdin.")
    package var prompt: [String] = []

    /// Options with their defaults.
    package init() {}

    /// `base` with these values added.
    func requestOptions(_ base: RequestOptions) -> RequestOptions {
        var options = base
        options.provider = provider
        options.model = model
        options.system = system
        options.temperature = temperature
        options.maxTokens = maxTokens
        options.stop = stop
        options.baseURL = baseURL
        options.schema = schema
        options.schemaFormatAssert = schemaFormatAssert
        options.input = input
        options.noStdin = noStdin
        options.prompt = prompt
        return options
    }

    package func validate() throws {
        if let maxTokens, let problem = RequestChecks.maxTokensProblem(maxTokens) {
            throw ValidationError("--max-tokens \(problem)")
        }
        if let temperature, let problem = RequestChecks.samplingProblem(temperature) {
            throw ValidationError("--temperature \(problem)")
        }
        _ = try requestOptions(RequestOptions.quickDefaults).schemaValue()
    }
}

/// `ai-batch wait`'s deadline.
package struct WaitOptions: ParsableArguments {
    @Option(
        name: .customLong("max-time"),
        help: ArgumentHelp(
            "Give up after this many seconds (exit 75) if the job is still running.", valueName: "seconds"))
    package var maxTime: Seconds?

    /// Options with their defaults.
    package init() {}

    package func validate() throws {
        try checkTimeout(maxTime, "--max-time")
    }
}
