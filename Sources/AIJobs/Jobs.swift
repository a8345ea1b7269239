import AIBase
import AIConfig
import AIProviders
import AIRunner
import AISchema
import AITransport
import AIWire

/// What `ai-batch` does (DESIGN §14): requests read as `ai-complete` reads them become provider batch jobs, and
/// their results become the lines `ai-complete` would have printed, in input order.
///
/// Every call to a provider is retried as a live request is (`RetryLoop`, `--retries`); `wait` also rides out
/// failures worth retrying while it polls (a 429, a 5xx) until its deadline. It returns values and throws `AIError`;
/// failed items' messages go to `settings.reporter`.
package final class Jobs {
    private let settings: Settings
    /// Where the job records are.
    package let store: JobStore
    private let buildAPI: (String) throws -> any BatchAPI
    /// The APIs built so far, by provider name: a key is looked up once per run (a passphrase descriptor can be read
    /// only once).
    private var apis: [String: any BatchAPI] = [:]

    /// Jobs with the given settings, kept in `store` (default: the environment's `$XDG_STATE_HOME/ai/batches`).
    /// `makeAPI` builds a provider's batch API from its name (default: `batchAPI(settings:provider:)`).
    package init(
        settings: Settings, store: JobStore? = nil, makeAPI: ((String) throws -> any BatchAPI)? = nil
    ) {
        self.settings = settings
        self.store = store ?? JobStore(environment: settings.environment)
        self.buildAPI = makeAPI ?? { name in try Jobs.batchAPI(settings: settings, provider: name) }
    }

    /// The batch API of provider `name`, built once.
    private func makeAPI(_ name: String) throws -> any BatchAPI {
        if let api = apis[name] { return api }
        let api = try buildAPI(name)
        apis[name] = api
        return api
    }

    /// The batch API of the provider named `name`, with its key, base URL and headers as `ai-complete` finds them.
    /// - Throws: `AIError` (`not_supported`) for a provider with no batch API, before any key is looked up; what
    ///   the registry throws (`config`, `no_key`…).
    package static func batchAPI(settings: Settings, provider name: String) throws -> any BatchAPI {
        let registry = ProviderRegistry(settings: settings)
        let spec = try registry.spec(named: name)
        guard spec.kind == .openai || spec.kind == .anthropic else {
            throw AIError(
                .notSupported, "\(name) has no batch API",
                hints: [
                    "batch jobs go to openai or anthropic (or a config provider of those kinds); "
                        + "ai-complete answers the same requests now"
                ])
        }
        let provider = try registry.provider(named: name)
        let transport = try settings.makeTransport()
        switch provider {
        case let openAI as OpenAIProvider:
            return OpenAIBatchAPI(provider: openAI, transport: transport, limits: settings.limits)
        case let anthropic as AnthropicProvider:
            return AnthropicBatchAPI(provider: anthropic, transport: transport, limits: settings.limits)
        default:
            throw AIError(.notSupported, "\(name) has no batch API")
        }
    }

    // MARK: submit

    /// Reads every request from the reader `makeReader` gives, refuses repeated ids, writes the job record, then
    /// creates the provider jobs.
    /// - Returns: the job's record, every part with its provider id.
    /// - Throws: `AIError`: `not_supported` (and key lookup failures) before the reader is made; `input` (duplicate
    ///   ids, a request for another provider, a request larger than a provider job) before anything is sent; what
    ///   the provider answers.
    package func submit(_ makeReader: () throws -> InputReader) throws -> JobRecord {
        let name = settings.defaults.provider
        let api = try makeAPI(name)
        let reader = try makeReader()
        var items: [JobRecord.Item] = []
        var entries: [[UInt8]] = []
        var sent: [Int] = []
        var schemas: [JSON] = []
        var compiled: [Result<Schema, SchemaError>] = []
        var ids: [(id: JSON, line: Int)] = []
        while let item = try reader.next() {
            ids.append((id: item.id, line: item.line))
            let request: CompletionRequest
            switch item.request {
            case .failure(let error):
                items.append(JobRecord.Item(id: item.id, metadata: item.metadata, failure: error))
                continue
            case .success(let value): request = settings.defaults.fill(value)
            }
            if let other = request.provider, other != name {
                throw AIError(
                    .input, "line \(item.line): the request names the provider '\(other)'; this job goes to \(name)",
                    hints: ["a job goes to one provider: split the input by provider"])
            }
            let model = request.model ?? api.provider.defaultModel
            var resolved = ResolvedRequest(request: request, model: model, stream: false)
            var schemaIndex: Int?
            if let schema = request.schema {
                let index = schemas.firstIndex(of: schema) ?? schemas.count
                if index == schemas.count {
                    schemas.append(schema)
                    compiled.append(
                        Result { () throws(SchemaError) in
                            try Schema(schema, assertFormat: settings.schemaFormatAssert)
                        })
                }
                let strict: Bool
                switch compiled[index] {
                case .success(let value): strict = value.isOpenAIStrictCompatible
                case .failure(let error):
                    items.append(
                        JobRecord.Item(
                            id: item.id, metadata: item.metadata,
                            failure: AIError(.input, "field 'schema': \(error.message)")))
                    continue
                }
                resolved.schemaStrict = strict
                schemaIndex = index
            }
            let customID = CustomIDs.customID(index: items.count, id: item.id)
            sent.append(items.count)
            entries.append(api.entry(customID: customID, request: resolved))
            items.append(
                JobRecord.Item(
                    id: item.id, metadata: item.metadata, customID: customID, model: model, schema: schemaIndex))
        }
        try CustomIDs.checkUnique(ids)
        let ranges = try JobParts.split(
            sizes: entries.map(\.count), maximumRequests: api.maximumRequests, maximumBytes: api.maximumBytes,
            overhead: { api.overhead(entries: $0) })
        var parts: [JobRecord.Part] = []
        for (number, range) in ranges.enumerated() {
            for position in range { items[sent[position]].part = number }
            let bytes = entries[range].reduce(0) { $0 + $1.count } + api.overhead(entries: range.count)
            parts.append(JobRecord.Part(requests: range.count, bytes: bytes))
        }
        let now = WallClock.now()
        var record = JobRecord(
            job: JobStore.newJobName(now: now), provider: name, kind: api is AnthropicBatchAPI ? "anthropic" : "openai",
            created: now, state: .submitting, parts: parts, schemas: schemas, items: items)
        record.schemaFormatAssert = settings.schemaFormatAssert
        try store.save(record)
        for (number, range) in ranges.enumerated() {
            do {
                let id = try retrying(api) {
                    try api.create(entries: Array(entries[range]), job: record.job, part: number) { file in
                        record.parts[number].inputFile = file
                        try store.save(record)
                    }
                }
                record.parts[number].providerJob = id
                try store.save(record)
            } catch var error as AIError {
                error.hints.append(
                    "the job \(record.job) was not fully submitted; 'ai-batch status \(record.job)' tells what was")
                throw error
            }
        }
        record.state = .submitted
        try store.save(record)
        return record
    }

    // MARK: status, wait, cancel

    /// A job's state: its record (provider jobs found since `submit` stopped are written into it) and each part's
    /// provider job, nil for a part that was never created.
    package struct Status {
        /// The record.
        package var record: JobRecord
        /// Each part's provider job, as the provider reports it now.
        package var batches: [ProviderBatch?]

        /// Whether no part will change any more: each ended or was never created.
        package var ended: Bool { batches.allSatisfy { $0?.ended ?? true } }

        /// `{"job","provider","state","total","succeeded","errored","expired","cancelled","processing",
        /// "provider_jobs":[{"id","state"}]}`: items that failed before they were sent count as errored, the
        /// requests of a part that was never created as cancelled.
        package var line: JSON {
            var counts = (succeeded: 0, errored: 0, expired: 0, cancelled: 0, processing: 0)
            counts.errored = record.items.filter { $0.failure != nil }.count
            for (part, batch) in zip(record.parts, batches) {
                guard let batch else {
                    counts.cancelled += part.requests
                    continue
                }
                counts.succeeded += batch.succeeded
                counts.errored += batch.failure == nil ? batch.errored : part.requests
                counts.expired += batch.expired
                counts.cancelled += batch.cancelled
                counts.processing += batch.failure == nil ? batch.processing : 0
            }
            let cancelling = batches.contains { ["cancelling", "canceling"].contains($0?.state ?? "") }
            let state = ended ? "ended" : cancelling ? "cancelling" : "in_progress"
            return .object([
                "job": .string(record.job), "provider": .string(record.provider), "state": .string(state),
                "total": .int(record.items.count), "succeeded": .int(counts.succeeded),
                "errored": .int(counts.errored), "expired": .int(counts.expired), "cancelled": .int(counts.cancelled),
                "processing": .int(counts.processing),
                "provider_jobs": .array(
                    zip(record.parts, batches).map { part, batch in
                        .object([
                            "id": part.providerJob.map(JSON.string) ?? .null,
                            "state": .string(batch?.state ?? "not_created"),
                        ])
                    }),
            ])
        }
    }

    /// Job `job`'s state, asking the provider; a job whose `submit` was stopped first has its provider jobs looked
    /// for (`BatchAPI.find`) and its record completed with what was found.
    /// - Throws: `AIError` (`not_found` for an unknown job; what the provider answers).
    package func status(_ job: String) throws -> Status {
        var record = try store.load(job)
        let api = try makeAPI(record.provider)
        if record.state == .submitting {
            var claimed = Set(record.parts.compactMap(\.providerJob))
            var changed = false
            for part in record.parts.indices where record.parts[part].providerJob == nil {
                let found = try retrying(api) { try api.find(part: part, of: record, claimed: claimed) }
                guard let found else { continue }
                record.parts[part].providerJob = found
                claimed.insert(found)
                changed = true
            }
            if record.parts.allSatisfy({ $0.providerJob != nil }) {
                record.state = .submitted
                changed = true
            }
            if changed { try store.save(record) }
        }
        var batches: [ProviderBatch?] = []
        for part in record.parts {
            guard let id = part.providerJob else {
                batches.append(nil)
                continue
            }
            batches.append(try retrying(api) { try api.fetch(id) })
        }
        return Status(record: record, batches: batches)
    }

    /// Polls job `job` until it ends, waiting 1 s, then 1.5 times longer each time up to 60 s (or what a failure's
    /// `retry-after` says); failures worth retrying (429, 5xx, timeouts) are waited out too. `progress` sees every
    /// status read.
    /// - Throws: `AIError` (`timeout`) when `maxTime` seconds pass first; what `status` throws otherwise.
    package func wait(_ job: String, maxTime: Double?, progress: (Status) -> Void = { _ in }) throws -> Status {
        let deadline = maxTime.map { Monotonic.now() + $0 }
        var interval = 1.0
        while true {
            var pause = interval
            do {
                let status = try status(job)
                progress(status)
                if status.ended { return status }
            } catch let error as AIError where error.retryable && error.code != .cancelled {
                settings.reporter.warning("\(error.message); polling again")
                pause = max(pause, min(error.retryAfter ?? 0, 600))
            }
            if let deadline, Monotonic.now() + pause >= deadline {
                let remaining = deadline - Monotonic.now()
                if remaining > 0 { Monotonic.sleep(remaining) }
                throw AIError(
                    .timeout, "job \(job) is still running after \(AIError.seconds(maxTime ?? 0))",
                    hints: ["'ai-batch wait \(job)' again later, or 'ai-batch status \(job)'"])
            }
            Monotonic.sleep(pause)
            if Cancellation.isRequested { throw AIError(.cancelled, "interrupted", retryable: false) }
            interval = min(interval * 1.5, 60)
        }
    }

    /// Asks the provider to cancel every part of job `job` that has not ended.
    /// - Throws: `AIError`.
    package func cancel(_ job: String) throws -> Status {
        let status = try status(job)
        let api = try makeAPI(status.record.provider)
        var batches = status.batches
        for (index, batch) in status.batches.enumerated() {
            guard let batch, !batch.ended else { continue }
            batches[index] = try retrying(api) { try api.cancel(batch.id) }
        }
        return Status(record: status.record, batches: batches)
    }

    /// One job line per job kept here, oldest first, with the record's state (no provider is asked).
    package func list() -> [JSON] {
        store.all { name, error in settings.reporter.warning("skipping job \(name): \(error.message)") }
            .map { $0.jobLine(withState: true) }
    }

    // MARK: results

    /// Writes the result or error line of every request of an ended job to `output`, in input order: what
    /// `ai-complete` prints for the same input. Expired and cancelled requests (and those of a part never created)
    /// are retryable error lines, so `ai-complete --resume` redoes them.
    /// - Returns: the exit status of the first failed item in input order, or nil when all succeeded.
    /// - Throws: `AIError` (`incomplete`) for a job still running; what the provider answers; what `output` throws.
    package func results(_ job: String, output: JSONLWriter) throws -> ExitStatus? {
        let status = try status(job)
        let record = status.record
        guard status.ended else {
            let processing = status.line["processing"]?.intValue ?? 0
            throw AIError(
                .incomplete, "job \(job) has not ended: \(processing) requests are still processing",
                hints: ["'ai-batch wait \(job)' waits for it"])
        }
        let api = try makeAPI(record.provider)
        var outcomes: [[String: ItemOutcome]] = []
        for batch in status.batches {
            guard let batch, batch.failure == nil, !batch.resultSources.isEmpty || record.kind == "anthropic" else {
                outcomes.append([:])
                continue
            }
            outcomes.append(try retrying(api) { try api.results(of: batch) })
        }
        let schemas = record.schemas.map { try? Schema($0, assertFormat: record.schemaFormatAssert) }
        var first: ExitStatus?
        for item in record.items {
            let result = outcome(
                of: item, record: record, status: status, outcomes: outcomes, api: api, schemas: schemas)
            var line: [UInt8]
            switch result {
            case .success(let completion):
                line = Record.result(id: item.id, completion: completion, metadata: item.metadata).encoded()
            case .failure(let error):
                first = first ?? error.exitStatus
                settings.reporter.error(error.message, hints: error.hints)
                line = Record.failure(id: item.id, error: error, metadata: item.metadata).encoded()
            }
            line.append(0x0A)
            try output.write(bytes: line)
        }
        return first
    }

    private func outcome(
        of item: JobRecord.Item, record: JobRecord, status: Status, outcomes: [[String: ItemOutcome]],
        api: any BatchAPI, schemas: [Schema?]
    ) -> Result<Completion, AIError> {
        if let failure = item.failure { return .failure(failure) }
        guard let part = item.part, let customID = item.customID, let batch = status.batches[part] else {
            return .failure(
                AIError(
                    .cancelled, "the request was never submitted: ai-batch stopped before \(record.provider) took it",
                    retryable: true))
        }
        if let failure = batch.failure {
            return .failure(AIError(.rejected, "\(record.provider) refused the batch: \(failure)"))
        }
        let found =
            outcomes[part][customID]
            ?? (batch.state == "expired" ? .expired : batch.state == "cancelled" ? .cancelled : nil)
        switch found {
        case .succeeded(let body):
            return completion(of: item, body: body, record: record, api: api, schemas: schemas)
        case .errored(let error):
            return .failure(error)
        case .expired:
            return .failure(
                AIError(
                    .timeout, "\(record.provider) did not run the request before the job expired", retryable: true))
        case .cancelled:
            return .failure(AIError(.cancelled, "the request was cancelled before it ran", retryable: true))
        case nil:
            return .failure(AIError(.protocol, "\(record.provider) sent no result for the request"))
        }
    }

    private func completion(
        of item: JobRecord.Item, body: [UInt8], record: JobRecord, api: any BatchAPI, schemas: [Schema?]
    ) -> Result<Completion, AIError> {
        let model = item.model ?? api.provider.defaultModel
        var completion: Completion
        do {
            completion = try Runner.completion(
                provider: record.provider, model: model, timing: Timing(totalMilliseconds: 0),
                answerTool: record.kind == "anthropic" && item.schema != nil
            ) { emit in try api.provider.decodeCompletion(body, emit: emit) }
        } catch let error as AIError {
            return .failure(error)
        } catch {
            return .failure(AIError(.internal, "unexpected failure: \(error)"))
        }
        if let usage = completion.usage,
            let price = settings.config?.price(provider: record.provider, model: completion.model, fallback: model)
        {
            completion.cost = price.cost(of: usage)
        }
        guard let index = item.schema else { return .success(completion) }
        guard schemas.indices.contains(index), let schema = schemas[index] else {
            return .failure(AIError(.input, "field 'schema': the job's schema no longer compiles"))
        }
        let checked = Runner.schemaFailure(completion, schema: schema)
        if var error = checked.error {
            error.tokens = completion.usage?.tokens
            return .failure(error)
        }
        completion.data = checked.value
        return .success(completion)
    }

    /// Runs `body` with the retries `--retries` allows, as a live request's attempts are.
    private func retrying<T>(_ api: any BatchAPI, _ body: () throws -> T) throws -> T {
        try RetryLoop(settings: settings, gate: nil, provider: api.name).run { _ in try body() }
    }
}
