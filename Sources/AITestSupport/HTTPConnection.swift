import AIBase
import AIWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted TCP connection: reads requests, asks the handler, writes responses (with pacing and faults).
///
/// Lives on its own thread; every blocking wait also watches the server's wake pipe so `stop()` ends it.
final class HTTPConnection {
    private let core: FakeServerCore
    private let fd: Int32
    private let index: Int
    private var buffer: [UInt8] = []
    private var consumed = 0
    private var isClosed = false

    /// Largest request head accepted (answered 431 beyond).
    private static let maximumHeadBytes = 1 << 20

    init(core: FakeServerCore, fd: Int32, index: Int) {
        self.core = core
        self.fd = fd
        self.index = index
    }

    /// Serves requests until the connection ends, then closes the socket.
    func run() {
        while !core.wake.isSignalled, serveOne() {}
        if !isClosed {
            isClosed = true
            POSIX.closeQuietly(fd)
        }
    }

    // MARK: - Requests

    /// A parsed request head.
    private struct Head {
        var method: String
        var target: String
        var version: String
        var headers: [(name: String, value: String)]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value
        }
    }

    /// Why a request could not be read.
    private enum ReadFailure: Error {
        /// The peer closed, reset, or the server is stopping: just close.
        case gone
        /// A protocol error: answer with this status and close.
        case malformed(Int, String)
    }

    /// Reads one request, answers it; returns whether to keep the connection for another request.
    private func serveOne() -> Bool {
        let head: Head
        let body: [UInt8]
        let receivedAt: Double
        do throws(ReadFailure) {
            head = try readHead()
            receivedAt = POSIX.monotonicSeconds()
            let receivedBody = try readBody(for: head)
            body = receivedBody
        } catch {
            guard case .malformed(let status, let message) = error else { return false }
            let payload: JSON = .object(["error": .object(["message": .string(message)])])
            var response = FakeResponse.json(payload, status: status)
            response.headers.append(("connection", "close"))
            _ = write(response, method: "GET", requestWantsClose: true)
            return false
        }
        let request = core.record(
            RecordedRequest(
                method: head.method,
                path: head.target,
                headers: head.headers,
                body: body,
                receivedAt: receivedAt,
                connectionIndex: index
            )
        )
        let response = core.handler(request)
        let connection = head.header("connection")?.lowercased() ?? ""
        let wantsClose =
            connection.contains("close") || (head.version == "HTTP/1.0" && !connection.contains("keep-alive"))
        return write(response, method: head.method, requestWantsClose: wantsClose)
    }

    private func readHead() throws(ReadFailure) -> Head {
        // Skip empty lines before the request line (RFC 9112 §2.2); a keep-alive limit bounds the wait for it.
        while true {
            while consumed < buffer.count, buffer[consumed] == 0x0D || buffer[consumed] == 0x0A { consumed += 1 }
            if consumed < buffer.count { break }
            try fill(timeout: core.keepAlive)
        }
        var searchFrom = consumed
        var end: (headEnd: Int, next: Int)?
        while end == nil {
            end = findHeadEnd(from: searchFrom)
            if end != nil { break }
            if buffer.count - consumed > HTTPConnection.maximumHeadBytes {
                throw .malformed(431, "request head larger than \(HTTPConnection.maximumHeadBytes) bytes")
            }
            searchFrom = max(consumed, buffer.count - 3)
            try fill()
        }
        guard let end else { throw .gone }
        let headBytes = buffer[consumed..<end.headEnd]
        consumed = end.next
        var lines = headBytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        guard !lines.isEmpty else { throw .malformed(400, "empty request") }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw .malformed(400, "malformed request line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed(400, "malformed header line") }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingOWS()
            headers.append((name, value))
        }
        return Head(
            method: String(requestLine[0]),
            target: String(requestLine[1]),
            version: String(requestLine[2]),
            headers: headers
        )
    }

    /// The end of the head (index of the blank line's start) and where the body begins, if buffered.
    private func findHeadEnd(from start: Int) -> (headEnd: Int, next: Int)? {
        var position = max(start, consumed)
        while position < buffer.count {
            if buffer[position] == 0x0A {
                if position + 1 < buffer.count, buffer[position + 1] == 0x0A {
                    return (position, position + 2)
                }
                if position + 2 < buffer.count, buffer[position + 1] == 0x0D, buffer[position + 2] == 0x0A {
                    return (position, position + 3)
                }
            }
            position += 1
        }
        return nil
    }

    private func readBody(for head: Head) throws(ReadFailure) -> [UInt8] {
        let chunked = head.header("transfer-encoding")?.lowercased().contains("chunked") ?? false
        var length = 0
        if !chunked, let text = head.header("content-length") {
            guard let value = Int(text.trimmingOWS()), value >= 0 else {
                throw .malformed(400, "invalid content-length")
            }
            length = value
        }
        if chunked || length > 0, head.header("expect")?.lowercased() == "100-continue" {
            guard sendAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { throw .gone }
        }
        return chunked ? try readChunkedBody() : try readExactly(length)
    }

    private func readExactly(_ count: Int) throws(ReadFailure) -> [UInt8] {
        while buffer.count - consumed < count { try fill() }
        defer { consumed += count }
        return Array(buffer[consumed..<consumed + count])
    }

    /// Reads up to and including the next LF; returns the line without CR LF.
    private func readLine() throws(ReadFailure) -> String {
        while true {
            if let newline = buffer[consumed...].firstIndex(of: 0x0A) {
                var line = buffer[consumed..<newline]
                if line.last == 0x0D { line = line.dropLast() }
                consumed = newline + 1
                return String(decoding: line, as: UTF8.self)
            }
            if buffer.count - consumed > 64 * 1024 { throw .malformed(400, "chunk line too long") }
            try fill()
        }
    }

    private func readChunkedBody() throws(ReadFailure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine()
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingOWS(), radix: 16), size >= 0 else {
                throw .malformed(400, "invalid chunk size line")
            }
            if size == 0 {
                while try !readLine().isEmpty {}  // trailer fields, ignored
                return body
            }
            body += try readExactly(size)
            guard try readLine().isEmpty else { throw .malformed(400, "missing CRLF after chunk data") }
        }
    }

    /// Reads more bytes into the buffer; throws `.gone` at EOF, on error, when the server stops, or when nothing
    /// arrived for `timeout` seconds (nil: no limit).
    private func fill(timeout: Double? = nil) throws(ReadFailure) {
        if consumed > 0, consumed == buffer.count || consumed > 1 << 16 {
            buffer.removeFirst(consumed)
            consumed = 0
        }
        let timeoutMs = timeout.map { max(0, Int(($0 * 1000).rounded())) } ?? -1
        while true {
            guard
                let events = POSIX.waitFor([(fd, Int16(POLLIN)), (core.wake.fd, Int16(POLLIN))], timeoutMs: timeoutMs)
            else {
                if timeoutMs >= 0 { throw .gone }
                continue
            }
            if events[1] != 0 { throw .gone }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return
            }
            if count == 0 { throw .gone }
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            throw .gone
        }
    }

    // MARK: - Responses

    /// A transport fault to inject at a body offset.
    private enum Fault {
        case stall(Double)
        case reset
        case close
    }

    /// Writes `response`; returns whether the connection stays open for another request.
    private func write(_ response: FakeResponse, method: String, requestWantsClose: Bool) -> Bool {
        if response.firstByteDelayMs > 0, !core.wake.sleep(milliseconds: response.firstByteDelayMs) { return false }
        var framing = response.framing
        if response.stream != nil, framing == .contentLength { framing = .chunked }
        let bodyless =
            method == "HEAD" || (100..<200).contains(response.status) || response.status == 204
            || response.status == 304
        let responseWantsClose = response.header("connection")?.lowercased().contains("close") ?? false
        let keepAlive = !requestWantsClose && !responseWantsClose && framing != .closeDelimited

        var out = Array((response.statusLine ?? "HTTP/1.1 \(response.status) \(response.reason)").utf8) + [13, 10]
        for (name, value) in response.headers {
            out += Array("\(name): \(value)\r\n".utf8)
        }
        func addUnlessPresent(_ name: String, _ value: String) {
            if response.header(name) == nil { out += Array("\(name): \(value)\r\n".utf8) }
        }
        switch framing {
        case .contentLength:
            if !bodyless || method == "HEAD" { addUnlessPresent("content-length", String(response.body.count)) }
        case .chunked:
            if !bodyless { addUnlessPresent("transfer-encoding", "chunked") }
        case .closeDelimited:
            break
        }
        if !keepAlive { addUnlessPresent("connection", "close") }
        out += [0x0D, 0x0A]

        var faults: [(offset: Int, fault: Fault)] = []
        if let offset = response.stallAfterBytes { faults.append((max(0, offset), .stall(response.stallSeconds))) }
        if let offset = response.resetAfterBytes { faults.append((max(0, offset), .reset)) }
        if let offset = response.closeAfterBytes { faults.append((max(0, offset), .close)) }
        faults = faults.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }
            .map(\.element)

        let pieces = bodyless ? BodyPieces.empty : BodyPieces(response)
        let isChunked = framing == .chunked && !bodyless
        var sent = 0
        var nextFault = 0

        /// Flushes `out`, then performs every fault at or before `offset`; false when the connection is over.
        func fireFaults(upTo offset: Int) -> Bool {
            while nextFault < faults.count, faults[nextFault].offset <= offset {
                guard flush(&out) else { return false }
                switch faults[nextFault].fault {
                case .stall(let duration):
                    if !core.wake.sleep(milliseconds: Int((duration * 1000).rounded())) { return false }
                case .reset:
                    resetClose()
                    return false
                case .close:
                    cleanClose()
                    return false
                }
                nextFault += 1
            }
            return true
        }

        var isFirst = true
        while let (piece, delayMs) = pieces.next() {
            if piece.isEmpty { continue }
            guard fireFaults(upTo: sent) else { return false }
            if !isFirst, delayMs > 0 {
                guard flush(&out), core.wake.sleep(milliseconds: delayMs) else { return false }
            }
            isFirst = false
            if isChunked { out += Array((String(piece.count, radix: 16) + "\r\n").utf8) }
            var cursor = piece.startIndex
            while nextFault < faults.count, faults[nextFault].offset < sent + (piece.endIndex - cursor) {
                let cut = cursor + (faults[nextFault].offset - sent)
                out += piece[cursor..<cut]
                sent += cut - cursor
                cursor = cut
                guard fireFaults(upTo: sent) else { return false }
            }
            out += piece[cursor...]
            sent += piece.endIndex - cursor
            if isChunked { out += [0x0D, 0x0A] }
            guard flush(&out) else { return false }
        }
        guard fireFaults(upTo: Int.max) else { return false }
        if isChunked { out += Array("0\r\n\r\n".utf8) }
        guard flush(&out) else { return false }
        if !keepAlive {
            cleanClose()
            return false
        }
        return true
    }

    /// Sends and empties `out`; false when the peer is gone or the server is stopping.
    private func flush(_ out: inout [UInt8]) -> Bool {
        guard !out.isEmpty else { return true }
        defer { out.removeAll(keepingCapacity: true) }
        return sendAll(out)
    }

    /// Sends all bytes, handling partial writes, EINTR and a full send buffer; EPIPE never raises SIGPIPE.
    private func sendAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let sent = send(fd, pointer, remaining, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                if sent > 0 {
                    pointer += sent
                    remaining -= sent
                    continue
                }
                if sent < 0, errno == EINTR { continue }
                if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    let events = POSIX.waitFor([(fd, Int16(POLLOUT)), (core.wake.fd, Int16(POLLIN))], timeoutMs: -1)
                    if let events, events[1] != 0 { return false }
                    continue
                }
                return false
            }
            return true
        }
    }

    /// Closes with SO_LINGER 0 so the kernel sends RST, after giving already-written bytes a moment to be
    /// acknowledged (an RST discards unsent data).
    private func resetClose() {
        waitUntilAcknowledged(maxMilliseconds: 500)
        var linger = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        isClosed = true
        POSIX.closeQuietly(fd)
    }

    /// Sends FIN, then drains what the peer still sends (up to a second) before closing, so unread input does
    /// not turn the close into an RST.
    private func cleanClose() {
        _ = shutdown(fd, Int32(SHUT_WR))
        let deadline = POSIX.monotonicSeconds() + 1
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let remaining = Int((deadline - POSIX.monotonicSeconds()) * 1000)
            guard remaining > 0,
                let events = POSIX.waitFor([(fd, Int16(POLLIN)), (core.wake.fd, Int16(POLLIN))], timeoutMs: remaining),
                events[1] == 0
            else { break }
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN) { break }
        }
        isClosed = true
        POSIX.closeQuietly(fd)
    }

    /// Waits until the peer has acknowledged everything written (TCP_INFO), up to `maxMilliseconds`.
    private func waitUntilAcknowledged(maxMilliseconds: Int) {
        let deadline = POSIX.monotonicSeconds() + Double(maxMilliseconds) / 1000
        while POSIX.monotonicSeconds() < deadline {
            var info = tcp_info()
            var length = socklen_t(MemoryLayout<tcp_info>.size)
            guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 else { return }
            if info.tcpi_unacked == 0 { return }
            if !core.wake.sleep(milliseconds: 1) { return }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (HTTP optional whitespace).
    fileprivate func trimmingOWS() -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOWS($0) }), let last = lastIndex(where: { !isOWS($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
