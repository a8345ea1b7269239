import AIBase
import AIWire

/// Pieces of Ollama's native wire format that the stream and whole-body decoders share.
package enum OllamaWire {
    /// The error a response object reports (`{"error":"…"}`, Ollama's shape, or `{"error":{"message"}}`),
    /// or nil when it reports none. The HTTP status was 200, so it is a server error.
    package static func inlineError(_ json: JSON, provider: String) -> AIError? {
        guard let error = json["error"], !error.isNull else { return nil }
        var text = error.stringValue ?? error["message"]?.stringValue ?? error.encodedString
        text = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        while text.hasSuffix(".") { text.removeLast() }
        if text.isEmpty { text = "\(provider) reported an error inside the response" }
        return AIError(.server, text, httpStatus: 200, retryable: true)
    }

    /// Decodes one response object (a stream line, or the whole non-streamed body).
    ///
    /// `message.thinking` becomes reasoning, `message.content` a delta (the final `done:true` line's content too); each of
    /// `message.tool_calls` a whole tool call numbered from `nextToolIndex`, its `arguments` object as
    /// compact JSON. On the `done:true` object, `done_reason` becomes the finish reason and
    /// `prompt_eval_count` / `eval_count` the usage (a missing count is 0; no usage when both are missing).
    /// - Returns: whether the object was the final one (`done:true`).
    package static func decode(
        _ json: JSON,
        provider: String,
        nextToolIndex: inout Int,
        emit: (ProviderEvent) throws -> Void
    ) throws -> Bool {
        if let error = inlineError(json, provider: provider) { throw error }
        let message = json["message"]
        if let message, !message.isNull, message.objectValue == nil {
            throw AIError(.protocol, "\(provider) sent a message that is not an object")
        }
        if let content = message?["content"], !content.isNull, content.stringValue == nil {
            throw AIError(.protocol, "\(provider) sent a message whose content is not a string")
        }
        if json["done"].map({ $0.boolValue == nil }) ?? false {
            throw AIError(.protocol, "\(provider) sent a 'done' that is not a boolean")
        }
        if let thinking = message?["thinking"], !thinking.isNull, thinking.stringValue == nil {
            throw AIError(.protocol, "\(provider) sent a message whose thinking is not a string")
        }
        if let text = message?["thinking"]?.stringValue, !text.isEmpty { try emit(.reasoning(text)) }
        if let text = message?["content"]?.stringValue, !text.isEmpty { try emit(.delta(text)) }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            let function = call["function"]
            let arguments = function?["arguments"] ?? .object([:])
            try emit(
                .toolCall(
                    index: nextToolIndex,
                    id: call["id"]?.stringValue,
                    name: function?["name"]?.stringValue,
                    arguments: arguments.stringValue ?? arguments.encodedString
                ))
            nextToolIndex += 1
        }
        guard json["done"]?.boolValue == true else { return false }
        if let reason = json["done_reason"]?.stringValue, !reason.isEmpty { try emit(.finish(reason)) }
        let prompt = json["prompt_eval_count"]?.intValue
        let completion = json["eval_count"]?.intValue
        if prompt != nil || completion != nil {
            try emit(.usage(Usage(promptTokens: prompt ?? 0, completionTokens: completion ?? 0)))
        }
        return true
    }
    /// The model named by Ollama's "model 'NAME' not found" message (either quote), if that is what it says.
    package static func missingModel(in message: String?) -> String? {
        guard let message, message.contains("not found"), let open = message.firstRange(of: "model ") else {
            return nil
        }
        var rest = message[open.upperBound...]
        guard let quote = rest.first, quote == "'" || quote == "\"" else { return nil }
        rest = rest.dropFirst()
        guard let close = rest.firstIndex(of: quote), close > rest.startIndex else { return nil }
        return String(rest[..<close])
    }
}
