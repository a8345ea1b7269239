import AIBase
import AICatalog
import AIProviders
import AITransport
import AIWire
import ArgumentParser
import Glibc

/// `ai-models`: which providers answer, which models they have, a model's details, pulling local models.
package enum ModelsCommand {
    /// Seconds a `providers` probe may take.
    package static let probeTimeout = 3.0

    /// One line per provider: name, kind, base_url, key source, available, latency_ms, capabilities.
    /// Providers are probed at once; the status is 0 whatever they answer (it is a report).
    /// - Throws: `AIError` for a bad config file.
    package static func providers(_ options: ModelsOptions) throws {
        let settings = try options.settings()
        let registry = ProviderRegistry(settings: settings)
        let specs = registry.specs
        let limits = TransferLimits(
            connectTimeout: min(settings.limits.connectTimeout, probeTimeout),
            idleTimeout: probeTimeout, maxTime: probeTimeout)
        let rows = concurrently(specs) { spec -> JSON in
            var row: JSONObject = [
                "name": .string(spec.name), "kind": .string(spec.kind.rawValue),
                "base_url": spec.kind == .echo ? .null : .string(spec.baseURL),
                "key": .string(registry.keySource(of: spec).rawValue),
            ]
            if spec.kind == .echo {
                row["available"] = .bool(true)
                row["latency_ms"] = .int(0)
            } else {
                let started = Monotonic.now()
                do {
                    let (provider, catalog) = try catalogProvider(spec.name, registry: registry)
                    _ = try HTTPFetch(
                        provider: provider,
                        transport: try CurlTransport(configuration: settings.transportConfiguration),
                        limits: limits
                    ).json(catalog.probeRequest())
                    row["available"] = .bool(true)
                    row["latency_ms"] = .int(Int((Monotonic.now() - started) * 1000))
                } catch {
                    row["available"] = .bool(false)
                    row["latency_ms"] = .null
                    row["error"] = failure(error).record
                }
            }
            row["capabilities"] = spec.capabilities
            return .object(row)
        }
        for row in rows { try JSONLWriter.standardOutput.write(row) }
    }

    /// One line per model of the chosen provider, or of every provider with `all` (asked at once; an
    /// unreachable one becomes an error line and sets the status, the others still print).
    /// - Throws: `AIError` before anything is listed; `ExitCode` with the first failed provider's status.
    package static func list(_ options: ModelsOptions, all: Bool) throws {
        let settings = try options.settings()
        let registry = ProviderRegistry(settings: settings)
        let names = all ? registry.specs.map(\.name) : [settings.defaults.provider]
        if !all { _ = try registry.spec(named: names[0]) }
        let results = concurrently(names) { name -> Result<[JSON], AIError> in
            do {
                if name == "echo" || (try? registry.spec(named: name))?.kind == .echo {
                    return .success(EchoProvider().models)
                }
                let (provider, catalog) = try catalogProvider(name, registry: registry)
                let fetch = HTTPFetch(
                    provider: provider,
                    transport: try CurlTransport(configuration: settings.transportConfiguration),
                    limits: settings.limits)
                return .success(try catalog.listModels(fetch))
            } catch {
                return .failure(failure(error))
            }
        }
        var status: ExitStatus?
        for (name, result) in zip(names, results) {
            switch result {
            case .success(let rows):
                for row in rows { try JSONLWriter.standardOutput.write(row) }
            case .failure(let error):
                try JSONLWriter.standardOutput.write(.object(["provider": .string(name), "error": error.record]))
                Diagnostics.error(error.message, hints: error.hints)
                status = status ?? error.exitStatus
            }
        }
        if let status { throw ExitCode(status.rawValue) }
    }

    /// The provider's details of one model, as one line.
    /// - Throws: `AIError` (after writing its error line).
    package static func info(_ options: ModelsOptions, model: String) throws {
        let settings = try options.settings()
        let registry = ProviderRegistry(settings: settings)
        let name = settings.defaults.provider
        do {
            if try registry.spec(named: name).kind == .echo {
                guard model == EchoProvider().defaultModel else {
                    throw AIError(.notFound, "echo has no model '\(model)'")
                }
                try JSONLWriter.standardOutput.write(EchoProvider().models[0])
                return
            }
            let (provider, catalog) = try catalogProvider(name, registry: registry)
            let fetch = HTTPFetch(
                provider: provider,
                transport: try CurlTransport(configuration: settings.transportConfiguration),
                limits: settings.limits)
            try JSONLWriter.standardOutput.write(try catalog.modelInfo(model, fetch))
        } catch let error as AIError {
            try JSONLWriter.standardOutput.write(.object(["provider": .string(name), "error": error.record]))
            throw error
        }
    }

    /// Pulls a model into Ollama: its progress lines on stdout, a progress bar on stderr when that is a
    /// terminal (and `NO_COLOR` is unset), the final `{"status":"success"}` line; Ctrl-C ends it with 130.
    /// - Throws: `AIError` (after writing its error line).
    package static func pull(_ options: ModelsOptions, model: String) throws {
        let settings = try options.settings()
        let registry = ProviderRegistry(settings: settings)
        let name = settings.defaults.provider
        let output = JSONLWriter.standardOutput
        Signals.onInterrupt {
            output.writeFinal(.object(["error": AIError(.cancelled, "interrupted", retryable: false).record]))
            PullProgress.clear()
            Diagnostics.error("interrupted")
        }
        do {
            guard try registry.spec(named: name).kind == .ollama,
                let provider = try registry.provider(named: name) as? OllamaProvider
            else {
                throw AIError(
                    .usage, "pull works with ollama providers only, not '\(name)'",
                    hints: ["ai-models -p ollama pull \(model)"])
            }
            let transport = try CurlTransport(configuration: settings.transportConfiguration)
            let showProgress = Terminal.isTerminal(2) && settings.environment[.noColor] == nil
            let handler = PullHandler(provider: provider, output: output, progress: showProgress ? PullProgress() : nil)
            do {
                try transport.perform(provider.pullRequest(model), limits: settings.limits, handler: handler)
            } catch let error as TransportError {
                throw AIError(error, provider: name)
            }
            try handler.finish()
        } catch let error as AIError {
            PullProgress.clear()
            try output.write(.object(["error": error.record]))
            throw error
        }
    }

    /// The provider named `name` with its catalog.
    private static func catalogProvider(
        _ name: String, registry: ProviderRegistry
    ) throws
        -> (any HTTPProvider, any ModelCatalog)
    {
        let provider = try registry.provider(named: name)
        guard let http = provider as? any HTTPProvider, let catalog = provider as? any ModelCatalog else {
            throw AIError(.usage, "\(name) has no model catalog")
        }
        return (http, catalog)
    }

    private static func failure(_ error: any Error) -> AIError {
        (error as? AIError) ?? (error as? TransportError).map { AIError($0, provider: "provider") }
            ?? AIError(.internal, "\(error)")
    }

    /// `body` applied to every element on threads of their own, results in input order.
    package static func concurrently<Element: Sendable, Result: Sendable>(
        _ elements: [Element],
        _ body: @escaping @Sendable (Element) -> Result
    ) -> [Result] {
        let monitor = Monitor([Int: Result]())
        for (index, element) in elements.enumerated() {
            Threads.detach {
                let result = body(element)
                monitor.update { $0[index] = result }
            }
        }
        return monitor.wait(until: { $0.count == elements.count }) { results in
            elements.indices.compactMap { results[$0] }
        }
    }
}

/// Streams `/api/pull` progress lines to stdout.
private final class PullHandler: HTTPResponseHandler {
    let provider: OllamaProvider
    let output: JSONLWriter
    let progress: PullProgress?
    var head: HTTPResponseHead?
    var errorBody: [UInt8] = []
    var lines = LineSplitter()
    var lastStatus: String?
    var failure: AIError?

    init(provider: OllamaProvider, output: JSONLWriter, progress: PullProgress?) {
        self.provider = provider
        self.output = output
        self.progress = progress
    }

    func receive(head: HTTPResponseHead) throws {
        self.head = head
    }

    func receive(body bytes: UnsafeRawBufferPointer) throws {
        guard let head, (200..<300).contains(head.status) else {
            if errorBody.count < 1 << 20 { errorBody.append(contentsOf: bytes) }
            return
        }
        try lines.feed(bytes) { line in try handle(line) }
    }

    func handle(_ line: UnsafeRawBufferPointer) throws {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        let json: JSON
        do { json = try JSON.parse(line) } catch {
            throw AIError(.protocol, "\(provider.name) sent a progress line that is not JSON: \(error.reason)")
        }
        if let message = json["error"]?.stringValue {
            throw Self.pullError(message, status: 200, provider: provider.name)
        }
        lastStatus = json["status"]?.stringValue
        try output.write(json)
        progress?.show(json)
    }

    func finish() throws {
        guard let head else { throw AIError(.protocol, "\(provider.name) sent no response") }
        guard (200..<300).contains(head.status) else {
            let details = OllamaWire.errorDetails(errorBody)
            if let message = details.message, Self.isMissing(message) || head.status == 404 {
                throw Self.pullError(message, status: head.status, provider: provider.name)
            }
            var error = provider.decodeError(head: head, body: errorBody)
            error.retryable = false
            throw error
        }
        if let rest = lines.finish() { try rest.withUnsafeBytes { try handle($0) } }
        PullProgress.clear()
        guard lastStatus == "success" else {
            throw AIError(.incomplete, "\(provider.name) pull ended before it reported success")
        }
    }

    static func isMissing(_ message: String) -> Bool {
        message.contains("not found") || message.contains("does not exist")
    }

    static func pullError(_ message: String, status: Int, provider: String) -> AIError {
        if isMissing(message) {
            return AIError(
                .notFound, "\(provider) pull failed: \(message)", httpStatus: status, retryable: false,
                hints: ["check the model name at https://ollama.com/library"])
        }
        return AIError(.server, "\(provider) pull failed: \(message)", httpStatus: status, retryable: false)
    }
}

/// The one-line progress bar on a terminal's stderr.
private final class PullProgress {
    func show(_ line: JSON) {
        let status = line["status"]?.stringValue ?? ""
        var text = "\r\u{1B}[K" + status
        if let total = line["total"]?.doubleValue, total > 0 {
            let completed = line["completed"]?.doubleValue ?? 0
            let fraction = min(1, completed / total)
            let width = 24
            let filled = Int(fraction * Double(width))
            text += " [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
            text += "\(Int(fraction * 100))% \(Self.size(completed))/\(Self.size(total))"
        }
        _ = Array(text.utf8).withUnsafeBytes { JSONLWriter.writeAll(2, $0) }
    }

    static func clear() {
        guard Terminal.isTerminal(2) else { return }
        _ = Array("\r\u{1B}[K".utf8).withUnsafeBytes { JSONLWriter.writeAll(2, $0) }
    }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = bytes
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
