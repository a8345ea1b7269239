import AIBase
import AITestSupport
import Glibc
import Testing

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
        let process = try ToolProcess(
            "ai-stream", arguments: ["-p", "openai"], stdin: .text("hi"),
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

    /// `ai-complete` learns that stdout closed when it writes its line: it ends with 0 and says nothing, whichever
    /// thread ran the request (a prompt with -n runs on the calling thread).
    @Test(arguments: [(["-p", "openai", "-n", "hi"], ""), (["-p", "openai"], #"{"id":"z","prompt":"hi"}"#)])
    func aiCompleteWritingToAClosedStdout_endsWithZeroAndNothingOnStderr(
        _ arguments: [String], _ stdin: String
    ) throws {
        let index = try #require(fixtures)
        var late = try index.fixture("openai_chat_ok").response()
        late.stallAfterBytes = 10
        late.stallSeconds = 1
        let server = try FakeServer(responses: [late])
        defer { server.stop() }
        let process = try ToolProcess(
            "ai-complete", arguments: arguments, stdin: .text(stdin),
            environment: openAIEnvironment(server))
        _ = server.waitForRequests(1, timeout: 10)
        process.closeStdout()
        let result = try process.wait(timeout: 10)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderrText)")
    }

    @Test func sigint_writesCancelledAsTheLastLineAndExits130() throws {
        let server = try slowStream()
        defer { server.stop() }
        let process = try ToolProcess(
            "ai-stream", arguments: ["-p", "openai"], stdin: .text("hi"),
            environment: openAIEnvironment(server))
        try process.waitForStdout(containing: "\"type\":\"delta\"", timeout: 10)
        process.send(signal: SIGINT)
        let result = try process.wait(timeout: 10)
        #expect(result.status == 130)
        let lines = try result.stdoutLines
        #expect(lines.last?["type"] == "error" && lines.last?["error"]?["code"] == "cancelled")
        #expect(result.stderrText.contains("ai-stream: error: interrupted"))
    }

    /// The request in flight on a worker thread (a JSON line on stdin), or on the calling thread (a prompt with
    /// -n: the one request of an input already read starts no thread).
    @Test(arguments: [
        (["-p", "openai"], #"{"id":"z","prompt":"hi"}"#, "z"), (["-p", "openai", "-n", "hi"], "", "1"),
    ])
    func sigint_inAiCompleteWritesTheCancelledResultLine(_ arguments: [String], _ stdin: String, _ id: String) throws {
        let server = try slowStream()
        defer { server.stop() }
        let process = try ToolProcess(
            "ai-complete", arguments: arguments, stdin: .text(stdin),
            environment: openAIEnvironment(server))
        _ = server.waitForRequests(1, timeout: 10)
        usleep(200_000)
        process.send(signal: SIGINT)
        let result = try process.wait(timeout: 10)
        #expect(result.status == 130)
        let line = try #require(try result.stdoutLines.last)
        #expect(line["id"] == .string(id) && line["error"]?["code"] == "cancelled")
    }

    /// DESIGN §9 for `ai-embed`: SIGINT writes a `cancelled` line for every line read and not yet answered, in
    /// input order, and exits 130.
    @Test func sigint_inAiEmbedWritesTheCancelledLines() throws {
        let server = try FakeServer { request in
            var response = FakeResponse.embeddings(for: request, dimensions: 4)
            response.firstByteDelayMs = 5000
            return response
        }
        defer { server.stop() }
        let process = try ToolProcess(
            "ai-embed", arguments: ["-p", "openai", "--batch-size", "1", "--jobs", "2"],
            stdin: .text("{\"id\":\"a\",\"input\":\"one\"}\n{\"id\":\"b\",\"input\":\"two\"}\n"),
            environment: openAIEnvironment(server))
        _ = server.waitForRequests(2, timeout: 10)
        usleep(200_000)
        process.send(signal: SIGINT)
        let result = try process.wait(timeout: 10)
        #expect(result.status == 130, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(lines.map { $0["id"]?.stringValue ?? "?" } == ["a", "b"], "\(result.stdoutText)")
        #expect(lines.allSatisfy { $0["error"]?["code"] == "cancelled" })
        #expect(result.stderrText.contains("ai-embed: error: interrupted"))
    }
}
