import AIBase
import AIWire

/// Decodes an `/api/chat` NDJSON stream: one object per line, the last with `done:true`.
///
/// Each line's `message.content` is a delta, the final line's too; the final line also carries the finish
/// reason, the token counts and the model. A line `{"error":"…"}` ends the stream with that error (the
/// status was already 200). Blank lines are skipped; a line that is not JSON is a protocol error; a stream
/// that ends before its `done:true` line is incomplete, even when it was cut in the middle of a line.
///
/// A line that carries only text becomes the shape (`EventShape`) the next lines are first compared with.
package final class OllamaStreamDecoder: FramedStreamDecoder {
    /// The provider's name, for messages.
    package let provider: String
    /// NDJSON framing.
    package var framing = LineSplitter()
    /// The shape of the last text-only line.
    package var shapes: ShapeReader
    private var done = false
    private var modelSeen = false
    private var nextToolIndex = 0
    /// The `done:true` line arrived.
    package var stopped: Bool { done }

    /// A decoder for a stream from `provider`; `shapes: false` reads every line with the general parser.
    package init(provider: String, shapes: Bool = true) {
        self.provider = provider
        self.shapes = ShapeReader(enabled: shapes)
    }

    /// Complete at the `done:true` line; an unterminated last line counts only when it is a whole object (a cut one
    /// means the stream was cut).
    /// - Throws: `AIError` for an error that last line reports.
    package func endProblem(rest: [UInt8]?, emit: (ProviderEvent) throws -> Void) throws -> String? {
        if let rest, !done, let json = try? rest.withUnsafeBytes({ try JSON.parse($0) }) {
            try handle(json, emit: emit)
        }
        return done ? nil : "was cut before its done line"
    }

    /// Decodes one line.
    /// - Throws: `AIError` for an error line or one that cannot be parsed.
    package func handle(
        _ line: UnsafeRawBufferPointer,
        emit: (ProviderEvent) throws -> Void,
        text: (JSONStringBody) throws -> Void
    ) throws {
        if done { return }
        if try shapes.take(json: line, text) { return }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        if let plain = PlainLine(line, wantModel: !modelSeen) {
            if let model = plain.model {
                modelSeen = true
                try emit(.model(model))
            }
            if let text = plain.content {
                if !text.isEmpty { try emit(.delta(text)) }
                shapes.learn(
                    EventShape(
                        head: UnsafeRawBufferPointer(start: nil, count: 0), json: line,
                        text: plain.span, ignored: plain.ignored, tail: "\n"))
            }
            return
        }
        let json: JSON
        do { json = try JSON.parse(line) } catch {
            throw AIError(.protocol, "\(provider) sent a stream line that is not JSON: \(error.reason)")
        }
        try handle(json, emit: emit)
    }

    private func handle(_ json: JSON, emit: (ProviderEvent) throws -> Void) throws {
        guard json.objectValue != nil else {
            throw AIError(.protocol, "\(provider) sent a stream line that is not an object")
        }
        if !modelSeen, let model = json["model"]?.stringValue {
            modelSeen = true
            try emit(.model(model))
        }
        done = try OllamaWire.decode(json, provider: provider, nextToolIndex: &nextToolIndex, emit: emit)
    }
}

/// The common line, read in one pass without building a tree: `done:false`, no error, no tool calls, so all
/// it carries is `message.content` (and the model). Anything else, malformed lines included, goes to the
/// general decoder, which also words the errors.
private struct PlainLine {
    var model: String?
    var content: String?
    /// Where the content lies.
    var span = JSONSpan.absent
    /// Strings the decoder ignores (for the line's shape).
    var ignored: [JSONSpan] = []

    init?(_ bytes: UnsafeRawBufferPointer, wantModel: Bool) {
        var cursor = JSONParser(bytes)
        var notDone = false
        do throws(JSONParseError) {
            guard try cursor.beginObject() else { return nil }
            repeat {
                let key = try cursor.memberKey()
                if key.is("message") {
                    guard try cursor.beginObject(depth: 2) else { continue }
                    repeat {
                        let key = try cursor.memberKey()
                        if key.is("content") {
                            (content, span) = try cursor.spannedStringOrNull()
                        } else if key.is("tool_calls") {
                            return nil
                        } else if key.is("thinking") {
                            // Reasoning goes to the general decoder; an empty or null one stays in the shape.
                            guard let thinking = try cursor.stringOrNull(), !thinking.isEmpty else { continue }
                            return nil
                        } else {
                            try cursor.skipIgnored(depth: 2, noting: &ignored)
                        }
                    } while try cursor.nextMember()
                } else if key.is("done") {
                    guard try cursor.boolOrNull() == false else { return nil }
                    notDone = true
                } else if key.is("error") {
                    return nil
                } else if wantModel, key.is("model") {
                    model = try cursor.stringOrNull()
                } else {
                    try cursor.skipIgnored(depth: 1, noting: &ignored)
                }
            } while try cursor.nextMember()
            guard notDone, cursor.atEnd() else { return nil }
        } catch {
            return nil
        }
    }
}
