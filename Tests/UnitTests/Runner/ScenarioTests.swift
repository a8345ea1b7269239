import AIBase
import AIRunner
import AITestSupport
import AIWire
import Testing

/// The multi-response scenarios of index.json: retries, back-off and what is never retried.
@Suite struct ScenarioTests {
    func run(
        _ scenarioID: String, stream: Bool = false, retries: Int = 2, provider: String = "openai"
    ) throws
        -> (result: Result<Completion, AIError>, server: FakeServer, observer: RecordingObserver)
    {
        let index = try #require(fixtureIndex)
        let scenario = try index.scenario(scenarioID)
        let server = try FakeServer(handler: index.handler(for: scenario))
        let observer = RecordingObserver()
        let runner = Runner(settings: fixtureSettings(server, provider: provider, retries: retries))
        do {
            let completion = try runner.run(CompletionRequest(prompt: "hi"), stream: stream, observer: observer)
            return (.success(completion), server, observer)
        } catch let error as AIError {
            return (.failure(error), server, observer)
        }
    }

    func gap(_ server: FakeServer) -> Double {
        let requests = server.requests
        guard requests.count >= 2 else { return -1 }
        return requests[1].receivedAt - requests[0].receivedAt
    }

    @Test func rateLimitThenOK_waitsRetryAfter() throws {
        let (result, server, _) = try run("openai_429_then_ok")
        defer { server.stop() }
        #expect(server.requests.count == 2)
        #expect(gap(server) >= 2.0)
        #expect((try? result.get())?.content == "Hello! How can I help you today?")
        #expect(server.requests[0].body == server.requests[1].body)
    }

    @Test func rateLimitMillisecondsThenOK_prefersRetryAfterMs() throws {
        let (result, server, _) = try run("openai_429_ms_then_ok")
        defer { server.stop() }
        #expect(server.requests.count == 2)
        #expect(gap(server) >= 1.5 && gap(server) <= 2.9)
        #expect((try? result.get()) != nil)
    }

    @Test func serverErrorThenOK_backsOffWithJitter() throws {
        let (result, server, _) = try run("openai_500_then_ok")
        defer { server.stop() }
        #expect(server.requests.count == 2)
        #expect(gap(server) >= 0.375 && gap(server) < 0.9)
        #expect((try? result.get()) != nil)
    }

    @Test func unauthorized_isNotRetried() throws {
        let (result, server, _) = try run("openai_401_no_retry")
        defer { server.stop() }
        #expect(server.requests.count == 1)
        guard case .failure(let error) = result else { throw AIError(.internal, "expected a failure") }
        #expect(error.code == .auth && error.exitStatus == .noPermission)
        #expect(!error.message.contains("sk-fixture-openai"))
    }

    @Test func insufficientQuota_isNotRetried() throws {
        let (result, server, _) = try run("openai_quota_no_retry")
        defer { server.stop() }
        #expect(server.requests.count == 1)
        guard case .failure(let error) = result else { throw AIError(.internal, "expected a failure") }
        #expect(error.code == .quota)
    }

    @Test func streamErrorAfterText_isNotRetried() throws {
        let (result, server, observer) = try run("stream_error_not_retried", stream: true)
        defer { server.stop() }
        #expect(server.requests.count == 1)
        guard case .failure(let error) = result else { throw AIError(.internal, "expected a failure") }
        #expect(error.code == .server)
        #expect(observer.deltas.joined() == "The answer is")
    }

    @Test func retriesZero_givesUpAtOnce() throws {
        let (result, server, _) = try run("openai_500_then_ok", retries: 0)
        defer { server.stop() }
        #expect(server.requests.count == 1)
        guard case .failure(let error) = result else { throw AIError(.internal, "expected a failure") }
        #expect(error.exitStatus == .unavailable)
    }

    /// A request of a batch (runners sharing a gate) waits out 10 rate limits whatever `--retries` says, 0 included;
    /// alone it follows `--retries`.
    @Test(arguments: [(0, true, 11), (1, true, 11), (12, true, 13), (0, false, 1), (1, false, 2)])
    func persistentRateLimit_isWaitedOutTenTimesInABatch(retries: Int, batch: Bool, requests: Int) throws {
        let limited = FakeResponse.json(
            .object(["error": .object(["message": "Rate limit reached", "type": "requests"])]), status: 429,
            headers: [("retry-after-ms", "5")])
        let server = try FakeServer { _ in limited }
        defer { server.stop() }
        let runner = Runner(settings: fixtureSettings(server, retries: retries), gate: batch ? BackoffGate() : nil)
        #expect(throws: AIError.self) { try runner.run(CompletionRequest(prompt: "x"), stream: false) }
        #expect(server.requests.count == requests)
    }

    @Test func persistentServerError_givesUpAfterTwoRetries() throws {
        let index = try #require(fixtureIndex)
        let server = try FakeServer(handler: index.fixture("openai_error_500").handler())
        defer { server.stop() }
        do {
            _ = try Runner(settings: fixtureSettings(server, retries: 2)).run(
                CompletionRequest(prompt: "x"), stream: false)
            Issue.record("succeeded against a failing server")
        } catch let error as AIError {
            #expect(error.code == .server && error.exitStatus == .unavailable)
        }
        #expect(server.requests.count == 3)
    }

    @Test func anthropicOverloaded_exhaustsTwoRetriesWithBackoff() throws {
        let (result, server, _) = try run("anthropic_529_exhausts_retries", provider: "anthropic")
        defer { server.stop() }
        let requests = server.requests
        #expect(requests.count == 3)
        guard case .failure(let error) = result else { throw AIError(.internal, "expected a failure") }
        #expect(error.code == .server && error.httpStatus == 529 && error.exitStatus == .unavailable)
        if requests.count == 3 {
            let first = requests[1].receivedAt - requests[0].receivedAt
            let second = requests[2].receivedAt - requests[1].receivedAt
            #expect(first >= 0.375 && first < 0.9)
            #expect(second >= 0.75 && second < 1.4)
        }
    }

    @Test func anthropicRateLimitThenOK_waitsRetryAfter() throws {
        let (result, server, _) = try run("anthropic_429_then_ok", provider: "anthropic")
        defer { server.stop() }
        #expect(server.requests.count == 2)
        #expect(gap(server) >= 7.0)
        #expect((try? result.get())?.content == "Hello! How can I help you today?")
    }
}
