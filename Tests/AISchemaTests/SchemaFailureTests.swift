import AIWire
import Testing

@testable import AISchema

/// What a failed validation reports: locations, keywords, messages, the limit.
@Suite struct SchemaFailureTests {
    static let person = #"""
        {"type":"object","required":["name","age"],"additionalProperties":false,
         "properties":{"name":{"type":"string","minLength":1},"age":{"type":"integer","minimum":18},
           "tags":{"type":"array","items":{"type":"string"},"uniqueItems":true},
           "email":{"type":"string","pattern":"@"}}}
        """#

    @Test func failure_namesTheLocationAndKeyword() throws {
        let failures = try schema(Self.person).validate(json(#"{"name":"Ann","age":17}"#))
        #expect(
            failures == [SchemaFailure(path: "/age", keyword: "minimum", message: "17 is less than the minimum 18")])
        #expect(failures.first?.description == "/age: 17 is less than the minimum 18")
        #expect(
            failures.first?.record
                == .object(["path": "/age", "keyword": "minimum", "message": "17 is less than the minimum 18"]))
    }

    @Test func failures_comeInOrderUpToTheLimit() throws {
        let instance = #"{"name":"","age":"x","tags":["a",1,"a"],"email":"none","extra":1}"#
        #expect(
            try failures(Self.person, instance) == [
                #"/name: "" has 0 characters, fewer than the minimum length 1"#,
                "/age: expected integer, got string",
                "/tags: items 0 and 2 are equal",
                "/tags/1: expected string, got integer 1",
                #"/email: "none" does not match the pattern @"#,
                #"(root): property "extra" is not allowed"#,
            ])
        #expect(try failures(Self.person, instance, limit: 2).count == 2)
        #expect(try failures(Self.person, "[]") == ["(root): expected object, got array"])
        #expect(try failures(Self.person, "{}").count == 2)
    }

    @Test(arguments: [
        (#"{"type":"string"}"#, "1.5", "(root): expected string, got number 1.5"),
        (#"{"type":["string","null"]}"#, "true", "(root): expected null or string, got boolean"),
        (#"{"const":"a"}"#, #""b""#, #"(root): "b" is not the allowed value "a""#),
        (#"{"enum":[1,2]}"#, "3", "(root): 3 is not one of 1, 2"),
        (#"{"maximum":5}"#, "6", "(root): 6 is greater than the maximum 5"),
        (#"{"exclusiveMinimum":5}"#, "5", "(root): 5 is not greater than the exclusive minimum 5"),
        (#"{"exclusiveMaximum":5}"#, "5", "(root): 5 is not less than the exclusive maximum 5"),
        (#"{"multipleOf":0.01}"#, "0.075", "(root): 0.075 is not a multiple of 0.01"),
        (#"{"maxLength":2}"#, #""abc""#, #"(root): "abc" has 3 characters, more than the maximum length 2"#),
        (#"{"minItems":2}"#, "[1]", "(root): array has 1 item, fewer than the minimum 2"),
        (#"{"maxItems":1}"#, "[1,2]", "(root): array has 2 items, more than the maximum 1"),
        (#"{"minProperties":2}"#, #"{"a":1}"#, "(root): object has 1 property, fewer than 2"),
        (#"{"maxProperties":0}"#, #"{"a":1,"b":2}"#, "(root): object has 2 properties, more than 0"),
        (#"{"contains":{"type":"string"}}"#, "[1]", "(root): no item matches the contains schema"),
        (
            #"{"contains":{"const":1},"minContains":2}"#, "[1]",
            "(root): 1 item match the contains schema, fewer than the minimum 2"
        ),
        (
            #"{"contains":{"const":1},"maxContains":1}"#, "[1,1]",
            "(root): 2 items match the contains schema, more than the maximum 1"
        ),
        (#"{"not":{"type":"integer"}}"#, "1", "(root): 1 must not match the schema in not"),
        (#"{"prefixItems":[true],"items":false}"#, "[1,2]", "(root): array has 2 items, more than the 1 allowed"),
        (#"{"unevaluatedItems":false}"#, "[1]", "(root): item 0 is not allowed"),
        (#"{"unevaluatedProperties":false}"#, #"{"a":1}"#, #"(root): property "a" is not allowed"#),
        (
            #"{"propertyNames":{"maxLength":1}}"#, #"{"ab":1}"#,
            #"(root): property name "ab" is invalid: "ab" has 2 characters, more than the maximum length 1"#
        ),
        (#"{"dependentRequired":{"a":["b"]}}"#, #"{"a":1}"#, #"(root): property "b" is required when "a" is present"#),
        (
            #"{"anyOf":[{"type":"string"},{"type":"null"}]}"#, "1",
            "(root): 1 matches none of the schemas in anyOf: 0: expected string, got integer 1; 1: expected null, got integer 1"
        ),
        (
            #"{"oneOf":[{"type":"integer"},{"minimum":0}]}"#, "1",
            "(root): 1 matches schemas 0 and 1 of oneOf, not exactly one"
        ),
        (
            #"{"oneOf":[{"required":["a"]},{"properties":{"b":{"type":"string"}}}]}"#, #"{"b":1}"#,
            #"(root): {"b":1} matches none of the schemas in oneOf: 0: missing required property "a"; 1: /b: expected string, got integer 1"#
        ),
        ("false", "1", "(root): no value is allowed here"),
        (##"{"items":{"$ref":"#/$defs/f"},"$defs":{"f":false}}"##, "[1]", "/0: no value is allowed here"),
        (#"{"format":"date"}"#, #""2024-02-30""#, #"(root): "2024-02-30" is not a valid date"#),
    ])
    func message(schemaText: String, instance: String, expected: String) throws {
        #expect(try failures(schemaText, instance, assertFormat: true) == [expected])
    }

    @Test func paths_escapeKeysAsJSONPointer() throws {
        #expect(
            try failures(#"{"additionalProperties":{"type":"string"}}"#, #"{"a/b~c":1}"#)
                == ["/a~1b~0c: expected string, got integer 1"])
        #expect(
            try failures(#"{"items":{"items":{"type":"null"}}}"#, "[[null],[null,0]]")
                == ["/1/1: expected null, got integer 0"])
    }

    @Test func longValues_areCutInMessages() throws {
        let long = String(repeating: "x", count: 100)
        let message = try #require(try failures(#"{"maxLength":3}"#, "\"\(long)\"").first)
        #expect(message.count < 120)
        #expect(message.contains("…"))
    }

    @Test func validInstances_haveNoFailures() throws {
        #expect(try schema(Self.person).validate(json(#"{"name":"Ann","age":18,"tags":["a"]}"#)).isEmpty)
    }
}

/// One compiled schema serves many threads.
@Suite struct ConcurrencyTests {
    @Test func compiledSchema_validatesFromManyTasks() async throws {
        let compiled = try schema(SchemaFailureTests.person)
        let good = try json(#"{"name":"Ann","age":30,"email":"a@b","tags":["x","y"]}"#)
        let bad = try json(#"{"name":"Ann","age":3}"#)
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    index % 2 == 0
                        ? compiled.validate(good).isEmpty
                        : compiled.validate(bad).map(\.description) == ["/age: 3 is less than the minimum 18"]
                }
            }
            for await result in group { #expect(result) }
        }
    }
}
