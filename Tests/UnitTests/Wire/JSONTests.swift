import AIBase
import AIWire
import Testing

@Suite struct JSONTests {
    @Test func parse_keepsMemberOrderAndNumberText() throws {
        let value = try JSON.parse(#"{"b":1.50,"a":[true,false,null],"c":"x"}"#)
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value["b"] == .number("1.50"))
        #expect(value.encodedString == #"{"b":1.50,"a":[true,false,null],"c":"x"}"#)
    }

    @Test func parse_decodesEscapesAndSurrogatePairs() throws {
        let value = try JSON.parse(#""a\n\"\\\/\u00e9\ud83d\ude80\u000b""#)
        #expect(value.stringValue == "a\n\"\\/é🚀\u{0B}")
    }

    @Test func parse_loneSurrogateBecomesReplacementCharacter() throws {
        #expect(try JSON.parse(#""\ud800x""#).stringValue == "\u{FFFD}x")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "\"a\u{01}\"", "{} x", "[1 2]", "\"\\x\"",
    ])
    func parse_rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func parse_rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func parse_refusesHostileNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }

    @Test func parse_incompleteInputErrsAtTheEnd() throws {
        let text = #"{"prompt": "a", "#
        do {
            _ = try JSON.parse(text)
            Issue.record("parsed an incomplete object")
        } catch {
            #expect(error.offset >= text.utf8.count)
        }
    }

    @Test func encode_escapesControlCharactersAndKeepsUnicode() {
        let value = JSON.string("tab\t nl\n quote\" back\\ bell\u{07} é \u{2028}")
        #expect(value.encodedString == #""tab\t nl\n quote\" back\\ bell\u0007 é \#u{2028}""#)
    }

    @Test func roundTrip_preservesEverything() throws {
        let text = #"{"id":7,"metadata":{"z":[1e3,-0.0,{"k":"v"}],"a":null},"extra":{"tools":[]}}"#
        #expect(try JSON.parse(text).encodedString == text)
    }

    @Test func double_printsIntegralValuesWithoutFraction() {
        #expect(JSON.double(2) == .number("2"))
        #expect(JSON.double(0.7) == .number("0.7"))
    }
}
