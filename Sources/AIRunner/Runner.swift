import AIBase
import AIConfig
import AIProviders
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
}

extension RunObserver {
    /// Nothing is buffered by default.
    package func flush() throws {}

    /// The text, decoded, by default.
    package func delta(_ body: JSONStringBody) throws {
        try delta(body.text)
    }
}

/// Request → provider → transport → events: the loop `ai-complete` and `ai-stream` share.
///
/// A runner belongs to one thread: it owns one transport, whose connections later requests reuse.
package final class Runner {
    private let settings: Settings
    private let registry: ProviderRegistry
    private let makeTransport: () throws -> any Transport
    private var transport: (any Transport)?
    private let gate: BackoffGate?

    /// A runner with the given settings; `makeTransport` defaults to `settings.makeTransport`. Runners of one batch share
    /// `gate`: a 429 pauses them all, and they wait out up to 10 rate limits per request whatever `--retries` says.
    package init(settings: Settings, gate: BackoffGate? = nil, makeTransport: (() throws -> any Transport)? = nil) {
        self.settings = settings
        self.gate = gate
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
    /// - Throws: `AIError` for every failure; `OutputClosed` (or anything else) thrown by `observer`.
    package func run(
        _ request: CompletionRequest,
        stream: Bool,
        keepText: Bool = true,
        observer: (any RunObserver)? = nil
    ) throws -> Completion {
        let (provider, resolved) = try resolve(request, stream: stream)
        let started = Monotonic.now()
        var startedReported = false
        let deltaWritten = Flag()
        let loop = RetryLoop(settings: settings, gate: gate, provider: provider.name)
        return try loop.run(mayRetry: { !deltaWritten.value }, beforeWait: { idle() }) { limits in
            var result = Accumulator(keepText: keepText)
            var firstByte: Double?
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
                    deltaWritten.value = true
                    if keepText { result.apply(.delta(body.text)) }
                    try observer?.delta(body)
                }
            )
            try provider.attempt(resolved, context: context) { event in
                result.apply(event)
                if case .delta(let text) = event, !text.isEmpty {
                    deltaWritten.value = true
                    try observer?.delta(text)
                }
            }
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

/// Folds provider events into a `Completion`.
private struct Accumulator {
    let keepText: Bool
    var content = ""
    var finish: String?
    var usage: Usage?
    var model: String?
    var calls: [Int: ToolCall] = [:]

    init(keepText: Bool) {
        self.keepText = keepText
    }

    mutating func apply(_ event: ProviderEvent) {
        switch event {
        case .delta(let text): if keepText { content += text }
        case .finish(let reason): finish = reason
        case .usage(let value): usage = value
        case .model(let name): model = name
        case .toolCall(let index, let id, let name, let arguments):
            var call = calls[index] ?? ToolCall(index: index, id: nil, name: nil, arguments: "")
            call.id = call.id ?? id
            call.name = call.name ?? name
            call.arguments += arguments
            calls[index] = call
        }
    }

    func completion(provider: String, model requested: String, timing: Timing) -> Completion {
        Completion(
            provider: provider,
            model: model ?? requested,
            content: content,
            providerFinishReason: finish,
            usage: usage,
            toolCalls: calls.values.sorted { $0.index < $1.index },
            timing: timing
        )
    }
}

/// A flag set from a hot closure (once per streamed delta) without the exclusivity check a captured `var` costs on
/// every write.
private final class Flag {
    private let storage = UnsafeMutablePointer<Bool>.allocate(capacity: 1)

    init() {
        storage.initialize(to: false)
    }

    deinit {
        storage.deallocate()
    }

    var value: Bool {
        get { storage.pointee }
        set { storage.pointee = newValue }
    }
}
