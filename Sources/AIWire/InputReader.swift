import AIBase
import Glibc

/// How stdin is read (`--input`).
package enum InputFormat: String, Sendable, CaseIterable {
    /// JSON when the first non-blank byte is `{` and no prompt argument is given, else text.
    case auto
    /// The whole of stdin is one user message.
    case text
    /// One JSON request (it may span lines), or several.
    case json
    /// One JSON request per line.
    case jsonl
}

/// Reads the requests a tool must answer from stdin and the prompt arguments (DESIGN §2).
///
/// Text becomes one request. JSON input is read line by line, so a batch streams through in bounded
/// memory: each line holds one object, and an object that does not end on its line continues on the
/// next lines (pretty-printed JSON) until it parses or a line starts a new object at column 0. The
/// suite's own output is valid input: result lines become requests, error lines pass through, and an
/// `ai-stream` event stream becomes one request per `start`.
package final class InputReader {
    private let descriptor: Int32
    private let format: InputFormat
    private let prompt: String?
    private let readsStdin: Bool

    private var mode: InputFormat?
    private var lines = LineSplitter()
    private var lineNumber = 0
    private var pending: [UInt8] = []
    private var pendingLine = 0
    private var ready: [InputItem] = []
    private var readyIndex = 0
    private var atEnd = false
    private var group: EventGroup?
    private var peeked: [UInt8] = []

    /// An `ai-stream` event stream being joined into one request.
    private struct EventGroup {
        var id: JSON?
        var line: Int
        var metadata: JSON?
        var text = ""
        var error: AIError?
    }

    /// A reader of `descriptor` (stdin) with the given format and prompt (the joined arguments, if any).
    package init(descriptor: Int32 = 0, format: InputFormat, prompt: String?, readsStdin: Bool) {
        self.descriptor = descriptor
        self.format = format
        self.prompt = prompt
        self.readsStdin = readsStdin
    }

    /// True when every item has been given: `next()` would return nil without reading.
    package var isFinished: Bool {
        mode != nil && atEnd && readyIndex >= ready.count
    }

    /// The next item, or nil at the end of input.
    /// - Throws: `AIError` for input that cannot be read at all: no input (66), invalid UTF-8 text (65), I/O (74).
    package func next() throws(AIError) -> InputItem? {
        if mode == nil { try start() }
        while readyIndex >= ready.count {
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            if atEnd { return nil }
            try readMore()
        }
        defer { readyIndex += 1 }
        return ready[readyIndex]
    }

    private func start() throws(AIError) {
        guard readsStdin else {
            guard let prompt, !prompt.isEmpty else { throw AIError(.noInput, "no input") }
            mode = .text
            ready = [item(for: CompletionRequest(prompt: prompt), line: 1)]
            atEnd = true
            return
        }
        var chosen = format
        if chosen == .auto {
            chosen = .text
            if prompt == nil {
                var first: UInt8?
                while first == nil, !atEnd {
                    let chunk = try readChunk()
                    peeked.append(contentsOf: chunk)
                    first = chunk.first { !Self.isBlank($0) }
                }
                if first == UInt8(ascii: "{") { chosen = .json }
            }
        }
        mode = chosen
        if chosen == .text {
            try readText()
        } else {
            let bytes = peeked
            peeked = []
            try consume(bytes)
            if atEnd { try finishJSON() }
        }
    }

    private func readText() throws(AIError) {
        var bytes = peeked
        peeked = []
        while !atEnd { bytes.append(contentsOf: try readChunk()) }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw AIError(.input, "invalid UTF-8 on stdin at line \(Self.lineOfInvalidUTF8(bytes))")
        }
        let blank = bytes.allSatisfy(Self.isBlank)
        let message: String
        switch (prompt, blank) {
        case (let prompt?, false): message = prompt + "\n\n" + text
        case (let prompt?, true): message = prompt
        case (nil, false): message = text
        case (nil, true): throw AIError(.noInput, "no input: stdin is empty")
        }
        ready = [item(for: CompletionRequest(prompt: message), line: 1)]
    }

    private func readMore() throws(AIError) {
        let chunk = try readChunk()
        try consume(chunk)
        if atEnd { try finishJSON() }
    }

    private func readChunk() throws(AIError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return Array(buffer[0..<count]) }
            if count == 0 {
                atEnd = true
                return []
            }
            if errno == EINTR { continue }
            throw AIError(.io, "cannot read stdin: \(MessageText.systemError())")
        }
    }

    private func consume(_ bytes: [UInt8]) throws(AIError) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { buffer in
            lines.feed(buffer) { line in handleLine(line) }
        }
    }

    private func finishJSON() throws(AIError) {
        if let rest = lines.finish() {
            rest.withUnsafeBytes { handleLine($0) }
        }
        if !pending.isEmpty {
            fail(line: pendingLine, "malformed JSON on line \(pendingLine): unexpected end of input")
            pending = []
        }
        flushGroup()
        if itemsProduced == 0 { throw AIError(.noInput, "no input: stdin is empty") }
    }

    private var itemsProduced = 0

    private func handleLine(_ line: UnsafeRawBufferPointer) {
        lineNumber += 1
        if pending.isEmpty {
            if line.allSatisfy(Self.isBlank) { return }
            parse(Array(line), startLine: lineNumber)
            return
        }
        if line.first == UInt8(ascii: "{") {
            fail(line: pendingLine, "malformed JSON on line \(pendingLine): unexpected end of input")
            pending = []
            parse(Array(line), startLine: lineNumber)
            return
        }
        pending.append(0x0A)
        pending.append(contentsOf: line)
        let bytes = pending
        pending = []
        parse(bytes, startLine: pendingLine)
    }

    private func parse(_ bytes: [UInt8], startLine: Int) {
        do throws(JSONParseError) {
            let value = try JSON.parse(bytes)
            guard case .object(let object) = value else {
                fail(line: startLine, "line \(startLine): expected a JSON object, found \(value.typeName)")
                return
            }
            accept(object, line: startLine)
        } catch {
            if error.offset >= bytes.count, mode != .jsonl {
                pending = bytes
                pendingLine = startLine
                return
            }
            let line = startLine + bytes[0..<min(error.offset, bytes.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            fail(line: startLine, "malformed JSON on line \(line): \(error.reason)")
        }
    }

    private func accept(_ object: JSONObject, line: Int) {
        switch RequestDecoding.shape(of: object) {
        case .event:
            acceptEvent(object, line: line)
        case .request:
            flushGroup()
            acceptRequest(object, line: line) { object throws(AIError) in try RequestDecoding.request(from: object) }
        case .result:
            flushGroup()
            acceptRequest(object, line: line) { object throws(AIError) in
                try RequestDecoding.request(fromResult: object)
            }
        case .error:
            flushGroup()
            let id = RequestDecoding.id(of: object, line: line)
            emit(
                InputItem(
                    id: id, line: line, request: .failure(RequestDecoding.passedError(from: object)),
                    metadata: object["metadata"]))
        }
    }

    /// Decodes a request (or a result line as one) and queues it, or its failure for the same id.
    private func acceptRequest(
        _ object: JSONObject,
        line: Int,
        decode: (JSONObject) throws(AIError) -> CompletionRequest
    ) {
        let id = RequestDecoding.id(of: object, line: line)
        do throws(AIError) {
            var request = try decode(object)
            request.id = id
            emit(InputItem(id: id, line: line, request: .success(request), metadata: request.metadata))
        } catch {
            var failure = error
            failure.message = "line \(line): \(failure.message)"
            emit(InputItem(id: id, line: line, request: .failure(failure), metadata: object["metadata"]))
        }
    }

    private func acceptEvent(_ object: JSONObject, line: Int) {
        switch object["type"]?.stringValue {
        case "start":
            flushGroup()
            group = EventGroup(id: object["id"], line: line, metadata: object["metadata"])
        case "delta":
            if group == nil { group = EventGroup(id: nil, line: line) }
            group?.text += object["text"]?.stringValue ?? ""
        case "error":
            if group == nil { group = EventGroup(id: nil, line: line) }
            group?.error = RequestDecoding.passedError(from: object)
            flushGroup()
        case "done":
            flushGroup()
        default:
            break
        }
    }

    private func flushGroup() {
        guard let finished = group else { return }
        group = nil
        let id: JSON =
            switch finished.id {
            case .some(.string(let value)): .string(value)
            case .some(.number(let value)): .number(value)
            default: .string(String(finished.line))
            }
        if let error = finished.error {
            emit(InputItem(id: id, line: finished.line, request: .failure(error), metadata: finished.metadata))
            return
        }
        var request = CompletionRequest(prompt: finished.text)
        request.id = id
        request.metadata = finished.metadata
        emit(InputItem(id: id, line: finished.line, request: .success(request), metadata: finished.metadata))
    }

    private func fail(line: Int, _ message: String) {
        emit(
            InputItem(
                id: .string(String(line)), line: line, request: .failure(AIError(.input, message)),
                metadata: nil))
    }

    private func emit(_ item: InputItem) {
        itemsProduced += 1
        ready.append(item)
    }

    private func item(for request: CompletionRequest, line: Int) -> InputItem {
        itemsProduced += 1
        var request = request
        request.id = .string(String(line))
        return InputItem(id: .string(String(line)), line: line, request: .success(request), metadata: nil)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The 1-based line of the first byte that is not valid UTF-8.
    package static func lineOfInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            if String(validating: bytes[start..<index], as: UTF8.self) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }
}
