import AIBase
import AICommandLine
import AIConfig
import AIProviders
import AITransport
import AIWire
import Foundation
import Testing

/// OllamaProvider: request bodies, OLLAMA_HOST, every /api/chat fixture under three chunkings, NDJSON edge cases,
/// error mapping, registry wiring.
@Suite struct OllamaProviderTests {
    let provider = OllamaProvider(baseURL: "http://fixture.test/")

    func request(stream: Bool = false, _ build: (inout CompletionRequest) -> Void = { _ in }) -> ResolvedRequest {
        var request = CompletionRequest(prompt: "hi")
        build(&request)
        return ResolvedRequest(request: request, model: "llama-test", stream: stream)
    }

    /// Feeds NDJSON text to a fresh stream decoder in the given pieces; returns the folded events and the error.
    func decodeStream(_ pieces: [String]) -> ChatFixtureHarness.Outcome {
        ChatFixtureHarness.decodeStream(provider, pieces)
    }

    static let doneLine = #"{"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#

    // MARK: - Request

    @Test func body_sendsStreamExplicitly() {
        #expect(provider.body(for: request(stream: true))["stream"] == .bool(true))
        #expect(provider.body(for: request(stream: false))["stream"] == .bool(false))
    }

    @Test func body_putsTheSystemPromptFirstAndPassesRolesThrough() {
        let body = provider.body(
            for: request {
                $0.system = "be brief"
                $0.messages = [
                    Message(role: "user", text: "hi"),
                    Message(role: "assistant", text: "hello"),
                    Message(
                        role: "tool", content: "42", object: ["role": "tool", "content": "42", "tool_name": "calc"]),
                ]
            })
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])
        #expect(messages.first?["content"] == .string("be brief"))
        #expect(messages.last?["tool_name"] == .string("calc"))
        #expect(body.objectValue?.keys == ["model", "messages", "stream"])
    }

    @Test func body_sendsContentPartsAsText() {
        let parts: JSON = .array([.object(["type": "text", "text": "a"]), .object(["type": "text", "text": "b"])])
        let body = provider.body(
            for: request {
                $0.messages = [Message(role: "user", content: parts, object: ["role": "user", "content": parts])]
            })
        #expect(body["messages"]?.arrayValue?.first?["content"] == .string("ab"))
    }

    @Test func body_putsSamplingKnobsInOptions() {
        let body = provider.body(
            for: request {
                $0.temperature = 0.2
                $0.topP = 0.8
                $0.seed = 42
                $0.maxTokens = 100
                $0.stop = ["\n\n"]
                $0.frequencyPenalty = 0.5
            })
        let options = body["options"]
        #expect(options?["temperature"] == .number("0.2"))
        #expect(options?["top_p"] == .number("0.8"))
        #expect(options?["seed"] == .int(42))
        #expect(options?["num_predict"] == .int(100))
        #expect(options?["stop"] == .array(["\n\n"]))
        #expect(options?["frequency_penalty"] == .number("0.5"))
        for key in ["temperature", "top_p", "seed", "max_tokens", "num_predict", "stop"] {
            #expect(body[key] == nil, "\(key) at top level")
        }
        #expect(provider.body(for: request())["options"] == nil)
    }

    @Test func body_mergesExtraLastAndOptionsMemberByMember() {
        let body = provider.body(
            for: request {
                $0.temperature = 0.2
                $0.maxTokens = 5
                $0.extra = [
                    "options": .object(["num_ctx": .int(8192), "num_predict": .int(9)]), "keep_alive": "10m",
                    "stream": .bool(true),
                ]
            })
        let options: JSONObject = ["temperature": .number("0.2"), "num_predict": .int(9), "num_ctx": .int(8192)]
        #expect(body["options"] == .object(options))
        #expect(body["keep_alive"] == .string("10m"))
        #expect(body["stream"] == .bool(true))
        let onlyExtra = provider.body(for: request { $0.extra = ["options": .object(["num_ctx": .int(1)])] })
        #expect(onlyExtra["options"] == .object(["num_ctx": .int(1)]))
    }

    @Test func httpRequest_noAuthorizationUnlessAKeyIsGiven() throws {
        let http = try provider.httpRequest(for: request(stream: true))
        #expect(http.url == "http://fixture.test/api/chat")
        #expect(http.method == "POST")
        #expect(http.streaming)
        #expect(!http.headers.contains { $0.name.lowercased() == "authorization" })
        #expect(http.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
        let keyed = try OllamaProvider(baseURL: "https://ollama.com:443", apiKey: "ok-1").httpRequest(for: request())
        #expect(keyed.headers.contains { $0.name == "Authorization" && $0.value == "Bearer ok-1" })
        #expect(OllamaProvider().defaultModel == "llama3.2")
        #expect(OllamaProvider().baseURL == "http://127.0.0.1:11434")
    }

    // MARK: - OLLAMA_HOST

    @Test(
        arguments: [
            (nil, "http://127.0.0.1:11434"), ("", "http://127.0.0.1:11434"), ("1.2.3.4", "http://1.2.3.4:11434"),
            (":1234", "http://127.0.0.1:1234"), ("1.2.3.4:1234", "http://1.2.3.4:1234"),
            ("example.com", "http://example.com:11434"), ("example.com:1234", "http://example.com:1234"),
            (":0", "http://127.0.0.1:0"), (":66000", "http://127.0.0.1:11434"), (":-1", "http://127.0.0.1:11434"),
            ("[::1]", "http://[::1]:11434"), ("[::]", "http://[::]:11434"), ("::1", "http://[::1]:11434"),
            ("[::1]:1337", "http://[::1]:1337"), (" 1.2.3.4 ", "http://1.2.3.4:11434"),
            ("\"1.2.3.4\"", "http://1.2.3.4:11434"), (" \" 1.2.3.4 \" ", "http://1.2.3.4:11434"),
            ("'1.2.3.4'", "http://1.2.3.4:11434"), ("http://1.2.3.4", "http://1.2.3.4:80"),
            ("http://1.2.3.4:4321", "http://1.2.3.4:4321"), ("https://1.2.3.4", "https://1.2.3.4:443"),
            ("https://1.2.3.4:4321", "https://1.2.3.4:4321"),
            ("https://example.com/ollama", "https://example.com:443/ollama"),
            ("ollama.com", "https://ollama.com:443"), ("localhost", "http://localhost:11434"),
            ("http://localhost:11434/", "http://localhost:11434"), ("0.0.0.0", "http://0.0.0.0:11434"),
            ("example.com:", "http://example.com:11434"),
        ] as [(String?, String)])
    func ollamaHost_readAsOllamaDoes(_ value: String?, _ expected: String) {
        #expect(OllamaProvider.baseURL(fromHost: value) == expected)
    }

    // MARK: - Fixtures

    static let chatFixtures = [
        "ollama_chat_stream_ok", "ollama_chat_ok", "ollama_chat_stream_error", "ollama_error_404_model_not_found",
        "ollama_chat_stream_truncated", "ollama_chat_stream_utf8_split", "ollama_chat_stream_long_line",
        "ollama_chat_stream_thinking", "ollama_chat_thinking",
    ]

    @Test func fixtures_everyOllamaChatFixtureIsCovered() throws {
        let ids = try ChatFixtureHarness.index()
            .filter { $0.provider == "ollama" && $0.request?.path == "/api/chat" }
            .map(\.id)
        #expect(Set(ids) == Set(Self.chatFixtures))
    }

    @Test(arguments: chatFixtures, ChatFixtureHarness.Chunking.allCases)
    func fixture_decodes(_ id: String, _ chunking: ChatFixtureHarness.Chunking) throws {
        let fixture = try ChatFixtureHarness.fixture(id: id)
        let outcome = try ChatFixtureHarness.replay(provider, fixture: fixture, chunking: chunking)
        try ChatFixtureHarness.check(outcome, against: fixture, "\(id) \(chunking)")
        try ChatFixtureHarness.checkRequest(outcome.request, against: fixture, "\(id) \(chunking)")
        if let request = outcome.request {
            #expect(!request.headers.contains { $0.name.lowercased() == "authorization" })
            let body = try JSON.parse(request.body ?? [])
            #expect(body["stream"]?.boolValue == (fixture.kind != "json"), "\(id): stream sent explicitly")
        }
        if let model = outcome.models.first {
            #expect(model == (id.hasSuffix("thinking") ? "qwen3:8b" : "llama3.2:latest"))
        }
    }

    @Test func fixture_notFoundSuggestsPullingTheModel() throws {
        let outcome = try ChatFixtureHarness.replay(
            provider, fixture: try ChatFixtureHarness.fixture(id: "ollama_error_404_model_not_found"), chunking: .whole)
        let error = try #require(outcome.error)
        #expect(error.code == .notFound)
        #expect(error.exitStatus == .dataError)
        #expect(error.hints.contains { $0.contains("ai-models pull llama9") })
    }

    @Test func fixture_midStreamErrorCarriesOllamasMessage() throws {
        let outcome = try ChatFixtureHarness.replay(
            provider, fixture: try ChatFixtureHarness.fixture(id: "ollama_chat_stream_error"), chunking: .oneByte)
        #expect(outcome.error?.message == "an error was encountered while running the model: unexpected EOF")
    }

    // MARK: - Streams

    @Test func stream_skipsBlankLinesAndAcceptsCRLF() {
        let line = #"{"model":"m","message":{"content":"a"},"done":false}"#
        let text = "\n" + line + "\r\n  \r\n" + Self.doneLine + "\r\n"
        let outcome = decodeStream([text])
        #expect(outcome.error == nil)
        #expect(outcome.text == "a")
        #expect(outcome.finish == "stop")
        #expect(outcome.usage == nil)
    }

    @Test func stream_finalLineWithoutLFStillCompletes() {
        let outcome = decodeStream([#"{"model":"m","message":{"content":"a"},"done":false}"# + "\n", Self.doneLine])
        #expect(outcome.error == nil)
        #expect(outcome.finish == "stop")
    }

    @Test func stream_doneLineContentIsAppendedAndMissingCountsAreZero() {
        let line = #"{"model":"m","message":{"content":"tail"},"done":true,"done_reason":"length","eval_count":3}"#
        let outcome = decodeStream([#"{"model":"m","message":{"content":"head "},"done":false}"# + "\n" + line + "\n"])
        #expect(outcome.text == "head tail")
        #expect(outcome.usage == Usage(promptTokens: 0, completionTokens: 3))
        #expect(outcome.finish.map(FinishReason.normalize) == "length")
    }

    @Test func stream_unparseableLineIsAProtocolError() {
        let outcome = decodeStream(["this is not json\n", Self.doneLine + "\n"])
        #expect(outcome.error?.code == .protocol)
        #expect(decodeStream(["[1,2]\n"]).error?.code == .protocol)
    }

    @Test func stream_withoutADoneLineIsIncomplete() {
        #expect(decodeStream([]).error?.code == .incomplete)
        let outcome = decodeStream([#"{"model":"m","message":{"content":"a"},"done":false}"# + "\n"])
        #expect(outcome.error?.code == .incomplete)
        #expect(outcome.error?.exitStatus == .tempFail)
        #expect(outcome.text == "a")
    }

    @Test func stream_toolCallsGetTheirOwnIndexes() {
        let first =
            #"{"model":"m","message":{"content":"","tool_calls":[{"function":{"name":"a","#
            + #""arguments":{"x":1}}}]},"done":false}"#
        let second =
            #"{"model":"m","message":{"content":"","tool_calls":[{"id":"c2","function":{"name":"b","#
            + #""arguments":{}}}]},"done":false}"#
        let outcome = decodeStream([first + "\n" + second + "\n" + Self.doneLine + "\n"])
        #expect(outcome.calls[0] == ToolCall(index: 0, id: nil, name: "a", arguments: #"{"x":1}"#))
        #expect(outcome.calls[1] == ToolCall(index: 1, id: "c2", name: "b", arguments: "{}"))
    }

    @Test func stream_errorLineIsAServerErrorWithStatus200() {
        let outcome = decodeStream([#"{"error":"model runner crashed."}"# + "\n"])
        #expect(outcome.error?.code == .server)
        #expect(outcome.error?.httpStatus == 200)
        #expect(outcome.error?.message == "model runner crashed")
    }

    // MARK: - Whole bodies and errors

    @Test func completion_errorIn200IsAServerError() {
        do {
            try provider.decodeCompletion(Array(#"{"error":"boom"}"#.utf8)) { _ in }
            Issue.record("accepted an error body")
        } catch let error as AIError {
            #expect(error.code == .server)
            #expect(error.httpStatus == 200)
        } catch {}
        #expect(throws: AIError.self) { try provider.decodeCompletion(Array("not json".utf8)) { _ in } }
    }

    @Test(arguments: [
        (400, ErrorCode.rejected), (404, .notFound), (429, .rateLimited), (500, .server), (502, .server),
    ])
    func errorBody_mapsByStatus(_ status: Int, _ code: ErrorCode) {
        let body = Array(#"{"error":"went wrong"}"#.utf8)
        let error = provider.decodeError(head: HTTPResponseHead(status: status), body: body)
        #expect(error.code == code)
        #expect(error.httpStatus == status)
        #expect(error.message.contains("went wrong"))
    }

    @Test func errorBody_plainText404HasNoPullHint() {
        let error = provider.decodeError(head: HTTPResponseHead(status: 404), body: Array("404 page not found".utf8))
        #expect(error.code == .notFound)
        #expect(error.hints.isEmpty)
        #expect(OllamaWire.missingModel(in: #"model "qwen3:8b" not found, try pulling it first"#) == "qwen3:8b")
    }

    // MARK: - Registry

    func registry(_ environment: [String: String], baseURL: String? = nil) -> ProviderRegistry {
        ProviderRegistry(
            settings: Settings(
                environment: isolatedEnvironment(environment), provider: nil, model: nil,
                baseURL: baseURL))
    }

    @Test func registry_hostFromFlagThenOllamaHostThenDefault() throws {
        let local = try #require(try registry([:]).provider(named: "ollama") as? OllamaProvider)
        #expect(local.baseURL == "http://127.0.0.1:11434")
        #expect(local.apiKey == nil)
        let fromHost = try #require(
            try registry(["OLLAMA_HOST": "gpu-box"]).provider(named: "ollama") as? OllamaProvider)
        #expect(fromHost.baseURL == "http://gpu-box:11434")
        let fromFlag = try #require(
            try registry(["OLLAMA_HOST": "gpu-box"], baseURL: "http://10.0.0.2:8080").provider(named: "ollama")
                as? OllamaProvider)
        #expect(fromFlag.baseURL == "http://10.0.0.2:8080")
    }

    @Test func registry_optionalKeyNeverCrossesPlainHTTP() throws {
        let cloud = try #require(
            try registry(["OLLAMA_HOST": "ollama.com", "OLLAMA_API_KEY": "ok-1"]).provider(named: "ollama")
                as? OllamaProvider)
        #expect(cloud.apiKey == "ok-1")
        let loopback = try #require(
            try registry(["OLLAMA_API_KEY": "ok-1"]).provider(named: "ollama") as? OllamaProvider)
        #expect(loopback.apiKey == "ok-1")
        // DESIGN §6: the request fails with 78 and says why, rather than dropping the key silently.
        do {
            _ = try registry(["OLLAMA_HOST": "192.168.1.9", "OLLAMA_API_KEY": "ok-1"]).provider(named: "ollama")
            Issue.record("sent the key over plain http to a LAN host")
        } catch let error as AIError {
            #expect(error.code == .config && error.exitStatus == .config)
        }
    }
}
