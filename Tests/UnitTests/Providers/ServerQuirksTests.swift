import AIBase
import AIProviders
import AITransport
import AIWire
import Foundation
import Testing

/// DESIGN §15–§16: what real servers send, read the same way by every provider.
@Suite struct ServerQuirksTests {
    static func body(_ path: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/providers/\(path)")
        return Array(try Data(contentsOf: url))
    }

    static let openAI = OpenAIProvider(baseURL: "http://127.0.0.1:1/v1", apiKey: nil)
    static let anthropic = AnthropicProvider(apiKey: "k")
    static let ollama = OllamaProvider()

    /// Each server's context overflow, with the token counts it gives.
    @Test(
        arguments: [
            ("openai/error_400_context_length.json", "openai", 9000, 8192),
            ("openai/error_400_context_llamacpp.json", "openai", 5000, 4096),
            ("openai/error_400_context_vllm.json", "openai", 5000, 4096),
            ("anthropic/error_400_context_length.json", "anthropic", 212_345, 200_000),
            ("ollama/error_400_context_length.json", "ollama", nil, nil),
        ] as [(String, String, Int?, Int?)])
    func contextOverflow_isContextLength(_ path: String, _ kind: String, _ prompt: Int?, _ context: Int?) throws {
        let provider: any HTTPProvider =
            switch kind {
            case "anthropic": Self.anthropic
            case "ollama": Self.ollama
            default: Self.openAI
            }
        let error = provider.decodeError(head: HTTPResponseHead(status: 400), body: try Self.body(path))
        #expect(error.code == .contextLength, "\(path): \(error.message)")
        #expect(error.exitStatus.rawValue == 65)
        #expect(!error.retryable)
        #expect(error.promptTokens == prompt && error.contextTokens == context, "\(path)")
        #expect(error.hints.contains { $0.contains("larger context") })
        let record = error.record
        #expect(record["code"] == "context_length")
        #expect(record["prompt_tokens"] == prompt.map(JSON.int) && record["context_tokens"] == context.map(JSON.int))
    }

    @Test func anOrdinaryRejection_staysRejected() {
        let body = Array(#"{"error":{"message":"unknown parameter 'x'","type":"invalid_request_error"}}"#.utf8)
        #expect(Self.openAI.decodeError(head: HTTPResponseHead(status: 400), body: body).code == .rejected)
    }

    @Test func aMessageObject_isReportedByItsDetail() throws {
        let error = Self.openAI.decodeError(
            head: HTTPResponseHead(status: 422), body: try Self.body("openai/error_422_mistral_detail.json"))
        #expect(error.code == .rejected)
        #expect(error.message.contains("body.messages: Field required"), "\(error.message)")
        #expect(!error.message.contains("non-JSON"))
    }

    /// Every extreme a retry header can hold is read without trapping: ignored, or clamped to a day.
    @Test(arguments: ["1e19", "inf", "-inf", "nan", "1e400", "-5", "abc", "9223372036854775808", "", " 7"])
    func retryAfter_extremesAreIgnoredOrClamped(_ value: String) {
        for name in ["retry-after", "retry-after-ms"] {
            let head = HTTPResponseHead(status: 429, headers: [(name: name, value: value)])
            let seconds = HTTPErrorMapping.retryAfter(head)
            if let seconds { #expect(seconds.isFinite && seconds >= 0 && seconds <= 86_400, "\(name): \(value)") }
            let error = HTTPErrorMapping.error(provider: "p", head: head, details: .init(), body: [])
            #expect(error.code == .rateLimited)
            _ = error.record.encoded()
        }
        #expect(
            HTTPErrorMapping.retryAfter(HTTPResponseHead(status: 429, headers: [(name: "retry-after", value: "1e19")]))
                == 86_400)
        #expect(AIError.seconds(1e19) == "1e+19s" && AIError.seconds(.infinity) == "infs")
    }

    // MARK: - end markers without a finish reason

    @Test func openAIStream_endingWithDoneButNoFinishReason_succeedsWithoutOne() {
        let outcome = ChatFixtureHarness.decodeStream(
            Self.openAI,
            [#"data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}"# + "\n\n", "data: [DONE]\n\n"])
        #expect(outcome.error == nil)
        #expect(outcome.text == "hi" && outcome.finish == nil)
    }

    @Test func openAIStream_cutBeforeAnyEndMarker_isIncomplete() {
        let outcome = ChatFixtureHarness.decodeStream(
            Self.openAI, [#"data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}"# + "\n\n"])
        #expect(outcome.error?.code == .incomplete)
    }

    @Test func ollamaStream_doneWithoutAReason_hasNone() {
        let outcome = ChatFixtureHarness.decodeStream(
            Self.ollama,
            [
                #"{"model":"m","message":{"role":"assistant","content":"hi"},"done":false}"# + "\n",
                #"{"model":"m","message":{"role":"assistant","content":""},"done":true}"# + "\n",
            ])
        #expect(outcome.error == nil)
        #expect(outcome.text == "hi" && outcome.finish == nil)
    }

    // MARK: - bodies of the wrong shape are protocol errors

    static func decodeWhole(_ provider: any HTTPProvider, _ body: String) -> AIError? {
        do {
            try provider.decodeCompletion(Array(body.utf8)) { _ in }
            return nil
        } catch let error as AIError {
            return error
        } catch {
            return AIError(.internal, "\(error)")
        }
    }

    @Test(arguments: [
        ("ollama", #"{}"#), ("ollama", #"{"message":{"content":"x"},"done":false}"#),
        ("ollama", #"{"message":{"content":["b"]},"done":true}"#), ("ollama", #"{"message":"x","done":true}"#),
        ("openai", #"{"choices":[]}"#), ("openai", #"{"choices":[{"message":{"content":7}}]}"#),
        ("anthropic", #"{"content":[{"type":"text","text":5}]}"#),
    ])
    func wrongShapedBody_isProtocol(_ kind: String, _ body: String) {
        let provider: any HTTPProvider =
            switch kind {
            case "anthropic": Self.anthropic
            case "ollama": Self.ollama
            default: Self.openAI
            }
        #expect(Self.decodeWhole(provider, body)?.code == .protocol, "\(kind): \(body)")
    }

    @Test func wrongShapedStreamEvents_areProtocol() {
        let anthropic = ChatFixtureHarness.decodeStream(
            Self.anthropic,
            [
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":5}}\n\n"
            ])
        #expect(anthropic.error?.code == .protocol)
        let ollama = ChatFixtureHarness.decodeStream(
            Self.ollama, [#"{"model":"m","message":{"role":"assistant","content":["b"]},"done":false}"# + "\n"])
        #expect(ollama.error?.code == .protocol)
    }
}
