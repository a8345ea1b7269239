/// Decodes a Chat Completions SSE stream: chunks of `choices[].delta`, a usage chunk, `data: [DONE]`.
///
/// The stream is complete once a `finish_reason` arrived: `[DONE]` alone is not enough (a legacy
/// llama.cpp error arrives as an `error:` field followed by `[DONE]`), and llama.cpp's last
/// `data: [DONE]` without a blank line is discarded by a strict SSE parser. Events after `[DONE]` are
/// ignored. An `error` object inside the stream ends it with that error.
package final class OpenAIStreamDecoder: StreamDecoder {
    private let provider: String
    private var parser = SSEParser(legacyErrorField: true)
    private var finishSeen = false
    private var doneSeen = false
    private var modelSeen = false

    /// A decoder for a stream from `provider`.
    package init(provider: String) {
        self.provider = provider
    }

    package func feed(_ bytes: UnsafeRawBufferPointer, emit: (ProviderEvent) throws -> Void) throws {
        try parser.feed(bytes) { event in try handle(event, emit: emit) }
    }

    package func finish(emit: (ProviderEvent) throws -> Void) throws {
        _ = parser.finish()
        guard finishSeen else {
            let reason = doneSeen ? "ended without a finish reason" : "was cut before its end"
            throw AIError(.incomplete, "\(provider) stream \(reason)")
        }
    }

    private func handle(_ event: SSEEvent, emit: (ProviderEvent) throws -> Void) throws {
        if doneSeen { return }
        if event.data.starts(with: "[DONE]".utf8) {
            doneSeen = true
            return
        }
        if event.type == "error" {
            let json: JSON
            do { json = try JSON.parse(event.data) } catch { throw notJSON(error) }
            throw OpenAIWire.streamError(json, provider: provider)
        }
        let parsed: Result<Chunk, JSONParseError> = event.data.withUnsafeBytes { bytes in
            do throws(JSONParseError) { return .success(try Chunk(bytes, wantModel: !modelSeen)) } catch { return .failure(error) }
        }
        guard case .success(let chunk) = parsed else {
            if case .failure(let error) = parsed { throw notJSON(error) }
            return
        }
        if let error = chunk.error { throw OpenAIWire.streamError(error, provider: provider) }
        if !modelSeen, let model = chunk.model {
            modelSeen = true
            try emit(.model(model))
        }
        if let text = chunk.content, !text.isEmpty { try emit(.delta(text)) }
        for (position, call) in (chunk.toolCalls?.arrayValue ?? []).enumerated() {
            try emit(.toolCall(
                index: call["index"]?.intValue ?? position,
                id: call["id"]?.stringValue,
                name: call["function"]?["name"]?.stringValue,
                arguments: call["function"]?["arguments"]?.stringValue ?? ""
            ))
        }
        if let reason = chunk.finishReason {
            finishSeen = true
            try emit(.finish(reason))
        }
        if let usage = chunk.usage { try emit(.usage(usage)) }
    }

    private func notJSON(_ error: JSONParseError) -> AIError {
        AIError(.protocol, "\(provider) sent a stream event that is not JSON: \(error.reason)")
    }
}

/// The parts of one `chat.completion.chunk` the decoder uses, read in one pass without building a tree.
private struct Chunk {
    var error: JSON?
    var model: String?
    var content: String?
    var toolCalls: JSON?
    var finishReason: String?
    var usage: Usage?

    init(_ bytes: UnsafeRawBufferPointer, wantModel: Bool) throws(JSONParseError) {
        var cursor = JSONParser(bytes)
        var usageValue: JSON?
        var groq: JSON?
        try cursor.members { key, cursor throws(JSONParseError) in
            if key.is("choices") {
                if try cursor.takeNull() { return }
                try cursor.elements { position, cursor throws(JSONParseError) in
                    guard position == 0 else { return try cursor.skip() }
                    try readChoice(&cursor)
                }
            } else if wantModel, key.is("model") {
                model = try cursor.stringOrNull()
            } else if key.is("usage") {
                usageValue = try cursor.valueOrNull()
            } else if key.is("error") {
                error = try cursor.valueOrNull()
            } else if key.is("x_groq") {
                groq = try cursor.valueOrNull()
            } else {
                try cursor.skip()
            }
        }
        guard cursor.atEnd() else { throw JSONParseError(reason: "unexpected bytes after the value", offset: cursor.index) }
        var holder: JSONObject = [:]
        if let usageValue { holder["usage"] = usageValue }
        if let groq { holder["x_groq"] = groq }
        if !holder.isEmpty { usage = OpenAIWire.usage(.object(holder)) }
    }

    private mutating func readChoice(_ cursor: inout JSONParser) throws(JSONParseError) {
        try cursor.members { key, cursor throws(JSONParseError) in
            if key.is("delta") {
                if try cursor.takeNull() { return }
                try cursor.members { key, cursor throws(JSONParseError) in
                    if key.is("content") {
                        content = try cursor.stringOrNull()
                    } else if key.is("tool_calls") {
                        toolCalls = try cursor.valueOrNull()
                    } else {
                        try cursor.skip()
                    }
                }
            } else if key.is("finish_reason") {
                finishReason = try cursor.stringOrNull()
            } else {
                try cursor.skip()
            }
        }
    }
}
