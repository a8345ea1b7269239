import AIBase
import AIProviders
import AITransport
import AIWire

/// A provider job's state as the provider reports it, with its counts in the suite's names.
package struct ProviderBatch: Sendable, Equatable {
    /// The provider's id.
    package var id: String
    /// The provider's own state (`in_progress`, `completed`, `ended`, `expired`, `cancelled`…).
    package var state: String
    /// Whether the provider will do no more work on it (its results can be read).
    package var ended: Bool
    /// Requests answered.
    package var succeeded: Int
    /// Requests that failed.
    package var errored: Int
    /// Requests the provider did not run in time.
    package var expired: Int
    /// Requests cancelled before they ran.
    package var cancelled: Int
    /// Requests still waiting or running.
    package var processing: Int
    /// Where the results are: OpenAI's output and error files, Anthropic's results URL.
    package var resultSources: [String]
    /// Why the provider refused the whole job (OpenAI's `failed` state), if it did.
    package var failure: String?

    /// A value with the given parts.
    package init(
        id: String, state: String, ended: Bool, succeeded: Int = 0, errored: Int = 0, expired: Int = 0,
        cancelled: Int = 0, processing: Int = 0, resultSources: [String] = [], failure: String? = nil
    ) {
        self.failure = failure
        self.id = id
        self.state = state
        self.ended = ended
        self.succeeded = succeeded
        self.errored = errored
        self.expired = expired
        self.cancelled = cancelled
        self.processing = processing
        self.resultSources = resultSources
    }
}

/// How one request of a provider job ended.
package enum ItemOutcome: Sendable, Equatable {
    /// Answered: the response body, as the provider's synchronous endpoint would have sent it.
    case succeeded([UInt8])
    /// Failed, as the live request would have.
    case errored(AIError)
    /// Not run before the job's window closed.
    case expired
    /// Cancelled before it ran.
    case cancelled
}

/// A provider's batch API: what `Jobs` needs of OpenAI's Batch API and Anthropic's Message Batches.
package protocol BatchAPI {
    /// The provider's name, for messages.
    var name: String { get }
    /// The most requests one provider job takes.
    var maximumRequests: Int { get }
    /// The most bytes one provider job takes (what is uploaded or posted).
    var maximumBytes: Int { get }
    /// The provider that answers the requests: its request bodies and its decoding of answers.
    var provider: any HTTPProvider { get }
    /// One request as the batch carries it (a JSONL line, or an element of `requests`), without a newline.
    func entry(customID: String, request: ResolvedRequest) -> [UInt8]
    /// The bytes sent for `count` entries of `bytes` bytes in all, besides the entries.
    func overhead(entries count: Int) -> Int
    /// Creates one provider job of `entries`, tagged with the suite's job id where the API allows it.
    /// `uploaded` is called with OpenAI's input file id before the job is created.
    /// - Throws: `AIError`.
    func create(entries: [[UInt8]], job: String, part: Int, uploaded: (String) throws -> Void) throws -> String
    /// The provider job's state.
    /// - Throws: `AIError`.
    func fetch(_ id: String) throws -> ProviderBatch
    /// Looks for the provider job that part `part` of `record` may have created before `submit` was stopped.
    /// - Throws: `AIError`.
    func find(part: Int, of record: JobRecord, claimed: Set<String>) throws -> String?
    /// The outcome of every request of an ended provider job, by `custom_id`.
    /// - Throws: `AIError`.
    func results(of batch: ProviderBatch) throws -> [String: ItemOutcome]
    /// Asks the provider to cancel the job.
    /// - Throws: `AIError`.
    func cancel(_ id: String) throws -> ProviderBatch
}

/// Requests to a provider's batch endpoints through one transport: JSON in, JSON or bytes out, failures mapped as a
/// chat request's are (`HTTPErrorMapping`).
package struct BatchHTTP {
    /// The provider's name.
    package let provider: String
    /// The headers every request carries (the key first).
    package let headers: [(name: String, value: String)]
    /// The transport requests go through.
    package let transport: any Transport
    /// Timeouts for each exchange.
    package let limits: TransferLimits

    /// A client with the given parts.
    package init(
        provider: String, headers: [(name: String, value: String)], transport: any Transport, limits: TransferLimits
    ) {
        self.provider = provider
        self.headers = headers
        self.transport = transport
        self.limits = limits
    }

    /// Sends `method` to `url` with `body` (JSON unless `contentType` says otherwise) and returns the 2xx body.
    /// `stream` takes a large body as it arrives instead.
    /// - Throws: `AIError` for every failure.
    package func send(
        _ method: String, _ url: String, body: [UInt8]? = nil, contentType: String = "application/json",
        stream: ((UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws -> [UInt8] {
        var fields = headers
        if body != nil { fields.append((name: "Content-Type", value: contentType)) }
        fields.append((name: "Accept", value: stream == nil ? "application/json" : "*/*"))
        let request = HTTPRequest(method: method, url: url, headers: fields, body: body)
        return try HTTPExchange.perform(
            request, provider: provider, transport: transport, limits: limits, stream: stream,
            failure: { head, body in
                HTTPErrorMapping.error(
                    provider: provider, head: head, details: HTTPErrorMapping.details(body), body: body)
            })
    }

    /// `send`, with the answer parsed as a JSON object.
    /// - Throws: `AIError` (`protocol` when the answer is not a JSON object).
    package func json(_ method: String, _ url: String, body: JSON? = nil) throws -> JSON {
        let bytes = try send(method, url, body: body?.encoded())
        guard let json = try? JSON.parse(bytes), json.objectValue != nil else {
            throw AIError(.protocol, "\(provider) sent an answer that is not a JSON object (\(method) \(url))")
        }
        return json
    }

    /// Reads a JSONL body as it arrives, calling `line` for every non-blank line.
    /// - Throws: `AIError`; what `line` throws.
    package func lines(_ url: String, line: @escaping ([UInt8]) throws -> Void) throws {
        var splitter = LineSplitter()
        func take(_ piece: UnsafeRawBufferPointer) throws {
            if piece.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) { try line(Array(piece)) }
        }
        _ = try send("GET", url) { bytes in try splitter.feed(bytes, take) }
        if let rest = splitter.finish() { try rest.withUnsafeBytes(take) }
    }

    /// `value` percent-encoded for a URL path or query.
    package static func escape(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
