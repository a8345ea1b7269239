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
        #expect(server.connectionCount <= jobs)
    }

    @Test func proxy_comesFromTheEnvironment() throws {
        let index = try #require(fixtures)
        let answer = try index.fixture("openai_chat_ok").response()
        let proxy = try FakeServer(responses: [answer])
        defer { proxy.stop() }
        let port = try FakeServer.refusedPort()
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--base-url", "http://127.0.0.1:\(port)/v1"],
            stdin: .text("x"),
            environment: toolEnvironment(["http_proxy": proxy.baseURL, "OPENAI_API_KEY": "k"]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(proxy.requests.first?.path == "http://127.0.0.1:\(port)/v1/chat/completions")
    }
}
