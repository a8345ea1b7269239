import AIBase
import AIConfig
import AIProviders
import AIRunner
import AITransport
import AIWire
import Foundation
import Testing

/// AnthropicProvider: request bodies and headers, every Messages fixture under three chunkings, stream edge cases,
/// error mapping, registry wiring.
@Suite struct AnthropicProviderTests {
    let provider = AnthropicProvider(baseURL: "https://fixture.test/", apiKey: "sk-ant-fixture")

    func request(stream: Bool = false, _ build: (inout CompletionRequest) -> Void = { _ in }) -> ResolvedRequest {
        var request = CompletionRequest(prompt: "hi")
        build(&request)
        return ResolvedRequest(request: request, model: "claude-test", stream: stream)
    }

    /// Feeds SSE text to a fresh stream decoder in the given pieces; returns the folded events and the error.
    func decodeStream(_ pieces: [String]) -> ChatFixtureHarness.Outcome {
        ChatFixtureHarness.decodeStream(provider, pieces)
    }

    /// SSE text with one event per data string, named by its JSON `type` as the API does.
    func sse(_ events: [String]) -> String {
        events.map { "event: \((try? JSON.parse($0))?["type"]?.stringValue ?? "message")\ndata: \($0)\n\n" }.joined()
    }

    // MARK: - Request

    @Test func body_alwaysSendsMaxTokens() {
        #expect(provider.body(for: request())["max_tokens"] == .int(AnthropicProvider.defaultMaxTokens))
        #expect(AnthropicProvider.defaultMaxTokens == 4096)
        #expect(provider.body(for: request { $0.maxTokens = 77 })["max_tokens"] == .int(77))
    }

    @Test func body_hoistsSystemAndDeveloperMessagesToTopLevelSystem() {
        let body = provider.body(
            for: request {
                $0.system = "be brief"
                $0.messages = [
                    Message(role: "system", text: "answer in French"),
                    Message(role: "user", text: "hi"),
                    Message(role: "developer", text: "no emoji"),
                    Message(role: "assistant", text: "salut"),
                    Message(role: "user", text: "again"),
                ]
            })
        #expect(body["system"] == .string("be brief\n\nanswer in French\n\nno emoji"))
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        #expect(messages.map { $0["content"]?.stringValue } == ["hi", "salut", "again"])
        #expect(body.objectValue?.keys == ["model", "max_tokens", "system", "messages"])
    }

    @Test func body_withoutASystemPromptHasNoSystemKey() {
        #expect(provider.body(for: request())["system"] == nil)
        #expect(provider.body(for: request { $0.system = "" })["system"] == nil)
    }

    @Test func body_passesContentPartsAsTheyAre() {
        let parts: JSON = .array([
            .object(["type": "text", "text": "look"]),
            .object(["type": "image", "source": .object(["type": "url", "url": "https://x.test/a.png"])]),
        ])
        let body = provider.body(
            for: request {
                let object: JSONObject = ["role": "user", "content": parts, "name": "x"]
                $0.messages = [Message(role: "user", content: parts, object: object)]
            })
        #expect(body["messages"] == .array([.object(["role": "user", "content": parts])]))
    }

    @Test func body_mapsParametersAndLeavesOutWhatMessagesLacks() {
        let body = provider.body(
            for: request(stream: true) {
                $0.temperature = 0.5
                $0.topP = 0.9
                $0.stop = ["END", "STOP"]
                $0.frequencyPenalty = 1
                $0.presencePenalty = 1
                $0.seed = 7
            })
        #expect(body["temperature"] == .number("0.5"))
        #expect(body["top_p"] == .number("0.9"))
        #expect(body["stop_sequences"] == .array(["END", "STOP"]))
        #expect(body["stop"] == nil)
        #expect(body["stream"] == .bool(true))
        for key in ["frequency_penalty", "presence_penalty", "seed", "stream_options"] {
            #expect(body[key] == nil, "\(key)")
        }
        let whole = provider.body(for: request())
        #expect(whole["stream"] == nil)
        #expect(whole["stop_sequences"] == nil && whole["temperature"] == nil)
    }

    @Test func body_aSchemaAloneForcesTheAnswerTool_withToolsItIsOfferedLastAndAnyToolIsForced() {
        let schema: JSON = .object(["type": "object"])
        let spec = ToolSpec(name: "echo", description: "the echo tool", parameters: .object(["type": "object"]))
        let answer: JSON = .object([
            "name": "answer", "description": .string(ProviderAnswer.toolDescription), "input_schema": schema,
        ])
        let alone = provider.body(for: request { $0.schema = schema })
        #expect(alone["tools"] == .array([answer]))
        #expect(alone["tool_choice"] == .object(["type": "tool", "name": "answer"]))
        let both = provider.body(
            for: request {
                $0.schema = schema
                $0.toolSpecs = [spec]
            })
        let echo: JSON = .object([
            "name": "echo", "description": "the echo tool", "input_schema": .object(["type": "object"]),
        ])
        #expect(both["tools"] == .array([echo, answer]))
        #expect(both["tool_choice"] == .object(["type": "any"]))
        let tools = provider.body(for: request { $0.toolSpecs = [spec] })
        #expect(tools["tools"] == .array([echo]) && tools["tool_choice"] == nil)
    }

    @Test func body_mergesExtraLast() {
        let body = provider.body(
            for: request {
                $0.maxTokens = 10
                $0.extra = [
                    "max_tokens": .int(20), "thinking": .object(["type": "enabled", "budget_tokens": .int(1024)]),
                ]
            })
        #expect(body["max_tokens"] == .int(20))
        #expect(body["thinking"]?["budget_tokens"] == .int(1024))
        #expect(body.objectValue?.keys.last == "thinking")
    }

    @Test func httpRequest_headersAndURL() throws {
        let http = try provider.httpRequest(for: request(stream: true))
        #expect(http.method == "POST")
        #expect(http.url == "https://fixture.test/v1/messages")
        #expect(http.streaming)
        let headers = Dictionary(http.headers.map { ($0.name.lowercased(), $0.value) }) { $1 }
        #expect(headers["x-api-key"] == "sk-ant-fixture")
        #expect(headers["anthropic-version"] == "2023-06-01")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["accept"] == "text/event-stream")
        #expect(headers["authorization"] == nil)
        let whole = try provider.httpRequest(for: request())
        #expect(whole.headers.contains { $0.name == "Accept" && $0.value == "application/json" })
        #expect(!whole.streaming)
        #expect(AnthropicProvider(apiKey: "k").defaultModel == "claude-sonnet-4-5")
        #expect(
            try AnthropicProvider(apiKey: "k").httpRequest(for: request()).url
                == "https://api.anthropic.com/v1/messages")
    }

    // MARK: - Fixtures

    static let chatFixtures = [
        "anthropic_messages_ok", "anthropic_messages_stream_ok", "anthropic_messages_stream_thinking_tool_use",
        "anthropic_messages_stream_overloaded", "anthropic_error_529_overloaded", "anthropic_error_401",
        "anthropic_error_429", "anthropic_error_400_invalid_request", "anthropic_messages_stream_truncated",
        "anthropic_messages_thinking",
    ]

    @Test func fixtures_everyAnthropicChatFixtureIsCovered() throws {
        let ids = try ChatFixtureHarness.index()
            .filter { $0.provider == "anthropic" && $0.request?.path != "/v1/models" }
            .map(\.id)
        #expect(Set(ids) == Set(Self.chatFixtures))
    }

    @Test(arguments: chatFixtures, ChatFixtureHarness.Chunking.allCases)
    func fixture_decodes(_ id: String, _ chunking: ChatFixtureHarness.Chunking) throws {
        let fixture = try ChatFixtureHarness.fixture(id: id)
        let outcome = try ChatFixtureHarness.replay(provider, fixture: fixture, chunking: chunking)
        try ChatFixtureHarness.check(outcome, against: fixture, "\(id) \(chunking)")
        try ChatFixtureHarness.checkRequest(outcome.request, against: fixture, "\(id) \(chunking)")
        if let model = outcome.models.first { #expect(model == "claude-sonnet-4-5-20250929") }
    }

    @Test func fixture_messagesOkKeepsCacheTokensInThePrompt() throws {
        let outcome = try ChatFixtureHarness.replay(
            provider, fixture: try ChatFixtureHarness.fixture(id: "anthropic_messages_ok"), chunking: .whole)
        #expect(outcome.usage == Usage(promptTokens: 12 + 0 + 2048, completionTokens: 12, cachedTokens: 2048))
        #expect(outcome.models == ["claude-sonnet-4-5-20250929"])
    }

    @Test func fixture_thinkingIsNotText() throws {
        let outcome = try ChatFixtureHarness.replay(
            provider, fixture: try ChatFixtureHarness.fixture(id: "anthropic_messages_stream_thinking_tool_use"),
            chunking: .oneByte)
        #expect(!outcome.text.contains("Paris"))
        #expect(!outcome.text.contains("RklY"))
        #expect(outcome.calls.keys.sorted() == [2])
    }

    // MARK: - Whole bodies

    @Test func completion_joinsTextBlocksAndReportsToolUse() throws {
        let body = #"""
            {"id":"m","type":"message","role":"assistant","model":"claude-x","content":[
            {"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Let me "},
            {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Paris","days":[1, 2]}},
            {"type":"text","text":"check."}],"stop_reason":"tool_use","stop_sequence":null,
            "usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":1,"output_tokens":3}}
            """#
        var outcome = ChatFixtureHarness.Outcome()
        try provider.decodeCompletion(Array(body.utf8)) { outcome.apply($0) }
        #expect(outcome.text == "Let me check.")
        #expect(
            outcome.calls[2]
                == ToolCall(
                    index: 2, id: "toolu_1", name: "get_weather",
                    arguments: #"{"location":"Paris","days":[1,2]}"#))
        #expect(outcome.finish == "tool_use")
        #expect(outcome.finish.map(FinishReason.normalize) == "tool_calls")
        #expect(outcome.usage == Usage(promptTokens: 16, completionTokens: 3, cachedTokens: 1))
        #expect(outcome.models == ["claude-x"])
    }

    @Test(arguments: [
        ("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls"),
        ("refusal", "content_filter"), ("model_context_window_exceeded", "length"), ("pause_turn", "pause"),
    ])
    func completion_finishReasonsNormalize(_ raw: String, _ normalized: String) throws {
        let body = #"{"model":"m","content":[],"stop_reason":"\#(raw)","usage":{"input_tokens":1,"output_tokens":0}}"#
        var outcome = ChatFixtureHarness.Outcome()
        try provider.decodeCompletion(Array(body.utf8)) { outcome.apply($0) }
        #expect(outcome.finish == raw)
        #expect(outcome.finish.map(FinishReason.normalize) == normalized)
    }

    @Test func completion_notJSONIsAProtocolError() {
        #expect(throws: AIError.self) { try provider.decodeCompletion(Array("<html>".utf8)) { _ in } }
        do {
            try provider.decodeCompletion(Array("{}".utf8)) { _ in }
            Issue.record("accepted a body without content")
        } catch let error as AIError {
            #expect(error.code == .protocol)
        } catch {}
    }

    @Test func completion_errorObjectIn200IsMappedByType() {
        let body = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        do {
            try provider.decodeCompletion(Array(body.utf8)) { _ in }
            Issue.record("accepted an error body")
        } catch let error as AIError {
            #expect(error.code == .server)
            #expect(error.retryable)
            #expect(error.httpStatus == 200)
        } catch {}
    }

    // MARK: - Streams

    static let start = #"{"type":"message_start","message":{"model":"c","usage":{"input_tokens":5,"output_tokens":1}}}"#
    static let stop = #"{"type":"message_stop"}"#

    func text(_ index: Int, _ text: String) -> String {
        #"{"type":"content_block_delta","index":\#(index),"delta":{"type":"text_delta","text":"\#(text)"}}"#
    }

    func messageDelta(_ reason: String?, output: Int) -> String {
        let reason = reason.map { "\"\($0)\"" } ?? "null"
        return #"{"type":"message_delta","delta":{"stop_reason":\#(reason)},"usage":{"output_tokens":\#(output)}}"#
    }

    @Test func stream_outputUsageIsCumulativeNotAdded() {
        let outcome = decodeStream([
            sse([
                Self.start,
                #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                text(0, "a"),
                messageDelta(nil, output: 4),
                messageDelta("max_tokens", output: 9),
                Self.stop,
            ])
        ])
        #expect(outcome.error == nil)
        #expect(outcome.usage == Usage(promptTokens: 5, completionTokens: 9))
        #expect(outcome.finish == "max_tokens")
    }

    @Test func stream_toolCallWithoutFragmentsGetsItsStartInput() {
        let outcome = decodeStream([
            sse([
                Self.start,
                #"{"type":"content_block_start","index":0,"content_block":"#
                    + #"{"type":"tool_use","id":"t","name":"now","input":{}}}"#,
                #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#,
                #"{"type":"content_block_stop","index":0}"#,
                messageDelta("tool_use", output: 2),
                Self.stop,
            ])
        ])
        #expect(outcome.calls[0] == ToolCall(index: 0, id: "t", name: "now", arguments: "{}"))
    }

    @Test func stream_ignoresUnknownEventsPingsAndWhatFollowsMessageStop() {
        let outcome = decodeStream([
            sse([
                Self.start,
                #"{"type": "ping"}"#,
                #"{"type":"brand_new_event","x":1}"#,
                #"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","x":1}}"#,
                text(0, "ok"),
                Self.stop,
                text(0, "late"),
            ]) + ": comment\n\n"
        ])
        #expect(outcome.error == nil)
        #expect(outcome.text == "ok")
        #expect(outcome.usage == Usage(promptTokens: 5, completionTokens: 1))
    }

    @Test func stream_withoutAnythingIsIncomplete() {
        #expect(decodeStream([]).error?.code == .incomplete)
        #expect(decodeStream([": keep-alive\n\n"]).error?.code == .incomplete)
    }

    @Test func stream_eventThatIsNotJSONIsAProtocolError() {
        let outcome = decodeStream(["event: content_block_delta\ndata: {\"type\":\n\n"])
        #expect(outcome.error?.code == .protocol)
    }

    @Test(arguments: [
        ("overloaded_error", ErrorCode.server, true), ("api_error", .server, true),
        ("rate_limit_error", .rateLimited, true), ("invalid_request_error", .rejected, false),
        ("authentication_error", .auth, false), ("permission_error", .auth, false),
        ("not_found_error", .notFound, false), ("billing_error", .quota, false), ("timeout_error", .timeout, true),
        ("something_new", .server, true),
    ])
    func stream_errorEventIsMappedByType(_ type: String, _ code: ErrorCode, _ retryable: Bool) {
        let error = decodeStream([
            sse([#"{"type":"error","error":{"type":"\#(type)","message":"Went wrong."}}"#])
        ]).error
        #expect(error?.code == code)
        #expect(error?.httpStatus == 200)
        #expect(error?.retryable == retryable)
        #expect(error?.message.hasSuffix("Went wrong") == true)
    }

    @Test func stream_errorEventWithTextData() {
        let error = decodeStream(["event: error\ndata: upstream gone\n\n"]).error
        #expect(error?.code == .server)
        #expect(error?.message.contains("upstream gone") == true)
    }

    // MARK: - Error bodies

    func mapError(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> AIError {
        provider.decodeError(head: HTTPResponseHead(status: status, headers: headers), body: Array(body.utf8))
    }

    @Test(arguments: [
        (400, "invalid_request_error", ErrorCode.rejected), (401, "authentication_error", .auth),
        (402, "billing_error", .quota), (403, "permission_error", .auth), (404, "not_found_error", .notFound),
        (429, "rate_limit_error", .rateLimited), (500, "api_error", .server), (504, "timeout_error", .server),
        (529, "overloaded_error", .server),
    ])
    func errorBody_mapsByStatus(_ status: Int, _ type: String, _ code: ErrorCode) {
        let error = mapError(status, #"{"type":"error","error":{"type":"\#(type)","message":"m"},"request_id":"r"}"#)
        #expect(error.code == code)
        #expect(error.httpStatus == status)
        #expect(error.message.contains("m"))
    }

    @Test func errorBody_529IsRetriedLike5xx() {
        let error = mapError(529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        #expect(error.retryable)
        #expect(RetryPolicy(maxRetries: 2).delay(after: error, retries: 0) != nil)
    }

    @Test func errorBody_nonJSONFallsBackToASnippet() {
        let error = mapError(413, "<html><body>Request Entity Too Large</body></html>")
        #expect(error.code == .rejected)
        #expect(error.message.contains("Request Entity Too Large"))
    }

    // MARK: - Registry

    func registry(_ environment: [String: String], baseURL: String? = nil) -> ProviderRegistry {
        ProviderRegistry(
            settings: Settings(
                environment: isolatedEnvironment(environment), provider: "anthropic", model: nil,
                baseURL: baseURL))
    }

    @Test func registry_withoutAKeyIsNoKey() {
        do {
            _ = try registry([:]).provider(named: "anthropic")
            Issue.record("built anthropic without a key")
        } catch let error as AIError {
            #expect(error.code == .noKey)
            #expect(error.message == "no key for anthropic")
            #expect(error.hints == ["set ANTHROPIC_API_KEY, or store the key with 'ai-keys set anthropic'"])
        } catch {}
    }

    @Test func registry_baseURLFromFlagThenEnvironmentThenDefault() throws {
        let key = ["ANTHROPIC_API_KEY": "sk-1"]
        let official = try #require(try registry(key).provider(named: "anthropic") as? AnthropicProvider)
        #expect(official.baseURL == "https://api.anthropic.com")
        #expect(official.apiKey == "sk-1")
        #expect(official.name == "anthropic")
        let environment = key.merging(["ANTHROPIC_BASE_URL": "https://proxy.test/anthropic"]) { $1 }
        let fromEnvironment = try #require(
            try registry(environment).provider(named: "anthropic") as? AnthropicProvider)
        #expect(fromEnvironment.baseURL == "https://proxy.test/anthropic")
        let fromFlag = try #require(
            try registry(environment, baseURL: "http://127.0.0.1:9/").provider(named: "anthropic")
                as? AnthropicProvider)
        #expect(fromFlag.baseURL == "http://127.0.0.1:9")
    }

    @Test func registry_refusesTheKeyOverPlainHTTP() {
        do {
            _ = try registry(["ANTHROPIC_API_KEY": "sk-1"], baseURL: "http://example.test").provider(named: "anthropic")
            Issue.record("sent the key over plain http")
        } catch let error as AIError {
            #expect(error.code == .config)
        } catch {}
    }

    @Test func registry_unknownProviderNamesAllFourBuiltIns() {
        do {
            _ = try registry([:]).provider(named: "nope")
            Issue.record("accepted an unknown provider")
        } catch let error as AIError {
            #expect(error.code == .config)
            #expect(error.hints == ["known providers: ollama, openai, anthropic, echo"])
        } catch {}
    }
}
