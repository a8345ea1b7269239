import AIBase
import AIConfig
import AIProviders
import AIRunner
import AIWire
import ArgumentParser

/// `ai-embed`'s options: whom to ask, the vectors' size, how many texts per request, and how to read stdin.
package struct EmbedOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Provider: openai, ollama, echo, or one the config file names (default: $AI_PROVIDER, else ollama).",
            valueName: "provider"),
        completion: .list(ProviderRegistry.builtInNames)
    )
    package var provider: String?

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Embedding model (default: text-embedding-3-small, nomic-embed-text, echo).", valueName: "model"))
    package var model: String?

    @Option(help: ArgumentHelp("Ask for vectors of this size, where the model supports it.", valueName: "n"))
    package var dimensions: Int?

    @Option(
        name: .customLong("batch-size"),
        help: ArgumentHelp("Texts per provider request.", valueName: "n"))
    package var batchSize = Self.defaultBatchSize

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

    @Flag(name: .shortAndLong, help: "Silence warnings (never errors).")
    package var quiet = false

    @Option(
        help: ArgumentHelp("Retries after a failed attempt (connection errors, 408, 409, 429, 5xx).", valueName: "n"))
    package var retries = 2

    @Option(
        name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds allowed to connect.", valueName: "seconds"))
    package var connectTimeout = Seconds(10)

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Seconds allowed between two received bytes.", valueName: "seconds"))
    package var idleTimeout = Seconds(300)

    @Option(
        name: .customLong("max-time"),
        help: ArgumentHelp("Seconds allowed for each request (default: none).", valueName: "seconds"))
    package var maxTime: Seconds?

    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp(
            "Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.",
            valueName: "n"))
    package var passphraseFD: Int32?

    @Argument(help: "The text to embed; '-' reads stdin.")
    package var prompt: [String] = []

    static let defaultBatchSize = 64

    /// Options with their defaults.
    package init() {}

    package func validate() throws {
        Diagnostics.setQuiet(quiet)
        guard (1...2048).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 2048") }
        if let dimensions, !(1...65536).contains(dimensions) {
            throw ValidationError("--dimensions must be between 1 and 65536")
        }
        try requestOptions.validate()
    }

    /// The options `ai-complete` shares, holding these values: their settings and reader are this tool's.
    var requestOptions: RequestOptions {
        var options = RequestOptions.quickDefaults
        options.provider = provider
        options.model = model
        options.baseURL = baseURL
        options.noConfig = noConfig
        options.input = input
        options.noStdin = noStdin
        options.quiet = quiet
        options.retries = retries
        options.connectTimeout = connectTimeout
        options.idleTimeout = idleTimeout
        options.maxTime = maxTime
        options.passphraseFD = passphraseFD
        options.prompt = prompt
        return options
    }
}

/// `ai-embed`: one vector line per input line (DESIGN §13).
package enum EmbedCommand {
    /// `ai-embed`'s one-letter options.
    package static let shortOptions = ShortOptions(
        flags: ["h", "n", "q"], values: ["p": "--provider", "m": "--model", "j": "--jobs"])

    /// Embeds every text on stdin (or the prompt), `--jobs` requests at a time.
    /// - Throws: `AIError` for failures before any request; `ExitCode` with the first failed item's status.
    package static func run(_ options: EmbedOptions, batch: BatchOptions) throws {
        let request = options.requestOptions
        let reader = try request.makeReader(purpose: .embedding)
        let skip = try batch.resume.map { try Batch.succeededIDs(in: $0, fields: ["embedding", "embeddings"]) } ?? []
        let engine = EmbedBatch(
            settings: try request.settings(), model: options.model, dimensions: options.dimensions,
            batchSize: options.batchSize, jobs: batch.jobs, ordered: !batch.unordered)
        Signals.onInterrupt { engine.interrupt() }
        if let status = try engine.run(reader, skip: skip) { throw ExitCode(status.rawValue) }
    }
}
