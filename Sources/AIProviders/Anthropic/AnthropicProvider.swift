import AIBase
import AITransport
import AIWire

/// Anthropic Messages (`POST /v1/messages`), whole or as server-sent events.
package struct AnthropicProvider: HTTPProvider {
    /// The official endpoint; `/v1/messages` is appended.
    package static let officialBaseURL = "https://api.anthropic.com"
    /// The `anthropic-version` header every request carries.
    package static let apiVersion = "2023-06-01"
    /// The `max_tokens` sent when neither the request nor `--max-tokens` sets one.
    ///
    /// The Messages API requires `max_tokens` and has no default of its own; 4096 fits every current model's
    /// output limit and keeps a non-streamed request well under the API's ten-minute refusal threshold.
    package static let defaultMaxTokens = 4096

    /// The name users give with `-p` (`anthropic`, or a config name).
    package let name: String
    /// The model used when nothing else names one.
    package let defaultModel: String
    /// The base URL requests go to (no trailing slash); `/v1/messages` is appended.
    package let baseURL: String
    /// The API key, sent as `x-api-key`.
    package let apiKey: String

    /// Headers added to every request (config `headers`).
    package let extraHeaders: [(name: String, value: String)]

    /// A provider with the given endpoint and key.
    package init(
        name: String = "anthropic",
        baseURL: String = AnthropicProvider.officialBaseURL,
        apiKey: String,
        defaultModel: String = "claude-sonnet-4-5",
        extraHeaders: [(name: String, value: String)] = []
    ) {
        var base = Substring(baseURL)
        while base.hasSuffix("/") { base.removeLast() }
        self.name = name
        self.baseURL = String(base)
        self.apiKey = apiKey
        self.defaultModel = defaultModel
        self.extraHeaders = extraHeaders
    }

    /// The `POST` for one attempt.
    /// - Throws: `AIError` (`input`) when `max_tokens` does not exceed the thinking budget.
    package func httpRequest(for resolved: ResolvedRequest) throws -> HTTPRequest {
        if let budget = resolved.request.think?.budget, let maxTokens = resolved.request.maxTokens,
            maxTokens <= budget
        {
            throw AIError(
                .input,
                "max_tokens (\(maxTokens)) must exceed the thinking budget (\(budget)): raise it or lower --think")
        }
        return .postJSON(
            baseURL + "/v1/messages", body: body(for: resolved), stream: resolved.stream,
            streamType: "text/event-stream",
            credentials: [
                (name: "x-api-key", value: apiKey), (name: "anthropic-version", value: Self.apiVersion),
            ],
            extra: extraHeaders)
    }

    /// The Messages body: model, `max_tokens` (always), the system prompt at top level, user and assistant
    /// messages, sampling parameters, `stream`, then `extra` merged last.
    ///
    /// The request's system prompt and the text of every `system` or `developer` message are joined with a
    /// blank line into the top-level `system`; those messages leave `messages`. Other messages keep their
    /// role and content as given. A schema is asked for as one forced tool, `answer`, whose input is the answer;
    /// with tools offered too, they are sent with `answer` last and `tool_choice` `any` (a tool call every turn,
    /// `answer`'s the final one); otherwise the tools offered are sent as `tools`.
    /// Frequency and presence penalties and the seed have no Messages equivalent
    /// and are not sent. Reasoning asked for (`think`) is `thinking` with its budget; `max_tokens`, which must exceed
    /// the budget, is then the budget plus 4096 unless given, and no temperature is sent (thinking refuses one).
    package func body(for resolved: ResolvedRequest) -> JSON {
        let request = resolved.request
        let (system, messages) = AnthropicMessages.messages(request)
        let budget = request.think?.budget
        var body: JSONObject = [
            "model": .string(resolved.model),
            "max_tokens": .int(request.maxTokens ?? Self.defaultMaxTokens + (budget ?? 0)),
        ]
        if let system { body["system"] = .string(system) }
        body["messages"] = .array(messages)
        if let budget { body["thinking"] = .object(["type": "enabled", "budget_tokens": .int(budget)]) }
        if let value = request.temperature, budget == nil { body["temperature"] = .double(value) }
        if let value = request.topP { body["top_p"] = .double(value) }
        if let stop = request.stop, !stop.isEmpty { body["stop_sequences"] = .array(stop.map(JSON.string)) }
        if let schema = request.schema {
            let answer: JSON = .object([
                "name": .string(ProviderAnswer.toolName), "description": .string(ProviderAnswer.toolDescription),
                "input_schema": schema,
            ])
            if request.toolSpecs.isEmpty {
                body["tools"] = .array([answer])
                body["tool_choice"] = .object(["type": "tool", "name": .string(ProviderAnswer.toolName)])
            } else {
                body["tools"] = .array((AnthropicMessages.tools(request.toolSpecs).arrayValue ?? []) + [answer])
                body["tool_choice"] = .object(["type": "any"])
            }
        } else if !request.toolSpecs.isEmpty {
            body["tools"] = AnthropicMessages.tools(request.toolSpecs)
        }
        if resolved.stream { body["stream"] = .bool(true) }
        for member in request.extra?.members ?? [] { body[member.key] = member.value }
        return .object(body)
    }

    /// A fresh decoder for a streamed body.
    package func makeStreamDecoder() -> any StreamDecoder {
        AnthropicStreamDecoder(provider: name)
    }

    /// Decodes a whole message: `thinking` blocks as reasoning and its signature (`redacted_thinking` dropped), text
    /// blocks joined, `tool_use` blocks as tool calls (indexed by block),
    /// `stop_reason`, usage (cache tokens counted as prompt tokens) and the model.
    package func decodeCompletion(_ body: [UInt8], emit: (ProviderEvent) throws -> Void) throws {
        let json: JSON
        do { json = try JSON.parse(body) } catch {
            throw AIError(
                .protocol,
                "\(name) sent a response that is not JSON: \(error.reason) at byte \(error.offset)")
        }
        if json["type"]?.stringValue == "error" { throw AnthropicWire.streamError(json, provider: name) }
        guard let blocks = json["content"]?.arrayValue else {
            throw AIError(.protocol, "\(name) sent a response without 'content'")
        }
        if let model = json["model"]?.stringValue { try emit(.model(model)) }
        for block in blocks where block["type"]?.stringValue == "thinking" {
            if let text = block["thinking"]?.stringValue, !text.isEmpty { try emit(.reasoning(text)) }
            if let signature = block["signature"]?.stringValue, !signature.isEmpty {
                try emit(.reasoningSignature(signature))
            }
        }
        let texts = blocks.filter { $0["type"]?.stringValue == "text" }.map { $0["text"]?.stringValue }
        guard !texts.contains(nil) else {
            throw AIError(.protocol, "\(name) sent a text block whose text is not a string")
        }
        let text = texts.compactMap { $0 }.joined()
        if !text.isEmpty { try emit(.delta(text)) }
        for (index, block) in blocks.enumerated() where block["type"]?.stringValue == "tool_use" {
            try emit(
                .toolCall(
                    index: index,
                    id: block["id"]?.stringValue,
                    name: block["name"]?.stringValue,
                    arguments: (block["input"] ?? .object([:])).encodedString
                ))
        }
        if let reason = json["stop_reason"]?.stringValue { try emit(.finish(reason)) }
        if let usage = AnthropicWire.usage(json["usage"]) { try emit(.usage(usage)) }
    }

    /// The failure a non-2xx response means, read from the error body when it is JSON.
    package func decodeError(head: HTTPResponseHead, body: [UInt8]) -> AIError {
        HTTPErrorMapping.error(provider: name, head: head, details: HTTPErrorMapping.details(body), body: body)
    }
}
