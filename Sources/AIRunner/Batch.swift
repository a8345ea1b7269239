import AIBase
import AIConfig
import AIProviders
import AIWire
import Glibc

/// `ai-complete`'s engine (DESIGN §8): up to `jobs` requests at once, one result line per request.
///
/// The reader (the calling thread) hands items to worker threads through a bounded window, so memory
/// grows with the jobs in flight, not with the batch: at most `window` items are read but not yet
/// written. Each worker owns a `Runner`; their transports share one connection pool, whose idle connections
/// later requests reuse, and a worker that finds no item waiting lets the pool close idle connections that
/// requests on new connections may be queued behind (`Transport.idle()`). Results are written in input order
/// (or as they finish with `ordered: false`); each line is written whole. A 429 closes a shared `BackoffGate`,
/// which every worker honours before its next attempt. The exit status is that of the first failed item in
/// input order.
package final class Batch: Sendable {
    private struct State {
        var queue: [(sequence: Int, item: InputItem)] = []
        var queueHead = 0
        /// The lines finished, written and not yet written; the first failure; stdout's failure.
        var lines: LineOrder
        var dispatched = 0
        var written: Int { lines.written }
        var outputFailure: (any Error)? { lines.outputFailure }
        var readerDone = false
        /// Workers so far, up to `jobs`: a thread started per queued item, or the calling thread when the input
        /// was read without starting one.
        var workers = 0
        /// Of `workers`, the threads started.
        var threads = 0
        var interrupted = false
        /// Whether the batch stops taking work: interrupted, or stdout failed.
        var stopped: Bool { interrupted || outputFailure != nil }
    }

    private let settings: Settings
    private let tools: ToolOptions?
    private var reporter: any Reporter { settings.reporter }
    private let jobs: Int
    private let raw: Bool
    private let output: JSONLWriter
    private let window: Int
    private let gate = BackoffGate()
    private let monitor: Monitor<State>

    /// A batch with the given concurrency and output order; each failed item's message goes to `settings.reporter`.
    /// With `tools`, each request's tool calls are run (`ToolLoop`).
    package init(
        settings: Settings, jobs: Int, ordered: Bool, raw: Bool, tools: ToolOptions? = nil,
        output: JSONLWriter = .standardOutput
    ) {
        self.settings = settings
        self.tools = tools
        self.jobs = max(1, jobs)
        self.raw = raw
        self.output = output
        self.window = max(1, jobs) * 4
        self.monitor = Monitor(State(lines: LineOrder(ordered: ordered)))
    }

    /// Answers every item `reader` yields, except those whose id `skip` holds.
    /// - Returns: the exit status of the first failed item in input order, or nil when all succeeded.
    /// - Throws: `AIError` (`usage`) from the reader; when stdout takes no more lines, `OutputClosed` (its reader
    ///   went away: the tool ends with 0) or `AIError` (`io`), after the batch stopped taking work.
    package func run(_ reader: InputReader, skip: Set<String> = []) throws -> ExitStatus? {
        var sequence = 0
        while monitor.update({ $0.outputFailure == nil }) {
            let next: InputItem?
            do {
                next = try reader.next()
            } catch {
                if error.code == .usage { throw error }
                submit(sequence: sequence, item: nil, readerFailure: error)
                sequence += 1
                break
            }
            guard let item = next else { break }
            if skip.contains(item.id.encodedString) { continue }
            // The last item of an input already read (a prompt, a whole text) starts no thread: a thread
            // already started takes it, else the calling thread below (a single request costs no thread).
            submit(sequence: sequence, item: item, readerFailure: nil, mayStartThread: !reader.isFinished)
            sequence += 1
        }
        let helps = monitor.update { state -> Bool in
            state.readerDone = true
            guard state.queueHead < state.queue.count, state.workers == 0 else { return false }
            state.workers += 1
            return true
        }
        if helps { work() }
        let (status, failure) = monitor.wait(until: { $0.written == $0.dispatched || $0.outputFailure != nil }) {
            ($0.lines.firstFailure?.status, $0.outputFailure)
        }
        if let failure { throw failure }
        return status
    }

    /// How many workers the batch had (threads and the calling thread), and how many threads it started.
    package var workersStarted: (workers: Int, threads: Int) {
        monitor.update { ($0.workers, $0.threads) }
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
                } else if !raw, let item = state.lines.unwritten[sequence] {
                    lines += Record.failure(id: item.id, error: error, metadata: item.metadata).encoded() + [0x0A]
                }
            }
            output.writeFinal(bytes: lines)
        }
        reporter.error("interrupted", hints: [])
    }

    /// Queues an item (or records its failure), starting a worker thread for it when `mayStartThread` and
    /// fewer than `jobs` run: a few requests start a few threads, not `jobs`.
    private func submit(sequence: Int, item: InputItem?, readerFailure: AIError?, mayStartThread: Bool = true) {
        let startWorker = monitor.wait(until: { $0.dispatched - $0.written < window || $0.outputFailure != nil }) {
            state -> Bool in
            guard state.outputFailure == nil else { return false }
            state.dispatched += 1
            if let item { state.lines.unwritten[sequence] = item }
            if let readerFailure {
                finish(&state, sequence: sequence, id: "1", metadata: nil, result: .failure(readerFailure))
            } else if let item, case .failure(let error) = item.request {
                finish(&state, sequence: sequence, id: item.id, metadata: item.metadata, result: .failure(error))
            } else if let item {
                state.queue.append((sequence: sequence, item: item))
                if mayStartThread, state.workers < jobs {
                    state.workers += 1
                    state.threads += 1
                    return true
                }
            }
            return false
        }
        if startWorker { Threads.detach { [self] in work() } }
    }

    private func work() {
        let runner = Runner(settings: settings, gate: gate, tools: tools)
        func take(_ state: inout State) -> (sequence: Int, item: InputItem)? {
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
                // Nothing to send for now: connections kept for this worker must not hold back requests that wait
                // for a server thread (a small pool keeps one thread per kept-alive connection).
                runner.idle()
                job = monitor.wait(until: { $0.queueHead < $0.queue.count || $0.readerDone || $0.stopped }) {
                    take(&$0)
                }
            }
            guard let job else { return }
            let result: Result<Completion, AIError>
            do {
                let request = try job.item.request.get()
                result = .success(try runner.run(request, stream: false))
            } catch let error as AIError {
                result = .failure(error)
            } catch {
                result = .failure(AIError(.internal, "unexpected failure: \(error)"))
            }
            monitor.update { state in
                finish(&state, sequence: job.sequence, id: job.item.id, metadata: job.item.metadata, result: result)
            }
        }
    }

    /// Records a finished item and writes every line that may now be written.
    private func finish(
        _ state: inout State,
        sequence: Int,
        id: JSON,
        metadata: JSON?,
        result: Result<Completion, AIError>
    ) {
        guard !state.stopped else { return }
        var line: [UInt8]?
        var failure: AIError?
        switch result {
        case .success(let completion):
            if raw {
                let text = completion.content
                line = Array(text.utf8) + (text.hasSuffix("\n") ? [] : [0x0A])
            } else {
                // Sized for the answer at once: a long one is not copied again and again as the line grows.
                var bytes: [UInt8] = []
                bytes.reserveCapacity(completion.content.utf8.count + 1024)
                Record.result(id: id, completion: completion, metadata: metadata).write(to: &bytes)
                bytes.append(0x0A)
                line = bytes
            }
        case .failure(let error):
            failure = error
            if !raw { line = Record.failure(id: id, error: error, metadata: metadata).encoded() + [0x0A] }
        }
        state.lines.finish(sequence: sequence, line: line, failure: failure, output: output, reporter: reporter)
    }

    /// The ids of successful lines in a results file (`--resume`): lines with one of `fields` and no `error`.
    /// - Throws: `AIError` (`no_input`) when the file exists but cannot be opened, (`io`) when reading it fails.
    package static func succeededIDs(in path: String, fields: [String] = ["content"]) throws -> Set<String> {
        let descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            if errno == ENOENT { return [] }
            throw AIError(.noInput, "cannot read \(path): \(MessageText.systemError())")
        }
        defer { close(descriptor) }
        var ids: Set<String> = []
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 65536)
        func take(_ line: UnsafeRawBufferPointer) {
            guard let json = try? JSON.parse(line), case .object(let object) = json else { return }
            let present = RequestDecoding.present(object)
            guard let id = present["id"], fields.contains(where: { present[$0] != nil }), present["error"] == nil
            else { return }
            ids.insert(id.encodedString)
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw AIError(.io, "cannot read \(path): \(MessageText.systemError())") }
            if count == 0 { break }
            buffer.withUnsafeBytes { splitter.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) { take($0) } }
        }
        if let rest = splitter.finish() { rest.withUnsafeBytes { take($0) } }
        return ids
    }
}
