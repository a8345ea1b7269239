import AIBase
import AIWire

/// Decodes a Chat Completions SSE stream: chunks of `choices[].delta`, a usage chunk, `data: [DONE]`.
///
/// The stream is complete once a `finish_reason` arrived: `[DONE]` alone is not enough (a legacy
/// llama.cpp error arrives as an `error:` field followed by `[DONE]`), and llama.cpp's last
/// `data: [DONE]` without a blank line is discarded by a strict SSE parser. Events after `[DONE]` are
/// ignored. An `error` object inside the stream ends it with that error. A delta's `reasoning_content` (or, without
/// one, `reasoning`) becomes `.reasoning`, never text.
///
/// A chunk that carries only text becomes the shape (`EventShape`) the next chunks are first compared with.
package final class OpenAIStreamDecoder: FramedStreamDecoder {
    /// The provider's name, for messages.
    package let provider: String
    /// SSE framing; a legacy `error:` field is kept (llama.cpp).
    package var framing = SSEParser(legacyErrorField: true)
    /// The shape of the last text-only chunk.
    package var shapes: ShapeReader
    private var finishSeen = false
    private var doneSeen = false
    private var modelSeen = false
    /// `[DONE]` arrived.
    package var stopped: Bool { doneSeen }

    /// A decoder for a stream from `provider`; `shapes: false` reads every event with the general parser.
    package init(provider: String, shapes: Bool = true) {
        self.provider = provider
        self.shapes = ShapeReader(enabled: shapes)
    }

    /// Complete once an end marker arrived: a finish reason or `[DONE]` (a stream that ends with `[DONE]` and no
    /// finish reason has none: it is never invented).
    package func endProblem(rest: [UInt8]?, emit: (ProviderEvent) throws -> Void) -> String? {
        finishSeen || doneSeen ? nil : "was cut before its end"
    }

    /// Decodes one event.
    /// - Throws: `AIError` for an error event or one that cannot be parsed.
    package func handle(
        _ event: SSEEventView,
        emit: (ProviderEvent) throws -> Void,
        text: (JSONStringBody) throws -> Void
    ) throws {
        if doneSeen { return }
        if try shapes.take(json: event.data, type: event.typeBytes, text) { return }
        if event.dataStarts(with: "[DONE]") {
            doneSeen = true
            return
        }
        if event.typeIs("error") {
            let json: JSON
            do { json = try JSON.parse(event.data) } catch { throw notJSON(error) }
            throw OpenAIWire.streamError(json, provider: provider)
        }
        let data = event.data
        let chunk: Chunk
        do throws(JSONParseError) { chunk = try Chunk(data, wantModel: !modelSeen) } catch { throw notJSON(error) }
        do {
            if let error = try chunk.error.valueOrNull(in: data) {
                throw OpenAIWire.streamError(error, provider: provider)
            }
            if !modelSeen, let model = try chunk.model.stringOrNull(in: data) {
                modelSeen = true
                try emit(.model(model))
            }
            var textOnly = false
            let reasoning = try chunk.reasoningText(in: data)
            if let reasoning { try emit(.reasoning(reasoning)) }
            if let text = try chunk.content.stringOrNull(in: data) {
                textOnly = true
                if !text.isEmpty { try emit(.delta(text)) }
            }
            if reasoning != nil { textOnly = false }
            if chunk.toolCalls.isPresent {
                textOnly = false
                try OpenAIWire.emitToolCalls(try chunk.toolCalls.valueOrNull(in: data), emit: emit)
            }
            if let reason = try chunk.finishReason.stringOrNull(in: data) {
                textOnly = false
                finishSeen = true
                try emit(.finish(reason))
            }
            if chunk.usage.isPresent || chunk.groq.isPresent {
                var holder: JSONObject = [:]
                if let usage = try chunk.usage.valueOrNull(in: data) { holder["usage"] = usage }
                if let groq = try chunk.groq.valueOrNull(in: data) { holder["x_groq"] = groq }
                if !holder.isEmpty { textOnly = false }
                if let usage = OpenAIWire.usage(.object(holder)) { try emit(.usage(usage)) }
            }
            if textOnly { shapes.learn(EventShape(event, text: chunk.content, ignored: chunk.ignored)) }
        } catch let error as JSONParseError {
            throw notJSON(error)
        }
    }

    private func notJSON(_ error: JSONParseError) -> AIError {
        AIError(.protocol, "\(provider) sent a stream event that is not JSON: \(error.reason)")
    }
}

/// Where the parts of one `chat.completion.chunk` the decoder uses lie, found in one pass that checks the
/// whole chunk's grammar without building anything; only the parts present are decoded afterwards.
private struct Chunk {
    var error = JSONSpan.absent
    var model = JSONSpan.absent
    var content = JSONSpan.absent
    /// `delta.reasoning_content` (DeepSeek, vLLM, llama.cpp) and `delta.reasoning` (OpenRouter, Ollama's /v1).
    var reasoningContent = JSONSpan.absent
    var reasoning = JSONSpan.absent
    var toolCalls = JSONSpan.absent
    var finishReason = JSONSpan.absent
    var usage = JSONSpan.absent
    var groq = JSONSpan.absent
    /// Strings the decoder ignores (for the event's shape).
    var ignored: [JSONSpan] = []

    /// The chunk's reasoning text: `reasoning_content`, else `reasoning`; nil when neither holds text (an empty or
    /// null one is not skipped as ignored, so it stays a literal part of the chunk's shape).
    func reasoningText(in data: UnsafeRawBufferPointer) throws(JSONParseError) -> String? {
        guard reasoningContent.isPresent || reasoning.isPresent else { return nil }
        if let text = try reasoningContent.stringOrNull(in: data), !text.isEmpty { return text }
        if let text = try reasoning.stringOrNull(in: data), !text.isEmpty { return text }
        return nil
    }

    init(_ bytes: UnsafeRawBufferPointer, wantModel: Bool) throws(JSONParseError) {
        var cursor = JSONParser(bytes)
        if try cursor.beginObject() {
            repeat {
                let key = try cursor.memberKey()
                if key.is("choices") {
                    if try cursor.takeNull() { continue }
                    guard try cursor.beginArray(depth: 2) else { continue }
                    try readChoice(&cursor)
                    while try cursor.nextElement() { try cursor.skip(depth: 2) }
                } else if key.is("model") {
                    model = try cursor.skipSpan(depth: 1)
                } else if key.is("usage") {
                    usage = try cursor.skipSpan(depth: 1)
                } else if key.is("error") {
                    error = try cursor.skipSpan(depth: 1)
                } else if key.is("x_groq") {
                    groq = try cursor.skipSpan(depth: 1)
                } else {
                    try cursor.skipIgnored(depth: 1, noting: &ignored)
                }
            } while try cursor.nextMember()
        }
        guard cursor.atEnd() else {
            throw JSONParseError(reason: "unexpected bytes after the value", offset: cursor.index)
        }
        if !wantModel { model = .absent }
    }

    /// Reads `choices[0]`: its `delta` (content, tool calls) and `finish_reason`.
    private mutating func readChoice(_ cursor: inout JSONParser) throws(JSONParseError) {
        guard try cursor.beginObject(depth: 3) else { return }
        repeat {
            let key = try cursor.memberKey()
            if key.is("delta") {
                if try cursor.takeNull() { continue }
                guard try cursor.beginObject(depth: 4) else { continue }
                repeat {
                    let key = try cursor.memberKey()
                    if key.is("content") {
                        content = try cursor.skipSpan(depth: 4)
                    } else if key.is("reasoning_content") {
                        reasoningContent = try cursor.skipSpan(depth: 4)
                    } else if key.is("reasoning") {
                        reasoning = try cursor.skipSpan(depth: 4)
                    } else if key.is("tool_calls") {
                        toolCalls = try cursor.skipSpan(depth: 4)
                    } else {
                        try cursor.skipIgnored(depth: 4, noting: &ignored)
                    }
                } while try cursor.nextMember()
            } else if key.is("finish_reason") {
                finishReason = try cursor.skipSpan(depth: 3)
            } else {
                try cursor.skipIgnored(depth: 3, noting: &ignored)
            }
        } while try cursor.nextMember()
    }
}
