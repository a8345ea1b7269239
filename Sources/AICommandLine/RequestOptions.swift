import AIBase
import AIConfig
import AIKeys
import AIProviders
import AIRunner
import AISchema
import AITools
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
        name: .shortAndLong,
        help: ArgumentHelp(
            "Attach an image, PDF or text file, an http(s) URL, or '-' for stdin, to every request (repeatable).",
            valueName: "path|url|-"),
        completion: .file())
    package var attach: [String] = []

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
            "Tool definition file: a command the model may call (repeatable; see TOOLS).", valueName: "file"))
    package var tool: [String] = []

    @Option(
        help: ArgumentHelp(
            "Start an MCP server from this command line (words, no shell) and offer its tools (repeatable).",
            valueName: "command"))
    package var mcp: [String] = []

    @Option(
        name: .customLong("max-steps"),
        help: ArgumentHelp("Model calls one request may take while it calls tools (default: 10).", valueName: "n"))
    package var maxSteps = ToolOptions.defaultMaxSteps

    @Flag(help: "Ask on the terminal before each tool call; without a terminal, refuse it.")
    package var approve = false

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
        guard maxSteps >= 1 else { throw ValidationError("--max-steps must be 1 or more") }
        _ = try toolDefinitions()
    }

    /// The `--tool` definitions, read and decoded.
    /// - Throws: `ValidationError` naming the file when it cannot be read, or is not JSON or not a definition.
    package func toolDefinitions() throws -> [ToolDefinition] {
        try tool.map { path in
            let bytes: [UInt8]?
            do { bytes = try FileReader.read(path) } catch let error as AIError {
                throw ValidationError("--tool: \(error.message)")
            }
            guard let bytes else { throw ValidationError("--tool: no such file: \(path)") }
            do {
                let json = try JSON.parse(bytes)
                return try ToolDefinition.decode(json, place: "--tool \(path)")
            } catch let error as JSONParseError {
                throw ValidationError("--tool \(path): not JSON: \(error.reason) at byte \(error.offset)")
            } catch let error as AIError {
                throw ValidationError(error.message)
            }
        }
    }

    /// How tool calls are answered, or nil when no tool option was given (the run then does no tool work unless a
    /// request defines tools): the `--tool` definitions and the tools of the `--mcp` servers (started here;
    /// `servers` gets each as it starts, so that it can be shut down whatever happens next), `--max-steps` and
    /// `--approve`.
    /// - Throws: `ValidationError` for a bad `--tool`; `AIError` when a server cannot start or names clash.
    package func toolOptions(settings: Settings, servers: (any ToolServer) -> Void) throws -> ToolOptions? {
        guard !tool.isEmpty || !mcp.isEmpty || maxSteps != ToolOptions.defaultMaxSteps || approve else { return nil }
        var tools = ToolSet()
        for (definition, path) in zip(try toolDefinitions(), tool) {
            try tools.add(definition, place: "--tool \(path)")
        }
        for commandLine in mcp {
            let server = try MCPServer.start(
                commandLine: commandLine, environment: settings.environment, withholding: settings.keyVariables)
            servers(server)
            try tools.add(server: server)
        }
        var options = ToolOptions(tools: tools, maxSteps: maxSteps, approve: approve)
        options.active = !tool.isEmpty || !mcp.isEmpty
        return options
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
        settings.defaults.attachments = try attachments()
        settings.schemaFormatAssert = schemaFormatAssert
        settings.repairs = repair
        settings.defaults.think = try thinking()
        settings.conversation = conversation
        return settings
    }

    /// The `-a` attachments: files and stdin read now (a missing file fails before any request), URLs as they are.
    /// - Throws: `AIError` (`no_input`) for a file that cannot be read; (`input`) for one of a type never attached.
    package func attachments() throws -> [Attachment] {
        try attach.map { argument throws(AIError) in
            if Attachment.isURL(argument) { return Attachment(argument: argument) }
            let stdin = argument == "-"
            let bytes = try stdin ? AttachmentLoader.readStandardInput() : AttachmentLoader.read(path: argument)
            _ = try AttachmentType.sniff(bytes, name: argument)
            return Attachment(.data(bytes), name: stdin ? nil : Attachment.fileName(argument))
        }
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
        let stdinAttached = attach.filter { $0 == "-" }.count
        if stdinAttached > 0 {
            guard stdinAttached == 1 else { throw AIError(.usage, "stdin can be attached once (-a -)") }
            guard !noStdin else { throw AIError(.usage, "-a - reads stdin, which -n keeps closed") }
            guard !forceStdin, text != nil else {
                throw AIError(.usage, "-a - attaches stdin: give the prompt as an argument")
            }
        }
        let readsStdin = !noStdin && stdinAttached == 0 && (forceStdin || !Terminal.isTerminal(0))
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
        options.attach = []
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
        options.tool = []
        options.mcp = []
        options.maxSteps = ToolOptions.defaultMaxSteps
        options.approve = false
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
            .value("-a", "--attach") { $0.attach.append($1) },
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
            .value("--tool") { $0.tool.append($1) },
            .value("--mcp") { $0.mcp.append($1) },
            .value("--max-steps") { $0.maxSteps = $1 },
            .flag("--approve") { $0.approve = true },
            .value("--passphrase-fd") { $0.passphraseFD = $1 as Int32 },
            .value("--think") { $0.think = $1 as String },
            .flag("-c", "--conversation") { $0.conversation = true },
            .words { $0.prompt.append($1) },
        ]
    }
}
