import AIBase
import AIConfig
import AIProviders
import AITransport
import AIWire

/// What `ai-models` does (DESIGN §1): probes providers, lists their models, shows one model, pulls into Ollama.
///
/// It returns rows and results; the command line writes them. Transports come from `Settings.makeTransport`, keys
/// from `Settings.keys`.
package enum Catalog {
    /// Seconds a `providers` probe may take.
    package static let probeTimeout = 3.0

    /// One row per provider: name, kind, base_url, key source, available, latency_ms (and the error when it did not
    /// answer), capabilities. Every provider is probed at once, each within `probeTimeout`.
    package static func providerRows(_ settings: Settings) -> [JSON] {
        let registry = ProviderRegistry(settings: settings)
        var limits = settings.limits
        limits.connectTimeout = min(settings.limits.connectTimeout, probeTimeout)
        limits.idleTimeout = probeTimeout
        limits.maxTime = probeTimeout
        return Threads.map(registry.specs) { [limits] spec -> JSON in
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
                    let (fetch, catalog) = try catalogProvider(spec.name, registry: registry, limits: limits)
                    _ = try fetch.json(catalog.probeRequest())
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
    }

    /// The models of the chosen provider, or of every provider with `all` (asked at once), each provider's rows or
    /// its failure, in provider order.
    /// - Throws: `AIError` (`config`) when the one provider asked for is unknown.
    package static func models(
        _ settings: Settings, all: Bool
    ) throws -> [(provider: String, rows: Result<[JSON], AIError>)] {
        let registry = ProviderRegistry(settings: settings)
        let names = all ? registry.specs.map(\.name) : [settings.defaults.provider]
        if !all { _ = try registry.spec(named: settings.defaults.provider) }
        let results = Threads.map(names) { name -> Result<[JSON], AIError> in
            do {
                if try registry.spec(named: name).kind == .echo { return .success(EchoProvider().models) }
                let (fetch, catalog) = try catalogProvider(name, registry: registry, limits: settings.limits)
                return .success(try catalog.listModels(fetch))
            } catch {
                return .failure(failure(error))
            }
        }
        return Array(zip(names, results)).map { (provider: $0.0, rows: $0.1) }
    }

    /// The chosen provider's details of one model.
    /// - Throws: `AIError` (`not_found` for an unknown model).
    package static func info(_ settings: Settings, model: String) throws -> JSON {
        let registry = ProviderRegistry(settings: settings)
        let name = settings.defaults.provider
        if try registry.spec(named: name).kind == .echo {
            let echo = EchoProvider()
            guard model == echo.defaultModel else { throw AIError(.notFound, "echo has no model '\(model)'") }
            return echo.models[0]
        }
        let (fetch, catalog) = try catalogProvider(name, registry: registry, limits: settings.limits)
        return try catalog.modelInfo(model, fetch)
    }

    /// Pulls `model` into the chosen provider, which must be an Ollama one, handing each progress line to
    /// `progress` as it arrives; returns once the server reported success.
    /// - Throws: `AIError` (`usage` for a provider that is not Ollama's, `not_found` for an unknown model,
    ///   `incomplete` when the stream ended before success); what `progress` throws passes through.
    package static func pull(_ settings: Settings, model: String, progress: (JSON) throws -> Void) throws {
        let registry = ProviderRegistry(settings: settings)
        let name = settings.defaults.provider
        guard try registry.spec(named: name).kind == .ollama,
            let provider = try registry.provider(named: name) as? OllamaProvider
        else {
            throw AIError(
                .usage, "pull works with ollama providers only, not '\(name)'",
                hints: ["ai-models pull -p ollama \(model)"])
        }
        try OllamaPull(provider: provider).run(
            model, transport: try settings.makeTransport(), limits: settings.limits, progress: progress)
    }

    /// The fetcher and catalog of the provider named `name`.
    private static func catalogProvider(
        _ name: String,
        registry: ProviderRegistry,
        limits: TransferLimits
    ) throws -> (HTTPFetch, any ModelCatalog) {
        let provider = try registry.provider(named: name)
        guard let http = provider as? any HTTPProvider, let catalog = provider as? any ModelCatalog else {
            throw AIError(.usage, "\(name) has no model catalog")
        }
        let transport = try registry.settings.makeTransport()
        return (HTTPFetch(provider: http, transport: transport, limits: limits), catalog)
    }

    private static func failure(_ error: any Error) -> AIError {
        (error as? AIError) ?? (error as? TransportError).map { AIError($0, provider: "provider") }
            ?? AIError(.internal, "\(error)")
    }
}
