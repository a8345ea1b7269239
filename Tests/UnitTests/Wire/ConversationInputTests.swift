import AIBase
import AIWire
import Glibc
import Testing

/// `-c` on the input side: lines that carry `messages` continue their conversation (DESIGN §12).
@Suite struct ConversationInputTests {
    /// Reads all items from `input` written to a file, as stdin.
    func items(_ input: String, prompt: String? = nil, conversation: Bool = true) throws -> [InputItem] {
        let path = "/tmp/ai-conversation-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let file = fopen(path, "w")
        _ = Array(input.utf8).withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        defer { unlink(path) }
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        let reader = InputReader(
            descriptor: descriptor, format: .auto, prompt: prompt, readsStdin: true, conversation: conversation)
        var result: [InputItem] = []
        while let item = try reader.next() { result.append(item) }
        return result
    }

    /// Each item's messages as `role: text`.
    func turns(_ items: [InputItem]) -> [[String]] {
        items.map { item in
            guard let request = try? item.request.get() else { return ["<error>"] }
            return request.messages.map { "\($0.role): \($0.text)" }
        }
    }

    static let conversationLine =
        #"{"id":"a","messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"a1"}]}"#
    static let resultLine =
        #"{"id":"r","content":"answer","messages":[{"role":"user","content":"q"},"#
        + #"{"role":"assistant","content":"answer"}],"metadata":{"k":1}}"#

    @Test func aPromptIsTheNextTurnOfEveryJSONLine() throws {
        let input = [
            Self.conversationLine, Self.resultLine, #"{"id":"p","prompt":"hi"}"#,
            #"{"id":"plain","content":"text only"}"#,
        ].joined(separator: "\n")
        let read = try items(input, prompt: "next")
        #expect(read.map(\.id) == ["a", "r", "p", "plain"])
        #expect(read[1].metadata == .object(["k": .int(1)]))
        #expect(
            turns(read) == [
                ["user: q1", "assistant: a1", "user: next"], ["user: q", "assistant: answer", "user: next"],
                ["user: hi", "user: next"], ["user: text only", "user: next"],
            ])
    }

    @Test func withoutAPromptTheContentIsTheNextTurn() throws {
        let input = Self.resultLine + "\n" + #"{"messages":[{"role":"user","content":"as it is"}]}"#
        #expect(turns(try items(input)) == [["user: q", "assistant: answer", "user: answer"], ["user: as it is"]])
        // Without -c the same result line is a result line: its content is the one user message.
        #expect(turns(try items(input, conversation: false)) == [["user: answer"], ["user: as it is"]])
    }

    @Test func anEventStreamsDoneCarriesIt() throws {
        let input = [
            #"{"type":"start","id":"s","provider":"echo","model":"echo"}"#, #"{"type":"delta","text":"a1"}"#,
            #"{"type":"done","messages":[{"role":"user","content":"q1"},{"role":"assistant","content":"a1"}]}"#,
        ].joined(separator: "\n")
        let read = try items(input, prompt: "q2")
        #expect(read.map(\.id) == ["s"])
        #expect(turns(read) == [["user: q1", "assistant: a1", "user: q2"]])
        #expect(turns(try items(input, conversation: false)) == [["user: a1"]])
        let broken = try items(#"{"type":"start","id":"s"}"# + "\n" + #"{"type":"done","messages":[{"role":"robot"}]}"#)
        #expect(broken.count == 1)
        #expect(broken.first.map { (try? $0.request.get()) == nil } == true)
    }

    @Test func plainTextWithAPromptIsStillText() throws {
        #expect(turns(try items("body\n", prompt: "summarise")) == [["user: summarise\n\nbody"]])
    }

    @Test func shapes() throws {
        func shape(_ text: String) throws -> RequestDecoding.Shape {
            guard case .object(let object) = try JSON.parse(Array(text.utf8)) else { throw AIError(.input, "x") }
            return RequestDecoding.shape(of: object)
        }
        #expect(try shape(#"{"id":"1","content":"x","messages":[]}"#) == .result)
        #expect(try shape(#"{"type":"done","messages":[]}"#) == .event)
        #expect(try shape(#"{"content":"x","messages":[],"think":true}"#) == .request)
        #expect(try shape(#"{"type":"delta","messages":[]}"#) == .request)
        #expect(try shape(#"{"messages":[]}"#) == .request)
    }

    @Test func systemMessageTakesNoDashS() {
        var defaults = RequestDefaults(provider: "echo", system: "flag")
        defaults.think = .on
        var request = CompletionRequest(prompt: "q")
        #expect(defaults.fill(request).system == "flag")
        #expect(defaults.fill(request).think == .on)
        request.messages.insert(Message(role: "system", text: "own"), at: 0)
        #expect(defaults.fill(request).system == nil)
        request.think = .off
        #expect(defaults.fill(request).think == .off)
    }

    @Test func thinkField() throws {
        func think(_ value: String) throws -> Thinking? {
            guard case .object(let object) = try JSON.parse(Array(#"{"prompt":"q","think":\#(value)}"#.utf8)) else {
                return nil
            }
            return try RequestDecoding.request(from: object).think
        }
        #expect(try think("true") == .on)
        #expect(try think("2048") == .budget(2048))
        #expect(try think(#""high""#) == .effort("high"))
        #expect(try think("null") == nil)
        #expect(throws: AIError.self) { try think("0") }
        #expect(throws: AIError.self) { try think(#""max""#) }
    }
}
