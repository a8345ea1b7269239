import AIWire

extension FakeResponse {
    /// An embeddings answer computed from `request`: one vector of `dimensions` per input, fixed per text.
    ///
    /// `/api/embed` gets Ollama's `{"embeddings":[[…]]}`; any other path OpenAI's `{"data":[{"index","embedding"}]}`,
    /// base64 when the request asks `encoding_format: base64`, else arrays of numbers.
    package static func embeddings(for request: RecordedRequest, dimensions: Int) -> FakeResponse {
        let json = request.json
        let texts: [String] =
            switch json?["input"] {
            case .some(.string(let text)): [text]
            case .some(.array(let values)): values.compactMap(\.stringValue)
            default: []
            }
        let model = json?["model"]?.stringValue ?? "fake-embedding"
        let vectors = texts.map { vector(for: $0, dimensions: dimensions) }
        let tokens = texts.reduce(0) { $0 + $1.split(separator: " ").count }
        if request.pathWithoutQuery.hasSuffix("/api/embed") {
            return .json(
                .object([
                    "model": .string(model),
                    "embeddings": .array(vectors.map { .array($0.map { .number("\($0)") }) }),
                    "prompt_eval_count": .int(tokens),
                ]))
        }
        let base64 = json?["encoding_format"]?.stringValue == "base64"
        let data: [JSON] = vectors.enumerated().map { index, vector in
            .object([
                "object": "embedding", "index": .int(index),
                "embedding": base64 ? .string(EmbeddingBase64.encode(vector)) : .array(vector.map { .number("\($0)") }),
            ])
        }
        return .json(
            .object([
                "object": "list", "data": .array(data), "model": .string(model),
                "usage": .object(["prompt_tokens": .int(tokens), "total_tokens": .int(tokens)]),
            ]))
    }

    /// A vector fixed per text: FNV-1a of the text, stirred per position, mapped into [-1, 1).
    private static func vector(for text: String, dimensions: Int) -> [Float] {
        var state: UInt32 = 2_166_136_261
        for byte in text.utf8 { state = (state ^ UInt32(byte)) &* 16_777_619 }
        return (0..<dimensions).map { index in
            var bits = state &+ UInt32(index) &* 0x9E37_79B9
            bits ^= bits >> 15
            bits = bits &* 0x2C1B_3C6D
            bits ^= bits >> 12
            return Float(Int32(bitPattern: bits) >> 8) / Float(1 << 23)
        }
    }
}
