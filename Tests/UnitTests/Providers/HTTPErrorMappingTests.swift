import AIBase
import AIProviders
import AITransport
import AIWire
import Testing

@Suite struct HTTPErrorMappingTests {
    func map(_ status: Int, headers: [(name: String, value: String)] = [], body: String) -> AIError {
        OpenAIProvider(apiKey: nil).decodeError(
            head: HTTPResponseHead(status: status, headers: headers),
            body: Array(body.utf8))
    }

    @Test(arguments: [
        (400, ErrorCode.rejected, AIBase.ExitStatus.dataError), (401, .auth, .noPermission),
        (403, .auth, .noPermission),
        (404, .notFound, .dataError), (408, .timeout, .tempFail), (409, .server, .unavailable),
        (422, .rejected, .dataError), (429, .rateLimited, .tempFail), (500, .server, .unavailable),
        (502, .server, .unavailable), (529, .server, .unavailable), (402, .quota, .noPermission),
    ])
    func status_mapsToCodeAndExitStatus(_ status: Int, _ code: ErrorCode, _ exit: AIBase.ExitStatus) {
        let error = map(status, body: #"{"error":{"message":"m"}}"#)
        #expect(error.code == code)
        #expect(error.exitStatus == exit)
        #expect(error.httpStatus == status)
    }

    @Test func quota_isNotRetryable() {
        let error = map(
            429, body: #"{"error":{"message":"m","type":"insufficient_quota","code":"insufficient_quota"}}"#)
        #expect(error.code == .quota)
        #expect(!error.retryable)
    }

    @Test func retryAfterMilliseconds_winsOverSeconds() {
        let error = map(
            429, headers: [(name: "Retry-After", value: "3"), (name: "retry-after-ms", value: "1500")],
            body: "{}")
        #expect(error.retryAfter == 1.5)
        #expect(error.message.hasPrefix("rate limited by openai (retry after 1.5s)"))
    }

    @Test func shouldRetryHeader_overridesTheStatus() {
        #expect(!map(500, headers: [(name: "x-should-retry", value: "false")], body: "{}").retryable)
        #expect(map(400, headers: [(name: "x-should-retry", value: "true")], body: "{}").retryable)
    }

    @Test func htmlBody_fallsBackToStatusAndSnippet() {
        let error = map(502, body: "<html><head><title>502 Bad Gateway</title></head></html>")
        #expect(error.message.contains("HTTP 502 (non-JSON body)"))
        #expect(error.message.contains("502 Bad Gateway"))
    }

    @Test func message_dropsTheFinalPeriod() {
        #expect(map(500, body: #"{"error":{"message":"Sorry about that."}}"#).message.hasSuffix("Sorry about that"))
    }
}
