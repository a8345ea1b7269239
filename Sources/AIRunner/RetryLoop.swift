import AIBase
import AIConfig
import AITransport

/// One request's attempts, retried as `RetryPolicy` allows within `--max-time`, honouring a batch's `BackoffGate`:
/// the loop `Runner` and `EmbedBatch` share.
package struct RetryLoop {
    /// The run's settings: `--retries`, the limits, the reporter retries are reported to.
    package let settings: Settings
    /// A batch's shared gate: a 429 pauses every worker, and rate limits are waited out up to 10 times.
    package let gate: BackoffGate?
    /// The provider's name, for the deadline's message.
    package let provider: String

    /// A loop with the given settings, gate and provider.
    package init(settings: Settings, gate: BackoffGate?, provider: String) {
        self.settings = settings
        self.gate = gate
        self.provider = provider
    }

    /// Calls `attempt` with the limits left until it succeeds, or until its failure must not be retried.
    ///
    /// `mayRetry` is asked after each failure (false once text was written); `beforeWait` runs before each wait.
    /// - Throws: the last `AIError` (a timeout at `--max-time` as its deadline); anything else `attempt` throws
    ///   passes through at once.
    package func run<T>(
        mayRetry: () -> Bool = { true },
        beforeWait: () -> Void = {},
        _ attempt: (TransferLimits) throws -> T
    ) throws -> T {
        // In a batch, 429s are waited out (up to 10 times) whatever --retries says, --retries 0 included.
        let policy = RetryPolicy(
            maxRetries: settings.retries,
            rateLimitRetries: gate == nil ? nil : RetryPolicy.batchRateLimitRetries)
        // --max-time bounds the whole request, retries and their waits included.
        let deadline = settings.limits.maxTime.map { Monotonic.now() + $0 }
        var retries = 0
        while true {
            var limits = settings.limits
            if let deadline { limits.maxTime = max(0.001, deadline - Monotonic.now()) }
            gate?.waitUntilOpen()
            do {
                return try attempt(limits)
            } catch var error as AIError {
                if let deadline, let maxTime = settings.limits.maxTime, error.code == .timeout,
                    Monotonic.now() >= deadline - 0.05
                {
                    error = AIError(TransportError.deadline(seconds: maxTime), provider: provider)
                }
                guard mayRetry(), let wait = policy.delay(after: error, retries: retries) else { throw error }
                if let deadline, Monotonic.now() + wait >= deadline { throw error }
                retries += 1
                if error.code == .rateLimited { gate?.pause(for: wait) }
                settings.reporter.warning("\(error.message); retrying in \(Self.format(wait)) (retry \(retries))")
                beforeWait()
                Monotonic.sleep(wait)
                if Cancellation.isRequested { throw AIError(.cancelled, "cancelled", retryable: false) }
            }
        }
    }

    private static func format(_ seconds: Double) -> String {
        let tenths = (seconds * 10).rounded() / 10
        return AIError.seconds(tenths)
    }
}
