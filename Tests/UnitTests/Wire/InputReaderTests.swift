import AIBase
import AIWire
import Glibc
import Testing

@Suite struct InputReaderTests {
    /// Reads all items from `input` written to a pipe.
    func items(_ input: String, format: InputFormat = .auto, prompt: String? = nil) throws -> [InputItem] {
        try items(Array(input.utf8), format: format, prompt: prompt)
    }

    func items(_ bytes: [UInt8], format: InputFormat = .auto, prompt: String? = nil) throws -> [InputItem] {
        let path = "/tmp/ai-input-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let file = fopen(path, "w")
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        defer { unlink(path) }
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        let reader = InputReader(descriptor: descriptor, format: format, prompt: prompt, readsStdin: true)
        var result: [InputItem] = []
        while let item = try reader.next() { result.append(item) }
        return result
    }

    func texts(_ items: [InputItem]) -> [String] {
        items.map { (try? $0.request.get())?.lastUserText ?? "<error>" }
    }

    @Test func text_isOneMessageWithBytesUnchanged() throws {
        let result = try items("  indented\n\ttab\r\n\n  end\n\n")
        #expect(texts(result) == ["  indented\n\ttab\r\n\n  end"])
        #expect(result[0].id == .string("1"))
    }

    @Test func text_promptThenBlankLineThenStdin() throws {
        #expect(texts(try items("body\n", prompt: "summarise")) == ["summarise\n\nbody"])
    }

    @Test func text_jsonOnStdinWithAPromptIsText() throws {
        #expect(texts(try items(#"{"a":1}"#, prompt: "explain")) == ["explain\n\n{\"a\":1}"])
    }

    @Test func emptyStdin_isNoInput() {
        #expect(throws: AIError(.noInput, "no input: stdin is empty")) { try items("") }
        #expect(throws: AIError(.noInput, "no input: stdin is empty")) { try items(" \n\n") }
    }

    @Test func emptyStdin_withPromptIsThePrompt() throws {
        #expect(texts(try items("", prompt: "just this")) == ["just this"])
    }

    @Test func text_invalidUTF8NamesTheLine() {
        do {
            _ = try items([0x61, 0x0A, 0x62, 0x0A, 0xC3, 0x28, 0x0A])
            Issue.record("accepted invalid UTF-8")
        } catch let error as AIError {
            #expect(error.code == .input)
            #expect(error.message.contains("line 3"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func jsonl_isABatchWithLineNumbersAsIds() throws {
        let result = try items("{\"prompt\":\"a\"}\n\n{\"prompt\":\"b\",\"id\":\"x\"}\n{\"prompt\":\"c\"}\n")
        #expect(texts(result) == ["a", "b", "c"])
        #expect(result.map(\.id) == [.string("1"), .string("x"), .string("4")])
    }

    @Test func jsonl_malformedLineIsOneErrorAndTheRestGoOn() throws {
        let result = try items("{\"prompt\":\"a\"}\n{\"prompt\": nope}\n{\"prompt\":\"c\"}\n")
        #expect(texts(result) == ["a", "<error>", "c"])
        guard case .failure(let error) = result[1].request else { throw AIError(.internal, "expected a failure") }
        #expect(error.message.contains("line 2"))
        #expect(result[1].id == .string("2"))
    }

    @Test func json_prettyPrintedObjectIsOneRequest() throws {
        let result = try items("{\n  \"prompt\": \"hi\",\n  \"metadata\": {\"k\": 1}\n}\n")
        #expect(texts(result) == ["hi"])
        #expect(result[0].metadata == .object(["k": .number("1")]))
    }

    @Test func json_unterminatedObjectBeforeANewOneIsAnError() throws {
        let result = try items("{\"prompt\": \"a\",\n{\"prompt\":\"b\"}\n")
        #expect(texts(result) == ["<error>", "b"])
    }

    @Test func json_nonObjectIsAnError() throws {
        let result = try items("[1,2]\n", format: .json)
        #expect(texts(result) == ["<error>"])
    }

    @Test func resultLines_becomeRequestsKeepingIdAndMetadata() throws {
        let result = try items(#"{"id":"7","provider":"echo","model":"echo","content":"Hello!","metadata":{"k":2}}"#)
        #expect(texts(result) == ["Hello!"])
        #expect(result[0].id == .string("7"))
        #expect(result[0].metadata == .object(["k": .number("2")]))
    }

    @Test func errorLines_passThroughForTheSameId() throws {
        let result = try items(#"{"id":"9","error":{"code":"timeout","message":"slow","retryable":true}}"#)
        guard case .failure(let error) = result[0].request else { throw AIError(.internal, "expected a failure") }
        #expect(result[0].id == .string("9"))
        #expect(error.code == .timeout)
    }

    @Test func eventStream_becomesOneRequestOfTheJoinedDeltas() throws {
        let stream = """
            {"type":"start","id":"s1","provider":"echo","model":"echo"}
            {"type":"delta","text":"Hel"}
            {"type":"delta","text":"lo"}
            {"type":"done","finish_reason":"stop"}
            """
        let result = try items(stream)
        #expect(texts(result) == ["Hello"])
        #expect(result[0].id == .string("s1"))
    }

    @Test func eventStream_endingInErrorPassesTheErrorThrough() throws {
        let stream = """
            {"type":"start","id":"s1","provider":"echo","model":"echo"}
            {"type":"delta","text":"Hel"}
            {"type":"error","error":{"code":"incomplete","message":"cut"}}
            """
        let result = try items(stream)
        guard case .failure(let error) = result[0].request else { throw AIError(.internal, "expected a failure") }
        #expect(error.code == .incomplete)
    }

    @Test func forcedText_readsJSONAsText() throws {
        #expect(texts(try items(#"{"prompt":"x"}"#, format: .text)) == [#"{"prompt":"x"}"#])
    }

    func messages(_ items: [InputItem]) -> [String] {
        items.map { item in
            switch item.request {
            case .success(let request): request.lastUserText
            case .failure(let error): "<\(error.message)>"
            }
        }
    }

    // MARK: - Framing follows the JSON value, not the line

    /// `json.dumps(…, indent=0)`: inner objects start in the first column of their line.
    static let indentZero = "{\n\"id\": \"p\",\n\"messages\": [\n{\n\"role\": \"user\",\n\"content\": \"hi\"\n}\n]\n}\n"

    @Test(arguments: [InputFormat.auto, .json])
    func json_prettyPrintedWithObjectsInTheFirstColumnIsOneRequest(format: InputFormat) throws {
        let result = try items(Self.indentZero, format: format)
        #expect(messages(result) == ["hi"])
        #expect(result.map(\.id) == [.string("p")])
    }

    @Test(arguments: [InputFormat.auto, .json])
    func json_aFragmentOfAValueIsNeverSent(format: InputFormat) throws {
        // The outer object never ends: its inner object is no request of its own.
        let cut = String(Self.indentZero.dropLast(4))
        let result = try items(cut, format: format)
        #expect(messages(result) == ["<malformed JSON on line 7: unexpected end of input>"])
        #expect(result[0].id == .string("1"))
    }

    @Test func json_concatenatedValuesAreReadAsJqReadsThem() throws {
        let result = try items(
            #"{"prompt":"a"} {"prompt":"b"}{"prompt":"c"}"# + "\n" + #"{"prompt":"d"}"#, format: .json)
        #expect(messages(result) == ["a", "b", "c", "d"])
        // Values sharing a line get distinct ids.
        #expect(result.map(\.id) == [.string("1"), .string("1.2"), .string("1.3"), .string("2")])
    }

    @Test func json_faultDropsTheRestOfItsLineOnly() throws {
        let result = try items(#"{"prompt":"a"} oops {"prompt":"b"}"# + "\n" + #"{"prompt":"c"}"#, format: .json)
        #expect(messages(result) == ["a", "<malformed JSON on line 1: unexpected character>", "c"])
    }

    @Test func auto_aLineHoldingTwoValuesIsOneError() throws {
        let result = try items(#"{"prompt":"a"} {"prompt":"b"}"# + "\n" + #"{"prompt":"c"}"# + "\n")
        #expect(messages(result) == ["<malformed JSON on line 1: unexpected bytes after the value>", "c"])
    }

    @Test func auto_aMalformedLineSwallowsNothing() throws {
        let input = [
            #"{"id":"a","prompt":"one"}"#, #"{"id":"b","prompt":"unterminated"#, "plain text line",
            #"{"id":"d","prompt":"four"}"#,
        ]
        let result = try items(input.joined(separator: "\n") + "\n")
        #expect(
            messages(result) == [
                "one", "<malformed JSON on line 2: unterminated string>",
                "<malformed JSON on line 3: unexpected character>", "four",
            ])
        #expect(result.map(\.id) == [.string("a"), .string("2"), .string("3"), .string("d")])
    }

    @Test func auto_anUnfinishedObjectStopsWhereTheNextLineCannotContinueIt() throws {
        let input = [#"{"id":"b","prompt":"x""#, "plain text line", #"{"prompt":"a","#, #"{"prompt":"c"}"#]
        let result = try items(input.joined(separator: "\n"))
        #expect(
            messages(result) == [
                "<malformed JSON on line 1: unfinished value (line 2 does not continue it)>",
                "<malformed JSON on line 2: unexpected character>",
                "<malformed JSON on line 3: unfinished value (line 4 does not continue it)>", "c",
            ])
    }

    @Test func json_aLineEndInsideAStringEndsTheValue() throws {
        let result = try items("{\"prompt\":\"a\n\"}\n{\"prompt\":\"b\"}\n", format: .json)
        #expect(messages(result).last == "b")
        #expect(result.count == 3)
    }

    @Test func json_malformedScalarsAreCaughtByTheParser() throws {
        let result = try items("{\"prompt\": nope}\n{\"prompt\":\n  \"x\", \"max_tokens\": 1e}\n{\"prompt\":\"c\"}")
        #expect(
            messages(result) == [
                "<malformed JSON on line 1: invalid literal>", "<malformed JSON on line 3: invalid number>", "c",
            ])
    }

    @Test func byteOrderMark_isSkipped() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let jsonl = bom + Array("{\"prompt\":\"one\"}\n{\"prompt\":\"two\"}\n".utf8)
        #expect(messages(try items(jsonl)) == ["one", "two"])
        #expect(messages(try items(jsonl, format: .json)) == ["one", "two"])
        #expect(messages(try items(jsonl, format: .jsonl)) == ["one", "two"])
        #expect(messages(try items(bom + Array("text\n".utf8))) == ["text"])
        #expect(messages(try items(bom + Array("body".utf8), prompt: "explain")) == ["explain\n\nbody"])
        #expect(throws: AIError(.noInput, "no input: stdin is empty")) { try items(bom) }
    }

    @Test func nullFields_areAbsent() throws {
        let input = [
            #"{"prompt":"a","id":null,"metadata":null}"#,
            #"{"prompt":null,"messages":[{"role":"user","content":"m"}],"extra":null}"#,
            #"{"id":"r","content":"from a result","error":null,"prompt":null}"#,
            #"{"prompt":"x","bogus":null}"#,
        ]
        let result = try items(input.joined(separator: "\n"))
        #expect(messages(result) == ["a", "m", "from a result", "<line 4: unknown field 'bogus'>"])
        #expect(result.map(\.id) == [.string("1"), .string("2"), .string("r"), .string("4")])
        #expect(result[0].metadata == nil)
    }

    @Test func forcedJSONL_doesNotJoinLines() throws {
        let result = try items("{\n\"prompt\":\"x\"}\n", format: .jsonl)
        #expect(result.count == 2)
    }
}
