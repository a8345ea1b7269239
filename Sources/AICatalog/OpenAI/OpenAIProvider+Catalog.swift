import AIBase
import AIProviders
import AITransport
import AIWire

extension OpenAIProvider: ModelCatalog {
    /// `GET {base}/models` with the key, if any.
    package func probeRequest() -> HTTPRequest {
        getRequest("/models")
    }

    /// `GET {base}/models` (not paginated): id, created, owned_by, and a context length where the server tells one.
    package func listModels(_ fetch: HTTPFetch) throws -> [JSON] {
        let json = try fetch.json(getRequest("/models"))
        guard let data = json["data"]?.arrayValue else {
            throw AIError(.protocol, "\(name) sent a model list without 'data'")
        }
        return data.compactMap { row(for: $0) }
    }

    /// `GET {base}/models/{id}`.
    package func modelInfo(_ id: String, _ fetch: HTTPFetch) throws -> JSON {
        let json = try fetch.json(getRequest("/models/" + percentEncoded(id)))
        return row(for: json, details: json) ?? .object(["provider": .string(name), "id": .string(id)])
    }

    private func row(for model: JSON, details: JSON? = nil) -> JSON? {
        guard let id = model["id"]?.stringValue else { return nil }
        var row: JSONObject = ["provider": .string(name), "id": .string(id)]
        if let created = model["created"], !created.isNull { row["created"] = created }
        if let owner = model["owned_by"], !owner.isNull { row["owned_by"] = owner }
        if let length = model["context_length"] ?? model["context_window"], !length.isNull {
            row["context_length"] = length
        }
        if let details { row["details"] = details }
        return .object(row)
    }

    private func getRequest(_ path: String) -> HTTPRequest {
        HTTPRequest(
            method: "GET", url: join(baseURL, path),
            headers: [(name: "Accept", value: "application/json")] + HTTPRequest.bearer(apiKey) + extraHeaders)
    }
}
