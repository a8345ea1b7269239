import AIBase
import AIRunner
import AITools
import AIWire
import ArgumentParser

/// `ai-stream`: one request in, JSONL events out as the tokens arrive (DESIGN §3).
package enum StreamCommand {
    /// Streams the one request on stdin (or the prompt).
    /// - Throws: `AIError` for a failure before the stream; `ExitCode` after a failure was reported.
    package static func run(_ options: RequestOptions) throws {
        let output = JSONLWriter.standardOutput
        let raw = options.raw
        let servers = ToolServers()
        defer { servers.shutdown() }
        Signals.onInterrupt {
            output.writeFinal(raw ? nil : Record.streamError(AIError(.cancelled, "interrupted", retryable: false)))
            Diagnostics.error("interrupted")
            servers.shutdown()
        }
        let request: CompletionRequest
        do {
            let reader = try options.makeReader()
            guard let item = try reader.next() else { throw AIError(.noInput, "no input") }
            if try reader.next() != nil {
                throw AIError(.input, "ai-stream answers one request; use ai-complete for a batch")
            }
            request = try item.request.get()
        } catch let error as AIError where error.code != .usage {
            try report(error, output: output, raw: raw)
        }
        let printer = StreamPrinter(output: output, raw: raw, id: request.id ?? "1", metadata: request.metadata)
        let completion: Completion
        do {
            let settings = try options.settings()
            let tools = try options.toolOptions(settings: settings, servers: servers.append)
            completion = try Runner(settings: settings, tools: tools).run(
                request, stream: true, keepText: false,
                observer: printer)
        } catch let error as AIError {
            try printer.flush()
            try printer.finishLine()
            try report(error, output: output, raw: raw)
        }
        try printer.flush()
        if raw {
            try printer.finishLine()
        } else {
            try output.write(Record.done(completion))
        }
    }

    private static func report(_ error: AIError, output: JSONLWriter, raw: Bool) throws -> Never {
        if !raw { try output.write(Record.streamError(error)) }
        Diagnostics.error(error.message, hints: error.hints)
        throw ExitCode(error.exitStatus.rawValue)
    }
}

/// Writes `start`, `delta` and `reasoning` events (or the bare text with `--raw`) as they arrive.
///
/// Events decoded from what arrived are written together, with one `write`, as soon as libcurl has handed
/// over all it received (`flush`), or whenever 64 KiB are waiting: no event waits for later input, and a
/// fast stream costs one system call per 64 KiB of output rather than one per token.
private final class StreamPrinter: RunObserver {
    static let flushBytes = 64 << 10

    let output: JSONLWriter
    let raw: Bool
    let id: JSON
    let metadata: JSON?
    let pending = ByteBuffer(capacity: flushBytes + 4096)
    var endsWithNewline = true

    init(output: JSONLWriter, raw: Bool, id: JSON, metadata: JSON?) {
        self.output = output
        self.raw = raw
        self.id = id
        self.metadata = metadata
    }

    func started(provider: String, model: String) throws {
        guard !raw else { return }
        try output.write(Record.start(id: id, provider: provider, model: model, metadata: metadata))
    }

    func delta(_ text: String) throws {
        if raw {
            var text = text
            text.withUTF8 { pending.append(bytes: $0) }
            endsWithNewline = pending.last == 0x0A
        } else {
            Record.appendDelta(text, to: pending)
        }
        if pending.count >= Self.flushBytes { try flush() }
    }

    func delta(_ body: JSONStringBody) throws {
        if raw {
            guard !body.escaped else { return try delta(body.text) }
            pending.append(bytes: body.bytes)
            endsWithNewline = false  // a line end in a JSON string is escaped
        } else {
            Record.appendDelta(body, to: pending)
        }
        if pending.count >= Self.flushBytes { try flush() }
    }

    /// A `reasoning` event; nothing with `--raw`, which prints only the answer.
    func reasoning(_ text: String) throws {
        guard !raw else { return }
        var line = Record.reasoning(text).encodedString + "\n"
        line.withUTF8 { pending.append(bytes: $0) }
        if pending.count >= Self.flushBytes { try flush() }
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll() }
        try output.write(raw: pending.bytes)
    }

    func toolCall(_ call: ToolCall) throws {
        guard !raw else { return }
        try flush()
        try output.write(
            .object([
                "type": "tool_call", "id": .string(call.id ?? ""), "name": .string(call.name ?? ""),
                "arguments": .string(call.arguments),
            ]))
    }

    func toolResult(_ call: ToolCall, output result: ToolOutput, milliseconds: Int) throws {
        guard !raw else { return }
        try flush()
        try output.write(
            .object([
                "type": "tool_result", "id": .string(call.id ?? ""), "name": .string(call.name ?? ""),
                "content": .string(result.content), "is_error": .bool(result.isError), "ms": .int(milliseconds),
            ]))
    }

    /// Ends raw text with a newline so the shell prompt starts on its own line.
    func finishLine() throws {
        guard raw, !endsWithNewline else { return }
        endsWithNewline = true
        try output.write(bytes: [0x0A])
    }
}
