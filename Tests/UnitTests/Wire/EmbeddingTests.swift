import AIBase
import AIWire
import Testing

/// `ai-embed`'s input objects and its number and line writing (DESIGN §13).
@Suite struct EmbeddingTests {
    static func written(_ value: Float) throws(AIError) -> String {
        var out: [UInt8] = []
        try EmbeddingRecord.writeNumber(value, provider: "p", to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Every finite float32 written reads back bit for bit, as a Float and as JSON.
    @Test func everyFloat_readsBackBitExact() throws {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        while checked < 200_000 {
            let value = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
            guard value.isFinite else { continue }
            let text = try Self.written(value)
            let back = try #require(Float(text), "\(text) does not parse")
            #expect(back.bitPattern == value.bitPattern, "\(value.bitPattern) written as \(text)")
            checked += 1
        }
    }

    @Test func edgeFloats_areShortAndValidJSON() throws {
        let values: [Float] = [
            0, -0.0, 1, -1, 0.1, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, 1e-7, 123456.79,
        ]
        for value in values {
            let text = try Self.written(value)
            let parsed = try JSON.parse(Array(text.utf8))
            #expect(parsed.doubleValue.map(Float.init)?.bitPattern == value.bitPattern, "\(text)")
            #expect(!text.hasSuffix(".0"))
        }
        #expect(try Self.written(1) == "1")
        #expect(try Self.written(0.1) == "0.1")
        #expect(try Self.written(-0.0) == "-0")
    }

    @Test func nonFinite_isAProtocolError() {
        for value in [Float.nan, .infinity, -.infinity] {
            do throws(AIError) {
                _ = try Self.written(value)
            } catch {
                #expect(error.code == .protocol)
            }
        }
    }

    @Test func line_hasTheWireFieldsInOrder() throws {
        var out: [UInt8] = []
        try EmbeddingRecord.write(
            id: "a", provider: "echo", model: "m", vectors: [[1, 0.5]], isArray: false, usage: 3,
            metadata: .object(["k": .int(1)]), to: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == #"{"id":"a","provider":"echo","model":"m","embedding":[1,0.5],"dimensions":2,"#
                + #""usage":{"prompt_tokens":3,"total_tokens":3},"metadata":{"k":1}}"# + "\n")
        out = []
        try EmbeddingRecord.write(
            id: .int(7), provider: "p", model: "m", vectors: [[1], [2]], isArray: true, usage: nil, metadata: nil,
            to: &out)
        #expect(
            String(decoding: out, as: UTF8.self)
                == #"{"id":7,"provider":"p","model":"m","embeddings":[[1],[2]],"dimensions":1}"# + "\n")
    }

    static func object(_ text: String) throws -> JSONObject {
        try #require(try JSON.parse(Array(text.utf8)).objectValue)
    }

    @Test func input_stringArrayOrText() throws {
        #expect(
            try EmbeddingDecoding.input(from: Self.object(#"{"input":"a"}"#))
                == EmbeddingInput(texts: ["a"], isArray: false))
        #expect(
            try EmbeddingDecoding.input(from: Self.object(#"{"input":["a","b"],"id":3}"#))
                == EmbeddingInput(texts: ["a", "b"], isArray: true))
        #expect(
            try EmbeddingDecoding.input(from: Self.object(#"{"text":"t","input":null,"metadata":{}}"#))
                == EmbeddingInput(texts: ["t"], isArray: false))
    }

    @Test(arguments: [
        (#"{"input":"a","model":"x"}"#, "unknown field 'model'"),
        (#"{"input":[]}"#, "field 'input' must not be an empty array"),
        (#"{"input":[1]}"#, "field 'input' must be a string or an array of strings"),
        (#"{"text":"a","input":"b"}"#, "fields 'input' and 'text' cannot both be given"),
        (#"{"id":"x"}"#, "missing field 'input' (or 'text')"),
    ])
    func input_errorsNameTheField(text: String, message: String) throws {
        let object = try Self.object(text)
        do {
            _ = try EmbeddingDecoding.input(from: object)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.code == .input)
            #expect(error.message == message)
        }
    }
}
