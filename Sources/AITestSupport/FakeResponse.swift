import AIWire

/// What the fake server answers to one request: status, headers, body, how the body is framed and paced, and
/// which transport faults to inject.
///
/// The server adds the framing headers (`content-length`, `transfer-encoding: chunked`, `connection: close`)
/// unless `headers` already has a header of that name, which lets a test send a deliberately wrong length.
/// Fault offsets count body bytes (not header or chunk-framing bytes); an offset past the end of the body applies
/// once the whole body is written (before the chunked terminator). Several faults may be combined, e.g. a stall
/// at 100 bytes followed by a reset at 200.
package struct FakeResponse: Sendable {
    /// How the end of the body is marked on the wire.
    package enum Framing: Sendable, Equatable {
        /// A `content-length` header.
        case contentLength
        /// `transfer-encoding: chunked`; every planned piece is one HTTP chunk.
        case chunked
        /// No length: `connection: close`, and the body ends when the server closes the socket (a clean cut).
        case closeDelimited
    }

    /// How the body is cut into separate writes (each write is flushed; TCP_NODELAY is set).
    package enum Chunking: Sendable, Equatable {
        /// One write.
        case whole
        /// Flush and pause `delayMs` at each byte offset (offsets outside the body are ignored).
        case splitAt([Int], delayMs: Int)
        /// Flush every `size` bytes, pausing `delayMs` between writes.
        case every(Int, delayMs: Int)
        /// One write per byte, pausing `delayMs` between writes.
        case bytewise(delayMs: Int)
    }

    /// A body produced while sending, for synthetic streams too large to hold in memory.
    ///
    /// `makePieces` is called once per response and returns a generator; each non-empty piece it yields is
    /// written (and, with chunked framing, framed) as one unit, without delays; nil ends the body. A streamed
    /// body cannot use `.contentLength` framing: the server sends it chunked instead.
    package struct Stream: Sendable {
        /// Makes the piece generator for one response.
        package var makePieces: @Sendable () -> () -> [UInt8]?

        /// A streamed body from a generator factory.
        package init(_ makePieces: @escaping @Sendable () -> () -> [UInt8]?) {
            self.makePieces = makePieces
        }
    }

    /// The status code.
    package var status: Int
    /// The reason phrase (defaults to the standard one for `status`, empty for unknown codes such as 529).
    package var reason: String
    /// Header fields in the order to send (the server adds framing headers, see the type's notes).
    package var headers: [(String, String)]
    /// The body bytes (ignored when `stream` is set).
    package var body: [UInt8]
    /// A generated body that replaces `body` (see `Stream`).
    package var stream: Stream?
    /// How the end of the body is marked.
    package var framing: Framing
    /// How the body is cut into writes.
    package var chunking: Chunking
    /// Milliseconds to wait before sending the status line.
    package var firstByteDelayMs: Int
    /// After this many body bytes, go silent for `stallSeconds` with the socket open, then send the rest.
    package var stallAfterBytes: Int?
    /// How long a stall lasts (the server's `stop()` cuts it short).
    package var stallSeconds: Double
    /// After this many body bytes, close with SO_LINGER 0 so the peer gets a TCP RST.
    package var resetAfterBytes: Int?
    /// After this many body bytes, close the connection cleanly (FIN), even in the middle of a chunk.
    package var closeAfterBytes: Int?
    /// A status line sent as it is instead of `HTTP/1.1 STATUS REASON` (a malformed one, for fault tests).
    package var statusLine: String?

    /// A response; every setting has a default, so `FakeResponse(status: 204)` is complete.
    package init(
        status: Int = 200,
        reason: String? = nil,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        framing: Framing = .contentLength,
        chunking: Chunking = .whole,
        firstByteDelayMs: Int = 0,
        stallAfterBytes: Int? = nil,
        stallSeconds: Double = 30,
        resetAfterBytes: Int? = nil,
        closeAfterBytes: Int? = nil,
        stream: Stream? = nil
    ) {
        self.status = status
        self.reason = reason ?? FakeResponse.standardReason(for: status)
        self.headers = headers
        self.body = body
        self.framing = framing
        self.chunking = chunking
        self.firstByteDelayMs = firstByteDelayMs
        self.stallAfterBytes = stallAfterBytes
        self.stallSeconds = stallSeconds
        self.resetAfterBytes = resetAfterBytes
        self.closeAfterBytes = closeAfterBytes
        self.stream = stream
    }

    /// A response whose body is `json`, compactly encoded, with `content-type: application/json`.
    package static func json(_ json: JSON, status: Int = 200, headers: [(String, String)] = []) -> FakeResponse {
        FakeResponse(status: status, headers: [("content-type", "application/json")] + headers, body: json.encoded())
    }

    /// A response whose body is `text` as UTF-8, with the given content type.
    package static func text(
        _ text: String,
        status: Int = 200,
        contentType: String = "text/plain; charset=utf-8",
        headers: [(String, String)] = []
    ) -> FakeResponse {
        FakeResponse(status: status, headers: [("content-type", contentType)] + headers, body: Array(text.utf8))
    }

    /// The value of the first header named `name` (case-insensitive), or nil.
    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    /// This response with another framing.
    package func withFraming(_ framing: Framing) -> FakeResponse {
        var copy = self
        copy.framing = framing
        return copy
    }

    /// This response with another chunking.
    package func withChunking(_ chunking: Chunking) -> FakeResponse {
        var copy = self
        copy.chunking = chunking
        return copy
    }

    /// The standard reason phrase for `status`, or "" when there is none.
    package static func standardReason(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
