import AIWire
import Testing

@Suite struct JSONFramerTests {
    /// What a framer found, as text: `L.k value-bytes` or `L.k !faultLine reason`.
    func frames(_ input: String, framing: JSONFramer.Framing, chunkSize: Int) -> [String] {
        var framer = JSONFramer(framing: framing)
        var found: [String] = []
        func take(_ frame: JSONFramer.Frame) {
            switch frame {
            case .value(let bytes, let position):
                let text = String(decoding: bytes, as: UTF8.self).trimmingWhiteSpace
                found.append("\(position.line).\(position.ordinal) \(text)")
            case .malformed(let position, let faultLine, let reason):
                found.append("\(position.line).\(position.ordinal) !\(faultLine) \(reason)")
            }
        }
        let bytes = Array(input.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            bytes[start..<end].withUnsafeBytes { framer.feed($0, take) }
            start = end
        }
        framer.finish(take)
        return found
    }

    static let corpus = [
        "{\"a\":1}\n{\"b\":[1,2,{\"c\":\"}\"}]}\n",
        "{\n\"id\": \"p\",\n\"messages\": [\n{\n\"role\": \"user\"\n}\n]\n}\n",
        "  {\"a\":\"x\\\"y\\\\\"}  \r\n\n{ }\n[]\n",
        "{\"a\":1} {\"b\":2}{\"c\":3}\n12 true null \"s\"\n",
        "{\"a\":\"unterminated\nplain\n{\"b\":2\n{\"c\":3}\n",
        "{\"a\":[1,\n2,\n3]}\n{\"d\":\n}\n{\"e\":\"\\u00e9\"}",
        "{\"a\":tr\nue}\n{\"k\" 1}\n{\"k\":1,,}\n]\n",
    ]

    @Test(arguments: corpus)
    func anyChunkingGivesTheFramesOfTheWholeInput(input: String) {
        for framing in [JSONFramer.Framing.lines, .concatenated] {
            let whole = frames(input, framing: framing, chunkSize: Int.max / 2)
            for size in [1, 2, 3, 7] {
                #expect(frames(input, framing: framing, chunkSize: size) == whole, "\(framing) \(size)")
            }
        }
    }

    @Test func lines_prettyPrintedValuesAreWhole() {
        #expect(
            frames("{\n\"a\": [\n{\n\"b\": 1\n}\n]\n}\n{\"c\":2}\n", framing: .lines, chunkSize: 1000) == [
                "1.1 {\n\"a\": [\n{\n\"b\": 1\n}\n]\n}", "8.1 {\"c\":2}",
            ])
    }

    @Test func lines_aValueMustEndItsLine() {
        #expect(
            frames("{\"a\":1} {\"b\":2}\n{\"c\":3}\n", framing: .lines, chunkSize: 1000) == [
                "1.1 !1 unexpected bytes after the value", "2.1 {\"c\":3}",
            ])
    }

    @Test func concatenated_valuesFollowEachOther() {
        #expect(
            frames("{\"a\":1} {\"b\":2}{\"c\":3}\n4 \"s\"", framing: .concatenated, chunkSize: 1000) == [
                "1.1 {\"a\":1}", "1.2 {\"b\":2}", "1.3 {\"c\":3}", "2.1 4", "2.2 \"s\"",
            ])
    }

    @Test func unfinishedValue_stopsBeforeALineThatCannotContinueIt() {
        #expect(
            frames("{\"a\":1,\n{\"b\":2}\n", framing: .lines, chunkSize: 1000) == [
                "1.1 !1 unfinished value (line 2 does not continue it)", "2.1 {\"b\":2}",
            ])
    }

    @Test func lineEndInAString_isAFaultOnItsLine() {
        #expect(
            frames("{\"a\":\"x\n\"b\"}\n{}", framing: .lines, chunkSize: 1000) == [
                "1.1 !1 unterminated string", "2.1 !2 unexpected bytes after the value", "3.1 {}",
            ])
    }

    @Test func nestingBeyondTheParsersLimit_isAFault() {
        let deep = String(repeating: "[", count: JSON.maximumDepth + 1)
        #expect(frames(deep + "\n{}\n", framing: .lines, chunkSize: 1000) == ["1.1 !1 nesting too deep", "2.1 {}"])
    }

    @Test func endOfInput_insideAValueIsAFault() {
        #expect(frames("{\"a\":[1,\n2", framing: .lines, chunkSize: 1000) == ["1.1 !2 unexpected end of input"])
        #expect(frames("{\"a\":\"x", framing: .lines, chunkSize: 1000) == ["1.1 !1 unterminated string"])
    }
}

extension String {
    fileprivate var trimmingWhiteSpace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
