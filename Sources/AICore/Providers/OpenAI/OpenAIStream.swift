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
        let json: JSON
        do { json = try JSON.parse(event.data) } catch {
            throw AIError(.protocol, "\(provider) sent a stream event that is not JSON: \(error.reason)")
        }
        if event.type == "error" { throw OpenAIWire.streamError(json, provider: provider) }
        if let error = json["error"], !error.isNull { throw OpenAIWire.streamError(error, provider: provider) }
        if !modelSeen, let model = json["model"]?.stringValue {
            modelSeen = true
            try emit(.model(model))
        }
        if let choice = json["choices"]?.arrayValue?.first {
            if let delta = choice["delta"] {
                if let text = delta["content"]?.stringValue, !text.isEmpty { try emit(.delta(text)) }
                if let calls = delta["tool_calls"]?.arrayValue {
                    for (position, call) in calls.enumerated() {
                        try emit(.toolCall(
                            index: call["index"]?.intValue ?? position,
                            id: call["id"]?.stringValue,
                            name: call["function"]?["name"]?.stringValue,
                            arguments: call["function"]?["arguments"]?.stringValue ?? ""
                        ))
                    }
                }
            }
            if let reason = choice["finish_reason"]?.stringValue {
                finishSeen = true
                try emit(.finish(reason))
            }
        }
        if let usage = OpenAIWire.usage(json) { try emit(.usage(usage)) }
    }
}
