import AIBase
import AIProviders
import AITransport
import AIWire

extension AnthropicProvider: ModelCatalog {
    /// `GET /v1/models?limit=1`.
    package func probeRequest() -> HTTPRequest {
        getRequest("/v1/models?limit=1")
    }

    /// `GET /v1/models`, following `has_more`/`last_id` (`after_id`) to the last page.
    package func listModels(_ fetch: HTTPFetch) throws -> [JSON] {
        try listModels(fetch, pageSize: 100)
    }

    /// `GET /v1/models?limit=pageSize`, following `has_more`/`last_id` (`after_id`) to the last page.
    /// - Throws: `AIError`.
    package func listModels(_ fetch: HTTPFetch, pageSize: Int) throws -> [JSON] {
        var rows: [JSON] = []
        var after: String?
        for _ in 0..<1000 {
            let query = "/v1/models?limit=\(pageSize)" + (after.map { "&after_id=" + percentEncoded($0) } ?? "")
            let page = try fetch.json(getRequest(query))
            guard let data = page["data"]?.arrayValue else {
                throw AIError(.protocol, "\(name) sent a model page without 'data'")
            }
            rows += data.compactMap { row(for: $0) }
            guard page["has_more"]?.boolValue == true, let last = page["last_id"]?.stringValue, last != after else {
                return rows
            }
            after = last
        }
        throw AIError(.protocol, "\(name) kept paginating past 1000 pages")
    }

    /// `GET /v1/models/{id}`.
    package func modelInfo(_ id: String, _ fetch: HTTPFetch) throws -> JSON {
        let json = try fetch.json(getRequest("/v1/models/" + percentEncoded(id)))
        return row(for: json, details: json) ?? .object(["provider": .string(name), "id": .string(id)])
    }

    private func row(for model: JSON, details: JSON? = nil) -> JSON? {
        guard let id = model["id"]?.stringValue else { return nil }
        var row: JSONObject = ["provider": .string(name), "id": .string(id)]
        if let display = model["display_name"]?.stringValue { row["display_name"] = .string(display) }
        if let created = model["created_at"]?.stringValue { row["created"] = .string(created) }
        if let length = model["max_input_tokens"], !length.isNull { row["context_length"] = length }
        if let output = model["max_tokens"], !output.isNull { row["max_output_tokens"] = output }
        if let details { row["details"] = details }
        return .object(row)
    }

    private func getRequest(_ path: String) -> HTTPRequest {
        HTTPRequest(
            method: "GET", url: join(baseURL, path),
            headers: [
                (name: "x-api-key", value: apiKey), (name: "anthropic-version", value: Self.apiVersion),
                (name: "Accept", value: "application/json"),
            ] + extraHeaders)
    }
}
