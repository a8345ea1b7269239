import AIBase
import AIProviders
import AITransport
import AIWire

/// OpenAI's Batch API: the requests uploaded as a JSONL file (`POST /files`, purpose `batch`), a job created from
/// it (`POST /batches`, tagged with `metadata` `{"ai_job","ai_part"}`), its state (`GET /batches/ID`), its output and
/// error files (`GET /files/ID/content`), and `POST /batches/ID/cancel`.
package struct OpenAIBatchAPI: BatchAPI {
    /// The endpoint every request of a job goes to.
    package static let endpoint = "/v1/chat/completions"

    /// The provider whose requests the jobs carry, and whose key and server they use.
    package let openAI: OpenAIProvider
    /// The client every call goes through.
    package let http: BatchHTTP
    package var name: String { openAI.name }
    package var provider: any HTTPProvider { openAI }
    package let maximumRequests: Int
    package let maximumBytes: Int

    /// The API of `provider`, through `transport`; the limits default to OpenAI's (50,000 requests, 200 MB).
    package init(
        provider: OpenAIProvider, transport: any Transport, limits: TransferLimits, maximumRequests: Int = 50_000,
        maximumBytes: Int = 200_000_000
    ) {
        self.openAI = provider
        self.maximumRequests = maximumRequests
        self.maximumBytes = maximumBytes
        self.http = BatchHTTP(
            provider: provider.name, headers: HTTPRequest.bearer(provider.apiKey) + provider.extraHeaders,
            transport: transport, limits: limits)
    }

    package func entry(customID: String, request: ResolvedRequest) -> [UInt8] {
        JSON.object([
            "custom_id": .string(customID), "method": "POST", "url": .string(Self.endpoint),
            "body": openAI.body(for: request, streamUsage: false),
        ]).encoded()
    }

    package func overhead(entries count: Int) -> Int { count }

    package func create(entries: [[UInt8]], job: String, part: Int, uploaded: (String) throws -> Void) throws -> String
    {
        var file: [UInt8] = []
        file.reserveCapacity(entries.reduce(0) { $0 + $1.count + 1 })
        for entry in entries {
            file += entry
            file.append(0x0A)
        }
        let boundary = "ai-batch-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var body: [UInt8] = []
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8)
        body += Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(job)-\(part).jsonl\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n").utf8)
        body += file
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let answer = try JSON.parse(
            try http.send(
                "POST", openAI.baseURL + "/files", body: body,
                contentType: "multipart/form-data; boundary=\(boundary)"))
        guard let fileID = answer["id"]?.stringValue else {
            throw AIError(.protocol, "\(name) sent no file id for the uploaded requests")
        }
        try uploaded(fileID)
        let batch = try http.json(
            "POST", openAI.baseURL + "/batches",
            body: .object([
                "input_file_id": .string(fileID), "endpoint": .string(Self.endpoint), "completion_window": "24h",
                "metadata": .object(["ai_job": .string(job), "ai_part": .string(String(part))]),
            ]))
        guard let id = batch["id"]?.stringValue else { throw AIError(.protocol, "\(name) sent no batch id") }
        return id
    }

    package func fetch(_ id: String) throws -> ProviderBatch {
        try Self.batch(try http.json("GET", openAI.baseURL + "/batches/" + BatchHTTP.escape(id)), provider: name)
    }

    /// Lists the batches (newest first, up to 1,000) for one whose `metadata` names this job and part.
    package func find(part: Int, of record: JobRecord, claimed: Set<String>) throws -> String? {
        var after: String?
        for _ in 0..<10 {
            var url = openAI.baseURL + "/batches?limit=100"
            if let after { url += "&after=" + BatchHTTP.escape(after) }
            let page = try http.json("GET", url)
            let batches = page["data"]?.arrayValue ?? []
            for batch in batches {
                guard let id = batch["id"]?.stringValue, !claimed.contains(id),
                    batch["metadata"]?["ai_job"]?.stringValue == record.job,
                    batch["metadata"]?["ai_part"]?.stringValue == String(part)
                else { continue }
                return id
            }
            guard page["has_more"]?.boolValue == true, let last = batches.last?["id"]?.stringValue else { break }
            after = last
        }
        return nil
    }

    package func results(of batch: ProviderBatch) throws -> [String: ItemOutcome] {
        var outcomes: [String: ItemOutcome] = [:]
        for file in batch.resultSources {
            try http.lines(openAI.baseURL + "/files/" + BatchHTTP.escape(file) + "/content") { line in
                guard let json = try? JSON.parse(line), let customID = json["custom_id"]?.stringValue else {
                    throw AIError(.protocol, "\(name) sent a result line without 'custom_id'")
                }
                outcomes[customID] = outcome(json)
            }
        }
        return outcomes
    }

    private func outcome(_ line: JSON) -> ItemOutcome {
        if let error = line["error"], !error.isNull {
            let code = error["code"]?.stringValue
            switch code {
            case "batch_expired": return .expired
            case "batch_cancelled": return .cancelled
            default:
                let message = error["message"]?.stringValue ?? "no message"
                return .errored(
                    AIError(.rejected, "\(name) rejected the request: \(message)" + (code.map { " (\($0))" } ?? "")))
            }
        }
        let response = line["response"]
        let status = response?["status_code"]?.intValue ?? 0
        let body = (response?["body"] ?? .null).encoded()
        guard (200..<300).contains(status) else {
            return .errored(
                HTTPErrorMapping.error(
                    provider: name, head: HTTPResponseHead(status: status), details: HTTPErrorMapping.details(body),
                    body: body))
        }
        return .succeeded(body)
    }

    package func cancel(_ id: String) throws -> ProviderBatch {
        try Self.batch(
            try http.json("POST", openAI.baseURL + "/batches/" + BatchHTTP.escape(id) + "/cancel"), provider: name)
    }

    /// A batch object read: `status`, `request_counts` (`total`, `completed`, `failed`), the output and error files.
    /// - Throws: `AIError` (`protocol`) without an id or a status.
    package static func batch(_ json: JSON, provider: String) throws -> ProviderBatch {
        guard let id = json["id"]?.stringValue, let state = json["status"]?.stringValue else {
            throw AIError(.protocol, "\(provider) sent a batch without 'id' or 'status'")
        }
        let counts = json["request_counts"]
        let total = counts?["total"]?.intValue ?? 0
        let completed = counts?["completed"]?.intValue ?? 0
        let failed = counts?["failed"]?.intValue ?? 0
        let rest = max(0, total - completed - failed)
        var batch = ProviderBatch(
            id: id, state: state, ended: ["completed", "failed", "expired", "cancelled"].contains(state),
            succeeded: completed, errored: failed,
            resultSources: [json["output_file_id"], json["error_file_id"]].compactMap { $0?.stringValue })
        switch state {
        case "expired": batch.expired = rest
        case "cancelled": batch.cancelled = rest
        case "failed":
            batch.errored = max(total, failed)
            let messages = json["errors"]?["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            batch.failure = messages.first ?? "the batch failed"
        default: batch.processing = rest
        }
        return batch
    }
}
