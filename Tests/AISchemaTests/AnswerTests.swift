import AIWire
import Testing

@testable import AISchema

/// A model's answer: JSON, perhaps inside a markdown code fence.
@Suite struct AnswerTests {
    @Test(arguments: [
        (#"{"a":1}"#, #"{"a":1}"#),
        ("  [1, 2]\n", "[1,2]"),
        ("```json\n{\"a\":1}\n```", #"{"a":1}"#),
        ("```\n{\"a\":1}\n```\n", #"{"a":1}"#),
        ("\n\n```JSON\r\n{\"a\":\n 1}\r\n```  \n", #"{"a":1}"#),
        ("~~~json\n\"x\"\n~~~", #""x""#),
        ("````json\n{\"code\":\"```\"}\n````", #"{"code":"```"}"#),
    ])
    func parseAnswer_acceptsJSONAndFencedJSON(text: String, expected: String) throws {
        #expect(try Schema.parseAnswer(text) == json(expected))
    }

    @Test(arguments: [
        "Here it is: {\"a\":1}", "```json\n{\"a\":1}", "```json\n{\"a\":1}\n```\nmore text", "```json {\"a\":1} ```",
        "```json\n{\"a\":\n```", "", "```\n```",
    ])
    func parseAnswer_refusesAnythingElse(text: String) {
        #expect(throws: JSONParseError.self) { try Schema.parseAnswer(text) }
    }
}

/// Checking an answer in one call, as a tool does.
@Suite struct SchemaAnswerTests {
    @Test func check_parsesAndValidates() throws {
        let compiled = try schema(#"{"type":"object","properties":{"age":{"minimum":18}},"required":["age"]}"#)
        #expect(compiled.check(answer: "```json\n{\"age\":20}\n```") == .valid(try json(#"{"age":20}"#)))
        let invalid = compiled.check(answer: #"{"age":17}"#)
        #expect(invalid.message == "/age: 17 is less than the minimum 18")
        #expect(invalid.value == (try json(#"{"age":17}"#)))
        guard case .invalid(_, let failures) = invalid else {
            Issue.record("\(invalid)")
            return
        }
        #expect(failures.map(\.keyword) == ["minimum"])
        let prose = compiled.check(answer: "Sure! The age is 17.")
        #expect(prose.value == nil)
        #expect(prose.message?.hasPrefix("the answer is not JSON: ") == true)
        #expect(compiled.check(answer: "{}", limit: 1).message == #"(root): missing required property "age""#)
    }
}
