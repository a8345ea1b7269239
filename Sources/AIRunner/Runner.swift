import AIBase
import AIConfig
import AIProviders
import AISchema
import AITools
import AITransport
import AIWire

/// Receives a request's progress as it happens (`ai-stream` prints it).
package protocol RunObserver: AnyObject {
    /// The provider started answering; called at most once per request, before the first delta.
    func started(provider: String, model: String) throws
    /// A piece of text arrived.
    func delta(_ text: String) throws
    /// A piece of text arrived as the provider wrote it inside a JSON string (never empty).
    func delta(_ body: JSONStringBody) throws
    /// What arrived so far must reach the reader now (called after each network read).
    func flush() throws
    /// The model asked for a tool call (with tools run); called for each call of a step before any runs.
    func toolCall(_ call: ToolCall) throws
    /// A tool call's result, in call order once the step's calls have all finished.
    func toolResult(_ call: ToolCall, output: ToolOutput, milliseconds: Int) throws
    /// A piece of the model's reasoning arrived (never empty); it is not part of the text.
    func reasoning(_ text: String) throws
}

extension RunObserver {
    /// Nothing is buffered by default.
    package func flush() throws {}

    /// Reasoning is not reported by default.
    package func reasoning(_ text: String) throws {}

    /// The text, decoded, by default.
    package func delta(_ body: JSONStringBody) throws {
        try delta(body.text)
    }

    /// Tool calls are not reported by default.
    package func toolCall(_ call: ToolCall) throws {}

    /// Tool results are not reported by default.
    package func toolResult(_ call: ToolCall, output: ToolOutput, milliseconds: Int) throws {}
}

/// Request → provider → transport → events: the loop `ai-complete` and `ai-stream` share.
///
/// A runner belongs to one thread: it owns one transport, whose connections later requests reuse.
package final class Runner {
    let settings: Settings
    private let registry: ProviderRegistry
    private let makeTransport: () throws -> any Transport
    private var transport: (any Transport)?
    private let gate: BackoffGate?
    /// The last schema compiled, kept for the next request that carries the same one (a batch's `--schema`).
    private var compiledSchema: (json: JSON, schema: Schema, strict: Bool)?
    /// The tools to run (`--tool`, `--mcp`) and how; nil runs tools only for requests that define them.
    let tools: ToolOptions?
    /// The `parameters` of tools defined in requests, compiled, the latest last (`ToolLoop`).
    var toolSchemas: [(json: JSON, schema: Schema)] = []

    /// A runner with the given settings; `makeTransport` defaults to `settings.makeTransport`. Runners of one batch share
    /// `gate`: a 429 pauses them all, and they wait out up to 10 rate limits per request whatever `--retries` says.
    /// With `tools`, the model's tool calls are run and answered (`ToolLoop`).
    package init(
        settings: Settings, gate: BackoffGate? = nil, tools: ToolOptions? = nil,
        makeTransport: (() throws -> any Transport)? = nil
    ) {
        self.settings = settings
        self.gate = gate
        self.tools = tools
        self.registry = ProviderRegistry(settings: settings)
        self.makeTransport = makeTransport ?? settings.makeTransport
    }

    /// The provider and model a request would use, defaults applied.
    /// - Throws: `AIError` (`config`, `no_key`).
    package func resolve(_ request: CompletionRequest, stream: Bool) throws -> (any Provider, ResolvedRequest) {
        let filled = settings.defaults.fill(request)
        let provider = try registry.provider(named: filled.provider ?? settings.defaults.provider)
        let model = filled.model ?? provider.defaultModel
        return (provider, ResolvedRequest(request: filled, model: model, stream: stream))
    }

    /// Runs one request to its end, retrying as `RetryPolicy` allows.
    ///
    /// With `keepText` false the text is handed to `observer` and not kept (flat memory for long streams).
    /// With a schema (the request's, else `--schema`) the answer is kept whatever `keepText` says and validated
    /// (`runAnswer`). With tools (the runner's, or the request's `tools`) the model's calls are run and answered
    /// until it answers without them (`ToolLoop`).
    /// - Throws: `AIError` for every failure; `OutputClosed` (or anything else) thrown by `observer`.
    package func run(
        _ request: CompletionRequest,
        stream: Bool,
        keepText: Bool = true,
        observer: (any RunObserver)? = nil
    ) throws -> Completion {
        if request.tools != nil || tools?.active == true {
            return try runTools(request, stream: stream, observer: observer)
        }
        return try runStep(request, stream: stream, keepText: keepText, observer: observer)
    }

    /// One model call of a request (with its retries and schema repairs): the whole of `run` without tools.
    /// - Parameter validate: with a schema, the answer is validated and repaired (`runAnswer`); false (a step of the
    ///   tool loop, which validates the final answer itself): the schema is asked for and the `answer` tool's input
    ///   is the text, nothing is checked.
    func runStep(
        _ request: CompletionRequest,
        stream: Bool,
        keepText: Bool,
        observer: (any RunObserver)?,
        validate: Bool = true
    ) throws -> Completion {
        var (provider, resolved) = try resolve(request, stream: stream)
        try AttachmentLoader(transport: { [self] in try sharedTransport() }, limits: settings.limits)
            .apply(to: &resolved.request, provider: provider)
        var completion: Completion
        if let schemaJSON = resolved.request.schema {
            let (schema, strict) = try compile(schemaJSON)
            resolved.schemaStrict = strict
            if validate {
                completion = try runAnswer(provider, resolved, schema: schema, observer: observer)
            } else {
                completion = try attempt(provider, resolved, keepText: true, observer: observer, answerTool: true)
            }
        } else {
            completion = try attempt(
                provider, resolved, keepText: keepText || settings.conversation, observer: observer)
        }
        if settings.conversation { completion.messages = Self.conversation(resolved.request, answer: completion) }
        return completion
    }

    /// The whole conversation an answer ends, as `-c` writes it (`messages`): the system prompt as a first `system`
    /// message when one was used, the request's messages (a tool loop's calls and results included, when it passes
    /// the messages it sent last), then the answer's assistant turn (its reasoning and signature with it).
    /// - Parameter request: the request as sent, its defaults filled in (`ResolvedRequest.request`).
    package static func conversation(_ request: CompletionRequest, answer: Completion) -> [Message] {
        var messages: [Message] = []
        if let system = request.system { messages.append(Message(role: "system", text: system)) }
        messages += request.messages
        messages.append(answer.message)
        return messages
    }

    /// Runs a request whose answer must meet `schema`, sending a failed answer back up to `settings.repairs` times.
    /// - Throws: `AIError` (`schema`, with the errors, the raw answer and the usage of every attempt) when the last
    ///   answer fails; any failure of an attempt, as `run` does.
    private func runAnswer(
        _ provider: any Provider, _ first: ResolvedRequest, schema: Schema, observer: (any RunObserver)?
    ) throws -> Completion {
        var resolved = first
        var spent: Usage?
        var repairs = 0
        // A repair's answer continues the stream: its deltas follow, without a second start.
        let repairObserver = observer.map(ContinuedObserver.init)
        while true {
            var completion: Completion
            do {
                completion = try attempt(
                    provider, resolved, keepText: true, observer: repairs == 0 ? observer : repairObserver,
                    answerTool: true)
            } catch var error as AIError {
                if let spent { error.tokens = spent.tokens }
                throw error
            }
            if let usage = completion.usage { spent = spent.map { $0 + usage } ?? usage }
            completion.usage = spent
            let failure = Self.schemaFailure(completion, schema: schema)
            guard var error = failure.error else {
                completion.data = failure.value
                return completion
            }
            guard repairs < settings.repairs else {
                error.tokens = spent?.tokens
                throw error
            }
            repairs += 1
            settings.reporter.warning("\(error.message); asking for a repair (repair \(repairs))")
            resolved.request.messages.append(Message(role: "assistant", text: completion.content))
            resolved.request.messages.append(Message(role: "user", text: Self.repairPrompt(error)))
        }
    }

    /// The failure of an answer checked against its schema, or its parsed value when it meets it.
    package static func schemaFailure(_ completion: Completion, schema: Schema) -> (value: JSON?, error: AIError?) {
        let content = completion.content
        var error: AIError
        if completion.finishReason == "length" {
            error = AIError(.schema, "answer was cut at the token limit before it could match the schema")
            error.schemaErrors = [
                AIError.SchemaProblem(path: "", keyword: "length", message: "the answer was cut at the token limit")
            ]
        } else {
            switch schema.check(answer: content, limit: 10) {
            case .valid(let value): return (value, nil)
            case .invalid(_, let failures):
                let first = failures.first?.description ?? "(root): fails the schema"
                error = AIError(.schema, "answer does not match the schema: \(first)")
                error.schemaErrors = failures.map {
                    AIError.SchemaProblem(path: $0.path, keyword: $0.keyword, message: $0.message)
                }
            case .notJSON(let parse):
                let reason = "not JSON: \(parse.reason) at byte \(parse.offset)"
                error = AIError(.schema, "answer does not match the schema: (root): \(reason)")
                error.schemaErrors = [AIError.SchemaProblem(path: "", keyword: "json", message: reason)]
            }
        }
        error.content = content
        return (nil, error)
    }

    /// The user message a repair sends after the failed answer: what is wrong, and what to answer instead.
    package static func repairPrompt(_ error: AIError) -> String {
        var lines = ["Your answer does not match the JSON Schema:"]
        for problem in error.schemaErrors ?? [] {
            lines.append("- \(problem.path.isEmpty ? "(root)" : problem.path): \(problem.message) (\(problem.keyword))")
        }
        lines.append("Answer again with only the corrected JSON, meeting the schema.")
        return lines.joined(separator: "\n")
    }

    /// The request's schema compiled, and whether it meets OpenAI's strict rules (the last one is kept for the next
    /// request).
    /// - Throws: `AIError` (`input`) when it is not a schema.
    func compile(_ json: JSON) throws(AIError) -> (Schema, Bool) {
        if let compiledSchema, compiledSchema.json == json { return (compiledSchema.schema, compiledSchema.strict) }
        do {
            let schema = try Schema(json, assertFormat: settings.schemaFormatAssert)
            let strict = schema.isOpenAIStrictCompatible
            compiledSchema = (json, schema, strict)
            return (schema, strict)
        } catch {
            throw AIError(.input, "field 'schema': \(error.message)")
        }
    }

    /// One request run to its end with retries: the whole of `run` without a schema.
    /// - Parameter answerTool: a tool call named `answer` (Anthropic's tool for a schema) is the answer's text, and
    ///   the step's other tool calls are dropped.
    private func attempt(
        _ provider: any Provider,
        _ resolved: ResolvedRequest,
        keepText: Bool,
        observer: (any RunObserver)?,
        answerTool: Bool = false
    ) throws -> Completion {
        let started = Monotonic.now()
        var startedReported = false
        // Nothing is retried once text was written, so one splitter of a leading <think> block serves every attempt.
        let text = TextState()
        let loop = RetryLoop(settings: settings, gate: gate, provider: provider.name)
        return try loop.run(mayRetry: { !text.written }, beforeWait: { idle() }) { limits in
            var result = Accumulator(keepText: keepText)
            var firstByte: Double?
            func content(_ text: String) throws {
                result.apply(.delta(text))
                try observer?.delta(text)
            }
            func reasoning(_ text: String) throws {
                result.apply(.reasoning(text))
                try observer?.reasoning(text)
            }
            // A leading <think> block is reasoning; once the answer's start is past, text skips the splitter.
            func split(_ piece: String) throws {
                try text.inline.feed(piece, content: content, reasoning: reasoning)
                text.passed = text.inline.passing
            }
            let context = AttemptContext(
                transport: { [self] in try sharedTransport() },
                limits: limits,
                responseStarted: {
                    firstByte = firstByte ?? Monotonic.now()
                    if !startedReported {
                        startedReported = true
                        try observer?.started(provider: provider.name, model: resolved.model)
                    }
                },
                flush: { try observer?.flush() },
                text: { body in
                    text.written = true
                    guard text.passed else { return try split(body.text) }
                    if keepText { result.apply(.delta(body.text)) }
                    try observer?.delta(body)
                }
            )
            try provider.attempt(resolved, context: context) { event in
                let event = result.mapAnswerTool(event, answerTool: answerTool)
                switch event {
                case .delta(let piece) where !text.passed:
                    guard !piece.isEmpty else { break }
                    text.written = true
                    try split(piece)
                case .delta(let piece):
                    result.apply(event)
                    if !piece.isEmpty {
                        text.written = true
                        try observer?.delta(piece)
                    }
                case .reasoning(let piece):
                    result.apply(event)
                    if !piece.isEmpty {
                        text.written = true
                        try observer?.reasoning(piece)
                    }
                default:
                    result.apply(event)
                }
            }
            try text.inline.finish(content: content, reasoning: reasoning)
            let now = Monotonic.now()
            let timing = Timing(
                firstByteMilliseconds: firstByte.map { Int(($0 - started) * 1000) },
                totalMilliseconds: Int((now - started) * 1000)
            )
            var completion = result.completion(provider: provider.name, model: resolved.model, timing: timing)
            if let usage = completion.usage,
                let price = settings.config?.price(
                    provider: provider.name, model: completion.model, fallback: resolved.model)
            {
                completion.cost = price.cost(of: usage)
            }
            return completion
        }
    }

    /// This runner has nothing to send for now: its transport may close connections others wait behind
    /// (`Transport.idle()`).
    package func idle() {
        transport?.idle()
    }

    private func sharedTransport() throws -> any Transport {
        if let transport { return transport }
        let made = try makeTransport()
        transport = made
        return made
    }
}

/// The observer of a request's later model calls (a repair, a tool loop's next step): everything reaches the
/// request's observer but the start, reported already.
final class ContinuedObserver: RunObserver {
    let base: any RunObserver

    init(_ base: any RunObserver) {
        self.base = base
    }

    func started(provider: String, model: String) throws {}

    func delta(_ text: String) throws {
        try base.delta(text)
    }

    func delta(_ body: JSONStringBody) throws {
        try base.delta(body)
    }

    func flush() throws {
        try base.flush()
    }

    func reasoning(_ text: String) throws {
        try base.reasoning(text)
    }

    func toolCall(_ call: ToolCall) throws {
        try base.toolCall(call)
    }

    func toolResult(_ call: ToolCall, output: ToolOutput, milliseconds: Int) throws {
        try base.toolResult(call, output: output, milliseconds: milliseconds)
    }
}

extension Runner {
    /// The `Completion` a whole response's events make, folded as a run folds them (the `answer` tool's input is
    /// the text when the request has a schema; a leading `<think>` block is reasoning): for answers that arrive another way, such as a provider's batch
    /// results. `events` calls its argument once per event.
    /// - Throws: what `events` throws.
    package static func completion(
        provider: String, model: String, timing: Timing, answerTool: Bool,
        events: ((ProviderEvent) throws -> Void) throws -> Void
    ) rethrows -> Completion {
        var result = Accumulator(keepText: true)
        // A leading <think> block is reasoning here too, as in a run.
        let inline = InlineReasoning()
        try events { event in
            let event = result.mapAnswerTool(event, answerTool: answerTool)
            guard case .delta(let text) = event, !inline.passing else { return result.apply(event) }
            inline.feed(text, content: { result.apply(.delta($0)) }, reasoning: { result.apply(.reasoning($0)) })
        }
        inline.finish(content: { result.apply(.delta($0)) }, reasoning: { result.apply(.reasoning($0)) })
        return result.completion(provider: provider, model: model, timing: timing)
    }
}

/// Folds provider events into a `Completion`.
private struct Accumulator {
    let keepText: Bool
    var content = ""
    var finish: String?
    var usage: Usage?
    var model: String?
    var reasoning: String?
    var signature: String?
    var calls: [Int: ToolCall] = [:]
    /// The index of the `answer` tool's call, once it started: its fragments are the answer's text.
    var answerIndex: Int?

    init(keepText: Bool) {
        self.keepText = keepText
    }

    /// Applies `event` as a run does and returns it as applied: with `answerTool`, the fragments of the `answer`
    /// tool's input (Anthropic's forced tool) are the answer's text, so they come back as `.delta`.
    mutating func take(_ event: ProviderEvent, answerTool: Bool) -> ProviderEvent {
        let event = mapAnswerTool(event, answerTool: answerTool)
        apply(event)
        return event
    }

    /// `event` as a run reads it: with `answerTool`, a fragment of the `answer` tool's input is a `.delta`.
    mutating func mapAnswerTool(_ event: ProviderEvent, answerTool: Bool) -> ProviderEvent {
        guard answerTool, case .toolCall(let index, _, let name, let arguments) = event else { return event }
        if name == ProviderAnswer.toolName {
            answerIndex = index
            return .delta(arguments)
        }
        return name == nil && index == answerIndex ? .delta(arguments) : event
    }

    mutating func apply(_ event: ProviderEvent) {
        switch event {
        case .delta(let text): if keepText { content += text }
        case .finish(let reason): finish = reason
        case .usage(let value): usage = value
        case .model(let name): model = name
        case .reasoning(let text): reasoning = (reasoning ?? "") + text
        case .reasoningSignature(let value): signature = (signature ?? "") + value
        case .toolCall(let index, let id, let name, let arguments):
            var call = calls[index] ?? ToolCall(index: index, id: nil, name: nil, arguments: "")
            call.id = call.id ?? id
            call.name = call.name ?? name
            call.arguments += arguments
            calls[index] = call
        }
    }

    func completion(provider: String, model requested: String, timing: Timing) -> Completion {
        var completion = Completion(
            provider: provider,
            model: model ?? requested,
            content: content,
            providerFinishReason: finish,
            usage: usage,
            // A call of the `answer` tool is the final answer: the other calls of its step are not run.
            toolCalls: answerIndex == nil ? calls.values.sorted { $0.index < $1.index } : [],
            timing: timing
        )
        completion.reasoning = reasoning
        completion.reasoningSignature = signature
        return completion
    }
}

/// What the hot closures (once per streamed delta) read and set, without the exclusivity check a captured `var` or a
/// class's stored property costs on every access: whether text was written (no retry after it), whether the answer's
/// start is past (text then skips `inline`), and the splitter of a leading `<think>` block.
private final class TextState {
    private let storage = UnsafeMutablePointer<Bool>.allocate(capacity: 2)
    /// The splitter of a leading `<think>` block.
    let inline = InlineReasoning()

    init() {
        storage.initialize(repeating: false, count: 2)
    }

    deinit {
        storage.deallocate()
    }

    /// Text or reasoning was handed on.
    var written: Bool {
        get { storage[0] }
        set { storage[0] = newValue }
    }

    /// The start of the answer is past: text is content from now on.
    var passed: Bool {
        get { storage[1] }
        set { storage[1] = newValue }
    }
}
