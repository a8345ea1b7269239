import AIWire
import Testing

@testable import AISchema

/// Whether a schema can go to OpenAI with `strict: true`.
@Suite struct OpenAIStrictTests {
    @Test func strictSchema_isCompatible() throws {
        let text = #"""
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
             "required":["name","age","tags","address","nick"],
             "properties":{
               "name":{"type":"string","description":"full name","pattern":"^[A-Z]"},
               "age":{"type":"integer","minimum":0},
               "tags":{"type":"array","items":{"type":"string","enum":["a","b"]},"maxItems":3},
               "address":{"$ref":"#/$defs/address"},
               "nick":{"anyOf":[{"type":"string"},{"type":"null"}]}},
             "$defs":{"address":{"type":"object","additionalProperties":false,"required":["city"],
               "properties":{"city":{"type":"string","format":"email"}}}}}
            """#
        let compiled = try schema(text)
        #expect(compiled.openAIStrictProblem == nil)
        #expect(compiled.isOpenAIStrictCompatible)
    }

    @Test(arguments: [
        (#"{"type":"array"}"#, "(root): the root type is not object"),
        (#"{"anyOf":[{"type":"object"}]}"#, "(root): the root type is not object"),
        (
            #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
            "(root): additionalProperties is not false"
        ),
        (
            #"{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"}}}"#,
            #"(root): property "a" is not required"#
        ),
        (
            #"{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string","minLength":1}},"required":["a"]}"#,
            "/properties/a: uses minLength"
        ),
        (
            #"{"type":"object","additionalProperties":false,"properties":{"a":{"allOf":[{"type":"string"}]}},"required":["a"]}"#,
            "/properties/a: uses allOf"
        ),
        (
            #"{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string","format":"uri"}},"required":["a"]}"#,
            "/properties/a: uses format uri"
        ),
        (
            #"{"type":"object","additionalProperties":false,"properties":{"a":true},"required":["a"]}"#,
            "/properties/a: boolean schemas are not supported"
        ),
        (
            #"{"type":"object","additionalProperties":false,"properties":{"a":{"description":"x"}},"required":["a"]}"#,
            "/properties/a: has no type"
        ),
        (
            #"{"type":"object","additionalProperties":false,"properties":{"a":{"type":"object","properties":{}}},"required":["a"]}"#,
            "/properties/a: additionalProperties is not false"
        ),
    ])
    func nonStrictSchema_namesTheProblem(text: String, problem: String) throws {
        let compiled = try schema(text)
        #expect(compiled.openAIStrictProblem == problem)
        #expect(!compiled.isOpenAIStrictCompatible)
    }

    @Test func deepNesting_isNotStrict() throws {
        var text = #"{"type":"string"}"#
        for _ in 0..<11 {
            text = #"{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":\#(text)}}"#
        }
        #expect(try schema(text).openAIStrictProblem?.contains("nest more than 10 deep") == true)
    }
}
