/// One chat message in the suite's neutral form (ai-wire(5) "Messages"): a role and its content, plus what a turn
/// may carry besides text, and any other fields the user sent (passed through to OpenAI-compatible servers).
///
/// The neutral form, as `-c` writes it and every request may give it:
/// - `{"role":"system"|"developer"|"user"|"assistant"|"tool","content": text | [part] | null}`;
/// - an assistant turn may add `"reasoning"` (its thinking), `"reasoning_signature"` (what Anthropic needs to accept
///   the thinking back) and `"tool_calls":[{"id","name","arguments"}]` (`arguments` the JSON text); OpenAI's form
///   `{"id","type":"function","function":{"name","arguments"}}` is read too;
/// - a tool result is `{"role":"tool","tool_call_id","name","content","is_error"}`.
package struct Message: Sendable, Equatable {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    package var role: String
    /// A string, or an array of content parts, or null.
    package var content: JSON
    /// The message object as given, for providers that take messages as they are.
    package var object: JSONObject
    /// An assistant turn's tool calls, in call order.
    package var toolCalls: [ToolCall] = []
    /// A tool result's call id.
    package var toolCallID: String?
    /// A tool result's tool name.
    package var name: String?
    /// A tool result that reports a failure.
    package var isError = false
    /// An assistant turn's reasoning, kept apart from its content.
    package var reasoning: String?
    /// The provider's signature over the reasoning (Anthropic's thinking), needed to send it back.
    package var reasoningSignature: String?

    /// The fields of the neutral form that are not passed through as they are.
    package static let neutralFields: Set<String> = [
        "role", "content", "tool_calls", "tool_call_id", "name", "is_error", "reasoning", "reasoning_signature",
    ]

    /// A message with string content.
    package init(role: String, text: String) {
        self.role = role
        self.content = .string(text)
        self.object = ["role": .string(role), "content": .string(text)]
    }

    /// A message from its JSON object.
    package init(role: String, content: JSON, object: JSONObject) {
        self.role = role
        self.content = content
        self.object = object
    }

    /// An assistant turn: its text, reasoning and tool calls.
    package init(
        assistant content: String, reasoning: String? = nil, signature: String? = nil, toolCalls: [ToolCall] = []
    ) {
        self.init(role: "assistant", text: content)
        self.reasoning = reasoning
        self.reasoningSignature = signature
        self.toolCalls = toolCalls
    }

    /// A tool's result for the call `callID`.
    package init(toolResult content: String, callID: String, name: String, isError: Bool) {
        self.init(role: "tool", text: content)
        self.toolCallID = callID
        self.name = name
        self.isError = isError
    }

    /// The text of the content: the string, or the `text` of every text part joined.
    package var text: String {
        switch content {
        case .string(let text): return text
        case .array(let parts): return parts.compactMap { $0["text"]?.stringValue }.joined()
        default: return ""
        }
    }

    /// The message's fields that the neutral form does not name, as given.
    package var passedThrough: [(key: String, value: JSON)] {
        object.members.filter { !Self.neutralFields.contains($0.key) }
    }

    /// The message in the neutral form (what `-c` writes): the fields passed through, then the neutral ones.
    package var record: JSON {
        var out = JSONObject(passedThrough)
        out["role"] = .string(role)
        out["content"] = content
        if let reasoning { out["reasoning"] = .string(reasoning) }
        if let reasoningSignature { out["reasoning_signature"] = .string(reasoningSignature) }
        if !toolCalls.isEmpty {
            out["tool_calls"] = .array(
                toolCalls.map { call in
                    var object: JSONObject = [:]
                    if let id = call.id { object["id"] = .string(id) }
                    object["name"] = .string(call.name ?? "")
                    object["arguments"] = .string(call.arguments)
                    return .object(object)
                })
        }
        if let toolCallID { out["tool_call_id"] = .string(toolCallID) }
        if let name { out["name"] = .string(name) }
        if role == "tool" { out["is_error"] = .bool(isError) }
        return .object(out)
    }
}

/// What the model is told about a tool it may call: its name, what it does, and the JSON Schema of its arguments.
package struct ToolSpec: Sendable, Equatable {
    /// The name the model calls it by.
    package var name: String
    /// What it does.
    package var description: String?
    /// The JSON Schema its arguments meet (an object schema).
    package var parameters: JSON

    /// A spec with the given parts.
    package init(name: String, description: String?, parameters: JSON) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// How much reasoning a request asks for (`--think[=budget]`, the request field `think`; DESIGN §12).
///
/// Anthropic takes a token budget (`thinking.budget_tokens`), OpenAI-compatible servers an effort
/// (`reasoning_effort`), Ollama a switch (`think`); each setting maps onto the others: `low`, `medium` and `high` are
/// budgets of 1024, 4096 and 16384 tokens, and a budget under 4096 is `low`, under 16384 `medium`, else `high`.
package enum Thinking: Sendable, Equatable {
    /// Not asked for; Ollama is told so (`"think": false`).
    case off
    /// Asked for at the default: a budget of 4096 tokens, `medium` effort.
    case on
    /// A budget of reasoning tokens (1 or more).
    case budget(Int)
    /// `low`, `medium` or `high`.
    case effort(String)

    /// The efforts a setting may name.
    package static let efforts = ["low", "medium", "high"]

    /// The setting a `--think` value names: `on`, `off`, `low`, `medium`, `high` or a budget in tokens; nil for
    /// anything else.
    package init?(text: String) {
        switch text {
        case "on", "true": self = .on
        case "off", "false": self = .off
        case _ where Self.efforts.contains(text): self = .effort(text)
        default:
            guard let budget = Int(text), budget > 0 else { return nil }
            self = .budget(budget)
        }
    }

    /// The setting a request's `think` field gives: true, false, a budget, or an effort's name; nil for anything else.
    package init?(json: JSON) {
        switch json {
        case .bool(let flag): self = flag ? .on : .off
        case .string(let text) where Self.efforts.contains(text): self = .effort(text)
        case .number(let text):
            guard let budget = Int(text), budget > 0 else { return nil }
            self = .budget(budget)
        default: return nil
        }
    }

    /// The budget in tokens, or nil when off.
    package var budget: Int? {
        switch self {
        case .off: nil
        case .on: 4096
        case .budget(let tokens): tokens
        case .effort(let effort): effort == "low" ? 1024 : effort == "high" ? 16384 : 4096
        }
    }

    /// The effort, or nil when off.
    package var effort: String? {
        switch self {
        case .off: nil
        case .on: "medium"
        case .budget(let tokens): tokens < 4096 ? "low" : tokens < 16384 ? "medium" : "high"
        case .effort(let effort): effort
        }
    }
}

/// A provider-neutral request (DESIGN §2): what the user asked, before defaults fill it in.
package struct CompletionRequest: Sendable, Equatable {
    /// The request's `id` as given (string or number), or nil to use the line number.
    package var id: JSON?
    /// The provider's name, when the request names one.
    package var provider: String?
    /// The model, when the request names one.
    package var model: String?
    /// A system prompt.
    package var system: String?
    /// The conversation, oldest first.
    package var messages: [Message] = []
    /// Sampling temperature.
    package var temperature: Double?
    /// Nucleus sampling.
    package var topP: Double?
    /// The cap on generated tokens.
    package var maxTokens: Int?
    /// Stop sequences.
    package var stop: [String]?
    /// OpenAI-style frequency penalty.
    package var frequencyPenalty: Double?
    /// OpenAI-style presence penalty.
    package var presencePenalty: Double?
    /// Sampling seed.
    package var seed: Int?
    /// Echoed back untouched in the result.
    package var metadata: JSON?
    /// Merged into the provider's request body as is.
    package var extra: JSONObject?
    /// The JSON Schema the answer must meet (`schema`, else `--schema`).
    package var schema: JSON?
    /// Files, URLs and data to send with the last user message (`-a`'s, then the request's `attachments`).
    package var attachments: [Attachment] = []
    /// The request's `tools` as given: tool definitions (DESIGN §11), read by the tool loop.
    package var tools: [JSON]?
    /// The tools offered to the model, as providers send them (the tool loop fills it; empty: none).
    package var toolSpecs: [ToolSpec] = []
    /// Reasoning asked for (`think`, else `--think`).
    package var think: Thinking?

    /// An empty request.
    package init() {}

    /// A request with one user message.
    package init(prompt: String) {
        messages = [Message(role: "user", text: prompt)]
    }

    /// The text of the last user message, or "" when there is none.
    package var lastUserText: String {
        messages.last { $0.role == "user" }?.text ?? ""
    }
}

/// What the flags, environment and config say to use where a request is silent (DESIGN §2, §7).
package struct RequestDefaults: Sendable {
    /// `-p/--provider`, else `AI_PROVIDER`, else the config's default, else `ollama`.
    package var provider: String
    /// `-m/--model`, else `AI_MODEL`; nil means the provider's default.
    package var model: String?
    /// `-s/--system`.
    package var system: String?
    /// `-t/--temperature`.
    package var temperature: Double?
    /// `--max-tokens`.
    package var maxTokens: Int?
    /// `--stop`, repeatable.
    package var stop: [String]?
    /// `--schema`.
    package var schema: JSON?
    /// `-a/--attach`, repeatable: sent with every request, before the request's own `attachments`.
    package var attachments: [Attachment] = []
    /// `--think`.
    package var think: Thinking?

    /// Defaults naming only the provider.
    package init(
        provider: String, model: String? = nil, system: String? = nil, temperature: Double? = nil,
        maxTokens: Int? = nil, stop: [String]? = nil
    ) {
        self.provider = provider
        self.model = model
        self.system = system
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.stop = stop
    }

    /// The request with every field it leaves out filled from these defaults; a field in the request wins, but for
    /// attachments, which add up. A request with a `system` message has a system prompt of its own (a conversation
    /// continued with `-c`): `-s` does not add another.
    package func fill(_ request: CompletionRequest) -> CompletionRequest {
        var filled = request
        if filled.provider == nil { filled.provider = provider }
        if filled.model == nil { filled.model = model }
        if filled.system == nil, !filled.messages.contains(where: { $0.role == "system" }) { filled.system = system }
        if filled.think == nil { filled.think = think }
        if filled.temperature == nil { filled.temperature = temperature }
        if filled.maxTokens == nil { filled.maxTokens = maxTokens }
        if filled.stop == nil { filled.stop = stop }
        if filled.schema == nil { filled.schema = schema }
        filled.attachments = attachments + filled.attachments
        return filled
    }
}
