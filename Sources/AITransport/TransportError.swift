/// Why an HTTP exchange failed below the HTTP layer.
package enum TransportError: Error, Sendable, Equatable {
    /// Nothing listens at the address (connection refused, host unreachable).
    case connectionRefused(host: String)
    /// The host name did not resolve.
    case hostNotFound(host: String)
    /// No connection within the connect timeout.
    case connectTimeout(seconds: Double)
    /// No byte arrived for the idle timeout.
    case idleTimeout(seconds: Double)
    /// The total deadline passed.
    case deadline(seconds: Double)
    /// TLS failed (certificate, handshake).
    case tls(String)
    /// The connection broke after it was established; `afterResponse` tells whether a response head had arrived.
    case connectionLost(String, afterResponse: Bool)
    /// The URL or an option was refused before anything was sent.
    case invalidRequest(String)
    /// The server answered with something that is not an HTTP response (a malformed status line, an unknown HTTP
    /// version, a final 1xx).
    case badResponse(String)
    /// The exchange was cancelled by the caller.
    case cancelled
    /// Any other transport failure.
    case other(String)
}
