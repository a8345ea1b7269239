import AIBase
import AIWire

/// One HTTP request as a provider builds it, before any transport sees it.
package struct HTTPRequest: Sendable {
    /// The method: `GET` or `POST` (anything else is sent as a custom request).
    package var method: String
    /// The absolute URL.
    package var url: String
    /// Header lines, in order; names as the provider spells them.
    package var headers: [(name: String, value: String)]
    /// The request body, if any.
    package var body: [UInt8]?
    /// Whether the response is a stream whose bytes must be handed on as they arrive (no compression).
    package var streaming: Bool

    /// A request with the given parts.
    package init(
        method: String,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        streaming: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.streaming = streaming
    }
}

extension HTTPRequest {
    /// A JSON `POST` of `body` to `url`: `credentials` first, then `Content-Type` and `Accept` (`streamType` for
    /// a stream, else JSON), then `extra` (headers from the config, last so that they win).
    package static func postJSON(
        _ url: String,
        body: JSON,
        stream: Bool,
        streamType: String,
        credentials: [(name: String, value: String)],
        extra: [(name: String, value: String)]
    ) -> HTTPRequest {
        let content: [(name: String, value: String)] = [
            (name: "Content-Type", value: "application/json"),
            (name: "Accept", value: stream ? streamType : "application/json"),
        ]
        return HTTPRequest(
            method: "POST", url: url, headers: credentials + content + extra, body: body.encoded(),
            streaming: stream)
    }

    /// An `Authorization: Bearer` header for `key`, or none.
    package static func bearer(_ key: String?) -> [(name: String, value: String)] {
        key.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
    }
}

/// The status line and headers of a final (non-1xx) response.
package struct HTTPResponseHead: Sendable {
    /// The status code (200, 429, …).
    package var status: Int
    /// Header lines in arrival order, names lowercased.
    package var headers: [(name: String, value: String)]

    /// A head with the given status and headers (names are lowercased).
    package init(status: Int, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
    }

    /// The value of the last header named `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name == wanted }?.value
    }
}

/// Limits on one exchange (DESIGN §5).
package struct TransferLimits: Sendable, Equatable {
    /// Seconds allowed to establish the connection (TCP and TLS).
    package var connectTimeout: Double
    /// Seconds allowed between two received bytes.
    package var idleTimeout: Double
    /// Seconds allowed for the whole exchange, or nil for none.
    package var maxTime: Double?

    /// The documented defaults: 10 s to connect, 300 s idle, no total deadline.
    package static let `default` = TransferLimits(connectTimeout: 10, idleTimeout: 300, maxTime: nil)

    /// Limits with the given values.
    package init(connectTimeout: Double, idleTimeout: Double, maxTime: Double?) {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxTime = maxTime
    }
}

/// Receives a response as it arrives.
///
/// A transport calls `receive(head:)` once for the final response, then `receive(body:)` for every
/// piece of the body in order. Throwing from either aborts the exchange, and the transport rethrows
/// that error.
package protocol HTTPResponseHandler: AnyObject {
    /// The final response's status and headers arrived.
    func receive(head: HTTPResponseHead) throws
    /// A piece of the body arrived; the buffer is valid only during the call.
    func receive(body: UnsafeRawBufferPointer) throws
    /// Everything received so far was handed over (a network read may come in several pieces): what it
    /// produced should reach the reader now. Called after the head, before the transport waits again.
    func drained() throws
}

extension HTTPResponseHandler {
    /// Nothing to do by default.
    package func drained() throws {}
}

/// Sends HTTP requests. One instance serves one thread at a time and reuses its connections.
package protocol Transport: AnyObject {
    /// Sends `request` and hands the response to `handler` as it arrives; returns when the exchange ends.
    /// - Throws: `TransportError` when the exchange fails, or whatever `handler` threw.
    func perform(_ request: HTTPRequest, limits: TransferLimits, handler: any HTTPResponseHandler) throws

    /// The caller has nothing to send for now: a transport that shares connections closes the idle ones that
    /// requests waiting on new connections may be queued behind (a server with a few threads serves a kept
    /// connection on one of them until it closes).
    func idle()
}

extension Transport {
    /// Nothing to release by default.
    package func idle() {}
}
