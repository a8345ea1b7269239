import AIBase
import AIConfig
import AIProviders
import AITransport
import AIWire
import Glibc

/// `ai-embed`'s engine (DESIGN §13): consecutive lines packed into provider requests of at most `batchSize` texts,
/// up to `jobs` requests at once, one result line per input line in input order.
///
/// The reader (the calling thread) packs items into jobs and hands them to worker threads through a bounded window
/// of items read but not yet written, so memory stays flat however long the input. A line's `"input"` array is
/// never split across requests unless it alone holds more than `batchSize` texts. A request the provider finds
/// too large (413, `context_length`, "too many inputs") is split in half and each half sent again. Retries follow
/// `RetryPolicy`, with a shared `BackoffGate` for 429s, as `Batch` does. The exit status is that of the first
/// failed item in input order.
package final class EmbedBatch: Sendable {
    /// One input line waiting for its vectors.
    private struct Entry {
        var sequence: Int
        var item: InputItem
        var texts: [String] { item.embedding?.texts ?? [] }
    }

    /// What one text got: its vector (with the model that answered and its share of the request's tokens).
    private typealias Outcome = Result<(vector: [Float], model: String, tokens: Double?), AIError>

    /// A finished item's line, and its failure if it failed.
    private typealias Rendered = (line: [UInt8], failure: AIError?)

    private struct State {
        var queue: [[Entry]] = []
        var queueHead = 0
        /// The lines finished, written and not yet written; the first failure; stdout's failure.
        var lines: LineOrder
        var dispatched = 0
        var written: Int { lines.written }
        var outputFailure: (any Error)? { lines.outputFailure }
        var readerDone = false
        var workers = 0
        var interrupted = false
        var stopped: Bool { interrupted || outputFailure != nil }
    }

    private let settings: Settings
    private let embedder: Result<any Embedder, AIError>
    private let model: String?
    private let dimensions: Int?
    private let batchSize: Int
    private let jobs: Int
    private let output: JSONLWriter
    private let window: Int
    private let gate = BackoffGate()
    private let monitor: Monitor<State>

    /// A batch embedding with the provider `settings` choose (`model` and `dimensions` as given, nil for the
    /// provider's defaults); each failed item's message goes to `settings.reporter`.
    package init(
        settings: Settings, model: String?, dimensions: Int?, batchSize: Int, jobs: Int, ordered: Bool,
        output: JSONLWriter = .standardOutput
    ) {
        self.settings = settings
        self.model = model
        self.dimensions = dimensions
        self.batchSize = max(1, batchSize)
        self.jobs = max(1, jobs)
        self.output = output
        self.window = (2 * max(1, jobs) + 1) * max(1, batchSize)
        self.monitor = Monitor(State(lines: LineOrder(ordered: ordered)))
        do {
            embedder = .success(try ProviderRegistry(settings: settings).embedder(named: settings.defaults.provider))
        } catch let error as AIError {
            embedder = .failure(error)
        } catch {
            embedder = .failure(AIError(.internal, "unexpected failure: \(error)"))
        }
    }

    /// Embeds every item `reader` yields, except those whose id `skip` holds.
    /// - Returns: the exit status of the first failed item in input order, or nil when all succeeded.
    /// - Throws: `AIError` (`usage`) from the reader; when stdout takes no more lines, `OutputClosed` or `AIError`
    ///   (`io`), after the batch stopped taking work.
    package func run(_ reader: InputReader, skip: Set<String> = []) throws -> ExitStatus? {
        var sequence = 0
        var pending: [Entry] = []
        var pendingTexts = 0
        func flush() {
            guard !pending.isEmpty else { return }
            let job = pending
            pending = []
            pendingTexts = 0
            let start = monitor.update { state -> Bool in
                state.queue.append(job)
                guard state.workers < jobs else { return false }
                state.workers += 1
                return true
            }
            if start { Threads.detach { [self] in work() } }
        }
        while monitor.update({ $0.outputFailure == nil }) {
            let next: InputItem?
            do {
                next = try reader.next()
            } catch {
                if error.code == .usage { throw error }
                admit(sequence: sequence, item: InputItem(id: "1", line: 1, request: .failure(error), metadata: nil))
                sequence += 1
                break
            }
            guard let item = next else { break }
            if skip.contains(item.id.encodedString) { continue }
            let count = item.embedding?.texts.count ?? 0
            guard admit(sequence: sequence, item: item) else {
                sequence += 1
                continue
            }
            if pendingTexts + count > batchSize { flush() }
            pending.append(Entry(sequence: sequence, item: item))
            pendingTexts += count
            if pendingTexts >= batchSize { flush() }
            sequence += 1
        }
        flush()
        monitor.update { $0.readerDone = true }
        let (status, failure) = monitor.wait(until: { $0.written == $0.dispatched || $0.outputFailure != nil }) {
            ($0.lines.firstFailure?.status, $0.outputFailure)
        }
        if let failure { throw failure }
        return status
    }

    /// Ends the batch on SIGINT: writes the finished lines not yet written, then a `cancelled` line for every
    /// other item read, in input order; nothing after them gets through.
    package func interrupt() {
        monitor.update { state in
            state.interrupted = true
            let error = AIError(.cancelled, "interrupted", retryable: false)
            var lines: [UInt8] = []
            for sequence in state.lines.unwritten.keys.sorted() {
                if let done = state.lines.finished[sequence] {
                    lines += done.line ?? []
                } else if let item = state.lines.unwritten[sequence] {
                    lines += Record.failure(id: item.id, error: error, metadata: item.metadata).encoded() + [0x0A]
                }
            }
            output.writeFinal(bytes: lines)
        }
        settings.reporter.error("interrupted", hints: [])
    }

    /// Counts an item in the window (waiting for room); an item that failed already, or that has no provider to
    /// go to, is finished at once.
    /// - Returns: whether the item still needs its vectors.
    @discardableResult
    private func admit(sequence: Int, item: InputItem) -> Bool {
        monitor.wait(until: { $0.dispatched - $0.written < window || $0.outputFailure != nil }) { state -> Bool in
            guard state.outputFailure == nil else { return false }
            state.dispatched += 1
            state.lines.unwritten[sequence] = item
            var failure: AIError?
            if case .failure(let error) = item.request { failure = error }
            if failure == nil, case .failure(let error) = embedder { failure = error }
            if failure == nil, item.embedding == nil { failure = AIError(.internal, "an item without texts") }
            guard let failure else { return true }
            finish(&state, sequence: sequence, render(item, outcomes: [.failure(failure)]))
            return false
        }
    }

    private func work() {
        var transport: (any Transport)?
        func take(_ state: inout State) -> [Entry]? {
            guard state.queueHead < state.queue.count, !state.stopped else { return nil }
            let job = state.queue[state.queueHead]
            state.queueHead += 1
            if state.queueHead > 64, state.queueHead * 2 > state.queue.count {
                state.queue.removeFirst(state.queueHead)
                state.queueHead = 0
            }
            return job
        }
        while true {
            var job = monitor.update { take(&$0) }
            if job == nil {
                transport?.idle()
                job = monitor.wait(until: { $0.queueHead < $0.queue.count || $0.readerDone || $0.stopped }) {
                    take(&$0)
                }
            }
            guard let job, case .success(let embedder) = embedder else { return }
            let texts = job.flatMap(\.texts)
            let outcomes = embed(texts[...], embedder: embedder) {
                if let transport { return transport }
                let made = try self.settings.makeTransport()
                transport = made
                return made
            }
            var offset = 0
            let rendered = job.map { entry in
                let count = entry.texts.count
                defer { offset += count }
                return (sequence: entry.sequence, done: render(entry.item, outcomes: outcomes[offset..<offset + count]))
            }
            monitor.update { state in
                for (sequence, done) in rendered { finish(&state, sequence: sequence, done) }
            }
        }
    }

    /// The outcome of every text: requests of at most `batchSize` texts, a request too large split in half.
    private func embed(
        _ texts: ArraySlice<String>, embedder: any Embedder, transport: @escaping () throws -> any Transport
    ) -> [Outcome] {
        if texts.count > batchSize {
            var outcomes: [Outcome] = []
            var start = texts.startIndex
            while start < texts.endIndex {
                let end = min(start + batchSize, texts.endIndex)
                outcomes += embed(texts[start..<end], embedder: embedder, transport: transport)
                start = end
            }
            return outcomes
        }
        let request = EmbeddingRequest(
            model: model ?? embedder.defaultEmbeddingModel, texts: Array(texts), dimensions: dimensions)
        do {
            let response = try attempt(request, embedder: embedder, transport: transport)
            let bytes = texts.reduce(0) { $0 + $1.utf8.count }
            return zip(texts, response.vectors).enumerated().map { position, pair in
                let (text, vector) = pair
                if let counted = response.textTokens, counted.count == texts.count {
                    return .success((vector: vector, model: response.model, tokens: Double(counted[position])))
                }
                let share = response.promptTokens.map { tokens in
                    texts.count == 1 || bytes == 0
                        ? Double(tokens) / Double(texts.count)
                        : Double(tokens) * Double(text.utf8.count) / Double(bytes)
                }
                return .success((vector: vector, model: response.model, tokens: share))
            }
        } catch {
            let error =
                (error as? AIError) ?? (error as? TransportError).map { AIError($0, provider: embedder.name) }
                ?? AIError(.internal, "unexpected failure: \(error)")
            if texts.count > 1, Self.isTooLarge(error) {
                let middle = texts.startIndex + texts.count / 2
                return embed(texts[..<middle], embedder: embedder, transport: transport)
                    + embed(texts[middle...], embedder: embedder, transport: transport)
            }
            return Array(repeating: .failure(error), count: texts.count)
        }
    }

    /// Whether the provider refused a request for holding too much: split, it may pass.
    static func isTooLarge(_ error: AIError) -> Bool {
        if error.httpStatus == 413 || error.code == .contextLength { return true }
        let message = error.message.lowercased()
        return message.contains("too many inputs") || message.contains("too large")
    }

    /// One request run to its end, retried as `Runner.run` retries (`RetryLoop`).
    private func attempt(
        _ request: EmbeddingRequest, embedder: any Embedder, transport: @escaping () throws -> any Transport
    ) throws -> EmbeddingResponse {
        let loop = RetryLoop(settings: settings, gate: gate, provider: embedder.name)
        return try loop.run { limits in
            let context = AttemptContext(transport: transport, limits: limits, responseStarted: {})
            let response = try embedder.embed(request, context: context)
            guard response.vectors.count == request.texts.count else {
                throw AIError(.protocol, "\(embedder.name) sent a wrong number of embeddings")
            }
            return response
        }
    }

    /// An item's line (its vectors, or the first failure of its texts), made outside the lock: writing the numbers
    /// is most of the work, and workers do it side by side.
    private func render(_ item: InputItem, outcomes: ArraySlice<Outcome>) -> Rendered {
        var line: [UInt8] = []
        var failure: AIError?
        var vectors: [[Float]] = []
        var tokens: Double? = 0
        var answered = ""
        for outcome in outcomes {
            switch outcome {
            case .failure(let error): failure = failure ?? error
            case .success(let value):
                vectors.append(value.vector)
                if answered.isEmpty { answered = value.model }
                tokens = value.tokens.flatMap { share in tokens.map { $0 + share } }
            }
        }
        if failure == nil, case .success(let embedder) = embedder {
            do throws(AIError) {
                try EmbeddingRecord.write(
                    id: item.id, provider: embedder.name, model: answered, vectors: vectors,
                    isArray: item.embedding?.isArray ?? false, usage: tokens.map { Int($0.rounded()) },
                    metadata: item.metadata, to: &line)
            } catch {
                failure = error
            }
        }
        if let failure {
            line = Record.failure(id: item.id, error: failure, metadata: item.metadata).encoded() + [0x0A]
        }
        return (line: line, failure: failure)
    }

    /// Records a finished item and writes every line that may now be written.
    private func finish(_ state: inout State, sequence: Int, _ done: Rendered) {
        guard !state.stopped else { return }
        state.lines.finish(
            sequence: sequence, line: done.line, failure: done.failure, output: output, reporter: settings.reporter)
    }
}
