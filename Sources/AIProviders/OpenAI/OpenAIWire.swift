import AIBase
import AIWire

/// Pieces of the Chat Completions wire format that the stream and whole-body decoders share.
package enum OpenAIWire {
    /// Usage from a chunk or response: `usage`, or Groq's older `x_groq.usage`; nil when absent or null.
    package static func usage(_ json: JSON) -> Usage? {
        guard let usage = json["usage"].flatMap({ $0.isNull ? nil : $0 }) ?? json["x_groq"]?["usage"],
            let prompt = usage["prompt_tokens"]?.intValue,
            let completion = usage["completion_tokens"]?.intValue
        else { return nil }
        return Usage(
            promptTokens: prompt, completionTokens: completion, totalTokens: usage["total_tokens"]?.intValue,
            cachedTokens: usage["prompt_tokens_details"]?["cached_tokens"]?.intValue)
    }
    /// A whole message's reasoning: `reasoning_content` (DeepSeek, vLLM, llama.cpp), else `reasoning` (OpenRouter,
    /// Ollama's /v1); nil when neither holds text.
    package static func reasoning(_ message: JSON?) -> String? {
        for key in ["reasoning_content", "reasoning"] {
            if let text = message?[key]?.stringValue, !text.isEmpty { return text }
        }
        return nil
    }

    /// Emits each of `tool_calls` (a whole message's, or a stream chunk's fragments): its `index` (else its position),
    /// id, function name and arguments text.
    /// - Throws: what `emit` throws.
    package static func emitToolCalls(_ calls: JSON?, emit: (ProviderEvent) throws -> Void) throws {
        for (position, call) in (calls?.arrayValue ?? []).enumerated() {
            try emit(
                .toolCall(
                    index: call["index"]?.intValue ?? position,
                    id: call["id"]?.stringValue,
                    name: call["function"]?["name"]?.stringValue,
                    arguments: call["function"]?["arguments"]?.stringValue ?? ""
                ))
        }
    }

    /// The failure an error reported inside a 200 response means (`{"error":{…}}` or a legacy `error:` field).
    package static func streamError(_ error: JSON, provider: String) -> AIError {
        let object = error["error"] ?? error
        let message = object["message"]?.stringValue ?? object.stringValue ?? "error inside the stream"
        let type = object["type"]?.stringValue ?? ""
        let code = object["code"]?.stringValue ?? ""
        let numeric = object["code"]?.intValue
        var text = message
        while text.hasSuffix(".") { text.removeLast() }
        if type == "insufficient_quota" || code == "insufficient_quota" {
            return AIError(.quota, "\(provider) quota exhausted: \(text)", httpStatus: 200, retryable: false)
        }
        if let numeric, (400..<500).contains(numeric) {
            let errorCode: ErrorCode =
                switch numeric {
                case 401, 403: .auth
                case 404: .notFound
                case 429: .rateLimited
                default: .rejected
                }
            return AIError(
                errorCode, "\(provider) reported an error inside the stream (\(numeric)): \(text)",
                httpStatus: 200)
        }
        if type == "invalid_request_error" {
            return AIError(.rejected, "\(provider) rejected the request inside the stream: \(text)", httpStatus: 200)
        }
        if code == "rate_limit_exceeded" || type == "rate_limit_error" {
            return AIError(.rateLimited, "rate limited by \(provider) inside the stream: \(text)", httpStatus: 200)
        }
        return AIError(.server, "\(provider) reported an error inside the stream: \(text)", httpStatus: 200)
    }
}
