import AIBase
import AITestSupport
import Testing

/// A tool started with a standard descriptor closed, or writing to a full disk: an I/O error (74) with one
/// message, the same in every tool, and no output lost into a descriptor opened later.
@Suite struct StandardStreamsTests {
    /// Runs `tool` through `/bin/sh`, which applies `redirections` (`>&-`, `>/dev/full`) before the tool starts.
    func run(
        _ tool: String, _ arguments: [String], redirections: String, stdin: StdinSource = .bytes([]),
        environment: [String: String] = toolEnvironment()
    ) throws -> ToolResult {
        try runTool(
            "/bin/sh",
            arguments: ["-c", #"exec "$0" "$@" "# + redirections, ToolProcess.executablePath(tool)] + arguments,
            stdin: stdin, environment: environment)
    }

    /// A server answering one chat completion, unchecked.
    func chatServer() throws -> FakeServer {
        let index = try #require(fixtures)
        return try FakeServer(responses: [try index.fixture("openai_chat_ok").response()])
    }

    /// With stdout closed, libcurl's socket would take descriptor 1 and swallow the result line: the tool must
    /// fail the write instead.
    @Test(arguments: ["ai-complete", "ai-stream"])
    func closedStdout_is74WithOneErrorLine(_ tool: String) throws {
        let server = try chatServer()
        defer { server.stop() }
        let result = try run(
            tool, ["-q", "-p", "openai", "--base-url", server.baseURL + "/v1"], redirections: ">&-",
            stdin: .text("hi"), environment: openAIEnvironment(server))
        #expect(result.status == 74, "\(result.stderrText)")
        #expect(result.stderrText == "\(tool): error: cannot write output: bad file descriptor\n")
    }

    /// With stdout and stderr closed, nothing can be said, but the status still tells.
    @Test func closedStdoutAndStderr_is74() throws {
        let server = try chatServer()
        defer { server.stop() }
        let result = try run(
            "ai-complete", ["-p", "openai", "--base-url", server.baseURL + "/v1"], redirections: ">&- 2>&-",
            stdin: .text("hi"), environment: openAIEnvironment(server))
        #expect(result.status == 74)
        #expect(result.stdout.isEmpty && result.stderr.isEmpty)
    }

    /// A closed stderr silences the messages, not the result or the status.
    @Test func closedStderr_keepsTheResultAndTheStatus() throws {
        let server = try chatServer()
        defer { server.stop() }
        let ok = try run(
            "ai-complete", ["-p", "openai", "--base-url", server.baseURL + "/v1"], redirections: "2>&-",
            stdin: .text("hi"), environment: openAIEnvironment(server))
        #expect(ok.status == 0)
        #expect(try ok.stdoutLines.first?["content"] == "Hello! How can I help you today?")
        let failed = try run("ai-complete", ["-p", "nope", "-n", "hi"], redirections: "2>&-")
        #expect(failed.status == 78)
        #expect(try failed.stdoutLines.first?["error"]?["code"] == "config")
    }

    /// A closed stdin is an I/O error, as for cat, not an empty input.
    @Test func closedStdin_is74() throws {
        let result = try run("ai-complete", ["-p", "echo", "hi"], redirections: "<&-")
        #expect(result.status == 74)
        #expect(errorLine(result, tool: "ai-complete") == "ai-complete: error: cannot read stdin: bad file descriptor")
    }

    /// Every tool says why a write to stdout failed, in the same words, whichever way it writes.
    @Test(arguments: [
        ("ai-complete", ["-p", "echo"], "hi"), ("ai-complete", ["-p", "echo", "-r"], "hi"),
        ("ai-complete", ["-n", "-p", "echo", "hi"], ""),
        ("ai-complete", ["-p", "echo", "-j", "2"], #"{"prompt":"a"}\#n{"prompt":"b"}\#n{"prompt":"c"}\#n"#),
        ("ai-stream", ["-p", "echo"], "hi"), ("ai-stream", ["-p", "echo", "-r"], "hi"),
        ("ai-models", ["list", "-p", "echo"], ""), ("ai-keys", ["status"], ""), ("ai-complete", ["--help"], ""),
    ])
    func fullDisk_is74WithOneErrorLine(_ tool: String, _ arguments: [String], _ stdin: String) throws {
        let result = try run(tool, arguments, redirections: ">/dev/full", stdin: .text(stdin))
        #expect(result.status == 74, "\(result.stderrText)")
        #expect(result.stderrText == "\(tool): error: cannot write output: no space left on device\n")
    }
}
