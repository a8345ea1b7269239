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

        /// Details with the given parts.
        package init(message: String? = nil, type: String? = nil, code: String? = nil) {
            self.message = message
            self.type = type
            self.code = code
        }
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

    /// The server's retry hint in seconds: `retry-after-ms`, else `retry-after` (seconds).
    package static func retryAfter(_ head: HTTPResponseHead) -> Double? {
        if let milliseconds = head.header("retry-after-ms").flatMap(Double.init), milliseconds >= 0 {
            return milliseconds / 1000
        }
        if let seconds = head.header("retry-after").flatMap(Double.init), seconds >= 0 { return seconds }
        return nil
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
