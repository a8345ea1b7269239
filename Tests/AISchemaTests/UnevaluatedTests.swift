import AIWire
import Testing

@testable import AISchema

/// The unevaluated vocabulary (draft 2020-12 §11): annotations gathered through every applicator.
@Suite struct UnevaluatedTests {
    @Test func unevaluatedProperties_seesPropertiesOfTheSameSchema() throws {
        try expect(
            #"{"properties":{"a":{}},"patternProperties":{"^x-":{}},"unevaluatedProperties":false}"#,
            [(#"{"a":1,"x-y":2}"#, true), (#"{"a":1,"b":2}"#, false)])
        try expect(#"{"unevaluatedProperties":{"type":"string"}}"#, [(#"{"a":"x"}"#, true), (#"{"a":1}"#, false)])
        try expect(#"{"additionalProperties":true,"unevaluatedProperties":false}"#, [(#"{"a":1}"#, true)])
    }

    @Test func unevaluatedProperties_acrossAllOf() throws {
        try expect(
            #"{"allOf":[{"properties":{"a":{}}}],"properties":{"b":{}},"unevaluatedProperties":false}"#,
            [(#"{"a":1,"b":2}"#, true), (#"{"a":1,"c":3}"#, false)])
        // Nested schemas' own unevaluatedProperties does not see the parent's properties.
        try expect(
            #"{"properties":{"a":{}},"allOf":[{"unevaluatedProperties":false}]}"#, [(#"{"a":1}"#, false), ("{}", true)])
    }

    @Test func unevaluatedProperties_acrossIfThenElse() throws {
        let text = #"""
            {"if":{"properties":{"kind":{"const":"card"}},"required":["kind"]},
             "then":{"properties":{"number":{"type":"string"}},"required":["number"]},
             "else":{"properties":{"iban":{"type":"string"}}},
             "unevaluatedProperties":false}
            """#
        try expect(
            text,
            [
                (#"{"kind":"card","number":"4111"}"#, true), (#"{"kind":"card","number":"4111","iban":"x"}"#, false),
                (#"{"iban":"DE00"}"#, true), (#"{"kind":"cash","iban":"DE00"}"#, false), (#"{"number":"1"}"#, false),
            ])
        // `if` alone still evaluates its properties when it succeeds.
        try expect(
            #"{"if":{"properties":{"a":{"const":1}}},"unevaluatedProperties":false}"#,
            [(#"{"a":1}"#, true), (#"{"a":2}"#, false)])
    }

    @Test func unevaluatedProperties_acrossAnyOfOneOfNot() throws {
        let anyOf = #"""
            {"anyOf":[{"properties":{"a":{"const":1}},"required":["a"]},{"properties":{"b":{"const":2}},"required":["b"]}],
             "unevaluatedProperties":false}
            """#
        // Every valid branch of anyOf counts, so both properties are evaluated.
        try expect(anyOf, [(#"{"a":1}"#, true), (#"{"a":1,"b":2}"#, true), (#"{"a":1,"b":3}"#, false)])
        let oneOf = #"""
            {"oneOf":[{"properties":{"a":{}},"required":["a"]},{"properties":{"b":{}},"required":["b"]}],
             "unevaluatedProperties":false}
            """#
        try expect(oneOf, [(#"{"a":1}"#, true), (#"{"a":1,"c":1}"#, false)])
        // A subschema under not never evaluates anything.
        try expect(
            #"{"not":{"not":{"properties":{"a":{}}}},"unevaluatedProperties":false}"#, [(#"{"a":1}"#, false)])
    }

    @Test func unevaluatedProperties_acrossRefAndDependentSchemas() throws {
        try expect(
            ##"{"$ref":"#/$defs/base","properties":{"b":{}},"unevaluatedProperties":false,"$defs":{"base":{"properties":{"a":{}}}}}"##,
            [(#"{"a":1,"b":2}"#, true), (#"{"c":1}"#, false)])
        try expect(
            #"{"dependentSchemas":{"a":{"properties":{"b":{}}}},"properties":{"a":{}},"unevaluatedProperties":false}"#,
            [(#"{"a":1,"b":2}"#, true), (#"{"b":2}"#, false)])
    }

    @Test func unevaluatedProperties_nestedPropertiesAreTheirOwnLocation() throws {
        try expect(
            #"{"properties":{"x":{"properties":{"y":{}},"unevaluatedProperties":false}},"unevaluatedProperties":false}"#,
            [(#"{"x":{"y":1}}"#, true), (#"{"x":{"z":1}}"#, false), (#"{"x":{},"z":1}"#, false)])
    }

    @Test func unevaluatedItems_acrossPrefixItemsItemsAndContains() throws {
        try expect(
            #"{"prefixItems":[{"type":"string"}],"unevaluatedItems":false}"#,
            [(#"["a"]"#, true), (#"["a",1]"#, false)])
        try expect(#"{"items":{"type":"integer"},"unevaluatedItems":false}"#, [("[1,2,3]", true)])
        try expect(
            #"{"allOf":[{"prefixItems":[true,true]}],"unevaluatedItems":{"type":"boolean"}}"#,
            [("[1,2,true]", true), ("[1,2,3]", false)])
        try expect(
            #"{"contains":{"type":"string"},"unevaluatedItems":{"type":"integer"}}"#,
            [(#"["a",1,"b",2]"#, true), (#"["a",1.5]"#, false)])
        try expect(
            #"{"anyOf":[{"prefixItems":[true]},{"prefixItems":[true,true,true]}],"unevaluatedItems":false}"#,
            [("[1,2,3]", true), ("[1,2,3,4]", false)])
        try expect(
            #"{"if":{"prefixItems":[{"const":1}]},"then":{"prefixItems":[true,{"const":2}]},"unevaluatedItems":false}"#,
            [("[1,2]", true), ("[1]", true), ("[3]", false), ("[1,2,3]", false)])
        try expect(
            ##"{"$ref":"#/$defs/two","unevaluatedItems":false,"$defs":{"two":{"prefixItems":[true,true]}}}"##,
            [("[1,2]", true), ("[1,2,3]", false)])
        try expect(
            #"{"not":{"not":{"prefixItems":[true]}},"unevaluatedItems":false}"#, [("[]", true), ("[1]", false)])
    }

    @Test func unevaluated_failingBranchesDoNotEvaluate() throws {
        try expect(
            #"{"anyOf":[{"properties":{"a":{"type":"string"}}},{"properties":{"b":{}}}],"unevaluatedProperties":false}"#,
            [(#"{"a":1}"#, false), (#"{"a":"x"}"#, true), (#"{"b":1}"#, true)])
    }

    @Test func unevaluated_reportsOnlyTheRealFailureWhenASiblingFails() throws {
        #expect(
            try failures(
                #"{"allOf":[{"properties":{"a":{"type":"string"}}}],"unevaluatedProperties":false}"#, #"{"a":1}"#)
                == ["/a: expected string, got integer 1"])
    }
}
