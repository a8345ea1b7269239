import AIConfig
import AIProviders
import AIRunner
import AIWire
import Testing

@Suite struct EchoProviderTests {
    @Test func words_keepEveryByteAndCutBeforeSpaces() {
        #expect(EchoProvider.words("hello world,  how\nare") == ["hello", " world,", "  how", "\nare"])
        #expect(EchoProvider.words("  lead") == ["  lead"])
        #expect(EchoProvider.words("").isEmpty)
    }

    @Test func words_cutBeforeEveryUnicodeWhiteSpace() {
        #expect(
            EchoProvider.words("a\u{00A0}b\u{3000}c\u{2003}\u{85}d é") == [
                "a", "\u{00A0}b", "\u{3000}c", "\u{2003}\u{85}d", " é",
            ])
    }

    /// The cut the provider made by characters, for comparison.
    static func wordsByCharacter(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var inWord = false
        for character in text {
            let space = character.isWhitespace
            if space, inWord {
                pieces.append(current)
                current = ""
            }
            current.append(character)
            inWord = !space
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    @Test func words_cutWhereCharactersWouldBeCut() {
        let alphabet = [
            "a", "é", "字", "🙂", " ", "\n", "\t", "\r\n", "\u{00A0}", "\u{2003}", "\u{3000}", "\u{85}", "\u{2028}",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0..<20, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator) ?? ""
            }.joined()
            #expect(EchoProvider.words(text) == Self.wordsByCharacter(text), "\(Array(text.unicodeScalars))")
        }
    }

    /// Counts what reaches the reader.
    final class FlushCounter: RunObserver {
        var flushes = 0
        var text = ""
        func started(provider: String, model: String) throws {}
        func delta(_ text: String) throws { self.text += text }
        func flush() throws { flushes += 1 }
    }

    @Test func run_flushesInBlocksNotPerWord() throws {
        let reply = String(repeating: "word ", count: 100_000)
        let settings = Settings(environment: isolatedEnvironment(), provider: "echo", model: nil)
        let observer = FlushCounter()
        let completion = try Runner(settings: settings).run(
            CompletionRequest(prompt: reply), stream: true, keepText: false, observer: observer)
        #expect(observer.text == reply)
        #expect(observer.flushes <= reply.utf8.count / (64 << 10) + 2)
        #expect(completion.usage == Usage(promptTokens: 100_000, completionTokens: 100_000))
    }

    @Test func run_answersWithTheLastUserMessage() throws {
        var request = CompletionRequest()
        request.messages = [
            Message(role: "user", text: "first"), Message(role: "assistant", text: "ok"),
            Message(role: "user", text: "say this back"),
        ]
        request.provider = "echo"
        let settings = Settings(environment: isolatedEnvironment(), provider: "echo", model: nil)
        let completion = try Runner(settings: settings).run(request, stream: true)
        #expect(completion.content == "say this back")
        #expect(completion.finishReason == "stop")
        #expect(completion.usage == Usage(promptTokens: 5, completionTokens: 3))
        #expect(completion.model == "echo")
    }
}
