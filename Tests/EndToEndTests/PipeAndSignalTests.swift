import AITestSupport
import Glibc
import Testing

@testable import AICore

/// DESIGN §9: a closed stdout ends the tool at once with 0; SIGINT writes `cancelled` and exits 130.
@Suite struct PipeAndSignalTests {
    /// A stream that sends one event every 300 ms for ~6 s.
    func slowStream() throws -> FakeServer {
        let index = try #require(fixtures)
        let fixture = try index.fixture("openai_chat_stream_ok")
        var response = fixture.response()
        response.chunking = .every(40, delayMs: 300)
        return try FakeServer(responses: [response])
    }

    @Test func readerClosingStdout_endsAtOnceWithZeroAndNothingOnStderr() throws {
        let server = try slowStream()
        defer { server.stop() }
        let process = try ToolProcess("ai-stream", arguments: ["-p", "openai"], stdin: .text("hi"),
                                      environment: openAIEnvironment(server))
        let first = try process.readLine(timeout: 10)
        #expect(first?.contains("\"type\":\"start\"") == true)
        let closed = Monotonic.now()
        process.closeStdout()
        let result = try process.wait(timeout: 10)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(Monotonic.now() - closed < 1.0)
    }

    @Test func sigint_writesCancelledAsTheLastLineAndExits130() throws {
        let server = try slowStream()
        defer { server.stop() }
        let process = try ToolProcess("ai-stream", arguments: ["-p", "openai"], stdin: .text("hi"),
                                      environment: openAIEnvironment(server))
        try process.waitForStdout(containing: "\"type\":\"delta\"", timeout: 10)
        process.send(signal: SIGINT)
        let result = try process.wait(timeout: 10)
        #expect(result.status == 130)
        let lines = try result.stdoutLines
        #expect(lines.last?["type"] == "error" && lines.last?["error"]?["code"] == "cancelled")
        #expect(result.stderrText.contains("ai-stream: error: interrupted"))
    }

    @Test func sigint_inAiCompleteWritesTheCancelledResultLine() throws {
        let server = try slowStream()
        defer { server.stop() }
        let process = try ToolProcess("ai-complete", arguments: ["-p", "openai"],
                                      stdin: .text(#"{"id":"z","prompt":"hi"}"#),
                                      environment: openAIEnvironment(server))
        _ = server.waitForRequests(1, timeout: 10)
        usleep(200_000)
        process.send(signal: SIGINT)
        let result = try process.wait(timeout: 10)
        #expect(result.status == 130)
        let line = try #require(try result.stdoutLines.last)
        #expect(line["id"] == "z" && line["error"]?["code"] == "cancelled")
    }
}
