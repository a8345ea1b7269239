import AIBase

/// Token counts of one exchange, in the names the output records use.
package struct Usage: Sendable, Equatable {
    /// Tokens read (the prompt, including cached ones).
    package var promptTokens: Int
    /// Tokens generated.
    package var completionTokens: Int
    /// Their sum, or the provider's own total.
    package var totalTokens: Int
    /// Of the prompt tokens, those read from the provider's prompt cache, when it says (OpenAI's
    /// `prompt_tokens_details.cached_tokens`, Anthropic's `cache_read_input_tokens`).
    package var cachedTokens: Int?

    /// Usage with the given counts; the total defaults to their sum.
    package init(promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil, cachedTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens + completionTokens
        self.cachedTokens = cachedTokens
    }

    /// `{"prompt_tokens","completion_tokens","total_tokens"}`, and `cached_tokens` when the provider said.
    package var record: JSON {
        var object: JSONObject = [
            "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens),
            "total_tokens": .int(totalTokens),
        ]
        if let cachedTokens { object["cached_tokens"] = .int(cachedTokens) }
        return .object(object)
    }

    /// The usage as an error carries it.
    package var tokens: AIError.Tokens {
        AIError.Tokens(prompt: promptTokens, completion: completionTokens, total: totalTokens, cached: cachedTokens)
    }

    /// The usage an error carries.
    package init(_ tokens: AIError.Tokens) {
        self.init(
            promptTokens: tokens.prompt, completionTokens: tokens.completion, totalTokens: tokens.total,
            cachedTokens: tokens.cached)
    }

    /// The two usages summed (attempts of one request); cached tokens are kept when either said.
    package static func + (left: Usage, right: Usage) -> Usage {
        let cached: Int? =
            left.cachedTokens == nil && right.cachedTokens == nil
            ? nil : (left.cachedTokens ?? 0) + (right.cachedTokens ?? 0)
        return Usage(
            promptTokens: left.promptTokens + right.promptTokens,
            completionTokens: left.completionTokens + right.completionTokens,
            totalTokens: left.totalTokens + right.totalTokens, cachedTokens: cached)
    }
}

/// What a request cost in US dollars, from the usage the provider reported and a configured price.
package struct Cost: Sendable, Equatable {
    /// For the prompt tokens (cached ones at the cached price).
    package var input: Double
    /// For the generated tokens.
    package var output: Double

    /// A cost with the given parts.
    package init(input: Double, output: Double) {
        self.input = input
        self.output = output
    }

    /// Both parts.
    package var total: Double { input + output }

    /// `{"usd","input","output"}`.
    package var record: JSON {
        .object(["usd": .double(total), "input": .double(input), "output": .double(output)])
    }
}

/// One tool call the model asked for, its arguments joined from their fragments.
package struct ToolCall: Sendable, Equatable {
    /// Position among the calls.
    package var index: Int
    /// The provider's id for the call.
    package var id: String?
    /// The function's name.
    package var name: String?
    /// The arguments as JSON text.
    package var arguments: String

    /// A call with the given parts.
    package init(index: Int, id: String?, name: String?, arguments: String) {
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// `{"index","id","name","arguments"}`.
    package var record: JSON {
        var object: JSONObject = ["index": .int(index)]
        if let id { object["id"] = .string(id) }
        if let name { object["name"] = .string(name) }
        object["arguments"] = .string(arguments)
        return .object(object)
    }
}

/// The provider's finish reason mapped onto `stop`, `length`, `tool_calls`, `content_filter` (DESIGN §3).
package enum FinishReason {
    /// The normalized reason for a provider's raw one; a value with no mapping is kept as it is.
    package static func normalize(_ raw: String) -> String {
        switch raw {
        case "stop", "end_turn", "stop_sequence": "stop"
        case "length", "max_tokens", "model_context_window_exceeded": "length"
        case "tool_calls", "function_call", "tool_use": "tool_calls"
        case "content_filter", "refusal": "content_filter"
        case "pause_turn": "pause"
        default: raw
        }
    }
}

/// Milliseconds from the start of a request to its first response byte and to its end.
package struct Timing: Sendable, Equatable {
    /// Until the first byte of the answering response, if one came.
    package var firstByteMilliseconds: Int?
    /// Until the end.
    package var totalMilliseconds: Int

    /// A value with the given parts.
    package init(firstByteMilliseconds: Int? = nil, totalMilliseconds: Int) {
        self.firstByteMilliseconds = firstByteMilliseconds
        self.totalMilliseconds = totalMilliseconds
    }

    /// `{"first_byte_ms","total_ms"}`.
    package var record: JSON {
        var object: JSONObject = [:]
        if let firstByteMilliseconds { object["first_byte_ms"] = .int(firstByteMilliseconds) }
        object["total_ms"] = .int(totalMilliseconds)
        return .object(object)
    }
}

/// What one request produced.
package struct Completion: Sendable, Equatable {
    /// The provider's name.
    package var provider: String
    /// The model the provider reported, else the one asked for.
    package var model: String
    /// The generated text.
    package var content: String
    /// The provider's own finish reason, if it sent one.
    package var providerFinishReason: String?
    /// Token counts, if the provider sent them.
    package var usage: Usage?
    /// Tool calls, in index order.
    package var toolCalls: [ToolCall]
    /// Timings.
    package var timing: Timing
    /// What it cost, when a price for the model is configured and the provider reported usage.
    package var cost: Cost?
    /// With a schema: the answer, parsed and valid.
    package var data: JSON?
    /// The model's reasoning, kept apart from `content`.
    package var reasoning: String?
    /// The provider's signature over the reasoning (Anthropic), needed to continue the conversation.
    package var reasoningSignature: String?
    /// With tools run: the number of model calls (steps) the answer took.
    package var steps: Int?
    /// With `-c`: the whole conversation, this answer's turn last (`messages` in the result line and `done`).
    package var messages: [Message]?

    /// A value with the given parts.
    package init(
        provider: String,
        model: String,
        content: String,
        providerFinishReason: String? = nil,
        usage: Usage? = nil,
        toolCalls: [ToolCall],
        timing: Timing,
        cost: Cost? = nil
    ) {
        self.provider = provider
        self.model = model
        self.content = content
        self.providerFinishReason = providerFinishReason
        self.usage = usage
        self.toolCalls = toolCalls
        self.timing = timing
        self.cost = cost
    }

    /// The normalized finish reason.
    package var finishReason: String? { providerFinishReason.map(FinishReason.normalize) }

    /// The assistant turn this completion is, to continue the conversation with.
    package var message: Message {
        Message(assistant: content, reasoning: reasoning, signature: reasoningSignature, toolCalls: toolCalls)
    }
}

/// The JSONL records the tools write on stdout (DESIGN §3; `ai-wire(5)`).
///
/// `ai-complete` writes one line per request:
/// `{"id","provider","model","content","reasoning","finish_reason","provider_finish_reason","usage","timing",
/// "messages","metadata"}` (`reasoning` only when the model reasoned, `messages` only with `-c`),
/// or `{"id","error":{"code","message","status","retryable"},"metadata"}` when it failed.
/// `ai-stream` writes `{"type":"start","id","provider","model"}`, then `{"type":"delta","text"}` per piece of
/// text (and `{"type":"reasoning","text"}` per piece of reasoning), then
/// `{"type":"done","finish_reason","provider_finish_reason","usage","timing"}`, or
/// `{"type":"error","error":{…}}` as its last line. Keys are snake_case; fields are only ever added.
public enum Record {
    /// An `ai-complete` result line.
    package static func result(id: JSON, completion: Completion, metadata: JSON?) -> JSON {
        var object: JSONObject = [
            "id": id, "provider": .string(completion.provider), "model": .string(completion.model),
            "content": .string(completion.content),
        ]
        if let reasoning = completion.reasoning, !reasoning.isEmpty { object["reasoning"] = .string(reasoning) }
        addOutcome(of: completion, to: &object)
        if let metadata { object["metadata"] = metadata }
        return .object(object)
    }

    /// An `ai-complete` error line.
    package static func failure(id: JSON, error: AIError, metadata: JSON?) -> JSON {
        var object: JSONObject = ["id": id, "error": error.record]
        if let tokens = error.tokens { object["usage"] = Usage(tokens).record }
        if let metadata { object["metadata"] = metadata }
        return .object(object)
    }

    /// The `start` event.
    package static func start(id: JSON, provider: String, model: String, metadata: JSON?) -> JSON {
        var object: JSONObject = [
            "type": "start", "id": id, "provider": .string(provider), "model": .string(model),
        ]
        if let metadata { object["metadata"] = metadata }
        return .object(object)
    }

    /// Appends a `delta` event line, newline included, to `line`, without an intermediate value (the hot path).
    @usableFromInline package static func appendDelta(_ text: String, to line: ByteBuffer) {
        line.append(deltaHead)
        var sink = line
        JSON.writeString(text, to: &sink)
        line.append(deltaTail)
    }

    /// Appends a `delta` event line for text as the provider wrote it, byte for byte the line of its decoded text.
    @inlinable @inline(__always)
    public static func appendDelta(_ body: JSONStringBody, to line: ByteBuffer) {
        guard !body.escaped else { return appendDelta(body.text, to: line) }
        // Without escapes there is no quote, backslash or control character in the body: it is what
        // `JSON.writeString` would write between the quotes. One reservation, three copies.
        let head = deltaHead.utf8CodeUnitCount
        let count = body.bytes.count
        line.append(count: head + 1 + count + 1 + deltaTail.utf8CodeUnitCount) { out in
            UnsafeMutableRawPointer(out).copyMemory(from: deltaHead.utf8Start, byteCount: head)
            out[head] = 0x22
            if count > 0 { (out + head + 1).update(from: body.bytes.baseAddress.unsafelyUnwrapped, count: count) }
            out[head + 1 + count] = 0x22
            UnsafeMutableRawPointer(out + head + 2 + count).copyMemory(
                from: deltaTail.utf8Start,
                byteCount: deltaTail.utf8CodeUnitCount)
        }
    }

    @usableFromInline static let deltaHead: StaticString = #"{"type":"delta","text":"#
    @usableFromInline static let deltaTail: StaticString = "}\n"

    /// The `reasoning` event: a piece of the model's reasoning, kept apart from the text.
    package static func reasoning(_ text: String) -> JSON {
        .object(["type": "reasoning", "text": .string(text)])
    }

    /// The `done` event.
    package static func done(_ completion: Completion) -> JSON {
        var object: JSONObject = ["type": "done"]
        addOutcome(of: completion, to: &object)
        return .object(object)
    }

    /// The fields a result line and a `done` event share, in their order: finish reason, usage, cost, tool calls,
    /// data, timing, and with `-c` the conversation (`messages`).
    private static func addOutcome(of completion: Completion, to object: inout JSONObject) {
        object["finish_reason"] = completion.finishReason.map(JSON.string) ?? .null
        if let raw = completion.providerFinishReason { object["provider_finish_reason"] = .string(raw) }
        object["usage"] = completion.usage?.record ?? .null
        if let cost = completion.cost { object["cost"] = cost.record }
        if !completion.toolCalls.isEmpty { object["tool_calls"] = .array(completion.toolCalls.map(\.record)) }
        if let data = completion.data { object["data"] = data }
        if let steps = completion.steps { object["steps"] = .int(steps) }
        object["timing"] = completion.timing.record
        if let messages = completion.messages { object["messages"] = .array(messages.map(\.record)) }
    }

    /// The `error` event, the last line of a failed stream.
    package static func streamError(_ error: AIError) -> JSON {
        var object: JSONObject = ["type": "error", "error": error.record]
        if let tokens = error.tokens { object["usage"] = Usage(tokens).record }
        return .object(object)
    }
}

extension JSON: ExpressibleByStringLiteral {
    /// A string value from a literal.
    package init(stringLiteral value: String) {
        self = .string(value)
    }
}
