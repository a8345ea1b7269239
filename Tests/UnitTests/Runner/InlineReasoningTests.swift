import AIBase
import AIConfig
import AIRunner
import AITestSupport
import AITransport
import AIWire
import Testing

@Suite struct InlineReasoningTests {
    /// What one answer's text becomes: the content and the reasoning, each joined.
    struct Split: Equatable, CustomStringConvertible {
        var content = ""
        var reasoning = ""
        var description: String { "content \(content.debugDescription), reasoning \(reasoning.debugDescription)" }
    }

    /// Feeds `pieces` to a fresh splitter, then finishes it.
    static func split(_ pieces: [String]) -> Split {
        let splitter = InlineReasoning()
        var result = Split()
        for piece in pieces {
            splitter.feed(piece, content: { result.content += $0 }, reasoning: { result.reasoning += $0 })
        }
        splitter.finish(content: { result.content += $0 }, reasoning: { result.reasoning += $0 })
        return result
    }

    /// `text` cut at the given byte offsets (each on a character's first byte).
    static func pieces(_ text: String, cuts: [Int]) -> [String] {
        let bytes = Array(text.utf8)
        var pieces: [String] = []
        var start = 0
        for cut in cuts + [bytes.count] where cut >= start {
            pieces.append(String(decoding: bytes[start..<cut], as: UTF8.self))
            start = cut
        }
        return pieces
    }

    /// The offsets where a piece may start: every byte that does not continue a UTF-8 sequence.
    static func boundaries(_ text: String) -> [Int] {
        Array(text.utf8).enumerated().filter { $0.element & 0xC0 != 0x80 }.map(\.offset) + [text.utf8.count]
    }

    static let cases: [(String, Split)] = [
        ("<think>I reason.</think>\n\nThe answer.", Split(content: "The answer.", reasoning: "I reason.")),
        (
            " \n\t<think>\nstep 1 < step 2</thin k></think>Yes",
            Split(content: "Yes", reasoning: "\nstep 1 < step 2</thin k>")
        ),
        ("<think>é — ünï ✓</think> Ça va 🎉", Split(content: "Ça va 🎉", reasoning: "é — ünï ✓")),
        ("The answer <think>is not reasoning</think>", Split(content: "The answer <think>is not reasoning</think>")),
        ("<think>never closed, so all reasoning <", Split(reasoning: "never closed, so all reasoning <")),
        ("<thinking>is not the tag</thinking>", Split(content: "<thinking>is not the tag</thinking>")),
        ("  <thi", Split(content: "  <thi")),
        ("  \n", Split(content: "  \n")),
        ("<think></think>", Split()),
        ("Hello", Split(content: "Hello")),
    ]

    @Test(arguments: 0..<cases.count)
    func splitsTheLeadingBlock_cutAtEveryByte(_ which: Int) {
        let (text, expected) = Self.cases[which]
        #expect(Self.split([text]) == expected, "whole")
        let boundaries = Self.boundaries(text)
        for cut in boundaries {
            #expect(Self.split(Self.pieces(text, cuts: [cut])) == expected, "cut at \(cut)")
        }
        // Every pair of cuts, and every byte alone.
        for first in boundaries {
            for second in boundaries where second > first {
                #expect(
                    Self.split(Self.pieces(text, cuts: [first, second])) == expected, "cuts at \(first), \(second)")
            }
        }
        #expect(Self.split(Self.pieces(text, cuts: boundaries)) == expected, "one character at a time")
    }

    @Test func passesOnceTheStartIsPast() {
        let splitter = InlineReasoning()
        var content: [String] = []
        splitter.feed(" ", content: { content.append($0) }, reasoning: { _ in })
        #expect(!splitter.passing && content.isEmpty)
        splitter.feed("Hi", content: { content.append($0) }, reasoning: { _ in })
        #expect(splitter.passing)
        splitter.feed("<think>", content: { content.append($0) }, reasoning: { _ in })
        #expect(content == [" Hi", "<think>"])

        let closed = InlineReasoning()
        closed.feed("<think>a</think>", content: { _ in }, reasoning: { _ in })
        #expect(!closed.passing)
        closed.feed("\n", content: { _ in }, reasoning: { _ in })
        #expect(!closed.passing)
        closed.feed("b", content: { _ in }, reasoning: { _ in })
        #expect(closed.passing)
    }

    @Test func reasoningIsHandedOnAsItArrives() {
        let splitter = InlineReasoning()
        var reasoning: [String] = []
        splitter.feed("<think>one ", content: { _ in }, reasoning: { reasoning.append($0) })
        splitter.feed("two </th", content: { _ in }, reasoning: { reasoning.append($0) })
        #expect(reasoning == ["one ", "two "])
    }

    /// Through the runner: an OpenAI stream whose text deltas, after the first, are read by shape (the path that
    /// hands the text on as the provider wrote it) with the tags cut across them.
    @Test(arguments: [true, false], [FakeResponse.Chunking.whole, .every(7, delayMs: 0)])
    func runner_splitsStreamedTextReadByShape(_ keepText: Bool, _ chunking: FakeResponse.Chunking) throws {
        let texts = ["<th", "ink>Let me", " think.</thi", "nk>\n", "\n2 + 2", " = 4"]
        var body = ""
        for text in texts {
            let chunk: JSON = .object([
                "id": "c", "object": "chat.completion.chunk", "model": "m",
                "choices": .array([.object(["index": .int(0), "delta": .object(["content": .string(text)])])]),
            ])
            body += "data: \(chunk.encodedString)\n\n"
        }
        body += #"data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n"
        let response = FakeResponse.text(body, contentType: "text/event-stream").withChunking(chunking)
        let server = try FakeServer(handler: { _ in
            response
        })
        defer { server.stop() }
        let observer = RecordingObserver()
        var request = CompletionRequest(prompt: "2+2?")
        request.provider = "openai"
        let completion = try Runner(settings: fixtureSettings(server)).run(
            request, stream: true, keepText: keepText, observer: observer)
        #expect(observer.deltas.joined() == "2 + 2 = 4")
        #expect(observer.reasoning.joined() == "Let me think.")
        #expect(completion.reasoning == "Let me think.")
        #expect(completion.content == (keepText ? "2 + 2 = 4" : ""))
    }
}
