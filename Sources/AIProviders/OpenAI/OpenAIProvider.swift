import AIBase
import AITransport
import AIWire
import Synchronization

/// OpenAI Chat Completions, and every server that speaks it (vLLM, llama.cpp, LM Studio, OpenRouter, Groq…).
package struct OpenAIProvider: HTTPProvider {
    /// The official endpoint.
    package static let officialBaseURL = "https://api.openai.com/v1"

    package let name: String
    package let defaultModel: String
    /// The base URL requests go to (`…/v1`); `/chat/completions` is appended.
    package let baseURL: String
    /// The API key, or nil to send no Authorization header (local servers need none).
    package let apiKey: String?
    /// Headers added to every request (config `headers`).
    package let extraHeaders: [(name: String, value: String)]
    /// Whether streams ask for usage with `stream_options` (config `stream_usage`; a server that refuses it is
    /// asked once more without, and not asked again in this run).
    package let streamUsage: Bool

    /// A provider with the given endpoint and key.
    package init(
        name: String = "openai",
        baseURL: String = OpenAIProvider.officialBaseURL,
        apiKey: String?,
        defaultModel: String = "gpt-4o-mini",
        extraHeaders: [(name: String, value: String)] = [],
        streamUsage: Bool = true
    ) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.defaultModel = defaultModel
        self.extraHeaders = extraHeaders
        self.streamUsage = streamUsage
    }

    /// Whether requests go to api.openai.com, which wants `max_completion_tokens` instead of `max_tokens`.
    package var isOfficial: Bool {
        CurlTransport.host(of: baseURL).lowercased() == "api.openai.com"
    }

    package func httpRequest(for resolved: ResolvedRequest) throws -> HTTPRequest {
        request(body(for: resolved, streamUsage: asksForStreamUsage), stream: resolved.stream)
    }

    private func request(_ body: JSON, stream: Bool) -> HTTPRequest {
        .postJSON(
            baseURL + "/chat/completions", body: body, stream: stream,
            streamType: "text/event-stream", credentials: HTTPRequest.bearer(apiKey), extra: extraHeaders)
    }

    /// The Chat Completions body: model, messages (system first), parameters (`think` as `reasoning_effort`), the
    /// tools offered, stream options (with `streamUsage`), then `extra`.
    package func body(for resolved: ResolvedRequest, streamUsage: Bool = true) -> JSON {
        let request = resolved.request
        var body: JSONObject = [
            "model": .string(resolved.model), "messages": .array(OpenAIMessages.messages(request)),
        ]
        if let value = request.temperature { body["temperature"] = .double(value) }
        if let value = request.topP { body["top_p"] = .double(value) }
        if let value = request.maxTokens { body[isOfficial ? "max_completion_tokens" : "max_tokens"] = .int(value) }
        if let stop = request.stop, !stop.isEmpty { body["stop"] = .array(stop.map(JSON.string)) }
        if let value = request.frequencyPenalty { body["frequency_penalty"] = .double(value) }
        if let value = request.presencePenalty { body["presence_penalty"] = .double(value) }
        if let value = request.seed { body["seed"] = .int(value) }
        if !request.toolSpecs.isEmpty { body["tools"] = OpenAIMessages.tools(request.toolSpecs) }
        if let effort = request.think?.effort { body["reasoning_effort"] = .string(effort) }
        if let schema = request.schema {
            body["response_format"] = .object([
                "type": "json_schema",
                "json_schema": .object([
                    "name": .string(ProviderAnswer.toolName), "schema": schema, "strict": .bool(resolved.schemaStrict),
                ]),
            ])
        }
        if resolved.stream {
            body["stream"] = .bool(true)
            if streamUsage { body["stream_options"] = .object(["include_usage": .bool(true)]) }
        }
        for member in request.extra?.members ?? [] { body[member.key] = member.value }
        return .object(body)
    }

    /// One exchange; a stream refused because of `stream_options` (400 or 422 naming it: Mistral, Groq, Azure,
    /// some gateways) is sent once more without it, which is safe since nothing was written, and this server is
    /// not asked for it again in this run. Usage then comes only from what the server sends by itself.
    package func attempt(
        _ request: ResolvedRequest,
        context: AttemptContext,
        emit: (ProviderEvent) throws -> Void
    ) throws {
        let asked = request.stream && asksForStreamUsage
        do {
            try exchange(
                self.request(body(for: request, streamUsage: asked), stream: request.stream), request,
                context: context, emit: emit)
        } catch let error as AIError
            where asked && [400, 422].contains(error.httpStatus) && error.message.contains("stream_options")
        {
            Self.refusesStreamUsage.withLock { _ = $0.insert(baseURL) }
            try exchange(
                self.request(body(for: request, streamUsage: false), stream: true), request,
                context: context, emit: emit)
        }
    }

    /// Whether this run still asks this server for stream usage.
    private var asksForStreamUsage: Bool {
        streamUsage && !Self.refusesStreamUsage.withLock { $0.contains(baseURL) }
    }

    /// The servers (base URLs) that refused `stream_options` in this run.
    private static let refusesStreamUsage = Mutex<Set<String>>([])

    package func makeStreamDecoder() -> any StreamDecoder {
        OpenAIStreamDecoder(provider: name)
    }

    package func decodeCompletion(_ body: [UInt8], emit: (ProviderEvent) throws -> Void) throws {
        let json: JSON
        do { json = try JSON.parse(body) } catch {
            throw AIError(
                .protocol, "\(name) sent a response that is not JSON: \(error.reason) at byte \(error.offset)")
        }
        if let error = json["error"], !error.isNull { throw OpenAIWire.streamError(error, provider: name) }
        guard let choices = json["choices"]?.arrayValue else {
            throw AIError(.protocol, "\(name) sent a response without 'choices'")
        }
        guard let first = choices.first, first.objectValue != nil else {
            throw AIError(.protocol, "\(name) sent a response without a choice")
        }
        if let content = first["message"]?["content"], !content.isNull, content.stringValue == nil {
            throw AIError(.protocol, "\(name) sent a message whose content is not a string")
        }
        if let model = json["model"]?.stringValue { try emit(.model(model)) }
        if let choice = choices.first {
            let message = choice["message"]
            if let reasoning = OpenAIWire.reasoning(message) { try emit(.reasoning(reasoning)) }
            if let content = message?["content"]?.stringValue, !content.isEmpty { try emit(.delta(content)) }
            try OpenAIWire.emitToolCalls(message?["tool_calls"], emit: emit)
            if let reason = choice["finish_reason"]?.stringValue { try emit(.finish(reason)) }
        }
        if let usage = OpenAIWire.usage(json) { try emit(.usage(usage)) }
    }

    package func decodeError(head: HTTPResponseHead, body: [UInt8]) -> AIError {
        HTTPErrorMapping.error(provider: name, head: head, details: HTTPErrorMapping.details(body), body: body)
    }
}
