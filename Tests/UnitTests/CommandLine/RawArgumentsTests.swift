import AIBase
import AICommandLine
import Testing

@Suite struct RawArgumentsTests {
    @Test func checkUTF8_acceptsValidArguments() throws {
        try RawArguments.checkUTF8([Array("-p".utf8), Array("echo".utf8), Array("café 字 🙂".utf8), []])
    }

    @Test func checkUTF8_namesTheFirstBadArgumentAndShowsItsBytes() {
        #expect(throws: AIError(.input, #"invalid UTF-8 in argument 3 ('caf\xE9 ok')"#)) {
            try RawArguments.checkUTF8([
                Array("-p".utf8), Array("echo".utf8), Array("caf".utf8) + [0xE9] + Array(" ok".utf8), [0xFF],
            ])
        }
        #expect(throws: AIError(.input, #"invalid UTF-8 in argument 1 ('a\x0Ab\xED\xA0\x80')"#)) {
            try RawArguments.checkUTF8([[0x61, 0x0A, 0x62, 0xED, 0xA0, 0x80]])
        }
    }

    @Test func checkUTF8_cutsALongArgument() {
        let long = Array(String(repeating: "x", count: 100).utf8) + [0xC3]
        #expect(
            throws: AIError(.input, "invalid UTF-8 in argument 1 ('\(String(repeating: "x", count: 40))…')")
        ) { try RawArguments.checkUTF8([long]) }
    }

    @Test func current_isTheProcessArgumentsWhenTheyAreUTF8() {
        #expect(
            RawArguments.current().map { String(decoding: $0, as: UTF8.self) }
                == Array(CommandLine.arguments.dropFirst()))
    }
}
