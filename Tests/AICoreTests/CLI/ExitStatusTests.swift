import Testing

@testable import AICore

@Suite struct ExitStatusTests {
    /// DESIGN §4, row by row: the code each failure carries and the status it must give.
    @Test(arguments: [
        (ErrorCode.usage, Int32(64)), (.input, 65), (.notFound, 65), (.rejected, 65), (.unavailable, 69),
        (.server, 69), (.internal, 70), (.io, 74), (.rateLimited, 75), (.timeout, 75), (.incomplete, 75),
        (.protocol, 76), (.auth, 77), (.vaultLocked, 77), (.quota, 77), (.noKey, 78), (.config, 78),
        (.cancelled, 130),
    ])
    func code_givesTheDocumentedStatus(_ code: ErrorCode, _ status: Int32) {
        #expect(code.exitStatus.rawValue == status)
        #expect(AIError(code, "x").exitStatus.rawValue == status)
    }

    @Test func everyCode_isCovered() {
        #expect(ErrorCode.allCases.count == 18)
    }

    @Test func transportErrors_mapToTheContract() {
        #expect(AIError(.connectionRefused(host: "h"), provider: "p").exitStatus == .unavailable)
        #expect(AIError(.hostNotFound(host: "h"), provider: "p").exitStatus == .unavailable)
        #expect(AIError(.idleTimeout(seconds: 1), provider: "p").code == .timeout)
        #expect(AIError(.connectionLost("x", afterResponse: true), provider: "p").code == .incomplete)
        #expect(AIError(.connectionLost("x", afterResponse: false), provider: "p").code == .unavailable)
    }

    @Test func record_hasTheWireFields() {
        let record = AIError(.rateLimited, "slow", httpStatus: 429).record
        #expect(record.objectValue?.keys == ["code", "message", "status", "retryable"])
        #expect(record["retryable"] == .bool(true))
    }
}
