import AIBase
import AIWire

/// The writing side of a batch (`Batch`, `EmbedBatch`): finished lines go out in input order (or as they finish),
/// the first failure in input order gives the exit status, and a stdout that takes no more lines stops the batch.
///
/// It lives inside the batch's monitored state, so every change happens under the batch's lock.
struct LineOrder {
    /// Whether lines are written in input order rather than as they finish.
    let ordered: Bool
    /// Lines finished but not yet written (ordered output only), by sequence number.
    private(set) var finished: [Int: (line: [UInt8]?, failure: AIError?)] = [:]
    /// Every item read but not yet written, by sequence number (its `cancelled` line on SIGINT).
    var unwritten: [Int: InputItem] = [:]
    /// How many lines went out (or were given up on).
    private(set) var written = 0
    /// The first failed item in input order, and its exit status.
    private(set) var firstFailure: (sequence: Int, status: ExitStatus)?
    /// Why stdout took no more lines (`OutputClosed`, or `AIError` `io`): the batch stops and `run` throws it.
    private(set) var outputFailure: (any Error)?

    /// A writer in input order or not.
    init(ordered: Bool) {
        self.ordered = ordered
    }

    /// Records item `sequence` (its line, if it has one, and its failure, reported to `reporter`), then writes every
    /// line now due to `output`. When a write fails the failure is kept and transfers under way are asked to stop
    /// (DESIGN §9).
    mutating func finish(
        sequence: Int, line: [UInt8]?, failure: AIError?, output: JSONLWriter, reporter: any Reporter
    ) {
        if let failure, firstFailure == nil || sequence < firstFailure?.sequence ?? .max {
            firstFailure = (sequence: sequence, status: failure.exitStatus)
        }
        guard ordered else {
            emit((line: line, failure: failure), output: output, reporter: reporter)
            unwritten[sequence] = nil
            written += 1
            return
        }
        finished[sequence] = (line: line, failure: failure)
        while outputFailure == nil, let next = finished.removeValue(forKey: written) {
            emit(next, output: output, reporter: reporter)
            unwritten[written] = nil
            written += 1
        }
    }

    private mutating func emit(
        _ done: (line: [UInt8]?, failure: AIError?), output: JSONLWriter, reporter: any Reporter
    ) {
        if let failure = done.failure { reporter.error(failure.message, hints: failure.hints) }
        guard let line = done.line else { return }
        do {
            try output.write(bytes: line)
        } catch {
            outputFailure = error
            Cancellation.request()
        }
    }
}
