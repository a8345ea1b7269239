import AIWire
import Testing

@testable import AISchema

/// Schemas that are not schemas fail to compile, naming the place and the reason.
@Suite struct SchemaErrorTests {
    @Test(arguments: [
        (#"{"minimum":"x"}"#, "/minimum", "must be a number, not a string"),
        (#"{"type":"nope"}"#, "/type", #""nope" is not a type"#),
        (#"{"type":[]}"#, "/type", "must not be an empty array"),
        (#"{"type":["string","string"]}"#, "/type", "twice"),
        (#"{"type":5}"#, "/type", "must be a type name"),
        (#"{"properties":{"age":{"maximum":true}}}"#, "/properties/age/maximum", "must be a number, not a boolean"),
        (#"{"properties":{"a":1}}"#, "/properties/a", "must be a schema"),
        (#"{"properties":[]}"#, "/properties", "must be an object, not an array"),
        (#"{"items":"x"}"#, "/items", "must be a schema"),
        (#"{"allOf":[]}"#, "/allOf", "must not be empty"),
        (#"{"anyOf":{}}"#, "/anyOf", "must be an array"),
        (#"{"oneOf":[1]}"#, "/oneOf/0", "must be a schema"),
        (#"{"minLength":-1}"#, "/minLength", "non-negative integer"),
        (#"{"maxItems":1.5}"#, "/maxItems", "non-negative integer"),
        (#"{"multipleOf":0}"#, "/multipleOf", "greater than 0"),
        (#"{"multipleOf":-2}"#, "/multipleOf", "greater than 0"),
        (#"{"required":"a"}"#, "/required", "an array of strings"),
        (#"{"required":["a","a"]}"#, "/required", "twice"),
        (#"{"required":[1]}"#, "/required", "an array of strings"),
        (#"{"uniqueItems":"yes"}"#, "/uniqueItems", "must be a boolean"),
        (#"{"pattern":"("}"#, "/pattern", "not a valid regular expression"),
        (#"{"pattern":"(?<=a)b"}"#, "/pattern", "lookbehind"),
        (#"{"patternProperties":{"[":{}}}"#, "/patternProperties/[", "not a valid regular expression"),
        (#"{"enum":5}"#, "/enum", "must be an array"),
        (#"{"$ref":5}"#, "/$ref", "must be a string"),
        (#"{"$anchor":"1x"}"#, "/$anchor", "not a valid anchor name"),
        (#"{"$id":"https://example.com/a#frag"}"#, "/$id", "must not have a fragment"),
        (#"{"dependentRequired":{"a":"b"}}"#, "/dependentRequired/a", "an array of strings"),
        (#"{"$defs":{"x":{"minimum":"1"}}}"#, "/$defs/x/minimum", "must be a number"),
        (#"{"not":[]}"#, "/not", "must be a schema"),
        (#"{"title":5}"#, "/title", "must be a string"),
        (#"{"$defs":{"a":{"$id":"https://e.com/x"},"b":{"$id":"https://e.com/x"}}}"#, "/$defs/b/$id", "two schemas"),
        ("5", "", "must be an object or a boolean, not a number"),
        (#""{}""#, "", "must be an object or a boolean, not a string"),
    ])
    func notASchema(text: String, location: String, reason: String) throws {
        let error = try #require(try compileError(text), "\(text) compiled")
        #expect(error.location == location, "\(error)")
        #expect(error.reason.contains(reason), "\(error)")
        #expect(error.reason.first.map { !$0.isUppercase } ?? false)
        #expect(!error.message.hasSuffix("."))
    }

    @Test func message_readsAsOneLine() throws {
        let error = try #require(try compileError(#"{"properties":{"age":{"minimum":"x"}}}"#))
        #expect(error.message == "invalid schema at /properties/age/minimum: must be a number, not a string")
        #expect(
            try compileError(#"5"#)?.message == "invalid schema: a schema must be an object or a boolean, not a number")
    }

    @Test func parsing_reportsJSONErrors() {
        #expect(throws: SchemaError.self) { try Schema(parsing: "{") }
        do {
            _ = try Schema(parsing: #"{"type":}"#)
        } catch {
            #expect(error.message.hasPrefix("invalid schema: not valid JSON"))
        }
        #expect((try? Schema(parsing: #"{"type":"string"}"#)) != nil)
    }

    @Test func draft7_checksItsOwnKeywords() throws {
        #expect(try compileError(#"{"additionalItems":5}"#, draft: .draft7)?.location == "/additionalItems")
        #expect(try compileError(#"{"dependencies":{"a":5}}"#, draft: .draft7)?.location == "/dependencies/a")
        #expect(
            try compileError(##"{"$ref":"#/definitions/x","definitions":{"x":{"type":"x"}}}"##, draft: .draft7) != nil)
    }
}
