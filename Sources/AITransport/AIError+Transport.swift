import AIBase

extension AIError {
    /// The user-facing failure for a transport error while talking to `provider`.
    package init(_ error: TransportError, provider: String) {
        switch error {
        case .connectionRefused(let host):
            self.init(
                .unavailable, "cannot connect to \(provider) at \(host): connection refused",
                hints: ["is the \(provider) server running? --base-url points the provider elsewhere"])
        case .hostNotFound(let host):
            self.init(.unavailable, "cannot resolve host \(host) for \(provider)")
        case .connectTimeout(let seconds):
            self.init(.timeout, "no connection to \(provider) within \(Self.seconds(seconds)) (--connect-timeout)")
        case .idleTimeout(let seconds):
            self.init(.timeout, "\(provider) sent nothing for \(Self.seconds(seconds)) (--idle-timeout)")
        case .deadline(let seconds):
            self.init(.timeout, "\(provider) did not finish within \(Self.seconds(seconds)) (--max-time)")
        case .tls(let detail):
            self.init(.unavailable, "tls failure talking to \(provider): \(detail)", retryable: false)
        case .connectionLost(let detail, let afterResponse):
            if afterResponse {
                self.init(.incomplete, "\(provider) stream cut before its end: \(detail)")
            } else {
                self.init(.unavailable, "connection to \(provider) lost: \(detail)")
            }
        case .badResponse(let detail):
            self.init(.protocol, "\(provider) sent a response that is not HTTP: \(detail)")
        case .invalidRequest(let detail):
            self.init(.usage, "cannot send the request to \(provider): \(detail)", retryable: false)
        case .cancelled:
            self.init(.cancelled, "cancelled", retryable: false)
        case .other(let detail):
            self.init(.unavailable, "\(provider) request failed: \(detail)")
        }
    }
}
