import AIBase
import AIJobs
import AIWire
import Testing

/// The providers' batch objects read into the suite's counts and states.
@Suite struct BatchObjectTests {
    static func openAI(_ status: String, total: Int, completed: Int, failed: Int, extra: JSONObject = [:]) -> JSON {
        var object: JSONObject = [
            "id": "batch_1", "status": .string(status),
            "request_counts": .object(["total": .int(total), "completed": .int(completed), "failed": .int(failed)]),
            "output_file_id": "file-out", "error_file_id": .null,
        ]
        for member in extra.members { object[member.key] = member.value }
        return .object(object)
    }

    @Test func openAI_inProgress_restIsProcessing() throws {
        let batch = try OpenAIBatchAPI.batch(
            Self.openAI("in_progress", total: 10, completed: 3, failed: 1), provider: "o")
        #expect(!batch.ended)
        #expect(batch.succeeded == 3 && batch.errored == 1 && batch.processing == 6)
        #expect(batch.resultSources == ["file-out"])
    }

    @Test func openAI_expiredAndCancelled_restCountsAsSuch() throws {
        let expired = try OpenAIBatchAPI.batch(
            Self.openAI("expired", total: 10, completed: 3, failed: 1), provider: "o")
        #expect(expired.ended && expired.expired == 6 && expired.processing == 0)
        let cancelled = try OpenAIBatchAPI.batch(
            Self.openAI("cancelled", total: 10, completed: 3, failed: 0), provider: "o")
        #expect(cancelled.ended && cancelled.cancelled == 7)
        let cancelling = try OpenAIBatchAPI.batch(
            Self.openAI("cancelling", total: 10, completed: 3, failed: 0), provider: "o")
        #expect(!cancelling.ended && cancelling.processing == 7)
    }

    @Test func openAI_failedValidation_keepsTheReason() throws {
        let errors: JSONObject = [
            "errors": .object(["data": .array([.object(["code": "invalid_json", "message": "line 3 is not JSON"])])])
        ]
        let batch = try OpenAIBatchAPI.batch(
            Self.openAI("failed", total: 0, completed: 0, failed: 0, extra: errors), provider: "o")
        #expect(batch.ended)
        #expect(batch.failure == "line 3 is not JSON")
    }

    @Test func openAI_withoutIDOrStatus_protocolError() {
        #expect(throws: AIError.self) { try OpenAIBatchAPI.batch(.object(["id": "x"]), provider: "o") }
    }

    @Test func anthropic_countsAndResultsURL() throws {
        let json: JSON = .object([
            "id": "msgbatch_1", "processing_status": "ended",
            "request_counts": .object([
                "processing": .int(0), "succeeded": .int(5), "errored": .int(1), "canceled": .int(2),
                "expired": .int(3),
            ]),
            "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results",
        ])
        let batch = try AnthropicBatchAPI.batch(json, provider: "a")
        #expect(batch.ended)
        #expect(batch.succeeded == 5 && batch.errored == 1 && batch.cancelled == 2 && batch.expired == 3)
        #expect(batch.resultSources == ["https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"])
    }

    @Test func anthropic_errorTypes_mapToTheirStatuses() {
        #expect(AnthropicBatchAPI.status(ofErrorType: "invalid_request_error") == 400)
        #expect(AnthropicBatchAPI.status(ofErrorType: "authentication_error") == 401)
        #expect(AnthropicBatchAPI.status(ofErrorType: "not_found_error") == 404)
        #expect(AnthropicBatchAPI.status(ofErrorType: "rate_limit_error") == 429)
        #expect(AnthropicBatchAPI.status(ofErrorType: "overloaded_error") == 529)
        #expect(AnthropicBatchAPI.status(ofErrorType: "something new") == 500)
    }
}
