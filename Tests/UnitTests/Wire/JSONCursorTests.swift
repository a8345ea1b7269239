import AIBase
import AIWire
import PropertyBased
import Testing

/// Tokens JSON text is made of, some of them malformed, all valid UTF-8.
private let tokens: [String] = [
    "{", "}", "[", "]", ",", ":", " ", "\"a\"", "\"k\\u0065y\"", "\"\\x\"", "\"é\"", "\"\\ud83d\\ude80\"", "\"\\u12\"",
    "1", "-0.5e3", "01", "1.", "-", "true", "nul", "null", "false", "\"", "\\", "\"a\\\"b\"", "\t",
]

/// Texts made of those tokens.
private let texts = Gen<String?>.element(of: tokens).array(of: 0...14).map { $0.compactMap { $0 }.joined() }

/// The skipping cursor and the tree parser must agree on what JSON is.
@Suite struct JSONCursorTests {
    /// Whether the cursor steps over exactly one value filling `text`.
    func cursorAccepts(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { bytes in
            var cursor = JSONParser(bytes)
            do throws(JSONParseError) {
                try cursor.skip()
                return cursor.atEnd()
            } catch {
                return false
            }
        }
    }

    /// The member names of the object `text`, walked with the cursor.
    func cursorKeys(_ text: String, matching names: [StaticString]) throws -> [String] {
        try Array(text.utf8).withUnsafeBytes { bytes in
            var cursor = JSONParser(bytes)
            var keys: [String] = []
            if try cursor.beginObject() {
                repeat {
                    let key = try cursor.memberKey()
                    keys.append(names.first(where: { key.is($0) }).map(\.description) ?? "?")
                    try cursor.skip(depth: 1)
                } while try cursor.nextMember()
            }
            let atEnd = cursor.atEnd()
            #expect(atEnd)
            return keys
        }
    }

    @Test func skip_acceptsExactlyWhatTheParserAccepts() async {
        await propertyCheck(count: 2000, input: texts) { text in
            let parsed = (try? JSON.parse(text)) != nil
            #expect(cursorAccepts(text) == parsed, "\(text)")
        }
    }

    @Test(arguments: [
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":01}"#, #"{"a":tru}"#, #"{"a":[1,]}"#, #"{"a":1,}"#, #"{"a" 1}"#,
        #"{"a":"b"} x"#, "{\"a\":\"\u{01}\"}",
    ])
    func skip_refusesMalformedValuesItDoesNotDecode(_ text: String) {
        #expect(!cursorAccepts(text))
    }

    @Test func memberKey_matchesNamesWrittenWithEscapes() throws {
        let keys = try cursorKeys(
            #"{"content":1, "con\u0074ent" : [2], "x":{"content":3}, "\"":4}"#,
            matching: ["content", "x", "\""])
        #expect(keys == ["content", "content", "x", "\""])
    }

    @Test func spans_decodeOnlyWhatIsAsked() throws {
        let text = #"{"s":"h\u00e9","n":null,"o":{"k":[1,true]},"i":7}"#
        try Array(text.utf8).withUnsafeBytes { bytes in
            var cursor = JSONParser(bytes)
            var spans: [JSONSpan] = []
            #expect(try cursor.beginObject())
            repeat {
                _ = try cursor.memberKey()
                spans.append(try cursor.skipSpan(depth: 1))
            } while try cursor.nextMember()
            #expect(try spans[0].stringOrNull(in: bytes) == "hé")
            #expect(try spans[1].stringOrNull(in: bytes) == nil)
            #expect(try spans[2].valueOrNull(in: bytes) == JSON.parse(#"{"k":[1,true]}"#))
            #expect(throws: JSONParseError.self) { try spans[3].stringOrNull(in: bytes) }
            #expect(try JSONSpan.absent.stringOrNull(in: bytes) == nil)
        }
    }

    @Test func boolOrNull_readsBooleansAndNullOnly() throws {
        for (text, expected) in [("true", true), ("false", false), ("null", nil)] as [(String, Bool?)] {
            try Array(text.utf8).withUnsafeBytes { bytes in
                var cursor = JSONParser(bytes)
                let value = try cursor.boolOrNull()
                #expect(value == expected)
            }
        }
        let refused: Bool = Array("0".utf8).withUnsafeBytes { bytes in
            var cursor = JSONParser(bytes)
            do throws(JSONParseError) {
                _ = try cursor.boolOrNull()
                return false
            } catch {
                return true
            }
        }
        #expect(refused)
    }
}
