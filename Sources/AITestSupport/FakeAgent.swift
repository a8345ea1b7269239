import AIWire

/// A fake model that calls tools: it answers a chat request with tool calls until the conversation holds
/// `rounds` assistant turns with tool calls (each followed by their results), then with text that quotes the
/// latest tool results. It speaks each provider's wire format by the request's path (OpenAI's
/// `/chat/completions`, Anthropic's `/v1/messages`, Ollama's `/api/chat`), streamed or whole as the body asks.
///
/// Every step reports `usage` of 10 prompt and 5 completion tokens (Ollama's counts the same), so a run's summed
/// usage tells how many steps it took.
package struct FakeAgent: Sendable {
    /// One tool call the agent makes in each calling turn.
    package struct Call: Sendable {
        /// The tool's name.
        package var name: String
        /// The arguments as JSON text (sent as a string to OpenAI, as an object to Anthropic and Ollama).
        package var arguments: String

        /// A call with the given parts.
        package init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// The calls of every calling turn, in order.
    package var calls: [Call]
    /// How many calling turns before the answer (`Int.max`: it never stops calling).
    package var rounds: Int
    /// The answer's text begins with this; then `: ` and the contents of the last turn's tool results, joined
    /// with ` | ` (each with ` (error)` when it reports a failure).
    package var answer: String
    /// When not empty, the answers' texts as given, in order, in place of `answer`: the first, then (after a repair
    /// sent the previous one back) the next, the last one repeated. Offered Anthropic's `answer` tool, the agent
    /// answers by calling it with the text as its input.
    package var finals: [String]

    /// An agent with the given behaviour.
    package init(calls: [Call], rounds: Int = 1, answer: String = "done", finals: [String] = []) {
        self.calls = calls
        self.rounds = rounds
        self.answer = answer
        self.finals = finals
    }

    /// The wire format of a request, by its path.
    package enum Format: Sendable {
        case openai, anthropic, ollama

        /// The format a path asks for.
        package init(path: String) {
            if path.hasSuffix("/messages") {
                self = .anthropic
            } else if path.hasSuffix("/api/chat") {
                self = .ollama
            } else {
                self = .openai
            }
        }
    }

    /// The handler serving this agent.
    package var handler: FakeServer.Handler {
        let agent = self
        return { request in agent.respond(to: request) }
    }

    /// The response to one request.
    package func respond(to request: RecordedRequest) -> FakeResponse {
        guard let body = request.json, let messages = body["messages"]?.arrayValue else {
            return .json(.object(["error": .object(["message": "not a chat request"])]), status: 400)
        }
        let format = Format(path: request.pathWithoutQuery)
        let stream = body["stream"]?.boolValue ?? false
        let turns = messages.filter { Self.isCallingTurn($0, format: format) }.count
        let step = turns + 1
        if turns < rounds {
            let ids = calls.indices.map { "call_\(step)_\($0)" }
            return stream
                ? streamedCalls(format: format, ids: ids) : wholeCalls(format: format, ids: ids)
        }
        guard !finals.isEmpty else {
            let text = answer + ": " + Self.lastResults(messages, format: format).joined(separator: " | ")
            return stream ? streamedText(format: format, text: text) : wholeText(format: format, text: text)
        }
        let answered = messages.filter { $0["role"] == "assistant" && !Self.isCallingTurn($0, format: format) }.count
        let text = finals[min(answered, finals.count - 1)]
        let offered = (body["tools"]?.arrayValue ?? []).contains { $0["name"] == "answer" }
        guard format == .anthropic, offered else {
            return stream ? streamedText(format: format, text: text) : wholeText(format: format, text: text)
        }
        let caller = FakeAgent(calls: [Call(name: "answer", arguments: text)])
        let ids = ["call_\(step)_answer"]
        return stream ? caller.streamedCalls(format: format, ids: ids) : caller.wholeCalls(format: format, ids: ids)
    }

    /// Whether a message is an assistant turn that calls tools.
    static func isCallingTurn(_ message: JSON, format: Format) -> Bool {
        guard message["role"]?.stringValue == "assistant" else { return false }
        switch format {
        case .openai, .ollama: return !(message["tool_calls"]?.arrayValue ?? []).isEmpty
        case .anthropic:
            return (message["content"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "tool_use" }
        }
    }

    /// The contents of the tool results after the last calling turn.
    static func lastResults(_ messages: [JSON], format: Format) -> [String] {
        guard let last = messages.lastIndex(where: { isCallingTurn($0, format: format) }) else { return [] }
        var results: [String] = []
        for message in messages[(last + 1)...] {
            switch format {
            case .openai, .ollama:
                guard message["role"]?.stringValue == "tool" else { continue }
                results.append(message["content"]?.stringValue ?? "")
            case .anthropic:
                for block in message["content"]?.arrayValue ?? [] where block["type"]?.stringValue == "tool_result" {
                    let content =
                        block["content"]?.stringValue
                        ?? (block["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                    results.append(content + (block["is_error"]?.boolValue == true ? " (error)" : ""))
                }
            }
        }
        return results
    }

    private func object(_ arguments: String) -> JSON {
        (try? JSON.parse(Array(arguments.utf8))) ?? .object([:])
    }

    private func wholeCalls(format: Format, ids: [String]) -> FakeResponse {
        switch format {
        case .openai:
            let toolCalls: [JSON] = zip(ids, calls).map { id, call in
                .object([
                    "id": .string(id), "type": "function",
                    "function": .object(["name": .string(call.name), "arguments": .string(call.arguments)]),
                ])
            }
            return .json(
                Self.openAIWhole(
                    message: .object(["role": "assistant", "content": .null, "tool_calls": .array(toolCalls)]),
                    finish: "tool_calls"))
        case .anthropic:
            let blocks: [JSON] = zip(ids, calls).map { id, call in
                .object([
                    "type": "tool_use", "id": .string(id), "name": .string(call.name), "input": object(call.arguments),
                ])
            }
            return .json(Self.anthropicWhole(content: blocks, stop: "tool_use"))
        case .ollama:
            return .json(Self.ollamaLine(message: ollamaCallsMessage(), done: true))
        }
    }

    private func ollamaCallsMessage() -> JSON {
        let toolCalls: [JSON] = calls.map { call in
            .object(["function": .object(["name": .string(call.name), "arguments": object(call.arguments)])])
        }
        return .object(["role": "assistant", "content": "", "tool_calls": .array(toolCalls)])
    }

    private func wholeText(format: Format, text: String) -> FakeResponse {
        switch format {
        case .openai:
            return .json(
                Self.openAIWhole(message: .object(["role": "assistant", "content": .string(text)]), finish: "stop"))
        case .anthropic:
            return .json(
                Self.anthropicWhole(content: [.object(["type": "text", "text": .string(text)])], stop: "end_turn"))
        case .ollama:
            return .json(
                Self.ollamaLine(message: .object(["role": "assistant", "content": .string(text)]), done: true))
        }
    }

    private func streamedCalls(format: Format, ids: [String]) -> FakeResponse {
        var events: [String] = []
        switch format {
        case .openai:
            events.append(Self.openAIChunk(delta: .object(["role": "assistant", "content": .null]), finish: nil))
            for (index, (id, call)) in zip(ids, calls).enumerated() {
                let head: JSON = .object([
                    "index": .int(index), "id": .string(id), "type": "function",
                    "function": .object(["name": .string(call.name), "arguments": ""]),
                ])
                events.append(Self.openAIChunk(delta: .object(["tool_calls": .array([head])]), finish: nil))
                let half = call.arguments.index(call.arguments.startIndex, offsetBy: call.arguments.count / 2)
                for piece in [call.arguments[..<half], call.arguments[half...]] {
                    let fragment: JSON = .object([
                        "index": .int(index), "function": .object(["arguments": .string(String(piece))]),
                    ])
                    events.append(Self.openAIChunk(delta: .object(["tool_calls": .array([fragment])]), finish: nil))
                }
            }
            events.append(Self.openAIChunk(delta: .object([:]), finish: "tool_calls"))
            events.append(Self.openAIUsageChunk())
            return Self.sse(events.map { "data: \($0)\n\n" } + ["data: [DONE]\n\n"])
        case .anthropic:
            var lines = [Self.anthropicEvent("message_start", Self.anthropicStart())]
            for (index, (id, call)) in zip(ids, calls).enumerated() {
                lines.append(
                    Self.anthropicEvent(
                        "content_block_start",
                        .object([
                            "type": "content_block_start", "index": .int(index),
                            "content_block": .object([
                                "type": "tool_use", "id": .string(id), "name": .string(call.name),
                                "input": .object([:]),
                            ]),
                        ])))
                lines.append(
                    Self.anthropicEvent(
                        "content_block_delta",
                        .object([
                            "type": "content_block_delta", "index": .int(index),
                            "delta": .object(["type": "input_json_delta", "partial_json": .string(call.arguments)]),
                        ])))
                lines.append(
                    Self.anthropicEvent(
                        "content_block_stop", .object(["type": "content_block_stop", "index": .int(index)])))
            }
            lines += Self.anthropicEnd(stop: "tool_use")
            return Self.sse(lines)
        case .ollama:
            let lines = [
                Self.ollamaLine(message: ollamaCallsMessage(), done: false).encodedString + "\n",
                Self.ollamaLine(message: .object(["role": "assistant", "content": ""]), done: true).encodedString
                    + "\n",
            ]
            return Self.ndjson(lines)
        }
    }

    private func streamedText(format: Format, text: String) -> FakeResponse {
        switch format {
        case .openai:
            let events = [
                Self.openAIChunk(delta: .object(["role": "assistant", "content": ""]), finish: nil),
                Self.openAIChunk(delta: .object(["content": .string(text)]), finish: nil),
                Self.openAIChunk(delta: .object([:]), finish: "stop"),
                Self.openAIUsageChunk(),
            ]
            return Self.sse(events.map { "data: \($0)\n\n" } + ["data: [DONE]\n\n"])
        case .anthropic:
            var lines = [Self.anthropicEvent("message_start", Self.anthropicStart())]
            lines.append(
                Self.anthropicEvent(
                    "content_block_start",
                    .object([
                        "type": "content_block_start", "index": .int(0),
                        "content_block": .object(["type": "text", "text": ""]),
                    ])))
            lines.append(
                Self.anthropicEvent(
                    "content_block_delta",
                    .object([
                        "type": "content_block_delta", "index": .int(0),
                        "delta": .object(["type": "text_delta", "text": .string(text)]),
                    ])))
            lines.append(
                Self.anthropicEvent("content_block_stop", .object(["type": "content_block_stop", "index": .int(0)])))
            lines += Self.anthropicEnd(stop: "end_turn")
            return Self.sse(lines)
        case .ollama:
            let lines = [
                Self.ollamaLine(message: .object(["role": "assistant", "content": .string(text)]), done: false)
                    .encodedString + "\n",
                Self.ollamaLine(message: .object(["role": "assistant", "content": ""]), done: true).encodedString
                    + "\n",
            ]
            return Self.ndjson(lines)
        }
    }

    // MARK: - Wire pieces

    static func openAIWhole(message: JSON, finish: String) -> JSON {
        .object([
            "id": "chatcmpl-agent", "object": "chat.completion", "created": .int(1_760_000_000), "model": "fake-agent",
            "choices": .array([
                .object(["index": .int(0), "message": message, "finish_reason": .string(finish)])
            ]),
            "usage": .object(["prompt_tokens": .int(10), "completion_tokens": .int(5), "total_tokens": .int(15)]),
        ])
    }

    static func openAIChunk(delta: JSON, finish: String?) -> String {
        JSON.object([
            "id": "chatcmpl-agent", "object": "chat.completion.chunk", "created": .int(1_760_000_000),
            "model": "fake-agent",
            "choices": .array([
                .object(["index": .int(0), "delta": delta, "finish_reason": finish.map(JSON.string) ?? .null])
            ]),
        ]).encodedString
    }

    static func openAIUsageChunk() -> String {
        JSON.object([
            "id": "chatcmpl-agent", "object": "chat.completion.chunk", "created": .int(1_760_000_000),
            "model": "fake-agent",
            "choices": .array([]),
            "usage": .object(["prompt_tokens": .int(10), "completion_tokens": .int(5), "total_tokens": .int(15)]),
        ]).encodedString
    }

    static func anthropicWhole(content: [JSON], stop: String) -> JSON {
        .object([
            "id": "msg_agent", "type": "message", "role": "assistant", "model": "fake-agent",
            "content": .array(content), "stop_reason": .string(stop), "stop_sequence": .null,
            "usage": .object(["input_tokens": .int(10), "output_tokens": .int(5)]),
        ])
    }

    static func anthropicStart() -> JSON {
        .object([
            "type": "message_start",
            "message": .object([
                "id": "msg_agent", "type": "message", "role": "assistant", "model": "fake-agent",
                "content": .array([]), "stop_reason": .null, "stop_sequence": .null,
                "usage": .object(["input_tokens": .int(10), "output_tokens": .int(1)]),
            ]),
        ])
    }

    static func anthropicEnd(stop: String) -> [String] {
        [
            anthropicEvent(
                "message_delta",
                .object([
                    "type": "message_delta",
                    "delta": .object(["stop_reason": .string(stop), "stop_sequence": .null]),
                    "usage": .object(["output_tokens": .int(5)]),
                ])),
            anthropicEvent("message_stop", .object(["type": "message_stop"])),
        ]
    }

    static func anthropicEvent(_ name: String, _ data: JSON) -> String {
        "event: \(name)\ndata: \(data.encodedString)\n\n"
    }

    static func ollamaLine(message: JSON, done: Bool) -> JSON {
        var object: JSONObject = [
            "model": "fake-agent", "created_at": "2025-10-09T00:00:00Z", "message": message, "done": .bool(done),
        ]
        if done {
            object["done_reason"] = "stop"
            object["prompt_eval_count"] = .int(10)
            object["eval_count"] = .int(5)
        }
        return .object(object)
    }

    static func sse(_ pieces: [String]) -> FakeResponse {
        FakeResponse(
            headers: [("content-type", "text/event-stream; charset=utf-8")], body: Array(pieces.joined().utf8),
            framing: .chunked, chunking: .whole)
    }

    static func ndjson(_ lines: [String]) -> FakeResponse {
        FakeResponse(
            headers: [("content-type", "application/x-ndjson")], body: Array(lines.joined().utf8), framing: .chunked)
    }
}
