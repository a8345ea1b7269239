import AIBase
import AITestSupport
import AIWire
import Testing

/// `-c`: conversations carried through the pipe, stage after stage (DESIGN §12), and reasoning kept apart.
@Suite struct ConversationTests {
    /// The messages a recorded request sent, each as `role: text` (Anthropic's blocks joined by their type).
    static func sent(_ request: RecordedRequest?) -> [String] {
        (request?.json?["messages"]?.arrayValue ?? []).map { message in
            let role = message["role"]?.stringValue ?? "?"
            if let text = message["content"]?.stringValue { return "\(role): \(text)" }
            let blocks = (message["content"]?.arrayValue ?? []).map { block in
                let type = block["type"]?.stringValue ?? "?"
                if type == "thinking" {
                    return "thinking(\(block["thinking"]?.stringValue ?? ""), \(block["signature"]?.stringValue ?? ""))"
                }
                return block["text"]?.stringValue ?? type
            }
            return "\(role): \(blocks.joined(separator: " | "))"
        }
    }

    /// The neutral messages of a result line or `done` event, each as `role: content`, with reasoning and signature.
    static func carried(_ line: JSON?) -> [String] {
        (line?["messages"]?.arrayValue ?? []).map { message in
            var text = "\(message["role"]?.stringValue ?? "?"): \(message["content"]?.stringValue ?? "?")"
            if let reasoning = message["reasoning"]?.stringValue { text += " [\(reasoning)]" }
            if let signature = message["reasoning_signature"]?.stringValue { text += " {\(signature)}" }
            return text
        }
    }

    /// The last user message's text of an OpenAI-style or Anthropic request body.
    static func lastUserText(_ body: JSON?) -> String {
        let last = body?["messages"]?.arrayValue?.last { $0["role"]?.stringValue == "user" }
        return last?["content"]?.stringValue ?? last?["content"]?.arrayValue?.last?["text"]?.stringValue ?? ""
    }

    /// An OpenAI-compatible server answering "re: LAST USER TEXT" with reasoning "thought N" (N messages sent).
    static func openAIServer() throws -> FakeServer {
        try FakeServer(handler: { request in
            let count = request.json?["messages"]?.arrayValue?.count ?? 0
            let message: JSON = .object([
                "role": "assistant", "content": .string("re: \(lastUserText(request.json))"),
                "reasoning_content": .string("thought \(count)"),
            ])
            if request.json?["stream"] == .bool(true) {
                let first: JSON = .object([
                    "id": "c", "model": "m",
                    "choices": .array([
                        .object(["index": .int(0), "delta": message, "finish_reason": .null])
                    ]),
                ])
                let body =
                    "data: \(first.encodedString)\n\n"
                    + #"data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
                    + "\n\ndata: [DONE]\n\n"
                return .text(body, contentType: "text/event-stream")
            }
            return .json(
                .object([
                    "id": "c", "model": "m",
                    "choices": .array([
                        .object(["index": .int(0), "message": message, "finish_reason": "stop"])
                    ]),
                ]))
        })
    }

    /// An Anthropic server answering with a thinking block signed "sig-N" (N messages sent) and "re: LAST USER TEXT".
    static func anthropicServer() throws -> FakeServer {
        try FakeServer(handler: { request in
            let count = request.json?["messages"]?.arrayValue?.count ?? 0
            return .json(
                .object([
                    "id": "msg", "type": "message", "role": "assistant", "model": "claude-x",
                    "content": .array([
                        .object([
                            "type": "thinking", "thinking": .string("thought \(count)"),
                            "signature": .string("sig-\(count)"),
                        ]),
                        .object(["type": "text", "text": .string("re: \(lastUserText(request.json))")]),
                    ]),
                    "stop_reason": "end_turn",
                    "usage": .object(["input_tokens": .int(3), "output_tokens": .int(4)]),
                ]))
        })
    }

    func openAI(_ server: FakeServer) -> [String: String] {
        toolEnvironment(["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1"])
    }

    func anthropic(_ server: FakeServer) -> [String: String] {
        toolEnvironment(["ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.baseURL])
    }

    /// Runs `ai-complete` with `arguments` on `stdin`, expecting success and one line per input.
    func stage(
        _ arguments: [String], stdin: StdinSource = .devNull, environment: [String: String],
        tool: String = "ai-complete"
    ) throws -> ToolResult {
        let result = try runTool(tool, arguments: arguments, stdin: stdin, environment: environment)
        #expect(result.status == 0, "\(arguments): \(result.stderrText)")
        return result
    }

    @Test func threeStagesAreOneConversation() throws {
        let server = try Self.openAIServer()
        defer { server.stop() }
        let environment = openAI(server)
        let first = try stage(["-n", "-c", "-p", "openai", "-s", "be brief", "q1"], environment: environment)
        let second = try stage(["-c", "-p", "openai", "q2"], stdin: .bytes(first.stdout), environment: environment)
        let third = try stage(
            ["-c", "-p", "openai", "-s", "another system prompt", "q3"], stdin: .bytes(second.stdout),
            environment: environment)
        let requests = server.requests
        try #require(requests.count == 3)
        #expect(Self.sent(requests[0]) == ["system: be brief", "user: q1"])
        // Reasoning is not sent back to OpenAI-compatible servers; the system prompt is not repeated.
        #expect(Self.sent(requests[1]) == ["system: be brief", "user: q1", "assistant: re: q1", "user: q2"])
        #expect(
            Self.sent(requests[2]) == [
                "system: be brief", "user: q1", "assistant: re: q1", "user: q2", "assistant: re: q2", "user: q3",
            ])
        let line = try #require(try third.stdoutLines.first)
        #expect(line["content"] == "re: q3")
        #expect(line["reasoning"] == "thought 6")
        #expect(line["id"] == "1")
        #expect(
            Self.carried(line) == [
                "system: be brief", "user: q1", "assistant: re: q1 [thought 2]", "user: q2",
                "assistant: re: q2 [thought 4]", "user: q3", "assistant: re: q3 [thought 6]",
            ])
        #expect(line.objectValue?.keys.last == "messages")
    }

    @Test func anthropicSignatureIsCarriedBackInTheNextStage() throws {
        let server = try Self.anthropicServer()
        defer { server.stop() }
        let environment = anthropic(server)
        let first = try stage(["-n", "-c", "-p", "anthropic", "q1"], environment: environment)
        let line1 = try #require(try first.stdoutLines.first)
        #expect(Self.carried(line1) == ["user: q1", "assistant: re: q1 [thought 1] {sig-1}"])
        let second = try stage(["-c", "-p", "anthropic", "q2"], stdin: .bytes(first.stdout), environment: environment)
        let requests = server.requests
        try #require(requests.count == 2)
        #expect(
            Self.sent(requests[1]) == ["user: q1", "assistant: thinking(thought 1, sig-1) | re: q1", "user: q2"])
        let line2 = try #require(try second.stdoutLines.first)
        #expect(
            Self.carried(line2) == [
                "user: q1", "assistant: re: q1 [thought 1] {sig-1}", "user: q2",
                "assistant: re: q2 [thought 3] {sig-3}",
            ])
    }

    @Test func aJSONLOfConversationsAdvancesOneTurnEach() throws {
        let server = try Self.openAIServer()
        defer { server.stop() }
        let input = """
            {"id":"a","messages":[{"role":"user","content":"a1"},{"role":"assistant","content":"A1"}],"metadata":{"n":1}}
            {"id":"b","messages":[{"role":"system","content":"sb"},{"role":"user","content":"b1"}],"metadata":{"n":2}}

            """
        let result = try stage(
            ["-c", "-p", "openai", "-j", "1", "next"], stdin: .text(input), environment: openAI(server))
        let lines = try result.stdoutLines
        try #require(lines.count == 2)
        #expect(lines[0]["id"] == "a" && lines[0]["metadata"]?["n"] == .int(1))
        #expect(lines[1]["id"] == "b" && lines[1]["metadata"]?["n"] == .int(2))
        #expect(Self.sent(server.requests[0]) == ["user: a1", "assistant: A1", "user: next"])
        #expect(Self.sent(server.requests[1]) == ["system: sb", "user: b1", "user: next"])
        #expect(
            Self.carried(lines[0]) == ["user: a1", "assistant: A1", "user: next", "assistant: re: next [thought 3]"])
        #expect(Self.carried(lines[1]) == ["system: sb", "user: b1", "user: next", "assistant: re: next [thought 3]"])

        // The next stage, without a prompt: each result line's content is the next user turn.
        let again = try stage(
            ["-c", "-p", "openai", "-j", "1"], stdin: .bytes(result.stdout), environment: openAI(server))
        let next = try again.stdoutLines
        try #require(next.count == 2)
        #expect(next.map { $0["id"] } == ["a", "b"])
        #expect(Self.carried(next[0]).count == 6)
        #expect(Self.sent(server.requests[2]).last == "user: re: next")
    }

    @Test func aResultLineWithMessagesReadWithoutDashCIsAResultLine() throws {
        let first = try stage(["-n", "-c", "-p", "echo", "hello there"], environment: toolEnvironment())
        #expect(first.stdoutText.contains(#""messages":"#))
        let second = try stage(["-p", "echo"], stdin: .bytes(first.stdout), environment: toolEnvironment())
        let line = try #require(try second.stdoutLines.first)
        #expect(line["content"] == "hello there")
        #expect(line["messages"] == nil)
    }

    @Test func streamDoneCarriesTheConversationIntoTheNextStage() throws {
        let server = try Self.openAIServer()
        defer { server.stop() }
        let environment = openAI(server)
        let first = try stage(["-n", "-c", "-p", "openai", "q1"], environment: environment, tool: "ai-stream")
        let events = try first.stdoutLines
        #expect(events.map { $0["type"]?.stringValue ?? "" } == ["start", "reasoning", "delta", "done"])
        let done = try #require(events.last)
        #expect(Self.carried(done) == ["user: q1", "assistant: re: q1 [thought 1]"])
        let second = try stage(["-c", "-p", "openai", "q2"], stdin: .bytes(first.stdout), environment: environment)
        #expect(Self.sent(server.requests.last) == ["user: q1", "assistant: re: q1", "user: q2"])
        let line = try #require(try second.stdoutLines.first)
        #expect(Self.carried(line).count == 4)
    }

    // MARK: - Reasoning in the output

    @Test func reasoningIsAFieldAndEventsAndRawLeavesItOut() throws {
        let whole = try server("openai_chat_reasoning_content")
        defer { whole.stop() }
        let line = try #require(
            try stage(["-n", "-p", "openai", "q"], environment: openAIEnvironment(whole)).stdoutLines.first)
        #expect(line["content"] == "2 + 2 = 4.")
        #expect(line["reasoning"] == "The user asks for 2+2. That is 4.")
        #expect(line.objectValue?.keys.prefix(5).last == "reasoning")
        let raw = try stage(["-n", "-r", "-p", "openai", "q"], environment: openAIEnvironment(whole))
        #expect(raw.stdoutText == "2 + 2 = 4.\n")

        let streamed = try server("openai_chat_stream_reasoning_content", chunking: .bytewise)
        defer { streamed.stop() }
        let events = try stage(
            ["-n", "-p", "openai", "q"], environment: openAIEnvironment(streamed), tool: "ai-stream"
        ).stdoutLines
        #expect(
            events.map { $0["type"]?.stringValue ?? "" } == [
                "start", "reasoning", "reasoning", "reasoning", "delta", "delta", "delta", "done",
            ])
        #expect(events[1] == .object(["type": "reasoning", "text": "The user"]))
        #expect(events.last?["reasoning"] == nil)
        let rawStream = try stage(
            ["-n", "-r", "-p", "openai", "q"], environment: openAIEnvironment(streamed), tool: "ai-stream")
        #expect(rawStream.stdoutText == "2 + 2 = 4.\n")
    }

    @Test func aLeadingThinkBlockIsReasoning() throws {
        let prompt = "<think>I ponder this.</think>\n\nHello there"
        let line = try #require(
            try stage(["-n", "-p", "echo", prompt], environment: toolEnvironment()).stdoutLines.first)
        #expect(line["content"] == "Hello there")
        #expect(line["reasoning"] == "I ponder this.")
        let events = try stage(["-n", "-p", "echo", prompt], environment: toolEnvironment(), tool: "ai-stream")
            .stdoutLines
        let reasoning = events.filter { $0["type"] == "reasoning" }.compactMap { $0["text"]?.stringValue }
        let deltas = events.filter { $0["type"] == "delta" }.compactMap { $0["text"]?.stringValue }
        #expect(reasoning.joined() == "I ponder this.")
        #expect(deltas.joined() == "Hello there")
        let later = try #require(
            try stage(["-n", "-p", "echo", "Hi <think>x</think>"], environment: toolEnvironment()).stdoutLines.first)
        #expect(later["content"] == "Hi <think>x</think>")
        #expect(later["reasoning"] == nil)
    }

    // MARK: - Asking for reasoning

    @Test func thinkAsksEachProvider() throws {
        let openAIServer = try Self.openAIServer()
        defer { openAIServer.stop() }
        _ = try stage(["-n", "-p", "openai", "--think", "q"], environment: openAI(openAIServer))
        _ = try stage(["-n", "-p", "openai", "--think=high", "q"], environment: openAI(openAIServer))
        _ = try stage(
            ["-p", "openai"], stdin: .text(#"{"prompt":"q","think":1024}"#), environment: openAI(openAIServer))
        #expect(openAIServer.requests.map { $0.json?["reasoning_effort"] } == ["medium", "high", "low"])
        #expect(Self.lastUserText(openAIServer.requests[0].json) == "q")

        let anthropicServer = try Self.anthropicServer()
        defer { anthropicServer.stop() }
        _ = try stage(
            ["-n", "-p", "anthropic", "-t", "0.5", "--think=2048", "q"], environment: anthropic(anthropicServer))
        let body = try #require(anthropicServer.requests.first?.json)
        #expect(body["thinking"] == .object(["type": "enabled", "budget_tokens": .int(2048)]))
        #expect(body["max_tokens"] == .int(2048 + 4096))
        #expect(body["temperature"] == nil)
        let refused = try runTool(
            "ai-complete", arguments: ["-n", "-p", "anthropic", "--think=8000", "--max-tokens", "100", "q"],
            environment: anthropic(anthropicServer))
        #expect(refused.status == 65)
        #expect(try refused.stdoutLines.first?["error"]?["code"] == "input")
        #expect(anthropicServer.requests.count == 1)

        let ollama = try FakeServer(handler: { _ in
            .json(
                .object([
                    "model": "q", "message": .object(["role": "assistant", "content": "ok", "thinking": "hm"]),
                    "done": .bool(true), "done_reason": "stop",
                ]))
        })
        defer { ollama.stop() }
        let ollamaLine = try #require(
            try stage(
                ["-n", "-p", "ollama", "--think", "q"], environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL])
            )
            .stdoutLines.first)
        #expect(ollama.requests.first?.json?["think"] == .bool(true))
        #expect(ollamaLine["reasoning"] == "hm")
    }

    @Test func thinkRefusesAnUnknownSetting() throws {
        let result = try runTool(
            "ai-complete", arguments: ["-n", "-p", "echo", "--think=lots", "q"], environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(result.stderrText.contains("--think takes on, off, low, medium, high or a budget in tokens"))
        let field = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .text(#"{"prompt":"q","think":"lots"}"#),
            environment: toolEnvironment())
        #expect(field.status == 65)
    }
}
