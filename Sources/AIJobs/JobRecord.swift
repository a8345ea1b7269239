import AIBase
import AIWire

/// A batch job as kept on disk (`$XDG_STATE_HOME/ai/batches/JOB.json`): what is needed to find its provider jobs
/// and to turn their results back into the lines `ai-complete` prints.
///
/// It is written before any provider job is created (state `submitting`, every part without its provider id), again
/// after each part is created, and once more when all are (`submitted`): a crash leaves a record that names every
/// request, so `status` can look for the provider jobs it may have created.
package struct JobRecord: Sendable, Equatable {
    /// The record's format version.
    package static let version = 1

    /// Whether every part has its provider job.
    package enum State: String, Sendable {
        /// Written before the provider jobs were created; some part may lack its provider id.
        case submitting
        /// Every part has its provider job.
        case submitted
    }

    /// One provider job: a part of the requests small enough for the provider's limits.
    package struct Part: Sendable, Equatable {
        /// How many requests it holds.
        package var requests: Int
        /// The size of what was sent for it, in bytes.
        package var bytes: Int
        /// The provider's id for it, once created.
        package var providerJob: String?
        /// OpenAI: the uploaded input file.
        package var inputFile: String?

        /// A part with the given parts.
        package init(requests: Int, bytes: Int, providerJob: String? = nil, inputFile: String? = nil) {
            self.requests = requests
            self.bytes = bytes
            self.providerJob = providerJob
            self.inputFile = inputFile
        }
    }

    /// One request of the input, in input order.
    package struct Item: Sendable, Equatable {
        /// The id its result line carries.
        package var id: JSON
        /// Its `metadata`, echoed on its line.
        package var metadata: JSON?
        /// The `custom_id` it was sent with (nil for an item that failed before it was sent).
        package var customID: String?
        /// The index of its part.
        package var part: Int?
        /// The model asked for.
        package var model: String?
        /// The index of its schema in `schemas`, when it has one.
        package var schema: Int?
        /// Why it was not sent (a malformed line, an error line passed through).
        package var failure: AIError?

        /// An item with the given parts.
        package init(
            id: JSON, metadata: JSON?, customID: String? = nil, part: Int? = nil, model: String? = nil,
            schema: Int? = nil, failure: AIError? = nil
        ) {
            self.id = id
            self.metadata = metadata
            self.customID = customID
            self.part = part
            self.model = model
            self.schema = schema
            self.failure = failure
        }
    }

    /// The job's id (also the file's name).
    package var job: String
    /// The provider's name (`-p`).
    package var provider: String
    /// Which batch API it speaks: `openai` or `anthropic`.
    package var kind: String
    /// When it was submitted, in seconds since the epoch.
    package var created: Int
    /// Whether every part has its provider job.
    package var state: State
    /// The provider jobs.
    package var parts: [Part]
    /// The distinct schemas the items use.
    package var schemas: [JSON]
    /// Whether the schemas' `format` keywords are checked (`--schema-format-assert` at submit).
    package var schemaFormatAssert = false
    /// The requests, in input order.
    package var items: [Item]

    /// A record with the given parts.
    package init(
        job: String, provider: String, kind: String, created: Int, state: State, parts: [Part], schemas: [JSON],
        items: [Item]
    ) {
        self.job = job
        self.provider = provider
        self.kind = kind
        self.created = created
        self.state = state
        self.parts = parts
        self.schemas = schemas
        self.items = items
    }

    /// The job line `submit` prints and `list` prints per job: `{"job","provider","created","requests",
    /// "provider_jobs":[…]}` (plus `state` for `list`).
    package func jobLine(withState: Bool = false) -> JSON {
        var object: JSONObject = [
            "job": .string(job), "provider": .string(provider), "created": .string(WallClock.rfc3339(created)),
            "requests": .int(items.count),
            "provider_jobs": .array(parts.map { $0.providerJob.map(JSON.string) ?? .null }),
        ]
        if withState { object["state"] = .string(state.rawValue) }
        return .object(object)
    }

    /// The record as stored.
    package var json: JSON {
        .object([
            "version": .int(Self.version), "job": .string(job), "provider": .string(provider), "kind": .string(kind),
            "created": .string(WallClock.rfc3339(created)), "created_unix": .int(created),
            "state": .string(state.rawValue),
            "parts": .array(
                parts.map { part in
                    var object: JSONObject = ["requests": .int(part.requests), "bytes": .int(part.bytes)]
                    object["provider_job"] = part.providerJob.map(JSON.string) ?? .null
                    if let file = part.inputFile { object["input_file"] = .string(file) }
                    return .object(object)
                }),
            "schemas": .array(schemas), "schema_format_assert": .bool(schemaFormatAssert),
            "items": .array(
                items.map { item in
                    var object: JSONObject = ["id": item.id]
                    if let customID = item.customID { object["custom_id"] = .string(customID) }
                    if let part = item.part { object["part"] = .int(part) }
                    if let model = item.model { object["model"] = .string(model) }
                    if let schema = item.schema { object["schema"] = .int(schema) }
                    if let failure = item.failure { object["error"] = failure.record }
                    if let metadata = item.metadata { object["metadata"] = metadata }
                    return .object(object)
                }),
        ])
    }

    /// Reads a stored record.
    /// - Throws: `AIError` (`input`) naming what is wrong with it.
    package init(json: JSON, path: String) throws(AIError) {
        func bad(_ what: String) -> AIError {
            AIError(.input, "\(path) is not a job record: \(what)")
        }
        guard json["version"]?.intValue == Self.version else { throw bad("no 'version' \(Self.version)") }
        guard let job = json["job"]?.stringValue, let provider = json["provider"]?.stringValue,
            let kind = json["kind"]?.stringValue, let created = json["created_unix"]?.intValue,
            let state = json["state"]?.stringValue.flatMap(State.init(rawValue:))
        else { throw bad("missing job, provider, kind, created_unix or state") }
        var parts: [Part] = []
        for value in json["parts"]?.arrayValue ?? [] {
            guard let requests = value["requests"]?.intValue else { throw bad("a part without 'requests'") }
            parts.append(
                Part(
                    requests: requests, bytes: value["bytes"]?.intValue ?? 0,
                    providerJob: value["provider_job"]?.stringValue, inputFile: value["input_file"]?.stringValue))
        }
        var items: [Item] = []
        for value in json["items"]?.arrayValue ?? [] {
            guard let id = value["id"] else { throw bad("an item without 'id'") }
            var item = Item(
                id: id, metadata: value["metadata"], customID: value["custom_id"]?.stringValue,
                part: value["part"]?.intValue, model: value["model"]?.stringValue, schema: value["schema"]?.intValue)
            if let error = value["error"] {
                let code = error["code"]?.stringValue.flatMap(ErrorCode.init(rawValue:)) ?? .input
                item.failure = AIError(
                    code, error["message"]?.stringValue ?? "", httpStatus: error["status"]?.intValue,
                    retryable: error["retryable"]?.boolValue)
            } else if item.customID == nil || item.part.map({ !parts.indices.contains($0) }) ?? true {
                throw bad("an item with neither a part nor an error")
            }
            items.append(item)
        }
        self.init(
            job: job, provider: provider, kind: kind, created: created, state: state, parts: parts,
            schemas: json["schemas"]?.arrayValue ?? [], items: items)
        schemaFormatAssert = json["schema_format_assert"]?.boolValue ?? false
    }
}
