import AIBase
import AIProviders
import AITools
import AIWire
import Foundation
import Testing

@Suite struct ToolDefinitionTests {
    static func decode(_ text: String) throws -> ToolDefinition {
        try ToolDefinition.decode(try JSON.parse(text), place: "--tool t.json")
    }

    static func failure(_ text: String) -> String? {
        do {
            _ = try decode(text)
            return nil
        } catch let error as AIError {
            #expect(error.code == .input)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func fullDefinition_isRead() throws {
        let definition = try Self.decode(
            #"{"name":"get-weather_2","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"#
                + #""command":["weather","--json"],"timeout":2.5,"env":["WEATHER_KEY"]}"#)
        #expect(definition.name == "get-weather_2" && definition.description == "Weather")
        #expect(definition.parameters["properties"]?["city"]?["type"] == "string")
        #expect(
            definition.backend == .command(argv: ["weather", "--json"], timeout: 2.5, environment: ["WEATHER_KEY"]))
    }

    @Test func defaults_areAnEmptyObjectSchemaAndSixtySeconds() throws {
        let definition = try Self.decode(#"{"name":"now","command":["date"]}"#)
        #expect(definition.parameters == (try JSON.parse(#"{"type":"object","properties":{}}"#)))
        #expect(definition.backend == .command(argv: ["date"], timeout: 60, environment: []))
        #expect(definition.description == nil)
    }

    @Test(arguments: [
        (#"[]"#, "--tool t.json: a tool must be a JSON object"),
        (#"{"name":"x","command":["a"],"shell":true}"#, "--tool t.json: unknown field 'shell'"),
        (#"{"name":"a b","command":["a"]}"#, "--tool t.json: 'name' must be 1 to 64 letters, digits, '_' or '-'"),
        (#"{"command":["a"]}"#, "--tool t.json: 'name' must be 1 to 64 letters, digits, '_' or '-'"),
        (
            #"{"name":"x","command":"rm -rf /"}"#,
            "--tool t.json: 'command' must be a non-empty array of strings (argv, never a shell line)"
        ),
        (
            #"{"name":"x","command":[]}"#,
            "--tool t.json: 'command' must be a non-empty array of strings (argv, never a shell line)"
        ),
        (
            #"{"name":"x","command":["a",1]}"#,
            "--tool t.json: 'command' must be a non-empty array of strings (argv, never a shell line)"
        ),
        (#"{"name":"x","command":["a"],"timeout":0}"#, "--tool t.json: 'timeout' must be a positive number of seconds"),
        (#"{"name":"x","command":["a"],"env":"HOME"}"#, "--tool t.json: 'env' must be an array of variable names"),
        (#"{"name":"x","command":["a"],"parameters":[]}"#, "--tool t.json: 'parameters' must be a JSON Schema object"),
        (#"{"name":"x","command":["a"],"description":3}"#, "--tool t.json: 'description' must be a string"),
    ])
    func badDefinition_namesThePlaceAndField(text: String, message: String) {
        #expect(Self.failure(text) == message)
    }
}

@Suite struct ToolSetTests {
    static func set() throws -> ToolSet {
        var tools = ToolSet()
        let parameters = try JSON.parse(
            #"{"type":"object","properties":{"n":{"type":"integer","minimum":1}},"required":["n"],"additionalProperties":false}"#
        )
        try tools.add(
            ToolDefinition(
                name: "count", description: "Counts", parameters: parameters,
                backend: .command(argv: ["true"], timeout: 1, environment: [])), place: "--tool c.json")
        return tools
    }

    static func refusal(_ check: ToolSet.Check) -> ToolOutput? {
        if case .refused(let output) = check { return output }
        return nil
    }

    @Test func specs_areWhatTheModelIsTold() throws {
        let tools = try Self.set()
        #expect(tools.specs.map(\.name) == ["count"] && tools.specs.first?.description == "Counts")
    }

    @Test func validArguments_areReady() throws {
        guard case .ready(let tool, let value) = try Self.set().check(name: "count", arguments: #"{"n":3}"#) else {
            Issue.record("not ready")
            return
        }
        #expect(tool.definition.name == "count" && value["n"] == .int(3))
    }

    @Test func emptyArguments_areAnEmptyObject() throws {
        let output = Self.refusal(try Self.set().check(name: "count", arguments: ""))
        #expect(output?.content == #"invalid arguments for tool 'count': (root): missing required property "n""#)
    }

    @Test func unknownName_isRefused() throws {
        let output = Self.refusal(try Self.set().check(name: "rm", arguments: "{}"))
        #expect(
            output
                == ToolOutput(content: "unknown tool 'rm': it was not offered (the tools are 'count')", isError: true))
        #expect(Self.refusal(try Self.set().check(name: nil, arguments: "{}"))?.isError == true)
    }

    @Test func notJSON_isRefusedWithWhere() throws {
        let output = Self.refusal(try Self.set().check(name: "count", arguments: #"{"n":"#))
        #expect(output?.content.hasPrefix("invalid arguments for tool 'count': not JSON: ") == true)
        #expect(output?.isError == true)
    }

    @Test func schemaFailures_giveTheValidatorsMessages() throws {
        let output = Self.refusal(try Self.set().check(name: "count", arguments: #"{"n":0,"m":1}"#))
        let content = try #require(output?.content)
        #expect(content.hasPrefix("invalid arguments for tool 'count': "))
        #expect(content.contains("/n: ") && content.contains("(root): "), "\(content)")
    }

    @Test func sameNameTwice_isRefused() throws {
        var tools = try Self.set()
        #expect(throws: AIError.self) {
            try tools.add(
                ToolDefinition(
                    name: "count", description: nil, parameters: .object([:]),
                    backend: .command(argv: ["true"], timeout: 1, environment: [])), place: "--tool d.json")
        }
    }

    @Test func parametersThatAreNotASchema_areRefused() {
        var tools = ToolSet()
        #expect(throws: AIError.self) {
            try tools.add(
                ToolDefinition(
                    name: "bad", description: nil, parameters: .object(["type": "nonsense"]),
                    backend: .command(argv: ["true"], timeout: 1, environment: [])), place: "--tool b.json")
        }
    }
}

@Suite struct CommandToolTests {
    static func run(
        _ argv: [String], input: String = "{}", timeout: Double = 10, environment: [String] = []
    )
        -> ToolOutput
    {
        CommandTool.run(name: "t", argv: argv, input: input, timeout: timeout, environment: environment)
    }

    @Test func output_isCappedAndSaysSo() {
        let output = Self.run(["/bin/sh", "-c", "head -c 3000000 /dev/zero | tr -c x x"])
        #expect(!output.isError)
        #expect(output.content.hasPrefix("xxxx"))
        let note = "\n[output cut at \(CommandTool.outputCap) bytes]"
        #expect(output.content.hasSuffix(note))
        #expect(output.content.utf8.count == CommandTool.outputCap + note.utf8.count)
    }

    @Test func outputUnderTheCap_isWhole() {
        let output = Self.run(["/bin/sh", "-c", "head -c 1048576 /dev/zero | tr -c y y"])
        #expect(!output.isError)
        #expect(output.content.utf8.count == 1 << 20)
        #expect(output.content.utf8.allSatisfy { $0 == UInt8(ascii: "y") })
    }

    @Test func argumentsLargerThanAPipe_reachStdin() {
        let input = #"{"text":""# + String(repeating: "z", count: 300_000) + #""}"#
        let output = Self.run(["cat"], input: input)
        #expect(!output.isError && output.content.utf8.count == input.utf8.count)
        #expect(output.content == input, "differs")
    }

    @Test func nonZeroExit_isAnErrorWithTheOutput() {
        let output = Self.run(["/bin/sh", "-c", "echo nope; echo hidden >&2; exit 4"])
        #expect(output == ToolOutput(content: "tool 't' failed: exit status 4\nnope\n", isError: true))
    }

    @Test func missingProgram_isAnError() {
        let output = Self.run(["/nonexistent/program"])
        #expect(output.isError && output.content.hasPrefix("tool 't' could not start '/nonexistent/program': "))
    }

    @Test func timeout_isAnError() {
        let started = Date()
        let output = Self.run(["sleep", "20"], timeout: 0.3)
        #expect(output == ToolOutput(content: "tool 't' timed out after 0.3 s and was killed", isError: true))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func environment_isExactlyWhatIsGiven() {
        let output = Self.run(["/usr/bin/env"], environment: ["A=1", "B=two words"])
        #expect(output == ToolOutput(content: "A=1\nB=two words\n", isError: false))
    }

    @Test func commandEnvironment_keepsTheBaseAndTheListedNamesButNeverAKey() {
        let environment = CommandEnvironment(
            values: [
                "PATH": "/bin", "HOME": "/h", "LANG": "C", "TERM": "xterm", "WANTED": "w", "OPENAI_API_KEY": "sk",
            ],
            withheld: ["OPENAI_API_KEY"])
        #expect(
            environment.entries(listing: ["WANTED", "OPENAI_API_KEY", "MISSING", "PATH"])
                == ["PATH=/bin", "HOME=/h", "LANG=C", "WANTED=w"])
    }

    @Test func validPrefix_neverEndsInsideACharacter() {
        let text = Array("aé€😀".utf8)
        #expect(CommandTool.validPrefix(text) == "aé€😀")
        #expect(CommandTool.validPrefix(Array(text.dropLast())) == "aé€")
        #expect(CommandTool.validPrefix(Array(text.dropLast(3))) == "aé€")
        #expect(CommandTool.validPrefix(Array(text.prefix(4))) == "aé")
        #expect(CommandTool.validPrefix(Array(text.prefix(2))) == "a")
        #expect(CommandTool.validPrefix([]) == "")
    }
}

@Suite struct ToolWireTests {
    static let spec = ToolSpec(
        name: "weather", description: "Weather now",
        parameters: .object(["type": "object", "properties": .object(["city": .object(["type": "string"])])]))

    @Test func requestTools_areKeptAsGivenForTheLoop() throws {
        let object = try #require(
            try JSON.parse(#"{"prompt":"hi","tools":[{"name":"x","command":["true"]}]}"#).objectValue)
        let request = try RequestDecoding.request(from: object)
        #expect(request.tools?.count == 1 && request.tools?.first?["name"] == "x")
        #expect(request.toolSpecs.isEmpty)
    }

    @Test func requestTools_mustBeAnArray() throws {
        let object = try #require(try JSON.parse(#"{"prompt":"hi","tools":{"name":"x"}}"#).objectValue)
        #expect(throws: AIError(.input, "field 'tools' must be an array of tool definitions")) {
            try RequestDecoding.request(from: object)
        }
    }

    @Test func openAIAndOllama_sendFunctions() {
        let expected: JSON = .array([
            .object([
                "type": "function",
                "function": .object([
                    "name": "weather", "description": "Weather now", "parameters": Self.spec.parameters,
                ]),
            ])
        ])
        #expect(OpenAIMessages.tools([Self.spec]) == expected)
        #expect(OllamaMessages.tools([Self.spec]) == expected)
    }

    @Test func anthropic_sendsInputSchemas() {
        #expect(
            AnthropicMessages.tools([Self.spec])
                == .array([
                    .object(["name": "weather", "description": "Weather now", "input_schema": Self.spec.parameters])
                ]))
    }

    @Test func steps_areInTheResultAndDoneOnlyWhenSet() {
        var completion = Completion(
            provider: "openai", model: "m", content: "hi", toolCalls: [], timing: Timing(totalMilliseconds: 1))
        #expect(Record.result(id: "1", completion: completion, metadata: nil)["steps"] == nil)
        completion.steps = 2
        #expect(Record.result(id: "1", completion: completion, metadata: nil)["steps"] == .int(2))
        #expect(Record.done(completion)["steps"] == .int(2))
    }
}
