import AIBase
import AIConfig
import AIProviders
import AIWire
import Testing

/// Reasoning in every provider: decoded apart from the text (streams and whole bodies), asked for with `think`.
@Suite struct ReasoningProviderTests {
    let anthropic = AnthropicProvider(baseURL: "https://fixture.test/", apiKey: "sk-ant-fixture")
    let openAI = OpenAIProvider(baseURL: "http://127.0.0.1:8080/v1", apiKey: nil)
    let ollama = OllamaProvider(baseURL: "http://fixture.test/")

    func resolved(
        _ think: Thinking?, stream: Bool = false, _ build: (inout CompletionRequest) -> Void = { _ in }
    )
        -> ResolvedRequest
    {
        var request = CompletionRequest(prompt: "hi")
        request.think = think
        build(&request)
        return ResolvedRequest(request: request, model: "m", stream: stream)
    }

    // MARK: - Fixtures

    static let fixtures = [
        "openai_chat_stream_reasoning_content", "openai_chat_reasoning_content", "ollama_chat_stream_thinking",
        "ollama_chat_thinking", "anthropic_messages_thinking", "anthropic_messages_stream_thinking_tool_use",
    ]

    @Test(arguments: fixtures, ChatFixtureHarness.Chunking.allCases)
    func fixture_reasoningIsKeptApart(_ id: String, _ chunking: ChatFixtureHarness.Chunking) throws {
        let fixture = try ChatFixtureHarness.fixture(id: id)
        let provider: any HTTPProvider =
            switch fixture.provider {
            case "anthropic": anthropic
            case "ollama": ollama
            default: openAI
            }
        let outcome = try ChatFixtureHarness.replay(provider, fixture: fixture, chunking: chunking)
        try ChatFixtureHarness.check(outcome, against: fixture, "\(id) \(chunking)")
        let thinking = try #require(fixture.expected["thinking"]?.stringValue)
        #expect(outcome.reasoning.joined() == thinking)
        #expect(!outcome.text.contains("The user"))
    }

    // MARK: - Streams

    func openAIChunk(_ delta: String) -> String {
        #"data: {"id":"c","model":"m","choices":[{"index":0,"delta":\#(delta),"finish_reason":null}]}"# + "\n\n"
    }

    @Test func openAIStream_readsOpenRouterReasoningAndPrefersReasoningContent() {
        let outcome = ChatFixtureHarness.decodeStream(
            openAI,
            [
                openAIChunk(#"{"role":"assistant","content":"","reasoning":"Open"}"#),
                openAIChunk(#"{"content":"","reasoning":"Router"}"#),
                openAIChunk(#"{"content":"","reasoning_content":"both","reasoning":"both"}"#),
                openAIChunk(#"{"content":"Hi","reasoning":null}"#),
                #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n",
            ])
        #expect(outcome.error == nil)
        #expect(outcome.reasoning == ["Open", "Router", "both"])
        #expect(outcome.text == "Hi")
    }

    /// A text chunk learnt as the shape must not swallow later reasoning chunks of a similar look.
    @Test func openAIStream_reasoningAfterALearntTextShapeIsNotText() {
        let outcome = ChatFixtureHarness.decodeStream(
            openAI,
            [
                openAIChunk(#"{"content":"A","reasoning_content":""}"#),
                openAIChunk(#"{"content":"B","reasoning_content":""}"#),
                openAIChunk(#"{"content":"","reasoning_content":"thought"}"#),
                openAIChunk(#"{"content":"C","reasoning_content":""}"#),
                #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
            ])
        #expect(outcome.error == nil)
        #expect(outcome.reasoning == ["thought"])
        #expect(outcome.text == "ABC")
    }

    @Test func ollamaStream_thinkingAfterALearntTextShapeIsNotText() {
        let lines = [
            #"{"model":"q","message":{"role":"assistant","content":"A","thinking":""},"done":false}"#,
            #"{"model":"q","message":{"role":"assistant","content":"B","thinking":""},"done":false}"#,
            #"{"model":"q","message":{"role":"assistant","content":"","thinking":"hm"},"done":false}"#,
            #"{"model":"q","message":{"role":"assistant","content":"C","thinking":""},"done":false}"#,
            #"{"model":"q","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#,
        ]
        let outcome = ChatFixtureHarness.decodeStream(ollama, lines.map { $0 + "\n" })
        #expect(outcome.error == nil)
        #expect(outcome.reasoning == ["hm"])
        #expect(outcome.text == "ABC")
        let bad = ChatFixtureHarness.decodeStream(
            ollama, [#"{"message":{"role":"assistant","content":"","thinking":3},"done":false}"# + "\n"])
        #expect(bad.error?.code == .protocol)
    }

    @Test func anthropicStream_redactedThinkingShowsNothing() {
        let events = [
            #"{"type":"message_start","message":{"model":"c","usage":{"input_tokens":1,"output_tokens":1}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"QUJD"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
            #"{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"Plan."}}"#,
            #"{"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"U0lH"}}"#,
            #"{"type":"content_block_stop","index":1}"#,
            #"{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}"#,
            #"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Done"}}"#,
            #"{"type":"content_block_stop","index":2}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#,
            #"{"type":"message_stop"}"#,
        ]
        let text = events.map { "event: \((try? JSON.parse($0))?["type"]?.stringValue ?? "")\ndata: \($0)\n\n" }
        let outcome = ChatFixtureHarness.decodeStream(anthropic, text)
        #expect(outcome.error == nil)
        #expect(outcome.reasoning == ["Plan."])
        #expect(outcome.signature == "U0lH")
        #expect(outcome.text == "Done")
    }

    // MARK: - Asking for reasoning

    @Test func think_settingsMapOntoBudgetsAndEfforts() {
        #expect(Thinking(text: "on") == .on && Thinking(text: "off") == .off)
        #expect(Thinking(text: "2048") == .budget(2048) && Thinking(text: "high") == .effort("high"))
        #expect(Thinking(text: "0") == nil && Thinking(text: "lots") == nil && Thinking(text: "-5") == nil)
        #expect(Thinking(json: .bool(true)) == .on && Thinking(json: .bool(false)) == .off)
        #expect(Thinking(json: .int(1024)) == .budget(1024) && Thinking(json: "low") == .effort("low"))
        #expect(Thinking(json: "4096") == nil && Thinking(json: .int(0)) == nil && Thinking(json: .null) == nil)
        #expect(
            [Thinking.on, .effort("low"), .effort("medium"), .effort("high")].map(\.budget) == [
                4096, 1024, 4096, 16384,
            ])
        #expect(
            [Thinking.budget(1024), .budget(4095), .budget(4096), .budget(16384)].map(\.effort) == [
                "low", "low", "medium", "high",
            ])
        #expect(Thinking.off.budget == nil && Thinking.off.effort == nil)
    }

    @Test func anthropic_thinkingWithItsBudgetNoTemperatureAndRoomForTheAnswer() throws {
        let body = anthropic.body(for: resolved(.budget(2048)) { $0.temperature = 0.3 })
        #expect(body["thinking"] == .object(["type": "enabled", "budget_tokens": .int(2048)]))
        #expect(body["max_tokens"] == .int(2048 + AnthropicProvider.defaultMaxTokens))
        #expect(body["temperature"] == nil)
        let given = anthropic.body(for: resolved(.on) { $0.maxTokens = 9000 })
        #expect(given["max_tokens"] == .int(9000) && given["thinking"]?["budget_tokens"] == .int(4096))
        #expect(anthropic.body(for: resolved(.off) { $0.temperature = 0.3 })["thinking"] == nil)
        #expect(anthropic.body(for: resolved(nil) { $0.temperature = 0.3 })["temperature"] == .double(0.3))
        #expect(throws: AIError.self) {
            try anthropic.httpRequest(for: resolved(.budget(4096)) { $0.maxTokens = 4096 })
        }
        do {
            _ = try anthropic.httpRequest(for: resolved(.budget(4096)) { $0.maxTokens = 100 })
        } catch let error as AIError {
            #expect(error.code == .input)
            #expect(
                error.message == "max_tokens (100) must exceed the thinking budget (4096): raise it or lower --think")
        }
    }

    @Test func openAI_reasoningEffort() {
        #expect(openAI.body(for: resolved(.on))["reasoning_effort"] == "medium")
        #expect(openAI.body(for: resolved(.budget(20000)))["reasoning_effort"] == "high")
        #expect(openAI.body(for: resolved(.effort("low")))["reasoning_effort"] == "low")
        #expect(openAI.body(for: resolved(.off))["reasoning_effort"] == nil)
        #expect(openAI.body(for: resolved(nil))["reasoning_effort"] == nil)
    }

    @Test func ollama_think() {
        #expect(ollama.body(for: resolved(.on))["think"] == .bool(true))
        #expect(ollama.body(for: resolved(.budget(10)))["think"] == .bool(true))
        #expect(ollama.body(for: resolved(.off))["think"] == .bool(false))
        #expect(ollama.body(for: resolved(nil))["think"] == nil)
    }
}
