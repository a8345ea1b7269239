import AIBase
import AICatalog
import AICommandLine
import AIConfig
import AIProviders
import AIRunner
import AITestSupport
import AITransport
import AIWire
import Testing

/// The fixture index, loaded once.
let fixtureIndex: FixtureIndex? = try? FixtureIndex.loadDefault()

/// Every provider's chat fixtures (OpenAI and compatible servers, Anthropic, Ollama): every one a client must parse.
let chatFixtures: [String] = (fixtureIndex?.fixtures ?? [])
    .filter { ["/v1/chat/completions", "/v1/messages", "/api/chat"].contains($0.request?.path ?? "") }
    .map(\.id)

/// The chunkings every fixture is replayed under.
let chunkings: [Fixture.Chunking] = [.whole, .planned, .bytewise]

/// Maps index.json's error kinds onto the suite's codes.
func errorCode(forKind kind: String) -> ErrorCode? {
    switch kind {
    case "authentication", "permission": .auth
    case "not_found": .notFound
    case "invalid_request": .rejected
    case "rate_limit": .rateLimited
    case "quota": .quota
    case "server", "overloaded": .server
    case "timeout": .timeout
    case "incomplete_stream": .incomplete
    default: nil
    }
}

/// Collects what a run showed: whether it started, and every delta in order.
final class RecordingObserver: RunObserver {
    var startedCount = 0
    var deltas: [String] = []
    var reasoning: [String] = []

    func started(provider: String, model: String) throws { startedCount += 1 }
    func delta(_ text: String) throws { deltas.append(text) }
    func reasoning(_ text: String) throws { reasoning.append(text) }
}

/// A request the fixture's request rule accepts (tool-call fixtures require `tools`).
func fixtureRequest(_ fixture: Fixture) -> CompletionRequest {
    var request = CompletionRequest(prompt: "Say hello")
    if fixture.request?.bodyMustHaveKeys.contains("tools") == true {
        request.extra = [
            "tools": .array([.object(["type": "function", "function": .object(["name": "get_weather"])])])
        ]
    }
    return request
}

/// Settings pointing `provider` (a fixture's provider) at `server` with the fixtures' test keys.
func fixtureSettings(_ server: FakeServer, provider: String = "openai", retries: Int = 0) -> Settings {
    let name = provider.hasPrefix("openai") ? "openai" : provider
    return Settings(
        environment: isolatedEnvironment([
            "OPENAI_API_KEY": "sk-fixture-openai", "ANTHROPIC_API_KEY": "sk-ant-fixture",
        ]),
        provider: name,
        model: name == "openai" ? "gpt-4o-mini" : nil,
        baseURL: name == "openai" ? server.baseURL + "/v1" : server.baseURL,
        limits: TransferLimits(connectTimeout: 5, idleTimeout: 10, maxTime: 30),
        retries: retries
    )
}

@Suite struct FixtureReplayTests {
    /// Every chat fixture × whole / planned / byte-at-a-time, through libcurl and the fake server.
    @Test(arguments: chatFixtures, chunkings)
    func chatFixture_matchesIndex(_ id: String, _ chunking: Fixture.Chunking) throws {
        let index = try #require(fixtureIndex)
        let fixture = try index.fixture(id)
        let expected = fixture.expected
        let outcome = expected["outcome"]?.stringValue
        // A cut stream ends with a clean close (TCP FIN, no HTTP-level error), as the fixtures describe.
        let framing: FakeResponse.Framing? = outcome == "incomplete" ? .closeDelimited : nil
        let server = try FakeServer(handler: fixture.handler(chunking: chunking, framing: framing))
        defer { server.stop() }
        let observer = RecordingObserver()
        let stream = fixture.kind == "sse" || fixture.kind == "ndjson"
        do {
            let completion = try Runner(settings: fixtureSettings(server, provider: fixture.provider)).run(
                fixtureRequest(fixture), stream: stream, observer: observer)
            #expect(outcome == "success", "\(id) succeeded but expected \(outcome ?? "?")")
            try check(completion, observer: observer, against: expected, id: id)
        } catch let error as AIError {
            #expect(outcome != "success", "\(id): \(error.message)")
            try check(error, observer: observer, against: expected, id: id)
        }
        #expect(server.requests.count == 1)
        if let request = server.requests.first { #expect(fixture.validate(request) == nil) }
    }

    func check(_ completion: Completion, observer: RecordingObserver, against expected: JSON, id: String) throws {
        if let text = expected["text"]?.stringValue {
            #expect(completion.content == text, "\(id)")
            #expect(observer.deltas.joined() == text, "\(id)")
        }
        if let bytes = expected["text_utf8_bytes"]?.intValue { #expect(completion.content.utf8.count == bytes) }
        if let digest = expected["text_sha256"]?.stringValue {
            #expect(SHA256.hex(Array(completion.content.utf8)) == digest, "\(id)")
        }
        if let deltas = expected["deltas"]?.arrayValue {
            #expect(observer.deltas == deltas.compactMap(\.stringValue), "\(id)")
        }
        #expect(!completion.content.unicodeScalars.contains("\u{FFFD}"), "\(id)")
        // Reasoning is never text: it is reported apart, and kept apart, with its signature.
        #expect(completion.reasoning == expected["thinking"]?.stringValue, "\(id)")
        #expect(observer.reasoning.joined() == expected["thinking"]?.stringValue ?? "", "\(id)")
        #expect(completion.reasoningSignature == expected["signature"]?.stringValue, "\(id)")
        if let raw = expected["finish_reason_raw"]?.stringValue { #expect(completion.providerFinishReason == raw) }
        if let reason = expected["finish_reason"]?.stringValue { #expect(completion.finishReason == reason, "\(id)") }
        switch expected["usage"] {
        case .some(.null): #expect(completion.usage == nil, "\(id)")
        case .some(let usage):
            #expect(
                completion.usage.map {
                    Usage(
                        promptTokens: $0.promptTokens, completionTokens: $0.completionTokens,
                        totalTokens: $0.totalTokens)
                }
                    == Usage(
                        promptTokens: usage["input_tokens"]?.intValue ?? -1,
                        completionTokens: usage["output_tokens"]?.intValue ?? -1,
                        totalTokens: usage["total_tokens"]?.intValue), "\(id)")
        case .none: break
        }
        if let calls = expected["tool_calls"]?.arrayValue {
            #expect(completion.toolCalls.map(\.index) == calls.compactMap { $0["index"]?.intValue })
            #expect(completion.toolCalls.map(\.id) == calls.map { $0["id"]?.stringValue })
            #expect(completion.toolCalls.map(\.name) == calls.map { $0["name"]?.stringValue })
            #expect(completion.toolCalls.map(\.arguments) == calls.compactMap { $0["arguments"]?.stringValue })
        }
        #expect(observer.startedCount == 1)
    }

    func check(_ error: AIError, observer: RecordingObserver, against expected: JSON, id: String) throws {
        let outcome = expected["outcome"]?.stringValue
        let details = try #require(expected["error"], "\(id) has no expected error")
        let kind = try #require(details["kind"]?.stringValue)
        let acceptable = expected["acceptable_outcomes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if outcome == "incomplete" {
            #expect(error.code == .incomplete, "\(id): \(error.code)")
            #expect(error.exitStatus == .tempFail)
        } else if error.code != errorCode(forKind: kind) {
            #expect(acceptable.contains("incomplete") && error.code == .incomplete, "\(id): \(error.code) for \(kind)")
        }
        if let status = details["http_status"]?.intValue, outcome == "error" { #expect(error.httpStatus == status) }
        if let retryable = details["retryable"]?.boolValue { #expect(error.retryable == retryable, "\(id)") }
        if let prefix = details["message_prefix"]?.stringValue { #expect(error.message.contains(prefix), "\(id)") }
        if let message = details["message"]?.stringValue {
            var trimmed = message
            while trimmed.hasSuffix(".") { trimmed.removeLast() }
            #expect(error.message.contains(trimmed), "\(id): \(error.message)")
        }
        if let fallback = details["message_fallback"]?.stringValue { #expect(error.message.contains(fallback)) }
        if let after = details["retry_after_seconds"]?.doubleValue { #expect(error.retryAfter == after) }
        if let partial = expected["partial_text"]?.stringValue { #expect(observer.deltas.joined() == partial, "\(id)") }
    }

    /// The parser-only SSE vectors, through libcurl: the same 13 events under every chunking.
    @Test(arguments: chunkings)
    func sseSpecVectors_overTheWire(_ chunking: Fixture.Chunking) throws {
        let index = try #require(fixtureIndex)
        let fixture = try index.fixture("sse_spec_edge_cases")
        let server = try FakeServer(handler: fixture.handler(chunking: chunking))
        defer { server.stop() }
        let collector = SSECollector()
        let transport = try CurlTransport(configuration: .init(userAgent: "test"))
        try transport.perform(
            HTTPRequest(method: "GET", url: server.baseURL + "/events", streaming: true),
            limits: .default, handler: collector)
        let discarded = collector.parser.finish()
        #expect(discarded)
        let expected = try #require(fixture.expected["events"]?.arrayValue)
        #expect(collector.events.count == expected.count)
        for (event, want) in zip(collector.events, expected) {
            #expect(event.type == want["type"]?.stringValue)
            #expect(event.text == want["data"]?.stringValue)
            #expect(event.lastEventID == want["last_event_id"]?.stringValue)
        }
        #expect(collector.parser.retry == fixture.expected["final_retry_ms"]?.intValue)
    }
}

/// Feeds a response body to an `SSEParser`.
final class SSECollector: HTTPResponseHandler {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    var status = 0

    func receive(head: HTTPResponseHead) throws { status = head.status }

    func receive(body: UnsafeRawBufferPointer) throws {
        var collected: [SSEEvent] = []
        parser.feed(body) { collected.append($0) }
        events += collected
    }
}
