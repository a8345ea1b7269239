import AITestSupport
import Testing

@Suite struct TransportEndToEndTests {
    @Test(arguments: [1, 2])
    func batch_eachWorkerReusesItsConnection(_ jobs: Int) throws {
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let input = (1...10).map { #"{"prompt":"q\#($0)"}"# }.joined(separator: "\n")
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "\(jobs)"], stdin: .text(input),
            environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.count == 10)
        #expect(server.requests.count == 10)
        // Reused (10 requests): at most one connection per job, plus those a worker with nothing to send may close
        // while the first ones open (see SmallPoolServerTests).
        #expect(server.connectionCount <= 2 * jobs, "\(server.connectionCount) connections for \(jobs) jobs")
    }

    /// A host that is not loopback is reached through the environment's proxy (here a loopback one, which answers
    /// itself: nothing leaves this machine, and the target's name is never even resolved). Loopback hosts never go
    /// through a proxy: TransportSafetyEndToEndTests.
    @Test func proxy_comesFromTheEnvironment() throws {
        let index = try #require(fixtures)
        let answer = try index.fixture("openai_chat_ok").response()
        let proxy = try FakeServer(responses: [answer])
        defer { proxy.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--base-url", "http://lan-box.invalid:9/v1"],
            stdin: .text("x"),
            environment: toolEnvironment(["http_proxy": proxy.baseURL]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(proxy.requests.first?.path == "http://lan-box.invalid:9/v1/chat/completions")
    }
}
