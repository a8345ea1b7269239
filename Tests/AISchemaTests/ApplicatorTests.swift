import AIWire
import Testing

@testable import AISchema

/// The applicator vocabulary (draft 2020-12 §10), one test per keyword.
@Suite struct ApplicatorTests {
    @Test func allOf_needsEverySchema() throws {
        try expect(
            #"{"allOf":[{"type":"integer"},{"minimum":3}]}"#, [("3", true), ("2", false), ("3.5", false)])
        try expect(#"{"allOf":[true,true]}"#, [("1", true)])
        try expect(#"{"allOf":[true,false]}"#, [("1", false)])
    }

    @Test func anyOf_needsOneSchema() throws {
        try expect(
            #"{"anyOf":[{"type":"string"},{"minimum":2}]}"#,
            [(#""a""#, true), ("3", true), ("1", false), ("null", true)])
        try expect(#"{"anyOf":[false,false]}"#, [("1", false)])
    }

    @Test func oneOf_needsExactlyOneSchema() throws {
        try expect(
            #"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#,
            [("1", true), ("2.5", true), ("3", false), ("1.5", false)])
        try expect(#"{"oneOf":[true,false,false]}"#, [("1", true)])
        try expect(#"{"oneOf":[true,true]}"#, [("1", false)])
    }

    @Test func not_invertsItsSchema() throws {
        try expect(#"{"not":{"type":"integer"}}"#, [(#""a""#, true), ("1", false)])
        try expect(#"{"not":true}"#, [("1", false)])
        try expect(#"{"not":false}"#, [("1", true)])
        try expect(#"{"not":{"not":{"const":1}}}"#, [("1", true), ("2", false)])
    }

    @Test func ifThenElse() throws {
        let text = #"{"if":{"exclusiveMaximum":0},"then":{"minimum":-10},"else":{"multipleOf":2}}"#
        try expect(text, [("-1", true), ("-100", false), ("4", true), ("3", false)])
        try expect(#"{"then":{"const":1}}"#, [("2", true)])
        try expect(#"{"else":{"const":1}}"#, [("2", true)])
        try expect(#"{"if":{"const":1},"then":false}"#, [("1", false), ("2", true)])
        try expect(#"{"if":false,"then":false,"else":{"type":"string"}}"#, [(#""a""#, true), ("1", false)])
    }

    @Test func dependentSchemas() throws {
        try expect(
            #"{"dependentSchemas":{"bar":{"properties":{"foo":{"type":"integer"}},"required":["foo"]}}}"#,
            [
                (#"{"bar":2,"foo":1}"#, true), (#"{"bar":2}"#, false), (#"{"foo":"x"}"#, true),
                (#"{"bar":1,"foo":"x"}"#, false),
            ])
        try expect(#"{"dependentSchemas":{"a":false}}"#, [(#"{"a":1}"#, false), (#"{"b":1}"#, true)])
    }

    @Test func prefixItemsAndItems() throws {
        try expect(
            #"{"prefixItems":[{"type":"integer"},{"type":"string"}],"items":{"type":"boolean"}}"#,
            [("[]", true), ("[1]", true), (#"[1,"a",true,false]"#, true), (#"["a"]"#, false), (#"[1,"a",2]"#, false)])
        try expect(#"{"prefixItems":[{},{}],"items":false}"#, [("[1,2]", true), ("[1,2,3]", false)])
        try expect(#"{"items":{"type":"integer"}}"#, [("[1,2]", true), (#"[1,"2"]"#, false), (#"{"0":"x"}"#, true)])
        try expect(#"{"items":false}"#, [("[]", true), ("[1]", false)])
    }

    @Test func contains_withMinAndMax() throws {
        try expect(#"{"contains":{"const":1}}"#, [("[2,1]", true), ("[2]", false), ("[]", false), ("{}", true)])
        try expect(
            #"{"contains":{"const":1},"minContains":2,"maxContains":3}"#,
            [("[1]", false), ("[1,1]", true), ("[1,1,1,2]", true), ("[1,1,1,1]", false)])
        try expect(#"{"contains":{"const":1},"minContains":0}"#, [("[]", true), ("[2]", true)])
        try expect(#"{"contains":{"const":1},"minContains":0,"maxContains":1}"#, [("[1,1]", false), ("[]", true)])
        try expect(#"{"maxContains":1}"#, [("[1,1]", true)])
    }

    @Test func propertiesPatternPropertiesAdditionalProperties() throws {
        let text = #"""
            {"properties":{"foo":{"type":"array","maxItems":3},"bar":{"type":"array"}},
             "patternProperties":{"f.o":{"minItems":2}},
             "additionalProperties":{"type":"integer"}}
            """#
        try expect(
            text,
            [
                (#"{"foo":[1,2]}"#, true), (#"{"foo":[1,2,3,4]}"#, false), (#"{"foo":[]}"#, false),
                (#"{"fxo":[1,2]}"#, true), (#"{"fxo":[]}"#, false), (#"{"bar":[]}"#, true), (#"{"quux":3}"#, true),
                (#"{"quux":"foo"}"#, false),
            ])
        try expect(#"{"properties":{"a":false}}"#, [(#"{"a":1}"#, false), ("{}", true)])
        try expect(#"{"additionalProperties":false}"#, [("{}", true), (#"{"a":1}"#, false), ("[1]", true)])
    }

    @Test func propertyNames() throws {
        try expect(
            #"{"propertyNames":{"maxLength":3}}"#, [(#"{"abc":1}"#, true), (#"{"abcd":1}"#, false), ("{}", true)])
        try expect(#"{"propertyNames":{"pattern":"^[a-z]+$"}}"#, [(#"{"ab":1}"#, true), (#"{"Ab":1}"#, false)])
        try expect(#"{"propertyNames":false}"#, [("{}", true), (#"{"a":1}"#, false)])
    }

    @Test func booleanSchemas() throws {
        try expect("true", [("1", true), ("null", true), (#"{"a":[1]}"#, true)])
        try expect("false", [("1", false), ("null", false), ("{}", false)])
        try expect("{}", [("1", true)])
    }
}
