import AIBase
import AIRunner
import AITestSupport
import AIWire
import Testing

/// DESIGN §16: a server that refused `stream_options` is not asked for it again in the same run.
@Suite struct StreamUsageFallbackTests {
    @Test func aRefusal_isRememberedForTheRestOfTheRun() throws {
        let index = try #require(fixtureIndex)
        let ok = try index.fixture("openai_chat_stream_ok").response()
        let refusal = FakeResponse.json(
            .object([
                "error": .object([
                    "message": "Unrecognized request argument supplied: stream_options",
                    "type": "invalid_request_error",
                ])
            ]), status: 400)
        let server = try FakeServer { request in request.json?["stream_options"] == nil ? ok : refusal }
        defer { server.stop() }
        let runner = Runner(settings: fixtureSettings(server))
        _ = try runner.run(CompletionRequest(prompt: "one"), stream: true)
        #expect(server.requests.count == 2, "asked with it, then without")
        _ = try runner.run(CompletionRequest(prompt: "two"), stream: true)
        let requests = server.requests
        #expect(requests.count == 3, "the second request is sent once")
        #expect(requests.last?.json?["stream_options"] == nil && requests.last?.json?["stream"] == .bool(true))
    }
}
