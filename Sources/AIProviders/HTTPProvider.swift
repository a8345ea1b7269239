import AIBase
import AITransport
import AIWire

/// Decodes a streamed response body, fed in pieces of any size.
package protocol StreamDecoder: AnyObject {
    /// Decodes the next piece of the body. Text read as the provider wrote it, without building a value (see
    /// `EventShape`), goes to `text` (never empty) rather than to `emit` as a `.delta`.
    /// - Throws: `AIError` for an error reported inside the stream or a body that cannot be parsed.
    func feed(
        _ bytes: UnsafeRawBufferPointer,
        emit: (ProviderEvent) throws -> Void,
        text: (JSONStringBody) throws -> Void
    ) throws
    /// The body ended.
    /// - Throws: `AIError` (`incomplete`) when the stream ended before its terminal marker.
    func finish(emit: (ProviderEvent) throws -> Void) throws
}

extension StreamDecoder {
    /// Decodes the next piece of the body, every text as a `.delta` event.
    /// - Throws: `AIError` for an error reported inside the stream or a body that cannot be parsed.
    package func feed(_ bytes: UnsafeRawBufferPointer, emit: (ProviderEvent) throws -> Void) throws {
        try feed(bytes, emit: emit, text: { try emit(.delta($0.text)) })
    }
}

/// A provider reached over HTTP: it builds requests and decodes responses; `attempt` does the exchange.
package protocol HTTPProvider: Provider {
    /// The HTTP request for one attempt.
    /// - Throws: `AIError` (`no_key`, `config`) when the request cannot be made.
    func httpRequest(for request: ResolvedRequest) throws -> HTTPRequest
    /// A fresh decoder for a streamed body.
    func makeStreamDecoder() -> any StreamDecoder
    /// Decodes a whole non-streamed success body.
    /// - Throws: `AIError` (`protocol`, or an error the body reports).
    func decodeCompletion(_ body: [UInt8], emit: (ProviderEvent) throws -> Void) throws
    /// The failure a non-2xx response means.
    func decodeError(head: HTTPResponseHead, body: [UInt8]) -> AIError
}

extension HTTPProvider {
    /// One exchange through the context's transport.
    package func attempt(
        _ request: ResolvedRequest,
        context: AttemptContext,
        emit: (ProviderEvent) throws -> Void
    ) throws {
        let http = try httpRequest(for: request)
        let transport = try context.transport()
        try withoutActuallyEscaping(emit) { emit in
            let text = context.text ?? { try emit(.delta($0.text)) }
            let exchange = HTTPExchange(
                decoder: request.stream ? makeStreamDecoder() : nil,
                responseStarted: context.responseStarted,
                flush: context.flush,
                emit: emit,
                text: text
            )
            do {
                try transport.perform(http, limits: context.limits, handler: exchange)
            } catch let error as TransportError {
                throw AIError(error, provider: name)
            }
            guard let head = exchange.head else {
                throw AIError(.protocol, "\(name) sent no response")
            }
            guard (200..<300).contains(head.status) else {
                throw decodeError(head: head, body: exchange.body)
            }
            if let decoder = exchange.decoder {
                try decoder.finish(emit: emit)
                try context.flush()
            } else {
                try decodeCompletion(exchange.body, emit: emit)
            }
        }
    }
}

/// Routes one response: a 2xx stream to its decoder as bytes arrive, anything else into a bounded buffer.
private final class HTTPExchange: HTTPResponseHandler {
    /// The most of a non-streamed or error body kept (an error page needs far less).
    static let bodyLimit = 64 << 20

    let decoder: (any StreamDecoder)?
    let responseStarted: () throws -> Void
    let flush: () throws -> Void
    let emit: (ProviderEvent) throws -> Void
    let text: (JSONStringBody) throws -> Void
    var head: HTTPResponseHead?
    var body: [UInt8] = []
    var success = false

    init(
        decoder: (any StreamDecoder)?,
        responseStarted: @escaping () throws -> Void,
        flush: @escaping () throws -> Void,
        emit: @escaping (ProviderEvent) throws -> Void,
        text: @escaping (JSONStringBody) throws -> Void
    ) {
        self.decoder = decoder
        self.responseStarted = responseStarted
        self.flush = flush
        self.emit = emit
        self.text = text
    }

    func receive(head: HTTPResponseHead) throws {
        self.head = head
        success = (200..<300).contains(head.status)
        if success { try responseStarted() }
    }

    func receive(body bytes: UnsafeRawBufferPointer) throws {
        if success, let decoder {
            try decoder.feed(bytes, emit: emit, text: text)
            return
        }
        let limit = success ? Self.bodyLimit : 1 << 20
        guard body.count < limit else {
            if success { throw AIError(.protocol, "response larger than \(limit >> 20) MiB") }
            return
        }
        body.append(contentsOf: bytes.prefix(limit - body.count))
    }

    func drained() throws {
        if success, decoder != nil { try flush() }
    }
}
