import AIBase
import AITransport
import AIWire

/// Maps an HTTP error response onto the suite's error codes, the same way for every provider.
package enum HTTPErrorMapping {
    /// What a provider's error body said, as far as it could be read.
    package struct Details: Sendable {
        /// The human message, if any.
        package var message: String?
        /// The error's type (`invalid_request_error`, `overloaded_error`, …).
        package var type: String?
        /// The error's code (`invalid_api_key`, `insufficient_quota`, or a number as text).
        package var code: String?
        /// The prompt's size in tokens, when the body says it (llama.cpp's `n_prompt_tokens`).
        package var promptTokens: Int?
        /// The model's context in tokens, when the body says it (llama.cpp's `n_ctx`).
        package var contextTokens: Int?

        /// Details with the given parts.
        package init(
            message: String? = nil,
            type: String? = nil,
            code: String? = nil,
            promptTokens: Int? = nil,
            contextTokens: Int? = nil
        ) {
            self.message = message
            self.type = type
            self.code = code
            self.promptTokens = promptTokens
            self.contextTokens = contextTokens
        }
    }

    /// What an error body says, in any provider's form: `{"error":{"message","type","code"}}` (OpenAI, Anthropic,
    /// llama.cpp with `n_prompt_tokens` and `n_ctx`), `{"error":"…"}` (Ollama), `{"message":…}` (Mistral, whose
    /// validation errors give `message` as an object with a `detail` list); nothing for a body that is not JSON.
    package static func details(_ body: [UInt8]) -> Details {
        guard let json = try? JSON.parse(body) else { return Details() }
        let error = json["error"] ?? json
        if let text = error.stringValue { return Details(message: text) }
        return Details(
            message: message(error["message"]) ?? message(json["message"]) ?? message(error["detail"]),
            type: error["type"]?.stringValue,
            code: error["code"]?.stringValue ?? error["code"]?.intValue.map(String.init),
            promptTokens: error["n_prompt_tokens"]?.intValue,
            contextTokens: error["n_ctx"]?.intValue
        )
    }

    /// A `message` as text: a string as it is; a validation `detail` list as "loc: msg" items; any other JSON
    /// compact.
    private static func message(_ value: JSON?) -> String? {
        guard let value, !value.isNull else { return nil }
        if let text = value.stringValue { return text }
        if let items = (value["detail"] ?? value).arrayValue {
            let parts = items.map { item -> String in
                let location = item["loc"]?.arrayValue?.map { $0.stringValue ?? $0.encodedString }
                    .joined(separator: ".")
                let text = item["msg"]?.stringValue ?? item["message"]?.stringValue ?? item.encodedString
                return location.map { "\($0): \(text)" } ?? text
            }
            if !parts.isEmpty { return parts.joined(separator: "; ") }
        }
        return value.encodedString
    }

    /// The failure for a non-2xx response from `provider`.
    package static func error(provider: String, head: HTTPResponseHead, details: Details, body: [UInt8]) -> AIError {
        let status = head.status
        let text = details.message.map(trimmed) ?? fallback(status: status, body: body)
        var error: AIError
        let isQuota =
            details.type == "insufficient_quota" || details.code == "insufficient_quota"
            || details.type == "billing_error" || status == 402
        switch status {
        case 401, 403:
            error = AIError(
                .auth, "\(provider) refused the request (\(status)): \(text)", httpStatus: status,
                hints: ["check the \(provider) key"])
        case 404:
            error = AIError(.notFound, "\(provider): \(text) (404)", httpStatus: status)
        case 408:
            error = AIError(.timeout, "\(provider) timed out the request (408): \(text)", httpStatus: status)
        case 409:
            error = AIError(
                .server, "\(provider) reported a conflict (409): \(text)", httpStatus: status,
                retryable: true)
        case _ where isQuota:
            error = AIError(
                .quota, "\(provider) quota exhausted (\(status)): \(text)", httpStatus: status,
                retryable: false)
        case 400..<500 where isContextOverflow(details):
            error = contextLength(provider: provider, status: status, text: text, details: details)
        case 429:
            error = AIError(.rateLimited, "rate limited by \(provider)", httpStatus: status)
        case 500...:
            error = AIError(.server, "\(provider) server error (\(status)): \(text)", httpStatus: status)
        default:
            error = AIError(.rejected, "\(provider) rejected the request (\(status)): \(text)", httpStatus: status)
        }
        if let after = retryAfter(head) {
            error.retryAfter = after
            if error.code == .rateLimited { error.message += " (retry after \(AIError.seconds(after)))" }
        }
        if error.code == .rateLimited { error.message += ": \(text)" }
        switch head.header("x-should-retry") {
        case "true": error.retryable = true
        case "false": error.retryable = false
        default: break
        }
        return error
    }

    /// The longest retry hint kept, in seconds (a day): a larger one is clamped to it.
    package static let maximumRetryAfter = 86_400.0

    /// The server's retry hint in seconds: `retry-after-ms`, else `retry-after` (seconds); a value that is not a
    /// finite number of at least 0 is ignored, a huge one clamped to `maximumRetryAfter`.
    package static func retryAfter(_ head: HTTPResponseHead) -> Double? {
        func seconds(_ text: String?, scale: Double) -> Double? {
            guard let text, let value = Double(text.trimmingPrefix(" ")), value.isFinite, value >= 0 else {
                return nil
            }
            return min(value / scale, maximumRetryAfter)
        }
        return seconds(head.header("retry-after-ms"), scale: 1000) ?? seconds(head.header("retry-after"), scale: 1)
    }

    /// Whether an error body says the input does not fit the model's context, in any server's words: OpenAI's
    /// `context_length_exceeded`, llama.cpp's `exceed_context_size_error`, vLLM's and OpenAI's "maximum context
    /// length", Anthropic's "prompt is too long", Ollama's "exceeds the context length".
    package static func isContextOverflow(_ details: Details) -> Bool {
        if details.code == "context_length_exceeded" || details.type == "exceed_context_size_error" { return true }
        guard let message = details.message?.lowercased() else { return false }
        return [
            "maximum context length", "prompt is too long", "exceeds the context length",
            "exceeds the available context size", "context length exceeded", "context window exceeded",
        ].contains { message.contains($0) }
    }

    /// The `context_length` failure, with the token counts the body gives (or its message states).
    private static func contextLength(provider: String, status: Int, text: String, details: Details) -> AIError {
        let stated = statedTokens(details.message ?? "")
        var error = AIError(
            .contextLength, "the input does not fit \(provider)'s context (\(status)): \(text)", httpStatus: status,
            retryable: false, hints: ["shorten the input, or choose a model with a larger context"])
        error.promptTokens = details.promptTokens ?? stated.prompt
        error.contextTokens = details.contextTokens ?? stated.context
        return error
    }

    /// The prompt and context sizes a message states: "maximum context length is 4096 tokens … resulted in 5000
    /// tokens" (OpenAI, vLLM), "prompt is too long: 5000 tokens > 4096 maximum" (Anthropic).
    package static func statedTokens(_ message: String) -> (prompt: Int?, context: Int?) {
        let lowered = message.lowercased()
        if let match = lowered.firstMatch(of: /(\d+) tokens? > (\d+)/) {
            return (Int(match.1), Int(match.2))
        }
        let context = lowered.firstMatch(of: /maximum context length is (\d+)/).flatMap { Int($0.1) }
        let prompt = lowered.firstMatch(of: /(?:resulted in|requested|you requested|prompt contains) (\d+) tokens/)
            .flatMap { Int($0.1) }
        return (prompt, context)
    }

    /// "HTTP 502 (non-JSON body): <snippet>" for bodies that say nothing readable.
    private static func fallback(status: Int, body: [UInt8]) -> String {
        let snippet = String(decoding: body.prefix(200), as: UTF8.self)
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        let cleaned = snippet.replacing(/<[^>]*>/, with: " ").split(separator: " ").joined(separator: " ")
        return cleaned.isEmpty
            ? "HTTP \(status) (non-JSON body)" : "HTTP \(status) (non-JSON body): \(cleaned.prefix(120))"
    }

    private static func trimmed(_ message: String) -> String {
        var text = message.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
