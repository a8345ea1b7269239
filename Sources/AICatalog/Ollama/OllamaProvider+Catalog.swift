import AIBase
import AIProviders
import AITransport
import AIWire

extension OllamaProvider: ModelCatalog {
    /// `GET /api/version`.
    package func probeRequest() -> HTTPRequest {
        request("GET", "/api/version")
    }

    /// `GET /api/tags`: id (the model's name), size, modified, family, parameter size, quantization.
    package func listModels(_ fetch: HTTPFetch) throws -> [JSON] {
        let json = try fetch.json(request("GET", "/api/tags"))
        guard let models = json["models"]?.arrayValue else {
            throw AIError(.protocol, "\(name) sent a tag list without 'models'")
        }
        return models.compactMap { model in
            guard let id = model["name"]?.stringValue ?? model["model"]?.stringValue else { return nil }
            var row: JSONObject = ["provider": .string(name), "id": .string(id)]
            if let size = model["size"] { row["size"] = size }
            if let modified = model["modified_at"] { row["modified"] = modified }
            if let digest = model["digest"] { row["digest"] = digest }
            if let details = model["details"] {
                for key in ["family", "parameter_size", "quantization_level"] {
                    if let value = details[key], !value.isNull { row[key] = value }
                }
            }
            return .object(row)
        }
    }

    /// `POST /api/show {"model": id}`: family, sizes, context length, capabilities, and the whole answer.
    package func modelInfo(_ id: String, _ fetch: HTTPFetch) throws -> JSON {
        let body = JSON.object(["model": .string(id)]).encoded()
        let json = try fetch.json(request("POST", "/api/show", body: body))
        var row: JSONObject = ["provider": .string(name), "id": .string(id)]
        if let details = json["details"] {
            for key in ["family", "parameter_size", "quantization_level", "format"] {
                if let value = details[key], !value.isNull { row[key] = value }
            }
        }
        if let info = json["model_info"]?.objectValue {
            let architecture = info["general.architecture"]?.stringValue
            let key = architecture.map { $0 + ".context_length" }
            if let key, let length = info[key] {
                row["context_length"] = length
            } else if let length = info.members.first(where: { $0.key.hasSuffix(".context_length") })?.value {
                row["context_length"] = length
            }
        }
        if let capabilities = json["capabilities"] { row["capabilities"] = capabilities }
        row["details"] = json
        return .object(row)
    }

    /// `POST /api/pull {"model", "stream": true}`: progress lines, the last one `{"status":"success"}`.
    package func pullRequest(_ model: String) -> HTTPRequest {
        let body = JSON.object(["model": .string(model), "stream": .bool(true)]).encoded()
        return request("POST", "/api/pull", body: body, streaming: true)
    }

    private func request(
        _ method: String, _ path: String, body: [UInt8]? = nil, streaming: Bool = false
    ) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [(name: "Accept", value: "application/json")]
        if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
        return HTTPRequest(
            method: method, url: join(baseURL, path),
            headers: headers + HTTPRequest.bearer(apiKey)
                + extraHeaders, body: body, streaming: streaming)
    }
}
