import AIBase
import AITransport
import AIWire

extension OllamaProvider: Embedder {
    /// Ollama's usual embedding model.
    package var defaultEmbeddingModel: String { "nomic-embed-text" }

    /// `POST {base}/api/embed` with `{"model","input":[…]}` (and `dimensions` when asked).
    package func embed(_ request: EmbeddingRequest, context: AttemptContext) throws -> EmbeddingResponse {
        var body: JSONObject = ["model": .string(request.model), "input": .array(request.texts.map(JSON.string))]
        if let dimensions = request.dimensions { body["dimensions"] = .int(dimensions) }
        let http = HTTPRequest.postJSON(
            baseURL + "/api/embed", body: .object(body), stream: false, streamType: "application/json",
            credentials: HTTPRequest.bearer(apiKey), extra: extraHeaders)
        let answer = try HTTPExchange.perform(
            http, provider: name, transport: try context.transport(), limits: context.limits,
            started: context.responseStarted, failure: decodeError)
        return try decodeEmbeddings(answer, request: request)
    }

    /// Decodes `{"model","embeddings":[[…],…],"prompt_eval_count"}`.
    /// - Throws: `AIError` (`protocol`) when the body is not one vector per text.
    package func decodeEmbeddings(_ body: [UInt8], request: EmbeddingRequest) throws -> EmbeddingResponse {
        let json: JSON
        do { json = try JSON.parse(body) } catch {
            throw AIError(
                .protocol, "\(name) sent a response that is not JSON: \(error.reason) at byte \(error.offset)")
        }
        guard let embeddings = json["embeddings"]?.arrayValue else {
            throw AIError(.protocol, "\(name) sent a response without 'embeddings'")
        }
        guard embeddings.count == request.texts.count else {
            throw AIError(.protocol, "\(name) sent \(embeddings.count) embeddings for \(request.texts.count) inputs")
        }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(embeddings.count)
        for embedding in embeddings {
            guard let values = embedding.arrayValue else {
                throw AIError(.protocol, "\(name) sent an embedding that is not an array")
            }
            vectors.append(try EmbeddingBase64.floats(values, provider: name))
        }
        return EmbeddingResponse(
            model: json["model"]?.stringValue ?? request.model, vectors: vectors,
            promptTokens: json["prompt_eval_count"]?.intValue)
    }
}
