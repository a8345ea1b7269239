import ArgumentParser
import Synchronization

/// `ai-complete`: one result line per request read (DESIGN §1–§4).
package enum CompleteCommand {
    /// Answers every request on stdin (or the prompt) in input order.
    /// - Throws: `AIError` for failures before any request; `ExitCode` with the first failed item's status.
    package static func run(_ options: RequestOptions) throws {
        let reader = try options.makeReader()
        let runner = Runner(settings: options.settings())
        let results = ResultWriter(output: .standardOutput, raw: options.raw)
        let current = Mutex<InputItem?>(nil)
        Signals.onInterrupt {
            results.interrupted(current.withLock { $0 })
        }
        while true {
            let next: InputItem?
            do {
                next = try reader.next()
            } catch {
                if error.code == .usage { throw error }
                try results.fail(error, id: "1", metadata: nil)
                break
            }
            guard let item = next else { break }
            switch item.request {
            case .failure(let error):
                try results.fail(error, id: item.id, metadata: item.metadata)
            case .success(let request):
                current.withLock { $0 = item }
                defer { current.withLock { $0 = nil } }
                do {
                    try results.succeed(try runner.run(request, stream: false), item: item)
                } catch let error as AIError {
                    try results.fail(error, id: item.id, metadata: item.metadata)
                }
            }
        }
        if let status = results.firstFailure { throw ExitCode(status.rawValue) }
    }
}

/// Writes result and error lines (or bare text with `--raw`) and remembers the first failure's status.
private final class ResultWriter: Sendable {
    let output: JSONLWriter
    let raw: Bool
    private let failure = Mutex<ExitStatus?>(nil)

    init(output: JSONLWriter, raw: Bool) {
        self.output = output
        self.raw = raw
    }

    /// The exit status of the first item that failed.
    var firstFailure: ExitStatus? { failure.withLock { $0 } }

    func succeed(_ completion: Completion, item: InputItem) throws {
        if raw {
            let text = completion.content
            try output.write(bytes: Array(text.utf8) + (text.hasSuffix("\n") ? [] : [0x0A]))
        } else {
            try output.write(Record.result(id: item.id, completion: completion, metadata: item.metadata))
        }
    }

    func fail(_ error: AIError, id: JSON, metadata: JSON?) throws {
        if !raw { try output.write(Record.failure(id: id, error: error, metadata: metadata)) }
        Diagnostics.error(error.message, hints: error.hints)
        failure.withLock { $0 = $0 ?? error.exitStatus }
    }

    /// Writes the `cancelled` line for the request in flight, as the last line.
    func interrupted(_ item: InputItem?) {
        let error = AIError(.cancelled, "interrupted", retryable: false)
        output.writeFinal(raw ? nil : item.map { Record.failure(id: $0.id, error: error, metadata: $0.metadata) })
        Diagnostics.error("interrupted")
    }
}
