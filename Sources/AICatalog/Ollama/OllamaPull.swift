import AIBase
import AIProviders
import AITransport
import AIWire

/// `/api/pull`: Ollama's progress lines, one JSON object each, ending with `{"status":"success"}`.
struct OllamaPull {
    /// The provider pulled into.
    let provider: OllamaProvider

    /// Pulls `model`, handing each progress line to `progress`.
    /// - Throws: `AIError`; what `progress` throws passes through.
    func run(
        _ model: String,
        transport: any Transport,
        limits: TransferLimits,
        progress: (JSON) throws -> Void
    ) throws {
        try withoutActuallyEscaping(progress) { progress in
            try run(model, transport: transport, limits: limits, escapingProgress: progress)
        }
    }

    private func run(
        _ model: String,
        transport: any Transport,
        limits: TransferLimits,
        escapingProgress progress: @escaping (JSON) throws -> Void
    ) throws {
        var lines = LineSplitter()
        var lastStatus: String?
        func handle(_ line: UnsafeRawBufferPointer) throws {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
            let json: JSON
            do { json = try JSON.parse(line) } catch {
                throw AIError(.protocol, "\(provider.name) sent a progress line that is not JSON: \(error.reason)")
            }
            if let message = json["error"]?.stringValue { throw pullError(message, status: 200) }
            lastStatus = json["status"]?.stringValue
            try progress(json)
        }
        _ = try HTTPExchange.perform(
            provider.pullRequest(model), provider: provider.name, transport: transport, limits: limits,
            stream: { bytes in try lines.feed(bytes) { try handle($0) } },
            failure: failure
        )
        if let rest = lines.finish() { try rest.withUnsafeBytes { try handle($0) } }
        guard lastStatus == "success" else {
            throw AIError(.incomplete, "\(provider.name) pull ended before it reported success")
        }
    }

    /// The error a non-2xx answer means: a missing model is `not_found`, anything else the provider's error, never
    /// retryable.
    private func failure(head: HTTPResponseHead, body: [UInt8]) -> AIError {
        let details = HTTPErrorMapping.details(body)
        if let message = details.message, isMissing(message) || head.status == 404 {
            return pullError(message, status: head.status)
        }
        var error = provider.decodeError(head: head, body: body)
        error.retryable = false
        return error
    }

    private func isMissing(_ message: String) -> Bool {
        message.contains("not found") || message.contains("does not exist")
    }

    private func pullError(_ message: String, status: Int) -> AIError {
        if isMissing(message) {
            return AIError(
                .notFound, "\(provider.name) pull failed: \(message)", httpStatus: status, retryable: false,
                hints: ["check the model name at https://ollama.com/library"])
        }
        return AIError(.server, "\(provider.name) pull failed: \(message)", httpStatus: status, retryable: false)
    }
}
