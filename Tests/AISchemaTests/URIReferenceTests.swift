import Testing

@testable import AISchema

/// RFC 3986 §5.4's reference resolution examples, and JSON Pointer tokens.
@Suite struct URIReferenceTests {
    @Test(arguments: [
        ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"), ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"),
        (";x", "http://a/b/c/;x"), ("g;x", "http://a/b/c/g;x"), ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"), ("..", "http://a/b/"), ("../", "http://a/b/"), ("../g", "http://a/b/g"),
        ("../..", "http://a/"), ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("/./g", "http://a/g"),
        ("/../g", "http://a/g"), ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"), ("g..", "http://a/b/c/g.."),
        ("./../g", "http://a/b/g"), ("./g/.", "http://a/b/c/g/"), ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"), ("g;x=1/./y", "http://a/b/c/g;x=1/y"), ("g;x=1/../y", "http://a/b/c/y"),
    ])
    func resolution(reference: String, expected: String) {
        #expect(URIReference(reference).resolved(against: URIReference("http://a/b/c/d;p?q")).text == expected)
    }

    @Test func resolution_againstNoBase() {
        #expect(URIReference("#/a").resolved(against: URIReference("")).text == "#/a")
        #expect(URIReference("other.json").resolved(against: URIReference("")).text == "other.json")
        #expect(URIReference("#x").resolved(against: URIReference("urn:uuid:1")).text == "urn:uuid:1#x")
    }

    @Test func pointer_tokensAndEscapes() {
        #expect(JSONPointer.tokens("") == [])
        #expect(JSONPointer.tokens("/") == [""])
        #expect(JSONPointer.tokens("/a~1b/c~0d/0") == ["a/b", "c~d", "0"])
        #expect(JSONPointer.tokens("a") == nil)
        #expect(JSONPointer.tokens("/a~") == nil)
        #expect(JSONPointer.text(["a/b", "c~d", ""]) == "/a~1b/c~0d/")
        #expect(JSONPointer.percentDecoded("/a%25b%20c") == "/a%b c")
        #expect(JSONPointer.percentDecoded("/%zz") == nil)
        #expect(JSONPointer.percentDecoded("/%C3%A9") == "/é")
    }
}
