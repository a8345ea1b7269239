import AIWire
import Testing

@testable import AISchema

/// Draft-07, chosen by `$schema`: its own keywords and its `$ref` rule.
@Suite struct Draft7Tests {
    static let draft = #""$schema":"http://json-schema.org/draft-07/schema#""#

    @Test func ref_overridesItsSiblings() throws {
        try expect(
            ##"{\##(Self.draft),"definitions":{"a":{"type":"array"}},"properties":{"foo":{"$ref":"#/definitions/a","maxItems":2}}}"##,
            [(#"{"foo":[1,2,3]}"#, true), (#"{"foo":"x"}"#, false)])
        // The same schema in 2020-12 applies maxItems too.
        try expect(
            ##"{"definitions":{"a":{"type":"array"}},"properties":{"foo":{"$ref":"#/definitions/a","maxItems":2}}}"##,
            [(#"{"foo":[1,2,3]}"#, false)])
    }

    @Test func ref_ignoresASiblingId() throws {
        let text = #"""
            {"$schema":"http://json-schema.org/draft-07/schema#","$id":"http://example.com/base/",
             "definitions":{"foo":{"$id":"http://example.com/foo.json","type":"string"},
                            "base_foo":{"$id":"foo.json","type":"number"}},
             "allOf":[{"$id":"http://example.com/","$ref":"foo.json"}]}
            """#
        try expect(text, [("1", true), (#""a""#, false)])
    }

    @Test func items_asAnArrayWithAdditionalItems() throws {
        try expect(
            #"{\#(Self.draft),"items":[{"type":"integer"},{"type":"string"}],"additionalItems":{"type":"boolean"}}"#,
            [(#"[1,"a",true]"#, true), (#"[1,"a",2]"#, false), (#"["a"]"#, false), ("[]", true)])
        try expect(#"{\#(Self.draft),"items":[{}],"additionalItems":false}"#, [("[1]", true), ("[1,2]", false)])
        try expect(#"{\#(Self.draft),"items":{"type":"integer"},"additionalItems":false}"#, [("[1,2,3]", true)])
        try expect(#"{\#(Self.draft),"additionalItems":false}"#, [("[1,2,3]", true)])
    }

    @Test func dependencies_arrayAndSchemaForms() throws {
        try expect(
            #"{\#(Self.draft),"dependencies":{"a":["b"],"c":{"required":["d"]}}}"#,
            [
                (#"{"a":1,"b":2}"#, true), (#"{"a":1}"#, false), (#"{"c":1,"d":2}"#, true), (#"{"c":1}"#, false),
                ("{}", true),
            ])
    }

    @Test func definitions_andIdAnchors() throws {
        try expect(
            ##"{\##(Self.draft),"definitions":{"pos":{"$id":"#positive","minimum":0}},"$ref":"#positive"}"##,
            [("1", true), ("-1", false)])
    }

    @Test func keywordsOf2020AreUnknownInDraft7() throws {
        try expect(
            #"{\#(Self.draft),"prefixItems":[{"type":"string"}],"unevaluatedProperties":false,"dependentRequired":{"a":["b"]}}"#,
            [("[1]", true), (#"{"a":1}"#, true)])
    }

    @Test func contains_hasNoMinContains() throws {
        try expect(#"{\#(Self.draft),"contains":{"const":1},"minContains":0}"#, [("[]", false), ("[1]", true)])
    }

    @Test func arrayItemsIsAnErrorIn2020() throws {
        let error = try #require(try compileError(#"{"items":[{"type":"string"}]}"#))
        #expect(error.message.contains("prefixItems"))
    }

    @Test func embeddedDraft7Resource() throws {
        let text = #"""
            {"$defs":{"old":{"$id":"https://example.com/old","$schema":"http://json-schema.org/draft-07/schema#",
               "definitions":{"n":{"type":"integer"}},
               "properties":{"a":{"$ref":"#/definitions/n","minimum":10}}}},
             "$ref":"https://example.com/old"}
            """#
        try expect(text, [(#"{"a":1}"#, true), (#"{"a":1.5}"#, false)])
    }
}
