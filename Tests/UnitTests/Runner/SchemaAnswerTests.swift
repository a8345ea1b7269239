import AIBase
import AIProviders
import AIRunner
import AISchema
import AIWire
import Testing

/// How the runner judges an answer against its schema, and the records a schema failure gives.
@Suite struct SchemaAnswerTests {
    static let schema = try? Schema(parsing: #"{"type":"object","properties":{"age":{"minimum":18}}}"#)

    static func completion(_ content: String, finish: String = "stop") -> Completion {
        Completion(
            provider: "p", model: "m", content: content, providerFinishReason: finish, toolCalls: [],
            timing: Timing(totalMilliseconds: 1))
    }

    @Test func validAnswer_givesItsValue() throws {
        let schema = try #require(Self.schema)
        let judged = Runner.schemaFailure(Self.completion("```json\n{\"age\": 20}\n```"), schema: schema)
        #expect(judged.error == nil && judged.value?["age"] == .number("20"))
    }

    @Test func failingAnswer_namesTheFirstFailureAndKeepsTheAnswer() throws {
        let schema = try #require(Self.schema)
        let error = try #require(Runner.schemaFailure(Self.completion(#"{"age":17}"#), schema: schema).error)
        #expect(error.code == .schema && error.exitStatus.rawValue == 76 && error.retryable)
        #expect(error.message == "answer does not match the schema: /age: 17 is less than the minimum 18")
        #expect(error.content == #"{"age":17}"#)
        #expect(
            error.schemaErrors == [.init(path: "/age", keyword: "minimum", message: "17 is less than the minimum 18")])
        #expect(Runner.repairPrompt(error).contains("- /age: 17 is less than the minimum 18 (minimum)"))
    }

    @Test func answerCutByLength_isASchemaErrorSayingSo() throws {
        let schema = try #require(Self.schema)
        let error = try #require(
            Runner.schemaFailure(Self.completion(#"{"age":20}"#, finish: "length"), schema: schema).error)
        #expect(error.code == .schema && error.message.contains("cut at the token limit"))
        #expect(error.schemaErrors?.first?.keyword == "length")
    }

    @Test func schemaFailureRecords_carryErrorsContentAndUsage() {
        var error = AIError(.schema, "answer does not match the schema: (root): not JSON")
        error.schemaErrors = [.init(path: "", keyword: "json", message: "not JSON")]
        error.content = "prose"
        error.tokens = AIError.Tokens(prompt: 3, completion: 4, total: 7)
        let line = Record.failure(id: "1", error: error, metadata: nil)
        #expect(line["error"]?["errors"]?.arrayValue?.first?["keyword"] == "json")
        #expect(line["error"]?["content"] == "prose" && line["error"]?["retryable"] == .bool(true))
        #expect(line["usage"]?["total_tokens"] == .number("7"))
        #expect(Record.streamError(error)["usage"]?["prompt_tokens"] == .number("3"))
    }

    @Test func schemaField_isDecodedAndCheckedForItsType() throws {
        let request = try RequestDecoding.request(from: ["prompt": "x", "schema": .object(["type": "object"])])
        #expect(request.schema?["type"] == "object")
        #expect(throws: AIError.self) { try RequestDecoding.request(from: ["prompt": "x", "schema": "object"]) }
        var defaults = RequestDefaults(provider: "echo")
        defaults.schema = .bool(true)
        #expect(defaults.fill(request).schema == request.schema)
        #expect(defaults.fill(CompletionRequest(prompt: "x")).schema == .bool(true))
    }

    /// The `answer` tool's input (streamed in fragments) is the text; a call of it drops the other calls of its step,
    /// and without `answerTool` it is a call like any other.
    @Test(arguments: [false, true])
    func answerTool_isTheTextAndDropsTheOtherCalls(answerTool: Bool) throws {
        let events: [ProviderEvent] = [
            .toolCall(index: 0, id: "t0", name: "echo", arguments: ""),
            .toolCall(index: 0, id: nil, name: nil, arguments: #"{"text":"x"}"#),
            .toolCall(index: 1, id: "t1", name: "answer", arguments: ""),
            .toolCall(index: 1, id: nil, name: nil, arguments: #"{"n":"#),
            .toolCall(index: 1, id: nil, name: nil, arguments: "3}"),
            .finish("tool_use"),
        ]
        let completion = try Runner.completion(
            provider: "anthropic", model: "m", timing: Timing(totalMilliseconds: 0), answerTool: answerTool
        ) { emit in for event in events { try emit(event) } }
        if answerTool {
            #expect(completion.content == #"{"n":3}"# && completion.toolCalls.isEmpty)
        } else {
            #expect(completion.content.isEmpty)
            #expect(completion.toolCalls.map { $0.name ?? "" } == ["echo", "answer"])
            #expect(completion.toolCalls.last?.arguments == #"{"n":3}"#)
        }
    }

    /// A whole response folded outside a run (a provider batch's result) splits a leading `<think>` block off as
    /// reasoning, as a run does, wherever the deltas are cut.
    @Test(arguments: [
        ["<think>why</think>\n42"], ["<thi", "nk>wh", "y</thi", "nk>", "\n4", "2"], [" <think>why</think>42"],
    ])
    func completion_splitsALeadingThinkBlock(pieces: [String]) throws {
        let completion = try Runner.completion(
            provider: "openai", model: "m", timing: Timing(totalMilliseconds: 0), answerTool: false
        ) { emit in for piece in pieces { try emit(.delta(piece)) } }
        #expect(completion.content == "42")
        #expect(completion.reasoning == "why")
    }

    @Test func completion_keepsALaterThinkTagAsContent() throws {
        let completion = try Runner.completion(
            provider: "openai", model: "m", timing: Timing(totalMilliseconds: 0), answerTool: false
        ) { emit in try emit(.delta("42 <think>not this</think>")) }
        #expect(completion.content == "42 <think>not this</think>")
        #expect(completion.reasoning == nil)
    }

    @Test func usage_sumsAttempts() {
        let sum =
            Usage(promptTokens: 1, completionTokens: 2) + Usage(promptTokens: 10, completionTokens: 20, cachedTokens: 5)
        #expect(sum == Usage(promptTokens: 11, completionTokens: 22, totalTokens: 33, cachedTokens: 5))
    }
}
