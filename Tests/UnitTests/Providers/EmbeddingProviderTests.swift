import AIBase
import AIConfig
import AIProviders
import AIWire
import Testing

/// Embeddings' base64 vectors, the providers' bodies and decoders, and echo's vectors (DESIGN §13).
@Suite struct EmbeddingProviderTests {
    /// Random bit patterns (finite or not) survive encode → decode bit for bit.
    @Test func base64_decodesEveryBitPattern() throws {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 3, 7, 1536] {
            let floats = (0..<count).map { _ in
                Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
            }
            let decoded = try EmbeddingBase64.decode(EmbeddingBase64.encode(floats), provider: "p")
            #expect(decoded.map(\.bitPattern) == floats.map(\.bitPattern))
        }
    }

    @Test func base64_knownValue() throws {
        // 1.0 is 0x3F800000, little-endian 00 00 80 3F.
        #expect(EmbeddingBase64.encode([1]) == "AACAPw==")
        #expect(try EmbeddingBase64.decode("AACAPw==", provider: "p") == [1])
        #expect(try EmbeddingBase64.decode("AACAPwAAAEA=", provider: "p") == [1, 2])
    }

    @Test(arguments: ["AACA", "AAC*Pw==", "AA=A"])
    func base64_malformedIsAProtocolError(text: String) {
        do {
            _ = try EmbeddingBase64.decode(text, provider: "p")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.code == .protocol)
        }
    }

    @Test func openAI_bodyAsksForBase64AndDimensions() {
        let provider = OpenAIProvider(apiKey: "k")
        let request = EmbeddingRequest(model: "m", texts: ["a", "b"], dimensions: 3)
        #expect(
            provider.embeddingBody(for: request, base64: true).encodedString
                == #"{"model":"m","input":["a","b"],"encoding_format":"base64","dimensions":3}"#)
        #expect(
            provider.embeddingBody(for: .init(model: "m", texts: ["a"]), base64: false).encodedString
                == #"{"model":"m","input":["a"]}"#)
    }

    @Test func openAI_decodesBase64AndFloatsInIndexOrder() throws {
        let provider = OpenAIProvider(apiKey: "k")
        let first = EmbeddingBase64.encode([0.1, -2])
        let body =
            #"{"data":[{"index":1,"embedding":[0.5,1e-3]},{"index":0,"embedding":"\#(first)"}],"#
            + #""model":"m2","usage":{"prompt_tokens":4,"total_tokens":4}}"#
        let response = try provider.decodeEmbeddings(Array(body.utf8), count: 2)
        #expect(response.vectors == [[0.1, -2], [0.5, 0.001]])
        #expect(response.model == "m2")
        #expect(response.promptTokens == 4)
        #expect(throws: AIError.self) { try provider.decodeEmbeddings(Array(body.utf8), count: 3) }
    }

    @Test func ollama_decodesEmbeddings() throws {
        let provider = OllamaProvider()
        let body = #"{"model":"nomic-embed-text","embeddings":[[1,2],[3,4]],"prompt_eval_count":6}"#
        let response = try provider.decodeEmbeddings(
            Array(body.utf8), request: EmbeddingRequest(model: "x", texts: ["a", "b"]))
        #expect(response.vectors == [[1, 2], [3, 4]])
        #expect(response.promptTokens == 6)
    }

    @Test func echo_isDeterministicAndUnitLength() {
        let first = EchoProvider.vector(for: "same text", dimensions: 8)
        #expect(first == EchoProvider.vector(for: "same text", dimensions: 8))
        #expect(first != EchoProvider.vector(for: "other text", dimensions: 8))
        #expect(EchoProvider.vector(for: "x", dimensions: 3).count == 3)
        let length = first.reduce(Float(0)) { $0 + $1 * $1 }
        #expect(abs(length - 1) < 1e-5)
    }

    @Test func anthropic_isNotSupported() throws {
        let settings = Settings(
            environment: Environment(["ANTHROPIC_API_KEY": "k"]), provider: "anthropic", model: nil)
        do {
            _ = try ProviderRegistry(settings: settings).embedder(named: "anthropic")
            Issue.record("anthropic gave an embedder")
        } catch let error as AIError {
            #expect(error.code == .notSupported)
            #expect(error.exitStatus.rawValue == 78)
            #expect(error.hints.contains { $0.contains("openai") && $0.contains("ollama") })
        }
    }
}
