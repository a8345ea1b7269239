import AIBase
import AIProviders
import AITransport
import AIWire

/// What `ai-models` asks of a provider: a cheap probe, its models, one model's details (DESIGN §1).
///
/// Every row and detail object is JSON with snake_case keys; `provider` and `id` come first, then what
/// the provider tells (created, owned_by, size, context_length, …).
package protocol ModelCatalog: Sendable {
    /// A cheap request that shows whether the server answers.
    func probeRequest() -> HTTPRequest
    /// Every model the provider offers, following pagination to the end.
    /// - Throws: `AIError`.
    func listModels(_ fetch: HTTPFetch) throws -> [JSON]
    /// The provider's details of one model.
    /// - Throws: `AIError` (`not_found` for an unknown model).
    func modelInfo(_ id: String, _ fetch: HTTPFetch) throws -> JSON
}

/// Sends catalog requests for one provider and returns their JSON bodies.
package struct HTTPFetch {
    /// The provider whose error bodies decode failures.
    package let provider: any HTTPProvider
    /// The transport to send with.
    package let transport: any Transport
    /// Timeouts.
    package let limits: TransferLimits

    /// A fetcher for `provider`.
    package init(provider: any HTTPProvider, transport: any Transport, limits: TransferLimits) {
        self.provider = provider
        self.transport = transport
        self.limits = limits
    }

    /// The JSON body of a 2xx answer to `request`.
    /// - Throws: `AIError`: the provider's error for non-2xx, `protocol` for a body that is not JSON.
    package func json(_ request: HTTPRequest) throws -> JSON {
        let body = try HTTPExchange.perform(
            request, provider: provider.name, transport: transport, limits: limits, failure: provider.decodeError)
        do {
            return try JSON.parse(body)
        } catch {
            throw AIError(.protocol, "\(provider.name) sent a response that is not JSON: \(error.reason)")
        }
    }
}

/// Joins a base URL and a path with exactly one slash; `path` may carry a query.
package func join(_ base: String, _ path: String) -> String {
    var base = Substring(base)
    while base.hasSuffix("/") { base.removeLast() }
    return String(base) + (path.hasPrefix("/") ? path : "/" + path)
}

/// A path segment with everything but unreserved characters percent-encoded (model ids may hold `/` or `:`).
package func percentEncoded(_ segment: String) -> String {
    var out = ""
    for byte in segment.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
        }
    }
    return out
}
