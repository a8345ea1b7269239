import AIBase
import AICommandLine
import AITestSupport
import AIWire
import Testing

/// Every DESIGN §4 row the foundation reaches, through the built binaries: status, last line, stderr line.
@Suite struct ExitStatusEndToEndTests {
    @Test func badFlag_is64WithOneErrorLineAndAHint() throws {
        let result = try runTool("ai-complete", arguments: ["--nope"], environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(errorLine(result, tool: "ai-complete")?.contains("unknown option '--nope'") == true)
        #expect(result.stderrText.contains("ai-complete: hint: see 'ai-complete --help'"))
    }

    /// A timeout must be a number of seconds more than 0 and at most a year, for every tool that takes one: no
    /// silent default for 0, no crash for infinity.
    @Test(arguments: [
        ("ai-complete", ["-p", "echo", "--max-time", "inf", "hi"]), ("ai-stream", ["--connect-timeout", "0", "hi"]),
        ("ai-complete", ["--idle-timeout", "nan", "hi"]),
        ("ai-stream", ["-p", "echo", "--idle-timeout", "1e300", "hi"]),
        ("ai-models", ["providers", "--connect-timeout", "0"]),
        ("ai-models", ["list", "-p", "echo", "--max-time", "0"]),
    ])
    func badTimeout_is64(_ tool: String, _ arguments: [String]) throws {
        let result = try runTool(tool, arguments: arguments, environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(
            errorLine(result, tool: tool)?.contains("must be more than 0 seconds and at most a year") == true,
            "\(result.stderrText)")
    }

    /// A temperature that is not a finite number is a usage error, not a `null` in the request body.
    @Test(arguments: ["inf", "nan"])
    func nonFiniteTemperature_is64(_ value: String) throws {
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo", "-t", value, "hi"],
            environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(errorLine(result, tool: "ai-complete")?.contains("--temperature must be a finite number") == true)
    }

    /// DESIGN §2: a terminal stdin with no prompt is a usage error, never a hang (a pty from util-linux `script`).
    @Test func terminalStdinWithNoPrompt_is64NotAHang() throws {
        let script = try #require(ToolProcess.findOnPath("script"), "util-linux script is not installed")
        let tool = ToolProcess.executablePath("ai-complete")
        let result = try runTool(
            script, arguments: ["-qec", "\(tool) -p echo", "/dev/null"], stdin: .devNull,
            environment: toolEnvironment(), timeout: 10)
        #expect(result.status == 64, "\(result.stdoutText)")
        #expect(result.stdoutText.contains("ai-complete: error: no prompt"))
    }

    @Test func noPromptWithStdinClosed_is64() throws {
        let result = try runTool("ai-stream", arguments: ["-n", "-p", "echo"], environment: toolEnvironment())
        #expect(result.status == 64)
    }

    @Test func malformedJSON_is65() throws {
        for tool in ["ai-complete", "ai-stream"] {
            let result = try runTool(
                tool, arguments: ["-p", "echo"], stdin: .text("{\"prompt\": oops}\n"),
                environment: toolEnvironment())
            #expect(result.status == 65, "\(tool)")
            #expect(errorLine(result, tool: tool)?.contains("malformed JSON on line 1") == true, "\(tool)")
            let last = try #require(try result.stdoutLines.last)
            #expect(last["error"]?["code"] == "input")
        }
    }

    @Test func invalidUTF8Text_is65NamingTheLine() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .bytes([0x61, 0x0A, 0xFF, 0x0A]),
            environment: toolEnvironment())
        #expect(result.status == 65)
        #expect(errorLine(result, tool: "ai-complete")?.contains("line 2") == true)
    }

    @Test func emptyStdin_is66() throws {
        for tool in ["ai-complete", "ai-stream"] {
            let result = try runTool(tool, arguments: ["-p", "echo"], stdin: .devNull, environment: toolEnvironment())
            #expect(result.status == 66, "\(tool)")
        }
    }

    @Test func providerRejection_is65() throws {
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--retries", "0"], stdin: .text("x"),
            environment: toolEnvironment([
                "OPENAI_API_KEY": "wrong-key",
                "OPENAI_BASE_URL": server.baseURL + "/v1",
            ]))
        #expect(result.status == 65)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "rejected")
    }

    @Test func refusedConnection_is69Unavailable() throws {
        let port = try FakeServer.refusedPort()
        for tool in ["ai-complete", "ai-stream"] {
            let result = try runTool(
                tool,
                arguments: [
                    "-p", "openai", "--base-url", "http://127.0.0.1:\(port)/v1",
                    "-m", "x", "--retries", "0",
                ],
                stdin: .text("hi"), environment: toolEnvironment())
            #expect(result.status == 69, "\(tool)")
            #expect(try result.stdoutLines.last?["error"]?["code"] == "unavailable")
            #expect(errorLine(result, tool: tool)?.contains("connection refused") == true)
        }
    }

    @Test func serverErrorAfterRetries_is69() throws {
        let server = try server("openai_error_500")
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--retries", "1", "-q"], stdin: .text("x"),
            environment: openAIEnvironment(server))
        #expect(result.status == 69)
        #expect(server.requests.count == 2)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "server")
        #expect(!result.stderrText.contains("warning"))
    }

    @Test func rateLimited_is75() throws {
        let server = try server("openai_error_429_rate_limit")
        defer { server.stop() }
        // A batch waits out rate limits whatever --retries says; --max-time ends the wait (retry after 2s).
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--retries", "0", "--max-time", "1"], stdin: .text("x"),
            environment: openAIEnvironment(server))
        #expect(result.status == 75)
        let error = try #require(try result.stdoutLines.last?["error"])
        #expect(
            error["code"] == "rate_limited" && error["status"] == .number("429") && error["retryable"] == .bool(true))
        #expect(errorLine(result, tool: "ai-complete")?.contains("rate limited by openai (retry after 2s)") == true)
    }

    @Test func truncatedStream_is75Incomplete() throws {
        for id in ["openai_chat_stream_truncated", "openai_chat_stream_truncated_clean_boundary"] {
            let server = try server(id)
            defer { server.stop() }
            let result = try runTool(
                "ai-stream", arguments: ["-p", "openai"], stdin: .text("x"),
                environment: openAIEnvironment(server))
            #expect(result.status == 75, "\(id)")
            let lines = try result.stdoutLines
            #expect(lines.first?["type"] == "start")
            #expect(lines.last?["type"] == "error" && lines.last?["error"]?["code"] == "incomplete", "\(id)")
            #expect(!lines.contains { $0["type"] == "done" })
        }
    }

    @Test func idleStall_is75Timeout() throws {
        let index = try #require(fixtures)
        var response = try index.fixture("openai_chat_stream_ok").response()
        response.stallAfterBytes = 400
        response.stallSeconds = 10
        let server = try FakeServer(responses: [response])
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "--idle-timeout", "1", "--retries", "0"],
            stdin: .text("x"), environment: openAIEnvironment(server), timeout: 15)
        #expect(result.status == 75)
        #expect(result.elapsed < 8)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "timeout")
    }

    @Test func unparseableResponse_is76() throws {
        let server = try FakeServer(responses: [.text("{\"choices\": [", status: 200)])
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai"], stdin: .text("x"),
            environment: openAIEnvironment(server))
        #expect(result.status == 76)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "protocol")
    }

    @Test func unauthorized_is77AndNotRetried() throws {
        let server = try server("openai_error_401")
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai"], stdin: .text("x"),
            environment: openAIEnvironment(server))
        #expect(result.status == 77)
        #expect(server.requests.count == 1)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "auth")
    }

    @Test func noKeyForOfficialOpenAI_is78() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai"], stdin: .text("x"),
            environment: toolEnvironment())
        #expect(result.status == 78)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "no_key")
        #expect(result.stderrText.contains("ai-complete: hint: set OPENAI_API_KEY"))
    }

    @Test func unknownProvider_is78() throws {
        let result = try runTool(
            "ai-stream", arguments: ["-p", "nosuch"], stdin: .text("x"),
            environment: toolEnvironment())
        #expect(result.status == 78)
        #expect(errorLine(result, tool: "ai-stream")?.contains("unknown provider 'nosuch'") == true)
    }

    @Test func keyOverPlainHTTPToARemoteHost_is78BeforeAnythingIsSent() throws {
        // Should the check ever fail, the request goes to a refused loopback proxy, never off this machine.
        let proxy = try FakeServer.refusedPort()
        let result = try runTool(
            "ai-complete",
            arguments: [
                "-p", "openai", "--base-url", "http://remote.invalid/v1",
                "--retries", "0",
            ],
            stdin: .text("x"),
            environment: toolEnvironment([
                "OPENAI_API_KEY": "sk-secret",
                "http_proxy": "http://127.0.0.1:\(proxy)",
            ]))
        #expect(result.status == 78)
        #expect(!result.stderrText.contains("sk-secret") && !result.stdoutText.contains("sk-secret"))
    }
}
