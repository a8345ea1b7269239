import AIBase
import AIProviders
import AITransport
import AIWire

/// Anthropic's Message Batches: `POST /v1/messages/batches` with `{"requests":[{"custom_id","params"}]}`, its state
/// (`GET …/ID`), its results as JSONL (`GET …/ID/results`), and `POST …/ID/cancel`.
///
/// A message batch carries no metadata, so a job whose `submit` was stopped before the answer arrived is found by
/// listing the batches: the oldest one not yet claimed by this job that was created from a minute before the job's
/// record to an hour after it, and holds exactly the part's number of requests.
package struct AnthropicBatchAPI: BatchAPI {
    /// The provider whose requests the jobs carry, and whose key and server they use.
    package let anthropic: AnthropicProvider
    /// The client every call goes through.
    package let http: BatchHTTP
    package var name: String { anthropic.name }
    package var provider: any HTTPProvider { anthropic }
    package let maximumRequests: Int
    package let maximumBytes: Int

    /// The API of `provider`, through `transport`; the limits default to Anthropic's (100,000 requests, 256 MB).
    package init(
        provider: AnthropicProvider, transport: any Transport, limits: TransferLimits,
        maximumRequests: Int = 100_000, maximumBytes: Int = 256_000_000
    ) {
        self.anthropic = provider
        self.maximumRequests = maximumRequests
        self.maximumBytes = maximumBytes
        self.http = BatchHTTP(
            provider: provider.name,
            headers: [
                (name: "x-api-key", value: provider.apiKey),
                (name: "anthropic-version", value: AnthropicProvider.apiVersion),
            ] + provider.extraHeaders,
            transport: transport, limits: limits)
    }

    private var batchesURL: String { anthropic.baseURL + "/v1/messages/batches" }

    package func entry(customID: String, request: ResolvedRequest) -> [UInt8] {
        JSON.object(["custom_id": .string(customID), "params": anthropic.body(for: request)]).encoded()
    }

    package func overhead(entries count: Int) -> Int { 14 + max(0, count - 1) }

    package func create(entries: [[UInt8]], job: String, part: Int, uploaded: (String) throws -> Void) throws -> String
    {
        var body = Array(#"{"requests":["#.utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += entry
        }
        body += Array("]}".utf8)
        let batch = try JSON.parse(try http.send("POST", batchesURL, body: body))
        guard let id = batch["id"]?.stringValue else { throw AIError(.protocol, "\(name) sent no batch id") }
        return id
    }

    package func fetch(_ id: String) throws -> ProviderBatch {
        try Self.batch(try http.json("GET", batchesURL + "/" + BatchHTTP.escape(id)), provider: name)
    }

    package func find(part: Int, of record: JobRecord, claimed: Set<String>) throws -> String? {
        let wanted = record.parts[part].requests
        var after: String?
        var candidates: [(created: Int, id: String)] = []
        pages: for _ in 0..<10 {
            var url = batchesURL + "?limit=100"
            if let after { url += "&after_id=" + BatchHTTP.escape(after) }
            let page = try http.json("GET", url)
            let batches = page["data"]?.arrayValue ?? []
            for value in batches {
                guard let id = value["id"]?.stringValue, let created = value["created_at"]?.stringValue,
                    let seconds = WallClock.parse(created)
                else { continue }
                // Newest first: once older than the window, the rest are too.
                if seconds < record.created - 60 { break pages }
                guard !claimed.contains(id), seconds <= record.created + 3600,
                    let batch = try? Self.batch(value, provider: name),
                    batch.succeeded + batch.errored + batch.expired + batch.cancelled + batch.processing == wanted
                else { continue }
                candidates.append((created: seconds, id: id))
            }
            guard page["has_more"]?.boolValue == true, let last = page["last_id"]?.stringValue else { break }
            after = last
        }
        return candidates.min { ($0.created, $0.id) < ($1.created, $1.id) }?.id
    }

    package func results(of batch: ProviderBatch) throws -> [String: ItemOutcome] {
        var outcomes: [String: ItemOutcome] = [:]
        // The key goes only to the provider's own server: a results URL elsewhere is not followed.
        let url =
            batch.resultSources.first { $0.hasPrefix(anthropic.baseURL + "/") }
            ?? batchesURL + "/" + BatchHTTP.escape(batch.id) + "/results"
        try http.lines(url) { line in
            guard let json = try? JSON.parse(line), let customID = json["custom_id"]?.stringValue else {
                throw AIError(.protocol, "\(name) sent a result line without 'custom_id'")
            }
            outcomes[customID] = outcome(json["result"])
        }
        return outcomes
    }

    private func outcome(_ result: JSON?) -> ItemOutcome {
        switch result?["type"]?.stringValue {
        case "succeeded": return .succeeded((result?["message"] ?? .null).encoded())
        case "expired": return .expired
        case "canceled", "cancelled": return .cancelled
        default:
            let body = (result?["error"] ?? .null).encoded()
            let type = result?["error"]?["error"]?["type"]?.stringValue
            return .errored(
                HTTPErrorMapping.error(
                    provider: name, head: HTTPResponseHead(status: Self.status(ofErrorType: type)),
                    details: HTTPErrorMapping.details(body), body: body))
        }
    }

    /// The HTTP status Anthropic sends with an error of this type.
    package static func status(ofErrorType type: String?) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "billing_error": 402
        case "permission_error": 403
        case "not_found_error": 404
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "timeout_error": 504
        case "overloaded_error": 529
        default: 500
        }
    }

    package func cancel(_ id: String) throws -> ProviderBatch {
        try Self.batch(try http.json("POST", batchesURL + "/" + BatchHTTP.escape(id) + "/cancel"), provider: name)
    }

    /// A message batch read: `processing_status`, `request_counts`, `results_url`.
    /// - Throws: `AIError` (`protocol`) without an id or a status.
    package static func batch(_ json: JSON, provider: String) throws -> ProviderBatch {
        guard let id = json["id"]?.stringValue, let state = json["processing_status"]?.stringValue else {
            throw AIError(.protocol, "\(provider) sent a message batch without 'id' or 'processing_status'")
        }
        let counts = json["request_counts"]
        func count(_ name: String) -> Int { counts?[name]?.intValue ?? 0 }
        return ProviderBatch(
            id: id, state: state, ended: state == "ended", succeeded: count("succeeded"), errored: count("errored"),
            expired: count("expired"), cancelled: count("canceled"), processing: count("processing"),
            resultSources: json["results_url"]?.stringValue.map { [$0] } ?? [])
    }
}
