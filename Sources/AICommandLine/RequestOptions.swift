import AIBase
import AIConfig
import AIKeys
import AIProviders
import AISchema
import AITransport
import AIWire
import ArgumentParser

// Spelled out rather than left to the defaults, which find them by reflection at every start.
extension InputFormat: ExpressibleByArgument {
    package var defaultValueDescription: String { rawValue }
    package static var allValueStrings: [String] { allCases.map(\.rawValue) }
    package static var allValueDescriptions: [String: String] { [:] }
}

/// The options `ai-complete` and `ai-stream` share: what to ask, whom, and how to read stdin.
package struct RequestOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Provider: ollama, openai, anthropic, echo, or one the config file names "
                + "(default: $AI_PROVIDER, else ollama).", valueName: "provider"),
        completion: .list(ProviderRegistry.builtInNames)
    )
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
        help: ArgumentHelp("Send this run to another server for the chosen provider.", valueName: "url"))
    package var baseURL: String?

    @Flag(name: .customLong("no-config"), help: "Do not read the config file.")
    package var noConfig = false

    @Option(help: ArgumentHelp("Read stdin as auto, text, json or jsonl.", valueName: "format"))
    package var input: InputFormat = .auto

    @Flag(name: [.customShort("n"), .customLong("no-stdin")], help: "Never read stdin (for while-read loops).")
    package var noStdin = false

    @Flag(name: .shortAndLong, help: "Print only the text, not JSON lines.")
    package var raw = false

    @Flag(name: .shortAndLong, help: "Silence warnings (never errors).")
    package var quiet = false

    @Option(
        help: ArgumentHelp("Retries after a failed attempt (connection errors, 408, 409, 429, 5xx).", valueName: "n"))
    package var retries = Self.defaultRetries

    @Option(
        name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds allowed to connect.", valueName: "seconds"))
    package var connectTimeout = Self.defaultConnectTimeout

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Seconds allowed between two received bytes.", valueName: "seconds"))
    package var idleTimeout = Self.defaultIdleTimeout

    @Option(
        name: .customLong("max-time"),
        help: ArgumentHelp("Seconds allowed for the whole request (default: none).", valueName: "seconds"))
    package var maxTime: Seconds?

    @Option(
        help: ArgumentHelp(
            "JSON Schema file the answer must meet, or the schema itself when it starts with '{' (adds \"data\").",
            valueName: "file"))
    package var schema: String?

    @Flag(name: .customLong("schema-format-assert"), help: "Check the schema's 'format' keywords, not only note them.")
    package var schemaFormatAssert = false

    @Option(help: ArgumentHelp("Send an answer that fails the schema back to be fixed, up to n times.", valueName: "n"))
    package var repair = 0

    @Option(
        help: ArgumentHelp(
            "Ask for reasoning: alone, or low, medium, high, a budget in tokens, off (--think=4096).",
            valueName: "budget"))
    package var think: String?

    @Flag(
        name: [.customShort("c"), .long],
        help: "Carry the whole conversation in \"messages\"; continue the conversations read on stdin.")
    package var conversation = false

    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp(
            "Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.",
            valueName: "n"))
    package var passphraseFD: Int32?

    @Argument(help: "The prompt. With stdin too, the message is the prompt, a blank line, then stdin; '-' reads stdin.")
    package var prompt: [String] = []

    static let defaultRetries = 2
    static let defaultConnectTimeout = Seconds(10)
    static let defaultIdleTimeout = Seconds(300)

    /// Options with their defaults.
    package init() {}

    package func validate() throws {
        Diagnostics.setQuiet(quiet)
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        try checkTimeout(connectTimeout, "--connect-timeout")
        try checkTimeout(idleTimeout, "--idle-timeout")
        try checkTimeout(maxTime, "--max-time")
        if let maxTokens, let problem = RequestChecks.maxTokensProblem(maxTokens) {
            throw ValidationError("--max-tokens \(problem)")
        }
        if let temperature, let problem = RequestChecks.samplingProblem(temperature) {
            throw ValidationError("--temperature \(problem)")
        }
        try checkPassphraseFD(passphraseFD)
        guard repair >= 0 else { throw ValidationError("--repair must be 0 or more") }
        _ = try thinking()
        _ = try schemaValue()
    }

    /// What `--think` asks for, or nil without the option; `--think` alone is `on` (`ShortOptions.optionalValues`).
    /// - Throws: `ValidationError` for a value that names no setting.
    package func thinking() throws -> Thinking? {
        guard let think else { return nil }
        guard let setting = Thinking(text: think) else {
            throw ValidationError("--think takes on, off, low, medium, high or a budget in tokens, not '\(think)'")
        }
        return setting
    }

    /// `--think` given without a value means `--think=on`.
    package static let optionalValues = ["--think": "on"]

    /// The `--schema` document, read and checked to be a schema, or nil without the option.
    /// - Throws: `ValidationError` when the file cannot be read, or the text is not JSON or not a schema.
    package func schemaValue() throws -> JSON? {
        guard let schema else { return nil }
        let text: String
        if schema.hasPrefix("{") {
            text = schema
        } else {
            let bytes: [UInt8]?
            do { bytes = try FileReader.read(schema) } catch let error as AIError {
                throw ValidationError("--schema: \(error.message)")
            }
            guard let bytes else { throw ValidationError("--schema: no such file: \(schema)") }
            text = String(decoding: bytes, as: UTF8.self)
        }
        do {
            return try Schema(parsing: text, assertFormat: schemaFormatAssert).json
        } catch {
            throw ValidationError("--schema: \(error.message)")
        }
    }

    /// The settings these options, the environment and the config file give.
    /// - Throws: `AIError` (`config`) for a bad config file; `ValidationError` for a `--schema` that is not one
    ///   (`validate` has refused it already).
    package func settings(environment: Environment = .current()) throws -> Settings {
        var settings = try Settings(
            environment: environment,
            provider: provider,
            model: model,
            system: system,
            temperature: temperature,
            maxTokens: maxTokens,
            stop: stop,
            baseURL: baseURL,
            limits: TransferLimits(
                connectTimeout: connectTimeout.value, idleTimeout: idleTimeout.value, maxTime: maxTime?.value),
            retries: retries,
            config: noConfig ? nil : ConfigFile.load(environment: environment),
            passphraseFD: passphraseFD,
            reporter: StandardErrorReporter(),
            keys: KeyResolver(
                environment: environment, passphraseDescriptor: passphraseFD, reporter: StandardErrorReporter()
            )
        )
        settings.defaults.schema = try schemaValue()
        settings.schemaFormatAssert = schemaFormatAssert
        settings.repairs = repair
        settings.defaults.think = try thinking()
        settings.conversation = conversation
        return settings
    }

    /// The stdin reader these options ask for (DESIGN §2).
    /// - Throws: `AIError` (`usage`) when there is nothing to read: a terminal stdin and no prompt; (`input`) for an
    ///   argument that is not UTF-8, which would reach the provider changed.
    package func makeReader(purpose: InputReader.Purpose = .completion) throws -> InputReader {
        try RawArguments.checkUTF8(RawArguments.current())
        var words = prompt
        var forceStdin = false
        if let dash = words.firstIndex(of: "-") {
            words.remove(at: dash)
            forceStdin = true
        }
        let text = words.isEmpty ? nil : words.joined(separator: " ")
        let readsStdin = !noStdin && (forceStdin || !Terminal.isTerminal(0))
        if !readsStdin, text == nil {
            throw AIError(
                .usage,
                noStdin
                    ? "no prompt, and -n keeps stdin closed"
                    : "no prompt: give one as arguments or pipe text on stdin")
        }
        if text != nil, !conversation, input == .json || input == .jsonl {
            throw AIError(.usage, "a prompt argument cannot be combined with --input \(input.rawValue)")
        }
        let reader = InputReader(
            format: input, prompt: text, readsStdin: readsStdin, purpose: purpose, conversation: conversation)
        reader.onSilentStdin = { Diagnostics.notice("reading stdin; use -n if there is none") }
        return reader
    }
}

extension RequestOptions: QuickParsable {
    package static var quickDefaults: RequestOptions {
        var options = RequestOptions()
        options.provider = nil
        options.model = nil
        options.system = nil
        options.temperature = nil
        options.maxTokens = nil
        options.stop = []
        options.baseURL = nil
        options.noConfig = false
        options.input = .auto
        options.noStdin = false
        options.raw = false
        options.quiet = false
        options.retries = defaultRetries
        options.connectTimeout = defaultConnectTimeout
        options.idleTimeout = defaultIdleTimeout
        options.maxTime = nil
        options.schema = nil
        options.schemaFormatAssert = false
        options.repair = 0
        options.passphraseFD = nil
        options.think = nil
        options.conversation = false
        options.prompt = []
        return options
    }

    package static var quickArguments: [QuickArgument<RequestOptions>] {
        [
            .value("-p", "--provider") { $0.provider = $1 as String },
            .value("-m", "--model") { $0.model = $1 as String },
            .value("-s", "--system") { $0.system = $1 as String },
            .value("-t", "--temperature") { $0.temperature = $1 as Double },
            .value("--max-tokens") { $0.maxTokens = $1 as Int },
            .value("--stop") { $0.stop.append($1) },
            .value("--base-url") { $0.baseURL = $1 as String },
            .flag("--no-config") { $0.noConfig = true },
            .value("--input") { $0.input = $1 },
            .flag("-n", "--no-stdin") { $0.noStdin = true },
            .flag("-r", "--raw") { $0.raw = true },
            .flag("-q", "--quiet") { $0.quiet = true },
            .value("--retries") { $0.retries = $1 },
            .value("--connect-timeout") { $0.connectTimeout = $1 },
            .value("--idle-timeout") { $0.idleTimeout = $1 },
            .value("--max-time") { $0.maxTime = $1 as Seconds },
            .value("--schema") { $0.schema = $1 as String },
            .flag("--schema-format-assert") { $0.schemaFormatAssert = true },
            .value("--repair") { $0.repair = $1 },
            .value("--passphrase-fd") { $0.passphraseFD = $1 as Int32 },
            .value("--think") { $0.think = $1 as String },
            .flag("-c", "--conversation") { $0.conversation = true },
            .words { $0.prompt.append($1) },
        ]
    }
}
