import AIBase
import AITestSupport
import Testing

/// `ai-complete` and `ai-stream` with `-p anthropic` and `-p ollama`, through the binaries.
@Suite struct ProviderEndToEndTests {
    func anthropicEnvironment(_ server: FakeServer) -> [String: String] {
        toolEnvironment(["ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": server.baseURL])
    }

    @Test func anthropic_completeAndStream() throws {
        let whole = try server("anthropic_messages_ok")
        defer { whole.stop() }
        let complete = try runTool(
            "ai-complete", arguments: ["-p", "anthropic", "-s", "be brief"], stdin: .text("hi"),
            environment: anthropicEnvironment(whole))
        #expect(complete.status == 0, "\(complete.stderrText)")
        let line = try #require(try complete.stdoutLines.first)
        #expect(line["content"] == "Hello! How can I help you today?")
        #expect(line["finish_reason"] == "stop" && line["provider_finish_reason"] == "end_turn")
        #expect(line["usage"]?["prompt_tokens"] == .number("2060"))
        let body = try #require(whole.requests.first?.json)
        #expect(body["system"] == "be brief" && body["max_tokens"] != nil)

        let stream = try server("anthropic_messages_stream_ok", chunking: .bytewise)
        defer { stream.stop() }
        let streamed = try runTool(
            "ai-stream", arguments: ["-p", "anthropic"], stdin: .text("hi"),
            environment: anthropicEnvironment(stream))
        #expect(streamed.status == 0, "\(streamed.stderrText)")
        let lines = try streamed.stdoutLines
        #expect(
            lines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil } == [
                "Hello", "!", " How can I", " help?",
            ])
        #expect(lines.last?["type"] == "done" && lines.last?["usage"]?["total_tokens"] == .number("34"))
    }

    @Test func anthropic_overloadedMidStreamIsTheLastLine() throws {
        let server = try server("anthropic_messages_stream_overloaded")
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "anthropic"], stdin: .text("hi"),
            environment: anthropicEnvironment(server))
        #expect(result.status == 69)
        #expect(server.requests.count == 1)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "server")
    }

    @Test func anthropic_noKeyIs78() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-p", "anthropic"], stdin: .text("hi"),
            environment: toolEnvironment())
        #expect(result.status == 78)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "no_key")
    }

    @Test func ollama_isTheDefaultProvider() throws {
        let stream = try server("ollama_chat_stream_ok", chunking: .planned)
        defer { stream.stop() }
        let streamed = try runTool(
            "ai-stream", arguments: ["-t", "0.3", "--max-tokens", "9"], stdin: .text("hi"),
            environment: toolEnvironment(["OLLAMA_HOST": stream.baseURL]))
        #expect(streamed.status == 0, "\(streamed.stderrText)")
        let lines = try streamed.stdoutLines
        #expect(lines.first?["provider"] == "ollama")
        #expect(
            lines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil }.joined()
                == "Hello! How can I help?")
        let body = try #require(stream.requests.first?.json)
        #expect(body["stream"] == .bool(true))
        #expect(body["options"]?["temperature"] == .number("0.3") && body["options"]?["num_predict"] == .number("9"))

        let whole = try server("ollama_chat_ok")
        defer { whole.stop() }
        let complete = try runTool(
            "ai-complete", arguments: [], stdin: .text("hi"),
            environment: toolEnvironment(["OLLAMA_HOST": whole.baseURL]))
        #expect(complete.status == 0, "\(complete.stderrText)")
        #expect(try complete.stdoutLines.first?["content"] == "Hello! How are you today?")
        #expect(whole.requests.first?.json?["stream"] == .bool(false))
    }

    @Test func ollama_truncatedStreamIs75AndMissingModelIs65() throws {
        let index = try #require(fixtures)
        let cut = try FakeServer(
            handler: index.fixture("ollama_chat_stream_truncated").handler(framing: .closeDelimited))
        defer { cut.stop() }
        let truncated = try runTool(
            "ai-stream", arguments: ["-p", "ollama"], stdin: .text("count"),
            environment: toolEnvironment(["OLLAMA_HOST": cut.baseURL]))
        #expect(truncated.status == 75)
        #expect(try truncated.stdoutLines.last?["error"]?["code"] == "incomplete")

        let missing = try server("ollama_error_404_model_not_found")
        defer { missing.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "ollama", "-m", "llama9"], stdin: .text("hi"),
            environment: toolEnvironment(["OLLAMA_HOST": missing.baseURL]))
        #expect(result.status == 65)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "not_found")
        #expect(result.stderrText.contains("ai-complete: hint: download it with: ai-models pull llama9"))
    }
}
