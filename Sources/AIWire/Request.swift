/// One chat message: a role and its content, plus any other fields the user sent (passed through).
package struct Message: Sendable, Equatable {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    package var role: String
    /// A string, or an array of content parts, or null.
    package var content: JSON
    /// The message object as given, for providers that take messages as they are.
    package var object: JSONObject

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

    /// The text of the content: the string, or the `text` of every text part joined.
    package var text: String {
        switch content {
        case .string(let text): return text
        case .array(let parts): return parts.compactMap { $0["text"]?.stringValue }.joined()
        default: return ""
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

    /// The request with every field it leaves out filled from these defaults; a field in the request wins.
    package func fill(_ request: CompletionRequest) -> CompletionRequest {
        var filled = request
        if filled.provider == nil { filled.provider = provider }
        if filled.model == nil { filled.model = model }
        if filled.system == nil { filled.system = system }
        if filled.temperature == nil { filled.temperature = temperature }
        if filled.maxTokens == nil { filled.maxTokens = maxTokens }
        if filled.stop == nil { filled.stop = stop }
        if filled.schema == nil { filled.schema = schema }
        return filled
    }
}
