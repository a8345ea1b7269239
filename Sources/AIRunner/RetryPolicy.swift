import AIBase

/// When and how long to wait before trying a failed request again (DESIGN §5, research/protocols.md §5).
///
/// Retried: connection failures, timeouts, 408, 409, 429 and 5xx (529 included), unless the server
/// said `x-should-retry: false` or the failure is a quota (waiting never helps). Never once a delta was
/// written. The wait is the server's `retry-after-ms`/`retry-after` when 0 < hint ≤ 60 s, else
/// `min(0.5·2^n, 8)·(1−0.25·U[0,1))` seconds after n retries.
package struct RetryPolicy: Sendable {
    /// Retries after the first attempt (`--retries`, default 2).
    package var maxRetries: Int
    /// Retries allowed for rate limits (a batch waits out 429s rather than failing items).
    package var rateLimitRetries: Int

    /// The rate limits a request of a batch waits out, whatever `--retries` says (0 included): a 429 slows the
    /// batch down rather than failing items (DESIGN §8).
    package static let batchRateLimitRetries = 10

    /// A policy allowing `maxRetries` retries, and `rateLimitRetries` (at least as many) for 429s.
    package init(maxRetries: Int, rateLimitRetries: Int? = nil) {
        self.maxRetries = maxRetries
        self.rateLimitRetries = max(maxRetries, rateLimitRetries ?? maxRetries)
    }

    /// Seconds to wait before retry number `retries + 1`, or nil when `error` must not be retried.
    package func delay(after error: AIError, retries: Int, random: Double = Double.random(in: 0..<1)) -> Double? {
        let budget = error.code == .rateLimited ? rateLimitRetries : maxRetries
        guard retries < budget, error.retryable else { return nil }
        switch error.code {
        case .rateLimited, .server, .unavailable, .timeout, .incomplete: break
        default: return nil
        }
        if let hint = error.retryAfter, hint > 0, hint <= 60 { return hint }
        return Self.backoff(retries: retries, random: random)
    }

    /// The exponential back-off with jitter for the given number of retries already made.
    package static func backoff(retries: Int, random: Double) -> Double {
        min(0.5 * Double(1 << min(retries, 10)), 8) * (1 - 0.25 * random)
    }
}
