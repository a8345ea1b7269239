import AIBase
import AITransport
import AIWire
import Synchronization

extension OpenAIProvider: Embedder {
    /// OpenAI's small embedding model.
    package var defaultEmbeddingModel: String { "text-embedding-3-small" }

    /// `POST {base}/embeddings`, asking for base64 vectors; a server that refuses base64 (400 or 422 naming
    /// `encoding_format`) is asked once more for float arrays, and not asked for base64 again in this run.
    package func embed(_ request: EmbeddingRequest, context: AttemptContext) throws -> EmbeddingResponse {
        let base64 = !Self.refusesBase64.withLock { $0.contains(baseURL) }
        do {
            return try embed(request, base64: base64, context: context)
        } catch let error as AIError
            where base64 && [400, 422].contains(error.httpStatus) && error.message.contains("encoding_format")
        {
            Self.refusesBase64.withLock { _ = $0.insert(baseURL) }
            return try embed(request, base64: false, context: context)
        }
    }

    /// The `/embeddings` body: model, input, `encoding_format` (with `base64`), `dimensions` when asked.
    package func embeddingBody(for request: EmbeddingRequest, base64: Bool) -> JSON {
        var body: JSONObject = ["model": .string(request.model), "input": .array(request.texts.map(JSON.string))]
        if base64 { body["encoding_format"] = "base64" }
        if let dimensions = request.dimensions { body["dimensions"] = .int(dimensions) }
        return .object(body)
    }

    /// Decodes an `/embeddings` answer: `data[].embedding`, base64 or an array of numbers, put in `index` order.
    /// - Throws: `AIError` (`protocol`) when the body is not one vector per text.
    package func decodeEmbeddings(_ body: [UInt8], count: Int) throws -> EmbeddingResponse {
        let json: JSON
        do { json = try JSON.parse(body) } catch {
            throw AIError(
                .protocol, "\(name) sent a response that is not JSON: \(error.reason) at byte \(error.offset)")
        }
        if let error = json["error"], !error.isNull { throw OpenAIWire.streamError(error, provider: name) }
        guard let data = json["data"]?.arrayValue else {
            throw AIError(.protocol, "\(name) sent a response without 'data'")
        }
        guard data.count == count else {
            throw AIError(.protocol, "\(name) sent \(data.count) embeddings for \(count) inputs")
        }
        var vectors = [[Float]?](repeating: nil, count: count)
        for (position, item) in data.enumerated() {
            let index = item["index"]?.intValue ?? position
            guard vectors.indices.contains(index), vectors[index] == nil else {
                throw AIError(.protocol, "\(name) sent an embedding with a bad index")
            }
            switch item["embedding"] {
            case .some(.string(let text)): vectors[index] = try EmbeddingBase64.decode(text, provider: name)
            case .some(.array(let values)): vectors[index] = try EmbeddingBase64.floats(values, provider: name)
            default: throw AIError(.protocol, "\(name) sent an item without 'embedding'")
            }
        }
        return EmbeddingResponse(
            model: json["model"]?.stringValue ?? "", vectors: vectors.map { $0 ?? [] },
            promptTokens: json["usage"]?["prompt_tokens"]?.intValue)
    }

    private func embed(
        _ request: EmbeddingRequest, base64: Bool, context: AttemptContext
    ) throws
        -> EmbeddingResponse
    {
        let http = HTTPRequest.postJSON(
            baseURL + "/embeddings", body: embeddingBody(for: request, base64: base64), stream: false,
            streamType: "application/json", credentials: HTTPRequest.bearer(apiKey), extra: extraHeaders)
        let body = try HTTPExchange.perform(
            http, provider: name, transport: try context.transport(), limits: context.limits,
            started: context.responseStarted, failure: decodeError)
        var response = try decodeEmbeddings(body, count: request.texts.count)
        if response.model.isEmpty { response.model = request.model }
        return response
    }

    /// The servers (base URLs) that refused base64 vectors in this run.
    private static let refusesBase64 = Mutex<Set<String>>([])
}
