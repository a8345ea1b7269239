import AIBase
import Glibc

/// How stdin is read (`--input`).
package enum InputFormat: String, Sendable, CaseIterable {
    /// JSON when the first non-blank byte is `{` and no prompt argument is given (or `-c` is), else text.
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
/// Text becomes one request. JSON input streams through in bounded memory: a `JSONFramer` cuts it into values
/// where their JSON ends, so an object may be pretty-printed over many lines and a malformed value takes no
/// other line with it. Auto-detected JSON is JSON Lines (each value starts a line and ends its last line);
/// `--input json` reads values one after another as jq does; `--input jsonl` takes exactly one value per line.
/// A leading UTF-8 byte order mark is skipped. The suite's own output is valid input: result lines become
/// requests, error lines pass through, and an `ai-stream` event stream becomes one request per `start`.
package final class InputReader {
    private let descriptor: Int32
    private let format: InputFormat
    private let prompt: String?
    private let readsStdin: Bool
    private let purpose: Purpose
    /// `-c`: a line that carries `messages` continues its conversation, the prompt argument (or the line's content)
    /// appended as the next user turn; with a prompt argument, stdin that starts with `{` is still JSON.
    private let conversation: Bool

    /// What the items are for: which fields a request object has.
    package enum Purpose: Sendable {
        /// Requests to a language model (`ai-complete`, `ai-stream`).
        case completion
        /// Texts to embed (`ai-embed`): objects give `input` or `text` (`EmbeddingDecoding`), and every item's
        /// `embedding` is set; text, prompts, result lines and event streams give their one text.
        case embedding
    }

    private var mode: InputFormat?
    private var framer = JSONFramer(framing: .lines)
    private var lines = LineSplitter()
    private var lineNumber = 0
    private var ready: [InputItem] = []
    private var readyIndex = 0
    private var atEnd = false
    private var group: EventGroup?
    private var peeked: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// An `ai-stream` event stream being joined into one request.
    private struct EventGroup {
        var id: JSON?
        var line: Int
        var defaultID: JSON
        var metadata: JSON?
        var text = ""
        var error: AIError?
        /// The `done` event's conversation (written with `-c`).
        var messages: JSON?
    }

    /// Called once when a prompt was given and stdin has stayed open without a byte for `silenceSeconds` (a pipe
    /// nobody closes, as under CI runners): the reader then keeps waiting.
    package var onSilentStdin: (() -> Void)?
    /// How long stdin may stay silent before `onSilentStdin` is called.
    package var silenceSeconds = 3.0
    private var byteRead = false

    /// A reader of `descriptor` (stdin) with the given format and prompt (the joined arguments, if any).
    package init(
        descriptor: Int32 = 0, format: InputFormat, prompt: String?, readsStdin: Bool, purpose: Purpose = .completion,
        conversation: Bool = false
    ) {
        self.descriptor = descriptor
        self.conversation = conversation
        self.purpose = purpose
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

    /// The id of a request that has none: the line it starts on, then `.2`, `.3`… for more values starting there.
    package static func defaultID(_ position: JSONFramer.Position) -> JSON {
        .string(position.ordinal == 1 ? String(position.line) : "\(position.line).\(position.ordinal)")
    }

    private func start() throws(AIError) {
        guard readsStdin else {
            guard let prompt, !prompt.isEmpty else { throw AIError(.noInput, "no input") }
            mode = .text
            ready = [item(for: CompletionRequest(prompt: prompt), line: 1)]
            atEnd = true
            return
        }
        // A byte order mark is no part of the text (jq skips it too).
        while peeked.count < 3, !atEnd { try peek() }
        if peeked.starts(with: [0xEF, 0xBB, 0xBF]) { peeked.removeFirst(3) }
        var chosen = format
        if chosen == .auto {
            chosen = .text
            if prompt == nil || conversation {
                var first = peeked.first { !Self.isBlank($0) }
                while first == nil, !atEnd {
                    let count = peeked.count
                    try peek()
                    first = peeked[count...].first { !Self.isBlank($0) }
                }
                if first == UInt8(ascii: "{") { chosen = .json }
            }
        }
        mode = chosen
        if chosen == .text {
            try readText()
        } else {
            framer = JSONFramer(framing: format == .json ? .concatenated : .lines)
            let bytes = peeked
            peeked = []
            bytes.withUnsafeBytes { consume($0) }
            if atEnd { try finishJSON() }
        }
    }

    /// Reads one chunk into `chunk`; returns its size (0 at the end of input).
    private func read() throws(AIError) -> Int {
        if !byteRead, prompt != nil, let silent = onSilentStdin {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            var ready: Int32
            repeat { ready = poll(&entry, 1, Int32(silenceSeconds * 1000)) } while ready < 0 && errno == EINTR
            if ready == 0 { silent() }
        }
        byteRead = true
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return count }
            if count == 0 {
                atEnd = true
                return 0
            }
            if errno == EINTR { continue }
            throw AIError(.io, "cannot read stdin: \(MessageText.systemError())")
        }
    }

    /// Reads one chunk onto `peeked`.
    private func peek() throws(AIError) {
        let count = try read()
        peeked.append(contentsOf: chunk[0..<count])
    }

    /// Reads the rest of stdin as one message, in memory about twice its size at most.
    ///
    /// The bytes are gathered in blocks of 1 MiB (big enough to be given back to the system when freed, unlike
    /// small chunks that would stay in the heap) and copied once into the message.
    private func readText() throws(AIError) {
        let blockSize = 1 << 20
        var chunks: [[UInt8]] = [peeked]
        var total = peeked.count
        peeked = []
        chunks[0].reserveCapacity(blockSize)
        while !atEnd {
            let count = try read()
            if chunks[chunks.count - 1].count + count > blockSize {
                chunks.append([])
                chunks[chunks.count - 1].reserveCapacity(blockSize)
            }
            chunks[chunks.count - 1].append(contentsOf: chunk[0..<count])
            total += count
        }
        var invalidLine: Int?
        var blank = true
        let text = String(unsafeUninitializedCapacity: total) { buffer in
            var offset = 0
            for piece in chunks {
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<offset + piece.count]).initialize(from: piece)
                offset += piece.count
            }
            var count = total
            while count > 0, buffer[count - 1] == 0x0A || buffer[count - 1] == 0x0D { count -= 1 }
            let bytes = UnsafeBufferPointer(rebasing: buffer[0..<count])
            guard UTF8Validation.isValid(bytes) else {
                invalidLine = Self.lineOfInvalidUTF8(bytes)
                return 0
            }
            blank = !bytes.contains { !Self.isBlank($0) }
            return count
        }
        chunks = []
        if let invalidLine { throw AIError(.input, "invalid UTF-8 on stdin at line \(invalidLine)") }
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
        let count = try read()
        chunk.withUnsafeBytes { consume(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        if atEnd { try finishJSON() }
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if mode == .jsonl {
            lines.feed(bytes) { line in handleLine(line) }
        } else {
            framer.feed(bytes) { frame in handle(frame) }
        }
    }

    private func finishJSON() throws(AIError) {
        if mode == .jsonl {
            if let rest = lines.finish() {
                rest.withUnsafeBytes { handleLine($0) }
            }
        } else {
            framer.finish { frame in handle(frame) }
        }
        flushGroup()
        if itemsProduced == 0 { throw AIError(.noInput, "no input: stdin is empty") }
    }

    private var itemsProduced = 0

    /// One line of `--input jsonl`: exactly one value.
    private func handleLine(_ line: UnsafeRawBufferPointer) {
        lineNumber += 1
        if line.allSatisfy(Self.isBlank) { return }
        parse(line, at: JSONFramer.Position(line: lineNumber, ordinal: 1))
    }

    private func handle(_ frame: JSONFramer.Frame) {
        switch frame {
        case .value(let bytes, let position):
            parse(bytes, at: position)
        case .malformed(let position, let faultLine, let reason):
            fail(at: position, "malformed JSON on line \(faultLine): \(reason)")
        }
    }

    private func parse(_ bytes: UnsafeRawBufferPointer, at position: JSONFramer.Position) {
        do throws(JSONParseError) {
            let value = try JSON.parse(bytes)
            guard case .object(let object) = value else {
                fail(at: position, "line \(position.line): expected a JSON object, found \(value.typeName)")
                return
            }
            accept(object, at: position)
        } catch {
            let before = bytes[0..<min(error.offset, bytes.count)]
            let line = position.line + before.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            fail(at: position, "malformed JSON on line \(line): \(error.reason)")
        }
    }

    private func accept(_ object: JSONObject, at position: JSONFramer.Position) {
        let line = position.line
        let fallback = Self.defaultID(position)
        // A member whose value is null is absent (after the names were checked: a misspelt name is still an error).
        let present = RequestDecoding.present(object)
        switch RequestDecoding.shape(of: present) {
        case .event:
            acceptEvent(present, line: line, fallback: fallback)
        case .request where purpose == .embedding:
            flushGroup()
            let id = RequestDecoding.id(of: present, default: fallback)
            let metadata = present["metadata"]
            do throws(AIError) {
                let input = try EmbeddingDecoding.input(from: object)
                var request = CompletionRequest()
                request.id = id
                emit(InputItem(id: id, line: line, request: .success(request), metadata: metadata, embedding: input))
            } catch {
                var failure = error
                failure.message = "line \(line): \(failure.message)"
                emit(InputItem(id: id, line: line, request: .failure(failure), metadata: metadata))
            }
        case .request:
            flushGroup()
            acceptRequest(object, line: line, fallback: fallback) { [conversation, prompt] object throws(AIError) in
                var request = try RequestDecoding.request(from: object)
                if conversation, let prompt { request.messages.append(Message(role: "user", text: prompt)) }
                return request
            }
        case .result:
            flushGroup()
            acceptRequest(present, line: line, fallback: fallback) { [conversation, prompt] object throws(AIError) in
                var request = try RequestDecoding.request(fromResult: object)
                if conversation {
                    request.messages = try RequestDecoding.continued(
                        messages: object["messages"], content: request.lastUserText, prompt: prompt)
                }
                return request
            }
        case .error:
            flushGroup()
            let id = RequestDecoding.id(of: present, default: fallback)
            emit(
                InputItem(
                    id: id, line: line, request: .failure(RequestDecoding.passedError(from: present)),
                    metadata: present["metadata"]))
        }
    }

    /// Decodes a request (or a result line as one) and queues it, or its failure for the same id.
    private func acceptRequest(
        _ object: JSONObject,
        line: Int,
        fallback: JSON,
        decode: (JSONObject) throws(AIError) -> CompletionRequest
    ) {
        let id = RequestDecoding.id(of: object, default: fallback)
        do throws(AIError) {
            var request = try decode(object)
            request.id = id
            emit(InputItem(id: id, line: line, request: .success(request), metadata: request.metadata))
        } catch {
            var failure = error
            failure.message = "line \(line): \(failure.message)"
            let metadata = object["metadata"].flatMap { $0.isNull ? nil : $0 }
            emit(InputItem(id: id, line: line, request: .failure(failure), metadata: metadata))
        }
    }

    private func acceptEvent(_ object: JSONObject, line: Int, fallback: JSON) {
        switch object["type"]?.stringValue {
        case "start":
            flushGroup()
            group = EventGroup(id: object["id"], line: line, defaultID: fallback, metadata: object["metadata"])
        case "delta":
            if group == nil { group = EventGroup(id: nil, line: line, defaultID: fallback) }
            group?.text += object["text"]?.stringValue ?? ""
        case "error":
            if group == nil { group = EventGroup(id: nil, line: line, defaultID: fallback) }
            group?.error = RequestDecoding.passedError(from: object)
            flushGroup()
        case "done":
            if conversation, let messages = object["messages"] { group?.messages = messages }
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
            default: finished.defaultID
            }
        if let error = finished.error {
            emit(InputItem(id: id, line: finished.line, request: .failure(error), metadata: finished.metadata))
            return
        }
        var request = CompletionRequest(prompt: finished.text)
        request.id = id
        request.metadata = finished.metadata
        if conversation {
            do throws(AIError) {
                request.messages = try RequestDecoding.continued(
                    messages: finished.messages, content: finished.text, prompt: prompt)
            } catch {
                var failure = error
                failure.message = "line \(finished.line): \(failure.message)"
                emit(InputItem(id: id, line: finished.line, request: .failure(failure), metadata: finished.metadata))
                return
            }
        }
        emit(InputItem(id: id, line: finished.line, request: .success(request), metadata: finished.metadata))
    }

    private func fail(at position: JSONFramer.Position, _ message: String) {
        emit(
            InputItem(
                id: Self.defaultID(position), line: position.line, request: .failure(AIError(.input, message)),
                metadata: nil))
    }

    private func emit(_ item: InputItem) {
        itemsProduced += 1
        var item = item
        if purpose == .embedding, item.embedding == nil, case .success(let request) = item.request {
            item.embedding = EmbeddingInput(texts: [request.lastUserText], isArray: false)
        }
        ready.append(item)
    }

    private func item(for request: CompletionRequest, line: Int) -> InputItem {
        itemsProduced += 1
        var request = request
        request.id = .string(String(line))
        let embedding = purpose == .embedding ? EmbeddingInput(texts: [request.lastUserText], isArray: false) : nil
        return InputItem(
            id: .string(String(line)), line: line, request: .success(request), metadata: nil, embedding: embedding)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The 1-based line of the first byte that is not valid UTF-8.
    package static func lineOfInvalidUTF8(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { lineOfInvalidUTF8($0) }
    }

    /// The 1-based line of the first byte that is not valid UTF-8.
    package static func lineOfInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var line = 1
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            if !UTF8Validation.isValid(UnsafeBufferPointer(rebasing: bytes[start..<index])) { return line }
            line += 1
            start = index + 1
        }
        return line
    }
}
