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
