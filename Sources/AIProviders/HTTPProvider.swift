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
    /// One exchange through the context's transport: a stream's body goes to a fresh decoder as it arrives, a
    /// whole body to `decodeCompletion`, a failure's body to `decodeError`.
    package func attempt(
        _ request: ResolvedRequest,
        context: AttemptContext,
        emit: (ProviderEvent) throws -> Void
    ) throws {
        try exchange(try httpRequest(for: request), request, context: context, emit: emit)
    }

    /// Sends `http` (built for `request`) and decodes the answer as `attempt` does.
    /// - Throws: `AIError`; what `emit` or the context's callbacks throw passes through.
    package func exchange(
        _ http: HTTPRequest,
        _ request: ResolvedRequest,
        context: AttemptContext,
        emit: (ProviderEvent) throws -> Void
    ) throws {
        let transport = try context.transport()
        let decoder = request.stream ? makeStreamDecoder() : nil
        try withoutActuallyEscaping(emit) { emit in
            let text = context.text ?? { try emit(.delta($0.text)) }
            let body = try HTTPExchange.perform(
                http, provider: name, transport: transport, limits: context.limits,
                started: context.responseStarted,
                stream: decoder.map { decoder in { bytes in try decoder.feed(bytes, emit: emit, text: text) } },
                drained: decoder == nil ? {} : context.flush,
                failure: decodeError
            )
            if let decoder {
                try decoder.finish(emit: emit)
                try context.flush()
            } else {
                try decodeCompletion(body, emit: emit)
            }
        }
    }
}

/// One HTTP exchange with a provider's server: what chat requests, model catalogs and pulls share.
///
/// The request goes out through `transport`; a transport failure becomes the `AIError` it means for `provider`, a
/// response without a head is a protocol error, and a non-2xx response becomes `failure(head, body)` with at most
/// 1 MiB of its body. A 2xx body goes to `stream` as it arrives when one is given, else it is kept (at most 64 MiB)
/// and returned.
package enum HTTPExchange {
    /// The most of a kept 2xx body.
    package static let bodyLimit = 64 << 20
    /// The most of an error body kept (an error page needs far less).
    package static let errorBodyLimit = 1 << 20

    /// Performs one exchange.
    /// - Parameters:
    ///   - started: called once when a 2xx head arrived, before any of its body.
    ///   - stream: where a 2xx body goes as it arrives; nil keeps it.
    ///   - drained: called after each network read's bytes were handed to `stream`.
    ///   - failure: the error a non-2xx response means.
    /// - Returns: the 2xx body when it was kept, else nothing.
    /// - Throws: `AIError` for every failure; what `started`, `stream` or `drained` throw passes through.
    package static func perform(
        _ request: HTTPRequest,
        provider: String,
        transport: any Transport,
        limits: TransferLimits,
        started: () throws -> Void = {},
        stream: ((UnsafeRawBufferPointer) throws -> Void)? = nil,
        drained: () throws -> Void = {},
        failure: (HTTPResponseHead, [UInt8]) -> AIError
    ) throws -> [UInt8] {
        try withoutActuallyEscaping(started) { started in
            try withoutActuallyEscaping(drained) { drained in
                try withoutActuallyEscaping(stream ?? { _ in }) { sink in
                    let handler = Handler(started: started, stream: stream == nil ? nil : sink, drained: drained)
                    do {
                        try transport.perform(request, limits: limits, handler: handler)
                    } catch let error as TransportError {
                        throw AIError(error, provider: provider)
                    }
                    guard let head = handler.head else { throw AIError(.protocol, "\(provider) sent no response") }
                    guard handler.success else { throw failure(head, handler.body) }
                    return handler.body
                }
            }
        }
    }

    /// Routes one response: a 2xx body to the stream as bytes arrive, anything else into a bounded buffer.
    private final class Handler: HTTPResponseHandler {
        let started: () throws -> Void
        let stream: ((UnsafeRawBufferPointer) throws -> Void)?
        let drainedBody: () throws -> Void
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var success = false

        init(
            started: @escaping () throws -> Void,
            stream: ((UnsafeRawBufferPointer) throws -> Void)?,
            drained: @escaping () throws -> Void
        ) {
            self.started = started
            self.stream = stream
            self.drainedBody = drained
        }

        func receive(head: HTTPResponseHead) throws {
            self.head = head
            body.removeAll()
            success = (200..<300).contains(head.status)
            if success { try started() }
        }

        func receive(body bytes: UnsafeRawBufferPointer) throws {
            if success, let stream {
                try stream(bytes)
                return
            }
            if success {
                guard body.count + bytes.count <= HTTPExchange.bodyLimit else {
                    throw AIError(.protocol, "response larger than \(HTTPExchange.bodyLimit >> 20) MiB")
                }
                body.append(contentsOf: bytes)
            } else {
                body.append(contentsOf: bytes.prefix(max(0, HTTPExchange.errorBodyLimit - body.count)))
            }
        }

        func drained() throws {
            if success, stream != nil { try drainedBody() }
        }
    }
}
