/// Zero-delay synthetic streaming responses of any length, generated while sending (for benchmarks).
///
/// Content chunk `i` (0-based) carries the text `"t<i> "`. Bodies are produced in batches of about 128 KiB,
/// each sent as one HTTP chunk.
package enum SyntheticStream: String, Sendable, CaseIterable {
    /// OpenAI chat completions SSE: a role chunk, N content chunks, a finish chunk (`stop`), a usage chunk,
    /// then `data: [DONE]`.
    case openai
    /// Anthropic messages SSE: message_start, content_block_start, N content_block_delta, content_block_stop,
    /// message_delta (`end_turn`, output_tokens N), message_stop.
    case anthropic
    /// Ollama chat NDJSON: N lines with `done:false`, then a `done:true` line (`done_reason` `stop`).
    case ollama

    /// The content text of chunk `index`.
    package static func content(of index: Int) -> String { "t\(index) " }

    /// The concatenated content of chunks 0..<count (for checking a client's output on small counts).
    package static func text(chunks count: Int) -> String {
        (0..<count).map(content(of:)).joined()
    }

    /// A 200 response streaming `chunks` content chunks in this format with chunked framing.
    package func response(chunks: Int) -> FakeResponse {
        let count = max(0, chunks)
        let format = self
        return FakeResponse(
            status: 200,
            headers: headers,
            framing: .chunked,
            stream: FakeResponse.Stream { SyntheticStreamGenerator(format: format, chunks: count).next }
        )
    }

    /// The response headers of this format.
    package var headers: [(String, String)] {
        switch self {
        case .openai:
            [("content-type", "text/event-stream; charset=utf-8"), ("x-request-id", "req_synthetic")]
        case .anthropic:
            [
                ("content-type", "text/event-stream; charset=utf-8"), ("cache-control", "no-cache"),
                ("request-id", "req_synthetic"),
            ]
        case .ollama:
            [("content-type", "application/x-ndjson")]
        }
    }

    /// Text before the first content chunk.
    package var prelude: String {
        switch self {
        case .openai:
            "data: {\"id\":\"chatcmpl-synthetic\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,"
                + "\"model\":\"synthetic\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":\"\"},\"finish_reason\":null}]}\n\n"
        case .anthropic:
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_synthetic\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"synthetic\",\"content\":[],"
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        case .ollama:
            ""
        }
    }

    /// The text of a content chunk before its content.
    var contentPrefix: String {
        switch self {
        case .openai:
            "data: {\"id\":\"chatcmpl-synthetic\",\"object\":\"chat.completion.chunk\",\"created\":1760000000,"
                + "\"model\":\"synthetic\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        case .anthropic:
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\""
        case .ollama:
            "{\"model\":\"synthetic\",\"created_at\":\"2025-10-09T12:00:00Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":\""
        }
    }

    /// The text of a content chunk after its content.
    var contentSuffix: String {
        switch self {
        case .openai: "\"},\"finish_reason\":null}]}\n\n"
        case .anthropic: "\"}}\n\n"
        case .ollama: "\"},\"done\":false}\n"
        }
    }

    /// Text after the last content chunk.
    package func trailer(chunks: Int) -> String {
        switch self {
        case .openai:
            let head =
                "data: {\"id\":\"chatcmpl-synthetic\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1760000000,\"model\":\"synthetic\",\"choices\":"
            return head + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + head + "[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":\(chunks),"
                + "\"total_tokens\":\(chunks + 1)}}\n\ndata: [DONE]\n\n"
        case .anthropic:
            return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":\(chunks)}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        case .ollama:
            return "{\"model\":\"synthetic\",\"created_at\":\"2025-10-09T12:00:00Z\","
                + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\","
                + "\"total_duration\":0,\"load_duration\":0,"
                + "\"prompt_eval_count\":1,\"prompt_eval_duration\":0,\"eval_count\":\(chunks),\"eval_duration\":0}\n"
        }
    }
}

/// Produces one synthetic stream in batches; used on a single connection thread.
private final class SyntheticStreamGenerator {
    private static let batchBytes = 128 * 1024

    private let chunks: Int
    private let prefix: [UInt8]
    private let suffix: [UInt8]
    private var pending: [UInt8]?
    private var trailer: [UInt8]?
    private var nextIndex = 0

    init(format: SyntheticStream, chunks: Int) {
        self.chunks = chunks
        prefix = Array(format.contentPrefix.utf8)
        suffix = Array(format.contentSuffix.utf8)
        pending = Array(format.prelude.utf8)
        trailer = Array(format.trailer(chunks: chunks).utf8)
    }

    /// The next batch, or nil after the trailer.
    func next() -> [UInt8]? {
        let eventBytes = prefix.count + suffix.count + 22
        var batch: [UInt8] = []
        if let pending {
            batch = pending
            self.pending = nil
        }
        if nextIndex < chunks {
            let room = max(1, (SyntheticStreamGenerator.batchBytes - batch.count) / eventBytes)
            let count = min(room, chunks - nextIndex)
            let head = batch
            let capacity = head.count + count * eventBytes
            batch = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                guard let base = buffer.baseAddress else { return }
                var cursor = 0
                head.withUnsafeBufferPointer { existing in
                    if let source = existing.baseAddress, existing.count > 0 {
                        (base + cursor).update(from: source, count: existing.count)
                        cursor += existing.count
                    }
                }
                prefix.withUnsafeBufferPointer { prefixBytes in
                    suffix.withUnsafeBufferPointer { suffixBytes in
                        guard let prefixBase = prefixBytes.baseAddress, let suffixBase = suffixBytes.baseAddress else {
                            return
                        }
                        for index in nextIndex..<nextIndex + count {
                            (base + cursor).update(from: prefixBase, count: prefixBytes.count)
                            cursor += prefixBytes.count
                            base[cursor] = UInt8(ascii: "t")
                            cursor += 1
                            cursor += SyntheticStreamGenerator.writeDecimal(index, to: base + cursor)
                            base[cursor] = UInt8(ascii: " ")
                            cursor += 1
                            (base + cursor).update(from: suffixBase, count: suffixBytes.count)
                            cursor += suffixBytes.count
                        }
                    }
                }
                initialized = cursor
            }
            nextIndex += count
        }
        if nextIndex >= chunks, let trailer {
            batch += trailer
            self.trailer = nil
        }
        return batch.isEmpty ? nil : batch
    }

    /// Writes `value` (non-negative) in decimal at `destination`; returns the number of digits.
    private static func writeDecimal(_ value: Int, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var rest = value
        for position in stride(from: digits - 1, through: 0, by: -1) {
            destination[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return digits
    }
}
