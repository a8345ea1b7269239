import AIBase
import AIProviders
import AIWire
import Testing

/// The neutral message form (ai-wire(5)): read from requests, written back by `record`, and turned into each
/// provider's messages.
@Suite struct NeutralMessageTests {
    /// A two-step conversation: a question, an assistant turn with reasoning and two tool calls, their results.
    static let conversation = """
        {"messages":[
          {"role":"user","content":"weather in Paris and Rome?"},
          {"role":"assistant","content":"","reasoning":"two cities","reasoning_signature":"sig==",
           "tool_calls":[{"id":"c1","name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                         {"id":"c2","type":"function","function":{"name":"weather","arguments":{"city":"Rome"}}}]},
          {"role":"tool","tool_call_id":"c1","name":"weather","content":"18C"},
          {"role":"tool","tool_call_id":"c2","name":"weather","content":"timeout after 60 s","is_error":true}
        ]}
        """

    func request() throws -> CompletionRequest {
        guard case .object(let object) = try JSON.parse(Self.conversation) else {
            throw AIError(.input, "not an object")
        }
        return try RequestDecoding.request(from: object)
    }

    @Test func decoding_readsBothToolCallFormsAndToolResults() throws {
        let messages = try request().messages
        #expect(messages.count == 4)
        #expect(messages[1].reasoning == "two cities")
        #expect(messages[1].reasoningSignature == "sig==")
        #expect(messages[1].toolCalls.map(\.id) == ["c1", "c2"])
        #expect(messages[1].toolCalls.map(\.name) == ["weather", "weather"])
        #expect(messages[1].toolCalls.map(\.arguments) == [#"{"city":"Paris"}"#, #"{"city":"Rome"}"#])
        #expect(messages[2].toolCallID == "c1")
        #expect(messages[2].isError == false)
        #expect(messages[3].isError == true)
    }

    @Test func decoding_refusesMalformedNeutralFields() {
        for (line, problem) in [
            (#"{"messages":[{"role":"tool","content":"x"}]}"#, "tool_call_id"),
            (#"{"messages":[{"role":"assistant","content":"","tool_calls":{}}]}"#, "tool_calls must be an array"),
            (#"{"messages":[{"role":"assistant","content":"","tool_calls":[{"id":"a"}]}]}"#, "needs a 'name'"),
            (#"{"messages":[{"role":"assistant","content":"","reasoning":1}]}"#, "reasoning must be a string"),
            (#"{"messages":[{"role":"tool","tool_call_id":"a","content":"","is_error":"yes"}]}"#, "is_error"),
        ] {
            guard case .object(let object)? = try? JSON.parse(line) else {
                Issue.record("bad test line \(line)")
                continue
            }
            #expect(throws: AIError.self) { try RequestDecoding.request(from: object) }
            do {
                _ = try RequestDecoding.request(from: object)
            } catch {
                #expect(error.code == .input)
                #expect(error.message.contains(problem), "\(error.message)")
            }
        }
    }

    @Test func record_roundTripsThroughDecoding() throws {
        let messages = try request().messages
        let again = try RequestDecoding.request(from: ["messages": .array(messages.map(\.record))]).messages
        #expect(again.map(\.record) == messages.map(\.record))
        #expect(messages[1].record["tool_calls"]?.arrayValue?[1]["arguments"] == .string(#"{"city":"Rome"}"#))
        #expect(messages[3].record["is_error"] == .bool(true))
        #expect(messages[0].record["is_error"] == nil)
    }

    @Test func openAI_sendsFunctionCallsAndToolResultsWithoutReasoning() throws {
        let wire = OpenAIMessages.messages(try request())
        let assistant = wire[1]
        #expect(assistant["reasoning"] == nil)
        #expect(assistant["reasoning_signature"] == nil)
        #expect(assistant["tool_calls"]?.arrayValue?[0]["type"] == .string("function"))
        #expect(assistant["tool_calls"]?.arrayValue?[1]["function"]?["arguments"] == .string(#"{"city":"Rome"}"#))
        #expect(wire[2].objectValue?.keys.sorted() == ["content", "role", "tool_call_id"])
        #expect(wire[3]["is_error"] == nil)
    }

    @Test func anthropic_sendsThinkingToolUseAndOneUserTurnOfResults() throws {
        var request = try request()
        request.messages.append(Message(role: "user", text: "and Oslo?"))
        let (system, wire) = AnthropicMessages.messages(request)
        #expect(system == nil)
        #expect(wire.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        let blocks = wire[1]["content"]?.arrayValue ?? []
        #expect(blocks.map { $0["type"]?.stringValue } == ["thinking", "tool_use", "tool_use"])
        #expect(blocks[0]["signature"] == .string("sig=="))
        #expect(blocks[2]["input"] == .object(["city": "Rome"]))
        let results = wire[2]["content"]?.arrayValue ?? []
        #expect(results.map { $0["type"]?.stringValue } == ["tool_result", "tool_result", "text"])
        #expect(results[0]["tool_use_id"] == .string("c1"))
        #expect(results[0]["is_error"] == nil)
        #expect(results[1]["is_error"] == .bool(true))
        #expect(results[2]["text"] == .string("and Oslo?"))
    }

    @Test func anthropic_dropsReasoningWithoutASignature() {
        var request = CompletionRequest(prompt: "q")
        request.messages.append(Message(assistant: "a", reasoning: "thought"))
        request.messages.append(Message(role: "user", text: "q2"))
        let (_, wire) = AnthropicMessages.messages(request)
        #expect(wire[1]["content"] == .array([.object(["type": "text", "text": "a"])]))
    }

    @Test func ollama_sendsThinkingObjectArgumentsAndToolNames() throws {
        let wire = OllamaMessages.messages(try request())
        #expect(wire[1]["thinking"] == .string("two cities"))
        #expect(wire[1]["tool_calls"]?.arrayValue?[0]["function"]?["arguments"] == .object(["city": "Paris"]))
        #expect(wire[1]["reasoning_signature"] == nil)
        #expect(wire[2]["tool_name"] == .string("weather"))
        #expect(wire[2]["tool_call_id"] == nil)
    }
}
