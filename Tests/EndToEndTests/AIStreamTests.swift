import AIBase
import AITestSupport
import Testing

@Suite struct AIStreamTests {
    @Test func openAIStream_startDeltasDone() throws {
        let server = try server("openai_chat_stream_ok", chunking: .bytewise)
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "-m", "x"], stdin: .text("hi"),
            environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderr.isEmpty)
        let lines = try result.stdoutLines
        #expect(lines.first == .object(["type": "start", "id": "1", "provider": "openai", "model": "x"]))
        #expect(
            lines.dropFirst().dropLast().map { $0["text"]?.stringValue ?? "?" }
                == ["Hello", "!", " How", " can", " I", " help", "?"])
        let done = try #require(lines.last)
        #expect(done["type"] == "done" && done["finish_reason"] == "stop")
        #expect(done["usage"]?["total_tokens"] == .number("19"))
        #expect(done["timing"]?["total_ms"] != nil)
        let body = try #require(server.requests.first?.json)
        #expect(body["stream"] == .bool(true) && body["stream_options"]?["include_usage"] == .bool(true))
    }

    /// The text of real streams (escapes, UTF-8, CRLF framing, a llama.cpp dialect) comes out whole and exact,
    /// as delta lines and with `--raw`, whether events arrive together or byte by byte.
    @Test(
        arguments: [
            "openai_chat_stream_ok", "openai_chat_stream_crlf_comments", "openai_chat_stream_utf8_split",
            "openai_chat_stream_unicode_separators", "openai_chat_stream_llamacpp_dialect",
        ], [Fixture.Chunking.whole, .bytewise])
    func streamText_isExact(_ id: String, _ chunking: Fixture.Chunking) throws {
        let index = try #require(fixtures)
        let text = try #require(index.fixture(id).expected["text"]?.stringValue)
        let server = try server(id, chunking: chunking)
        defer { server.stop() }
        let lines = try runTool(
            "ai-stream", arguments: ["-p", "openai"], stdin: .text("hi"),
            environment: openAIEnvironment(server))
        #expect(lines.status == 0, "\(lines.stderrText)")
        let deltas = try lines.stdoutLines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil }
        #expect(deltas.joined() == text)
        let raw = try runTool(
            "ai-stream", arguments: ["-p", "openai", "-r"], stdin: .text("hi"),
            environment: openAIEnvironment(server))
        #expect(raw.status == 0, "\(raw.stderrText)")
        #expect(raw.stdoutText == text + (text.hasSuffix("\n") ? "" : "\n"))
    }

    @Test func echo_streamsWordByWord() throws {
        let result = try runTool(
            "ai-stream", arguments: ["-p", "echo"], stdin: .text("one two  three"),
            environment: toolEnvironment())
        let texts = try result.stdoutLines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil }
        #expect(texts == ["one", " two", "  three"])
    }

    @Test func midStreamError_isTheLastLine() throws {
        let server = try server("openai_chat_stream_error_midstream")
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai"], stdin: .text("x"),
            environment: openAIEnvironment(server))
        #expect(result.status == 69)
        #expect(server.requests.count == 1)
        let lines = try result.stdoutLines
        #expect(lines.last?["type"] == "error" && lines.last?["error"]?["code"] == "server")
        #expect(lines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil }.joined() == "The answer is")
    }

    @Test func raw_flushesTextAndEndsWithANewline() throws {
        let result = try runTool(
            "ai-stream", arguments: ["-r", "-p", "echo"], stdin: .text("a b c"),
            environment: toolEnvironment())
        #expect(result.stdoutText == "a b c\n")
    }

    @Test func eventStreamInput_becomesOneRequest() throws {
        let first = try runTool(
            "ai-stream", arguments: ["-p", "echo"], stdin: .text("joined up"),
            environment: toolEnvironment())
        let second = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .bytes(first.stdout),
            environment: toolEnvironment())
        #expect(try second.stdoutLines.first?["content"] == "joined up")
    }

    @Test func batchInput_isRefused() throws {
        let result = try runTool(
            "ai-stream", arguments: ["-p", "echo"], stdin: .text("{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n"),
            environment: toolEnvironment())
        #expect(result.status == 65)
    }
}
