import AIBase
import AICommandLine
import AITestSupport
import Testing

@Suite struct AICompleteTests {
    @Test func echo_textInOneResultLineOut() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .text("hello there\n"),
            environment: toolEnvironment())
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = try result.stdoutLines
        #expect(lines.count == 1)
        #expect(
            lines[0].objectValue?.keys == [
                "id", "provider", "model", "content", "finish_reason",
                "provider_finish_reason", "usage", "timing",
            ])
        #expect(lines[0]["content"] == "hello there")
        #expect(lines[0]["id"] == "1")
        #expect(lines[0]["usage"]?["completion_tokens"] == .number("2"))
    }

    @Test func openAI_fixtureResultLine() throws {
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-m", "gpt-4o-mini"],
            stdin: .text("Say hello"), environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["content"] == "Hello! How can I help you today?")
        #expect(line["model"] == "gpt-4o-mini-2024-07-18")
        #expect(line["finish_reason"] == "stop")
        #expect(
            line["usage"]
                == .object([
                    "prompt_tokens": .number("19"), "completion_tokens": .number("9"),
                    "total_tokens": .number("28"), "cached_tokens": .number("0"),
                ]))
        let body = try #require(server.requests.first?.json)
        #expect(body["messages"]?.arrayValue?.last?["content"] == "Say hello")
        #expect(body["stream"] == nil)
    }

    @Test func jsonRequest_flagsFillOnlyWhatItLeavesOut() throws {
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let request =
            #"{"id":"q7","model":"from-request","prompt":"x","metadata":{"ticket":[1,"a"]},"extra":{"seed":5}}"#
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-m", "from-flag", "-s", "sys", "-t", "0.2"],
            stdin: .text(request), environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let body = try #require(server.requests.first?.json)
        #expect(body["model"] == "from-request")
        #expect(body["temperature"] == .number("0.2"))
        #expect(body["seed"] == .number("5"))
        #expect(body["messages"]?.arrayValue?.first?["content"] == "sys")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["id"] == "q7")
        #expect(line["metadata"]?.encodedString == #"{"ticket":[1,"a"]}"#)
    }

    @Test func promptAndStdin_areJoinedByABlankLine() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo", "summarise", "this"],
            stdin: .text("{\"not\":\"a request\"}\n"), environment: toolEnvironment())
        #expect(try result.stdoutLines.first?["content"] == "summarise this\n\n{\"not\":\"a request\"}")
    }

    @Test func noStdin_usesOnlyThePrompt() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-n", "-p", "echo", "just", "this"],
            stdin: .text("ignored"), environment: toolEnvironment())
        #expect(try result.stdoutLines.first?["content"] == "just this")
    }

    @Test func batch_oneLinePerRequestInOrderAndStatusOfFirstFailure() throws {
        let input = """
            {"prompt":"one"}
            {"prompt": broken}
            {"prompt":"three","bogus":1}
            {"id":"four","prompt":"four"}

            """
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .text(input),
            environment: toolEnvironment())
        #expect(result.status == 65)
        let lines = try result.stdoutLines
        #expect(lines.map { $0["id"] } == ["1", "2", "3", "four"])
        #expect(lines[0]["content"] == "one")
        #expect(lines[1]["error"]?["code"] == "input")
        #expect(lines[1]["error"]?["message"]?.stringValue?.contains("line 2") == true)
        #expect(lines[2]["error"]?["message"]?.stringValue?.contains("unknown field 'bogus'") == true)
        #expect(lines[3]["content"] == "four")
        #expect(result.stderrTextLines.filter { $0.hasPrefix("ai-complete: error: ") }.count == 2)
    }

    @Test func chaining_resultLinesAreRequests() throws {
        let first = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .text("a haiku about rain"),
            environment: toolEnvironment())
        let second = try runTool(
            "ai-complete", arguments: ["-p", "echo", "-s", "translate"],
            stdin: .bytes(first.stdout), environment: toolEnvironment())
        #expect(second.status == 0)
        #expect(try second.stdoutLines.first?["content"] == "a haiku about rain")
    }

    @Test func chaining_errorLinesPassThroughUnsent() throws {
        let input = #"{"id":"7","error":{"code":"rate_limited","message":"slow down","status":429,"retryable":true}}"#
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .text(input),
            environment: toolEnvironment())
        #expect(result.status == 75)
        let line = try #require(try result.stdoutLines.first)
        #expect(line["id"] == "7")
        #expect(line["error"]?["code"] == "rate_limited")
    }

    @Test func raw_printsOnlyTheText() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-r", "-p", "echo"], stdin: .text("plain words"),
            environment: toolEnvironment())
        #expect(result.stdoutText == "plain words\n")
    }

    @Test func version_andHelp() throws {
        let version = try runTool("ai-complete", arguments: ["--version"], environment: toolEnvironment())
        #expect(version.status == 0 && version.stdoutText == "\(Version.string)\n")
        let help = try runTool("ai-complete", arguments: ["--help"], environment: toolEnvironment())
        #expect(help.status == 0 && help.stdoutText.contains("--base-url"))
    }

    /// A lone --version is answered before any parsing, by every tool alike.
    @Test(arguments: ["ai-complete", "ai-stream", "ai-models", "ai-keys"])
    func version_isTheSameFromEveryTool(tool: String) throws {
        let version = try runTool(tool, arguments: ["--version"], environment: toolEnvironment())
        #expect(version.status == 0 && version.stdoutText == "\(Version.string)\n" && version.stderrText.isEmpty)
    }

    /// The usual arguments take the quick parse; the same with a spelling only swift-argument-parser reads
    /// (grouped short flags, `--`) gives the same result.
    @Test func quickAndFullParse_giveTheSameRun() throws {
        let quick = try runTool(
            "ai-complete", arguments: ["-p", "echo", "-n", "-r", "two", "words"],
            environment: toolEnvironment())
        let full = try runTool(
            "ai-complete", arguments: ["-p", "echo", "-nr", "--", "two", "words"],
            environment: toolEnvironment())
        #expect(quick.status == 0 && quick.stdoutText == "two words\n")
        #expect(full.status == quick.status && full.stdoutText == quick.stdoutText)
    }
}
