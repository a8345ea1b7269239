import AIBase
import AITestSupport
import AIWire
import Foundation
import Testing

/// `--schema`, the request's `schema` and `--repair` through the binaries (DESIGN §10): each provider's native ask,
/// the answer validated here whatever the provider did.
@Suite struct SchemaEndToEndTests {
    /// A schema inside OpenAI's strict subset.
    static let strictSchema =
        #"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"#
        + #""required":["name","age"],"additionalProperties":false}"#
    /// A schema outside it (`minimum`, an optional property).
    static let adultSchema =
        #"{"type":"object","properties":{"age":{"type":"integer","minimum":18}},"required":["age"]}"#

    /// The JSON value `text` holds (nil when it is not JSON).
    static func parse(_ text: String) -> JSON? {
        try? JSON.parse(text)
    }

    /// An OpenAI chat completion answering `content`, with 10 + 5 tokens.
    static func openAIAnswer(_ content: String, finish: String = "stop") -> FakeResponse {
        .json(
            .object([
                "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
                "choices": .array([
                    .object([
                        "index": .int(0), "message": .object(["role": "assistant", "content": .string(content)]),
                        "finish_reason": .string(finish),
                    ])
                ]),
                "usage": .object(["prompt_tokens": .int(10), "completion_tokens": .int(5), "total_tokens": .int(15)]),
            ]))
    }

    @Test func openAI_asksForTheStrictJSONSchemaAndAddsData() throws {
        let server = try FakeServer { _ in Self.openAIAnswer(#"{"name":"Ada","age":36}"#) }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", Self.strictSchema], stdin: .text("Ada is 36"),
            environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["data"] == (Self.parse(#"{"name":"Ada","age":36}"#)))
        let body = try #require(server.requests.first?.json)
        let expected = Self.parse(
            #"{"type":"json_schema","json_schema":{"name":"answer","schema":"# + Self.strictSchema
                + #","strict":true}}"#)
        #expect(body["response_format"] == expected)
    }

    @Test func openAI_schemaOutsideTheStrictSubsetIsNotStrict() throws {
        let server = try FakeServer { _ in Self.openAIAnswer(#"{"age":40}"#) }
        defer { server.stop() }
        let path = scratchPath("adult.json")
        try Self.adultSchema.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", path], stdin: .text("forty"),
            environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.first?["data"]?["age"] == .number("40"))
        let body = try #require(server.requests.first?.json)
        let expected = Self.parse(
            #"{"type":"json_schema","json_schema":{"name":"answer","schema":"# + Self.adultSchema
                + #","strict":false}}"#)
        #expect(body["response_format"] == expected)
    }

    @Test func anthropic_forcesTheAnswerToolAndTakesItsInput() throws {
        let server = try FakeServer { _ in
            .json(
                .object([
                    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                    "content": .array([
                        .object([
                            "type": "tool_use", "id": "toolu_1", "name": "answer",
                            "input": .object(["name": "Ada", "age": .int(36)]),
                        ])
                    ]),
                    "stop_reason": "tool_use",
                    "usage": .object(["input_tokens": .int(10), "output_tokens": .int(5)]),
                ]))
        }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "anthropic", "--schema", Self.strictSchema], stdin: .text("Ada is 36"),
            environment: toolEnvironment(["ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": server.baseURL]))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["data"] == (Self.parse(#"{"name":"Ada","age":36}"#)))
        #expect(line["content"] == #"{"name":"Ada","age":36}"#)
        #expect(line["tool_calls"] == nil)
        let body = try #require(server.requests.first?.json)
        let tools = Self.parse(
            #"[{"name":"answer","description":"Give the answer: its input is the whole answer, meeting the input "#
                + #"schema.","input_schema":"# + Self.strictSchema + "}]")
        #expect(body["tools"] == tools)
        #expect(body["tool_choice"] == (Self.parse(#"{"type":"tool","name":"answer"}"#)))
    }

    @Test func ollama_asksWithFormat() throws {
        let server = try FakeServer { _ in
            .json(
                .object([
                    "model": "llama3.2", "created_at": "2026-01-01T00:00:00Z",
                    "message": .object(["role": "assistant", "content": #"{"age":20}"#]), "done": .bool(true),
                    "done_reason": "stop", "prompt_eval_count": .int(10), "eval_count": .int(5),
                ]))
        }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "ollama", "--schema", Self.adultSchema], stdin: .text("twenty"),
            environment: toolEnvironment(["OLLAMA_HOST": server.baseURL]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.first?["data"] == (Self.parse(#"{"age":20}"#)))
        #expect(server.requests.first?.json?["format"] == (Self.parse(Self.adultSchema)))
    }

    @Test func ignoredSchema_proseIsASchemaError76() throws {
        let server = try FakeServer { _ in Self.openAIAnswer("Ada is thirty-six years old.") }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", Self.strictSchema], stdin: .text("Ada is 36"),
            environment: openAIEnvironment(server))
        #expect(result.status == 76)
        let line = try #require(try result.stdoutLines.first)
        let error = try #require(line["error"])
        #expect(error["code"] == "schema" && error["retryable"] == .bool(true))
        #expect(error["content"] == "Ada is thirty-six years old.")
        let first = try #require(error["errors"]?.arrayValue?.first)
        #expect(first["keyword"] == "json" && first["path"] == "")
        #expect(line["usage"]?["total_tokens"] == .number("15"))
        #expect(errorLine(result, tool: "ai-complete")?.contains("answer does not match the schema") == true)
    }

    @Test func failingAnswer_namesTheFirstFailure() throws {
        let server = try FakeServer { _ in Self.openAIAnswer(#"{"age":17}"#) }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", Self.adultSchema], stdin: .text("seventeen"),
            environment: openAIEnvironment(server))
        #expect(result.status == 76)
        let error = try #require(try result.stdoutLines.first?["error"])
        #expect(error["message"] == "answer does not match the schema: /age: 17 is less than the minimum 18")
        #expect(
            error["errors"]
                == (Self.parse(#"[{"path":"/age","keyword":"minimum","message":"17 is less than the minimum 18"}]"#))
        )
        #expect(error["content"] == #"{"age":17}"#)
    }

    @Test func answerCutAtTheTokenLimit_isASchemaError() throws {
        let server = try FakeServer { _ in Self.openAIAnswer(#"{"age":"#, finish: "length") }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", Self.adultSchema], stdin: .text("x"),
            environment: openAIEnvironment(server))
        #expect(result.status == 76)
        let error = try #require(try result.stdoutLines.first?["error"])
        #expect(error["code"] == "schema")
        #expect(error["message"]?.stringValue?.contains("cut at the token limit") == true)
    }

    @Test func repair_sendsTheErrorsBackAndSumsUsage() throws {
        let server = try FakeServer(
            handler: FakeServer.sequence([
                { _ in Self.openAIAnswer(#"{"age":17}"#) }, { _ in Self.openAIAnswer(#"{"age":18}"#) },
            ]))
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", Self.adultSchema, "--repair", "1"],
            stdin: .text("eighteen"), environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["data"] == (Self.parse(#"{"age":18}"#)))
        #expect(line["usage"]?["total_tokens"] == .number("30") && line["usage"]?["prompt_tokens"] == .number("20"))
        #expect(server.requests.count == 2)
        let messages = try #require(server.requests.last?.json?["messages"]?.arrayValue)
        #expect(messages.count == 3)
        #expect(messages[1]["role"] == "assistant" && messages[1]["content"] == #"{"age":17}"#)
        #expect(messages[2]["role"] == "user")
        #expect(messages[2]["content"]?.stringValue?.contains("/age: 17 is less than the minimum 18") == true)
    }

    @Test func repair_finalFailureSumsUsageOnTheErrorLine() throws {
        let server = try FakeServer { _ in Self.openAIAnswer("no JSON here") }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", Self.adultSchema, "--repair", "2"],
            stdin: .text("x"), environment: openAIEnvironment(server))
        #expect(result.status == 76)
        #expect(server.requests.count == 3)
        let line = try #require(try result.stdoutLines.first)
        #expect(line["error"]?["code"] == "schema" && line["usage"]?["total_tokens"] == .number("45"))
    }

    @Test(arguments: ["{", #"{"type":3}"#, #"{"$ref":"https://example.com/s.json"}"#, "/no/such/schema.json"])
    func badSchemaFlag_is64AndSendsNothing(_ schema: String) throws {
        let server = try FakeServer { _ in Self.openAIAnswer("{}") }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", schema], stdin: .text("x"),
            environment: openAIEnvironment(server))
        #expect(result.status == 64)
        #expect(server.requests.isEmpty)
        #expect(result.stderrText.contains("ai-complete: error: --schema: "))
    }

    @Test func badSchemaField_failsThatLineOnly() throws {
        let server = try FakeServer { _ in Self.openAIAnswer(#"{"age":30}"#) }
        defer { server.stop() }
        let input =
            #"{"id":"a","prompt":"x","schema":{"type":"nope"}}"# + "\n"
            + #"{"id":"b","prompt":"y","schema":"# + Self.adultSchema + "}\n"
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--schema", Self.strictSchema], stdin: .text(input),
            environment: openAIEnvironment(server))
        #expect(result.status == 65)
        let lines = try result.stdoutLines
        #expect(lines.count == 2)
        #expect(lines[0]["id"] == "a" && lines[0]["error"]?["code"] == "input")
        #expect(lines[1]["id"] == "b" && lines[1]["data"]?["age"] == .number("30"))
        #expect(server.requests.count == 1)
        // The request's schema wins over the flag's.
        #expect(
            server.requests.first?.json?["response_format"]?["json_schema"]?["schema"]
                == (Self.parse(Self.adultSchema)))
    }

    @Test func echo_validatesThePromptText() throws {
        let valid = try runTool(
            "ai-complete", arguments: ["-p", "echo", "--schema", Self.adultSchema, "-n", #"{"age": 21}"#],
            environment: toolEnvironment())
        #expect(valid.status == 0, "\(valid.stderrText)")
        #expect(try valid.stdoutLines.first?["data"] == (Self.parse(#"{"age":21}"#)))

        let fenced = try runTool(
            "ai-complete", arguments: ["-p", "echo", "--schema", Self.adultSchema],
            stdin: .text("```json\n{\"age\": 30}\n```"),
            environment: toolEnvironment())
        #expect(fenced.status == 0, "\(fenced.stderrText)")
        #expect(try fenced.stdoutLines.first?["data"]?["age"] == .number("30"))

        let invalid = try runTool(
            "ai-complete", arguments: ["-p", "echo", "--schema", Self.adultSchema, "-n", #"{"age": 12}"#],
            environment: toolEnvironment())
        #expect(invalid.status == 76)
        let errors = try #require(try invalid.stdoutLines.first?["error"]?["errors"]?.arrayValue)
        #expect(errors.first?["keyword"] == "minimum")
    }

    @Test func stream_doneCarriesDataOrTheStreamEndsWithTheSchemaError() throws {
        let valid = try runTool(
            "ai-stream", arguments: ["-p", "echo", "--schema", Self.adultSchema, "-n", #"{"age": 21}"#],
            environment: toolEnvironment())
        #expect(valid.status == 0, "\(valid.stderrText)")
        let lines = try valid.stdoutLines
        #expect(lines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil }.joined() == #"{"age": 21}"#)
        #expect(lines.last?["type"] == "done" && lines.last?["data"] == (Self.parse(#"{"age":21}"#)))

        let invalid = try runTool(
            "ai-stream", arguments: ["-p", "echo", "--schema", Self.adultSchema, "-n", "prose"],
            environment: toolEnvironment())
        #expect(invalid.status == 76)
        let last = try #require(try invalid.stdoutLines.last)
        #expect(last["type"] == "error" && last["error"]?["code"] == "schema" && last["error"]?["content"] == "prose")
    }

    @Test func streamRepair_continuesTheStreamWithOneStart() throws {
        let result = try runTool(
            "ai-stream",
            arguments: ["-p", "echo", "--schema", Self.adultSchema, "--repair", "1", "-n", #"{"age": 2}"#],
            environment: toolEnvironment())
        #expect(result.status == 76)
        let lines = try result.stdoutLines
        #expect(lines.filter { $0["type"] == "start" }.count == 1)
        #expect(lines.last?["type"] == "error" && lines.last?["usage"] != nil)
        #expect(result.stderrText.contains("asking for a repair (repair 1)"))
    }

    @Test func anthropicStream_theAnswerToolsInputStreamsAsDeltas() throws {
        let events = [
            #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"claude-x","#
                + #""content":[],"usage":{"input_tokens":10,"output_tokens":1}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"answer","#
                + #""input":{}}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"age\":"}}"#,
            #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":" 30}"}}"#,
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}"#,
            #"{"type":"message_stop"}"#,
        ]
        let body = events.map { "event: \(JSON.parseName($0))\ndata: \($0)\n\n" }.joined()
        let server = try FakeServer { _ in .text(body, contentType: "text/event-stream") }
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "anthropic", "--schema", Self.adultSchema], stdin: .text("thirty"),
            environment: toolEnvironment(["ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": server.baseURL]))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(lines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil } == [#"{"age":"#, " 30}"])
        #expect(lines.last?["type"] == "done" && lines.last?["data"]?["age"] == .number("30"))
        #expect(lines.last?["tool_calls"] == nil)
        #expect(server.requests.first?.json?["tool_choice"]?["name"] == "answer")
    }
}

extension JSON {
    /// The `type` of an event's JSON text, its SSE event name.
    fileprivate static func parseName(_ text: String) -> String {
        (try? JSON.parse(text))?["type"]?.stringValue ?? ""
    }
}
