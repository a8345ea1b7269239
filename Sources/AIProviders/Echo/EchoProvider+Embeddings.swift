import AIBase
import AIWire

extension EchoProvider: Embedder {
    /// The echo model.
    package var defaultEmbeddingModel: String { "echo" }

    /// The vectors of echo's embeddings when `--dimensions` is not given.
    package static let embeddingDimensions = 8

    /// A deterministic vector per text, offline: the same text always gives the same vector (for pipelines' tests).
    package func embed(_ request: EmbeddingRequest, context: AttemptContext) throws -> EmbeddingResponse {
        try context.responseStarted()
        let vectors = request.texts.map {
            Self.vector(for: $0, dimensions: request.dimensions ?? Self.embeddingDimensions)
        }
        let words = request.texts.map(Self.count)
        return EmbeddingResponse(
            model: request.model, vectors: vectors, promptTokens: words.reduce(0, +), textTokens: words)
    }

    /// The text's vector: FNV-1a of its UTF-8 seeds a xorshift generator giving values in [-1, 1), the whole
    /// vector scaled to length 1 (a dot product is then a cosine similarity).
    package static func vector(for text: String, dimensions: Int) -> [Float] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if state == 0 { state = 1 }
        var values: [Float] = []
        values.reserveCapacity(dimensions)
        for _ in 0..<dimensions {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            values.append(Float(Int64(state >> 40) - (1 << 23)) / Float(1 << 23))
        }
        let length = values.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return length > 0 ? values.map { $0 / length } : values
    }
}
