import AIBase
import AIWire

/// Decodes a Messages SSE stream: `message_start`, content blocks and their deltas, `message_delta`,
/// `message_stop`.
///
/// Text deltas become `.delta`; a `tool_use` block becomes a tool call at the block's index, its
/// `input_json_delta` fragments the call's arguments. A `thinking` block's text and `thinking_delta`s become
/// `.reasoning`, its `signature_delta`s `.reasoningSignature` (never answer text); a `redacted_thinking` block, `ping`
/// and unknown events are dropped. Prompt tokens come from `message_start` (cache tokens
/// included), output tokens from `message_delta`, whose usage is cumulative. The stream is complete only at
/// `message_stop`; `event: error` ends it with the error its type means.
///
/// A text delta becomes the shape (`EventShape`) the next events are first compared with.
package final class AnthropicStreamDecoder: FramedStreamDecoder {
    /// The provider's name, for messages.
    package let provider: String
    /// SSE framing.
    package var framing = SSEParser()
    /// The shape of the last text delta.
    package var shapes: ShapeReader
    /// `message_stop` arrived.
    package private(set) var stopped = false
    private var inputTokens: Int?
    private var outputTokens: Int?
    private var cachedTokens: Int?
    private var usageReported = false
    /// Tool-use blocks still open, by index: their `input` at block start, and whether a fragment arrived.
    private var toolBlocks: [Int: (input: JSON, fragmentSeen: Bool)] = [:]

    /// A decoder for a stream from `provider`; `shapes: false` reads every event with the general parser.
    package init(provider: String, shapes: Bool = true) {
        self.provider = provider
        self.shapes = ShapeReader(enabled: shapes)
    }

    /// Complete only at `message_stop`.
    package func endProblem(rest: [UInt8]?, emit: (ProviderEvent) throws -> Void) -> String? {
        stopped ? nil : "was cut before message_stop"
    }

    /// Decodes one event.
    /// - Throws: `AIError` for an error event or one that cannot be parsed.
    package func handle(
        _ event: SSEEventView,
        emit: (ProviderEvent) throws -> Void,
        text: (JSONStringBody) throws -> Void
    ) throws {
        if stopped { return }
        if try shapes.take(json: event.data, type: event.typeBytes, text) { return }
        if let delta = TextDelta(event.data) {
            if !delta.text.isEmpty { try emit(.delta(delta.text)) }
            shapes.learn(EventShape(event, text: delta.span, ignored: delta.ignored))
            return
        }
        let json: JSON
        do { json = try JSON.parse(event.data) } catch {
            if event.type == "error" { throw AnthropicWire.streamError(.string(event.text), provider: provider) }
            throw AIError(.protocol, "\(provider) sent a stream event that is not JSON: \(error.reason)")
        }
        let type = json["type"]?.stringValue ?? event.type
        switch type {
        case "message_start":
            let message = json["message"]
            if let model = message?["model"]?.stringValue { try emit(.model(model)) }
            if let usage = message?["usage"] {
                inputTokens = AnthropicWire.inputTokens(usage) ?? inputTokens
                cachedTokens = usage["cache_read_input_tokens"]?.intValue ?? cachedTokens
                outputTokens = usage["output_tokens"]?.intValue ?? outputTokens
            }
        case "content_block_start":
            guard let index = json["index"]?.intValue, let block = json["content_block"] else { return }
            switch block["type"]?.stringValue {
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty { try emit(.delta(text)) }
            case "thinking":
                if let text = block["thinking"]?.stringValue, !text.isEmpty { try emit(.reasoning(text)) }
                if let signature = block["signature"]?.stringValue, !signature.isEmpty {
                    try emit(.reasoningSignature(signature))
                }
            case "tool_use":
                toolBlocks[index] = (input: block["input"] ?? .object([:]), fragmentSeen: false)
                try emit(
                    .toolCall(
                        index: index, id: block["id"]?.stringValue, name: block["name"]?.stringValue,
                        arguments: ""))
            default:
                break
            }
        case "content_block_delta":
            guard let delta = json["delta"] else { return }
            switch delta["type"]?.stringValue {
            case "text_delta":
                guard let text = delta["text"]?.stringValue else {
                    throw AIError(.protocol, "\(provider) sent a text delta whose text is not a string")
                }
                if !text.isEmpty { try emit(.delta(text)) }
            case "thinking_delta":
                if let text = delta["thinking"]?.stringValue, !text.isEmpty { try emit(.reasoning(text)) }
            case "signature_delta":
                if let signature = delta["signature"]?.stringValue, !signature.isEmpty {
                    try emit(.reasoningSignature(signature))
                }
            case "input_json_delta":
                guard let index = json["index"]?.intValue, let fragment = delta["partial_json"]?.stringValue,
                    !fragment.isEmpty
                else { return }
                toolBlocks[index]?.fragmentSeen = true
                try emit(.toolCall(index: index, id: nil, name: nil, arguments: fragment))
            default:
                break
            }
        case "content_block_stop":
            // A tool call whose input arrived whole at block start (no fragments) still gets its arguments.
            guard let index = json["index"]?.intValue, let block = toolBlocks.removeValue(forKey: index) else { return }
            if !block.fragmentSeen {
                try emit(.toolCall(index: index, id: nil, name: nil, arguments: block.input.encodedString))
            }
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue { try emit(.finish(reason)) }
            if let usage = json["usage"] {
                if let input = AnthropicWire.inputTokens(usage) { inputTokens = max(inputTokens ?? 0, input) }
                outputTokens = usage["output_tokens"]?.intValue ?? outputTokens
                try reportUsage(emit: emit)
            }
        case "message_stop":
            stopped = true
            if !usageReported { try reportUsage(emit: emit) }
        case "error":
            throw AnthropicWire.streamError(json, provider: provider)
        default:
            break
        }
    }

    private func reportUsage(emit: (ProviderEvent) throws -> Void) throws {
        guard inputTokens != nil || outputTokens != nil else { return }
        usageReported = true
        try emit(
            .usage(
                Usage(
                    promptTokens: inputTokens ?? 0, completionTokens: outputTokens ?? 0, cachedTokens: cachedTokens)))
    }
}

/// The common event, read in one pass without building a tree: a `content_block_delta` whose delta is a
/// `text_delta`. Anything else, malformed data included, goes to the general decoder.
private struct TextDelta {
    /// The delta's text.
    var text = ""
    /// Where the text lies.
    var span = JSONSpan.absent
    /// Strings the decoder ignores (for the event's shape).
    var ignored: [JSONSpan] = []

    /// The delta of `bytes`, or nil when the event is something else.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var cursor = JSONParser(bytes)
        var blockDelta = false
        var textDelta = false
        var found = false
        do throws(JSONParseError) {
            guard try cursor.beginObject() else { return nil }
            repeat {
                let key = try cursor.memberKey()
                if key.is("type") {
                    guard try cursor.stringToken().is("content_block_delta") else { return nil }
                    blockDelta = true
                } else if key.is("delta") {
                    guard try cursor.beginObject(depth: 2) else { return nil }
                    repeat {
                        let key = try cursor.memberKey()
                        if key.is("type") {
                            guard try cursor.stringToken().is("text_delta") else { return nil }
                            textDelta = true
                        } else if key.is("text") {
                            let string = try cursor.spannedStringOrNull()
                            guard let value = string.value else { return nil }
                            text = value
                            span = string.span
                            found = true
                        } else {
                            try cursor.skipIgnored(depth: 2, noting: &ignored)
                        }
                    } while try cursor.nextMember()
                } else {
                    try cursor.skipIgnored(depth: 1, noting: &ignored)
                }
            } while try cursor.nextMember()
            guard blockDelta, textDelta, found, cursor.atEnd() else { return nil }
        } catch {
            return nil
        }
    }
}
