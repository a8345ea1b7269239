import AIWire
import Testing

@testable import AISchema

/// The core vocabulary (draft 2020-12 §8): identifiers, references, anchors, dynamic references.
@Suite struct CoreTests {
    @Test func ref_toDefs() throws {
        try expect(
            ##"{"$defs":{"age":{"type":"integer","minimum":0}},"properties":{"age":{"$ref":"#/$defs/age"}}}"##,
            [(#"{"age":3}"#, true), (#"{"age":-1}"#, false)])
    }

    @Test func ref_pointerEscapes() throws {
        let text = #"""
            {"$defs":{"a/b":{"type":"integer"},"c~d":{"type":"string"},"e%f":{"type":"null"},"g h":{"type":"boolean"}},
             "properties":{
               "slash":{"$ref":"#/$defs/a~1b"},
               "tilde":{"$ref":"#/$defs/c~0d"},
               "percent":{"$ref":"#/$defs/e%25f"},
               "space":{"$ref":"#/$defs/g%20h"}}}
            """#
        try expect(
            text,
            [
                (#"{"slash":1,"tilde":"x","percent":null,"space":true}"#, true), (#"{"slash":"1"}"#, false),
                (#"{"tilde":1}"#, false), (#"{"percent":1}"#, false), (#"{"space":1}"#, false),
            ])
    }

    @Test func ref_toArrayElementsAndTheRoot() throws {
        try expect(
            ##"{"prefixItems":[{"type":"integer"},{"$ref":"#/prefixItems/0"}]}"##,
            [("[1,2]", true), (#"[1,"a"]"#, false)])
        try expect(
            ##"{"properties":{"foo":{"$ref":"#"}},"additionalProperties":false}"##,
            [(#"{"foo":{"foo":{}}}"#, true), (#"{"foo":{"bar":1}}"#, false)])
    }

    @Test func ref_recursiveTree() throws {
        let text = #"""
            {"$defs":{"node":{"type":"object","properties":{"value":{"type":"number"},
               "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["value"]}},
             "$ref":"#/$defs/node"}
            """#
        try expect(
            text,
            [
                (#"{"value":1,"children":[{"value":2,"children":[{"value":3}]}]}"#, true),
                (#"{"value":1,"children":[{"value":2,"children":[{"value":"x"}]}]}"#, false),
            ])
        #expect(
            try failures(text, #"{"value":1,"children":[{"children":[]}]}"#)
                == [#"/children/0: missing required property "value""#])
    }

    @Test func ref_siblingsApplyIn2020() throws {
        try expect(
            ##"{"$defs":{"a":{"type":"array"}},"properties":{"foo":{"$ref":"#/$defs/a","maxItems":2}}}"##,
            [(#"{"foo":[1,2]}"#, true), (#"{"foo":[1,2,3]}"#, false)])
    }

    @Test func ref_toAnUnknownKeywordsValue() throws {
        try expect(##"{"x-shared":{"type":"integer"},"$ref":"#/x-shared"}"##, [("1", true), (#""a""#, false)])
    }

    @Test func anchor_plainNameFragments() throws {
        try expect(
            ##"{"$defs":{"n":{"$anchor":"positive","exclusiveMinimum":0}},"$ref":"#positive"}"##,
            [("1", true), ("0", false)])
        try expect(
            #"{"$id":"https://example.com/root.json","$defs":{"n":{"$anchor":"s","type":"string"}},"$ref":"https://example.com/root.json#s"}"#,
            [(#""a""#, true), ("1", false)])
    }

    @Test func id_changesTheBaseURIOfRelativeReferences() throws {
        let text = #"""
            {"$id":"https://example.com/schemas/root.json",
             "$defs":{
               "a":{"$id":"https://example.com/schemas/item.json","type":"integer"},
               "b":{"$id":"nested/","$defs":{"c":{"$id":"leaf.json","type":"string"}}},
               "d":{"$id":"/other/d.json","type":"null"}},
             "properties":{
               "item":{"$ref":"item.json"},
               "leaf":{"$ref":"nested/leaf.json"},
               "dotted":{"$ref":"nested/../nested/./leaf.json"},
               "abs":{"$ref":"https://example.com/other/d.json"}}}
            """#
        try expect(
            text,
            [
                (#"{"item":1,"leaf":"a","dotted":"b","abs":null}"#, true), (#"{"item":"1"}"#, false),
                (#"{"leaf":1}"#, false), (#"{"dotted":1}"#, false), (#"{"abs":1}"#, false),
            ])
    }

    @Test func id_resolvesAgainstTheNearestParent() throws {
        let text = #"""
            {"$id":"http://example.com/a.json",
             "$defs":{"x":{"$id":"http://example.com/b/c.json","$defs":{"y":{"$id":"d.json","type":"number"}}}},
             "allOf":[{"$ref":"http://example.com/b/d.json"}]}
            """#
        try expect(text, [("1", true), (#""a""#, false)])
    }

    @Test func id_urnBase() throws {
        try expect(
            #"{"$id":"urn:uuid:deadbeef-1234-0000-0000-4321feebdaed","$defs":{"bar":{"type":"string"}},"properties":{"foo":{"$ref":"urn:uuid:deadbeef-1234-0000-0000-4321feebdaed#/$defs/bar"}}}"#,
            [(#"{"foo":"x"}"#, true), (#"{"foo":1}"#, false)])
    }

    @Test func ref_intoAnEmbeddedResourceByPointer() throws {
        try expect(
            #"{"$defs":{"r":{"$id":"https://example.com/r","$defs":{"s":{"type":"string"}}}},"$ref":"https://example.com/r#/$defs/s"}"#,
            [(#""a""#, true), ("1", false)])
    }

    @Test func ref_toAnotherDocumentIsRefused() throws {
        let error = try #require(try compileError(#"{"properties":{"a":{"$ref":"https://example.com/person.json"}}}"#))
        #expect(error.location == "/properties/a/$ref")
        #expect(error.message.contains(#""https://example.com/person.json""#))
        #expect(error.message.contains("not fetched"))
        let relative = try #require(try compileError(#"{"$id":"https://example.com/a/root.json","$ref":"other.json"}"#))
        #expect(relative.message.contains(#""https://example.com/a/other.json""#))
        #expect(try compileError(#"{"$ref":"https://json-schema.org/draft/2020-12/schema"}"#) != nil)
    }

    @Test func ref_pointingNowhereIsRefused() throws {
        #expect(try compileError(##"{"$ref":"#/$defs/missing"}"##)?.message.contains("points to nothing") == true)
        #expect(try compileError(##"{"$ref":"#nope"}"##)?.message.contains("names no anchor") == true)
        #expect(try compileError(##"{"$ref":"#/a~2b"}"##)?.message.contains("JSON Pointer") == true)
    }

    @Test func ref_loopingInPlaceFailsInsteadOfRecursingForever() throws {
        let looping = try schema(##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##)
        #expect(!looping.isValid(.int(1)))
        #expect(looping.validate(.int(1)).first?.message.contains("nests too deeply") == true)
    }

    /// The `$dynamicRef` example of the specification's appendix: a generic tree, and a strict tree that
    /// extends it by overriding the dynamic anchor `node`.
    static let strictTree = #"""
        {"$id":"https://example.com/strict-tree.json",
         "$dynamicAnchor":"node",
         "$ref":"tree.json",
         "unevaluatedProperties":false,
         "$defs":{"tree":{
           "$id":"https://example.com/tree.json",
           "$dynamicAnchor":"node",
           "type":"object",
           "properties":{
             "data":true,
             "children":{"type":"array","items":{"$dynamicRef":"#node"}}}}}}
        """#

    @Test func dynamicRef_resolvesToTheOutermostDynamicAnchor() throws {
        try expect(
            Self.strictTree,
            [
                (#"{"children":[{"daat":1}]}"#, false), (#"{"children":[{"data":1}]}"#, true),
                (#"{"children":[{"children":[{"data":1,"x":2}]}]}"#, false), (#"{"daat":1}"#, false),
            ])
        // The tree alone accepts misspelled properties: there, #node is the tree itself.
        try expect(
            #"{"$ref":"https://example.com/tree.json","$defs":{"t":"# + "\(Self.treeOnly)" + #"}}"#,
            [(#"{"children":[{"daat":1}]}"#, true)])
    }

    static let treeOnly = #"""
        {"$id":"https://example.com/tree.json","$dynamicAnchor":"node","type":"object",
         "properties":{"data":true,"children":{"type":"array","items":{"$dynamicRef":"#node"}}}}
        """#

    @Test func dynamicRef_withoutAMatchingDynamicAnchorIsAPlainRef() throws {
        // "#items" resolves statically to a $anchor, not a $dynamicAnchor: the outer override is ignored.
        let text = #"""
            {"$id":"https://example.com/root","$dynamicAnchor":"items","type":"array",
             "items":{"$ref":"list"},
             "$defs":{
               "list":{"$id":"list","type":"array","items":{"$dynamicRef":"#items"},
                 "$defs":{"items":{"$anchor":"items","type":"string"}}}}}
            """#
        try expect(text, [(#"[["a"]]"#, true), ("[[1]]", false)])
    }

    @Test func dynamicRef_overriddenByTheCaller() throws {
        let text = #"""
            {"$id":"https://example.com/strings","$ref":"list","$defs":{
               "items":{"$dynamicAnchor":"items","type":"string"},
               "list":{"$id":"list","type":"array","items":{"$dynamicRef":"#items"},
                 "$defs":{"items":{"$dynamicAnchor":"items","$comment":"anything by default"}}}}}
            """#
        try expect(text, [(#"["a","b"]"#, true), (#"["a",1]"#, false)])
        let list = #"""
            {"$id":"https://example.com/list","type":"array","items":{"$dynamicRef":"#items"},
             "$defs":{"items":{"$dynamicAnchor":"items","$comment":"anything by default"}}}
            """#
        try expect(list, [(#"["a",1]"#, true)])
    }

    @Test func dynamicRef_withAPointerIsAPlainRef() throws {
        try expect(
            ##"{"$defs":{"s":{"$dynamicAnchor":"s","type":"string"}},"$dynamicRef":"#/$defs/s"}"##,
            [(#""a""#, true), ("1", false)])
    }

    @Test func schemaKeyword_choosesTheDraft() throws {
        #expect(try schema(#"{"$schema":"https://json-schema.org/draft/2020-12/schema"}"#).draft == .draft2020_12)
        #expect(try schema(#"{"$schema":"http://json-schema.org/draft-07/schema#"}"#).draft == .draft7)
        #expect(try schema(#"{"$schema":"http://json-schema.org/draft-06/schema#"}"#).draft == .draft7)
        #expect(try schema("{}").draft == .draft2020_12)
        #expect(try schema("{}", draft: .draft7).draft == .draft7)
        let error = try #require(try compileError(#"{"$schema":"http://json-schema.org/draft-04/schema#"}"#))
        #expect(error.message.contains("unsupported $schema"))
    }

    @Test func annotationsAndUnknownKeywordsAreIgnored() throws {
        try expect(
            #"{"title":"t","description":"d","default":5,"examples":[1],"deprecated":true,"readOnly":true,"$comment":"c","x-custom":{"type":"string"},"contentMediaType":"application/json","contentEncoding":"base64"}"#,
            [("1", true), (#""{""#, true)])
        try expect(
            #"{"$vocabulary":{"https://json-schema.org/draft/2020-12/vocab/core":true},"type":"integer"}"#,
            [("1", true), ("1.5", false)])
        #expect(try compileError(#"{"$vocabulary":{"x":1}}"#)?.location == "/$vocabulary")
    }
}

/// Deeply nested instances are evaluated without exhausting the stack.
@Suite struct DepthTests {
    @Test func deepInstance_validatesOrFailsCleanly() throws {
        let recursive = try schema(##"{"type":"array","items":{"$ref":"#"}}"##)
        var shallow: JSON = .array([])
        for _ in 0..<100 { shallow = .array([shallow]) }
        #expect(recursive.isValid(shallow))
        var deep: JSON = .array([])
        for _ in 0..<400 { deep = .array([deep]) }
        #expect(recursive.validate(deep).first?.message.contains("nests too deeply") == true)
    }
}
