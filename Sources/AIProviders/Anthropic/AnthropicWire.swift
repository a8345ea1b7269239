import AIBase
import AIWire

/// Pieces of the Messages wire format that the stream and whole-body decoders share.
package enum AnthropicWire {
    /// Prompt tokens from a `usage` object: `input_tokens` plus the cache creation and cache read tokens,
    /// which `input_tokens` excludes; nil when `input_tokens` is absent.
    package static func inputTokens(_ usage: JSON) -> Int? {
        guard let input = usage["input_tokens"]?.intValue else { return nil }
        let created = usage["cache_creation_input_tokens"]?.intValue ?? 0
        let read = usage["cache_read_input_tokens"]?.intValue ?? 0
        return input + created + read
    }

    /// Usage from a whole response's `usage` object; nil when it carries no token counts.
    package static func usage(_ usage: JSON?) -> Usage? {
        guard let usage, let output = usage["output_tokens"]?.intValue else { return nil }
        return Usage(
            promptTokens: inputTokens(usage) ?? 0, completionTokens: output,
            cachedTokens: usage["cache_read_input_tokens"]?.intValue)
    }
    /// The failure an error reported inside a 200 response means (`event: error`, or an error object as body).
    ///
    /// The HTTP status was 200, so the error's `type` decides: `overloaded_error` and `api_error` are server
    /// errors worth retrying, `rate_limit_error` is a rate limit, `invalid_request_error` a rejection,
    /// `authentication_error` and `permission_error` an auth failure, `not_found_error` not found,
    /// `billing_error` an exhausted quota, `timeout_error` a timeout.
    package static func streamError(_ json: JSON, provider: String) -> AIError {
        let object = json["error"] ?? json
        let type = object["type"]?.stringValue ?? ""
        var text = object["message"]?.stringValue ?? object.stringValue ?? "error inside the stream"
        text = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        while text.hasSuffix(".") { text.removeLast() }
        let label = type.isEmpty ? "" : " (\(type))"
        switch type {
        case "rate_limit_error":
            return AIError(.rateLimited, "rate limited by \(provider) inside the stream: \(text)", httpStatus: 200)
        case "invalid_request_error", "request_too_large":
            return AIError(
                .rejected, "\(provider) rejected the request inside the stream\(label): \(text)",
                httpStatus: 200)
        case "authentication_error", "permission_error":
            return AIError(
                .auth, "\(provider) refused the request inside the stream\(label): \(text)",
                httpStatus: 200, hints: ["check the \(provider) key"])
        case "not_found_error":
            return AIError(.notFound, "\(provider) reported not found inside the stream: \(text)", httpStatus: 200)
        case "billing_error":
            return AIError(
                .quota, "\(provider) quota exhausted inside the stream: \(text)", httpStatus: 200,
                retryable: false)
        case "timeout_error":
            return AIError(.timeout, "\(provider) timed out inside the stream: \(text)", httpStatus: 200)
        default:
            return AIError(
                .server, "\(provider) reported an error inside the stream\(label): \(text)",
                httpStatus: 200, retryable: true)
        }
    }
}
