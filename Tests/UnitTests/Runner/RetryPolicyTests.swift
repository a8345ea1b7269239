import AIBase
import AIRunner
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 2)

    @Test func backoff_followsTheSDKFormula() {
        #expect(RetryPolicy.backoff(retries: 0, random: 0) == 0.5)
        #expect(RetryPolicy.backoff(retries: 0, random: 0.999_999) > 0.375)
        #expect(RetryPolicy.backoff(retries: 1, random: 0) == 1)
        #expect(RetryPolicy.backoff(retries: 2, random: 0) == 2)
        #expect(RetryPolicy.backoff(retries: 9, random: 0) == 8)
    }

    @Test func delay_honoursRetryAfterUpToSixtySeconds() {
        var error = AIError(.rateLimited, "slow", httpStatus: 429, retryAfter: 2)
        #expect(policy.delay(after: error, retries: 0) == 2)
        error.retryAfter = 120
        #expect(policy.delay(after: error, retries: 0, random: 0) == 0.5)
    }

    @Test func delay_stopsAfterMaxRetries() {
        let error = AIError(.server, "boom", httpStatus: 500)
        #expect(policy.delay(after: error, retries: 1, random: 0) == 1)
        #expect(policy.delay(after: error, retries: 2) == nil)
    }

    @Test(arguments: [ErrorCode.auth, .rejected, .notFound, .quota, .protocol, .input, .noKey, .config])
    func delay_neverRetriesPermanentFailures(_ code: ErrorCode) {
        #expect(policy.delay(after: AIError(code, "no", retryable: true), retries: 0) == nil)
    }

    @Test func delay_respectsShouldRetryFalse() {
        #expect(policy.delay(after: AIError(.server, "no", retryable: false), retries: 0) == nil)
    }
}
