import AIBase
import CCurl
import Synchronization

/// A `Transport` over libcurl easy handles, each in a multi handle of its own, driven on the calling thread.
///
/// Callers run it on threads of their own (the main thread, or a batch worker), never on Swift's
/// cooperative pool, because it blocks. Each request borrows handles from a `CurlConnectionPool` that every
/// transport of the process shares, and returns them with the connection (or HTTP/2 session) libcurl kept
/// alive, so a later request on any thread reuses it before a new one is opened. The handles are reset, not
/// recreated, between requests. The multi interface, rather than `curl_easy_perform`, says when libcurl has
/// handed over all it received for now (`HTTPResponseHandler.drained`): one network read, however many write
/// callbacks it took, ends in one flush of the output.
package final class CurlTransport: Transport {
    /// What every exchange of this transport shares.
    package struct Configuration: Sendable {
        /// The `User-Agent` header.
        package var userAgent: String
        /// A CA bundle file (`CURL_CA_BUNDLE`, `SSL_CERT_FILE`), or nil for libcurl's default.
        package var caBundle: String?
        /// A CA directory (`SSL_CERT_DIR`), or nil for libcurl's default.
        package var caPath: String?
        /// The hosts reached without a proxy (`CURLOPT_NOPROXY`): loopback always, then the user's `no_proxy`.
        package var noProxy: String

        /// A configuration with the given values.
        package init(
            userAgent: String, caBundle: String? = nil, caPath: String? = nil,
            noProxy: String = CurlProxy.loopbackHosts
        ) {
            self.userAgent = userAgent
            self.caBundle = caBundle
            self.caPath = caPath
            self.noProxy = noProxy
        }
    }

    private let configuration: Configuration
    private let pool: CurlConnectionPool

    /// A transport whose requests borrow their handles and connections from `pool`.
    /// - Throws: `TransportError.other` when libcurl cannot be initialised.
    package init(configuration: Configuration, pool: CurlConnectionPool = .shared) throws {
        guard CurlGlobal.initialized else { throw TransportError.other("libcurl failed to initialise") }
        self.configuration = configuration
        self.pool = pool
    }

    /// Sends `request` and streams the response to `handler` on this thread.
    /// - Throws: `TransportError`, or the error `handler` threw.
    package func perform(_ request: HTTPRequest, limits: TransferLimits, handler: any HTTPResponseHandler) throws {
        let origin = CurlConnectionPool.origin(of: request.url)
        let handles = try pool.borrow(origin: origin)
        // Only handles whose transfer completed go back: after a failure (a refused protocol, a cut connection, a
        // callback's error) libcurl may keep per-transfer state that makes the next setup fail.
        var completed = false
        defer { if completed { pool.giveBack(handles) } }
        let easy = handles.easy
        let exchange = CurlExchange(
            handler: handler, idleTimeout: limits.idleTimeout, easy: easy, pool: pool, origin: origin)
        defer { exchange.stopWaiting() }
        easy.reset()
        let headerList = try configure(easy, request, limits: limits)
        defer { curl_slist_free_all(headerList) }
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        easy.setCallbacks(context: context)
        let started = Monotonic.now()
        let code = withExtendedLifetime(exchange) { handles.multi.perform(easy) { exchange.drained() } }
        if let failure = exchange.failure { throw failure }
        if code == CURLE_OK {
            completed = true
            return
        }
        throw mapError(
            code, easy: easy, exchange: exchange, limits: limits, elapsed: Monotonic.now() - started, url: request.url)
    }

    /// Closes idle connections that requests waiting on new connections may be queued behind (see
    /// `CurlConnectionPool.releaseSurplus()`).
    package func idle() {
        pool.releaseSurplus()
    }

    private func configure(
        _ easy: CurlEasy,
        _ request: HTTPRequest,
        limits: TransferLimits
    ) throws -> UnsafeMutablePointer<curl_slist>? {
        try easy.set(CURLOPT_URL, request.url)
        // HTTP and HTTPS only, HTTPS for a URL without a scheme; loopback never through a proxy (DESIGN §6).
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_DEFAULT_PROTOCOL, "https")
        try easy.set(CURLOPT_NOPROXY, configuration.noProxy)
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        // Read up to 128 KiB per receive (libcurl's default is 16 KiB, curl's own tool asks 100 KiB): a fast
        // stream then costs a few large reads and writes instead of many small ones; a slow one is unaffected.
        try easy.set(CURLOPT_BUFFERSIZE, 128 << 10)
        try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(limits.connectTimeout * 1000))
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(limits.idleTimeout.rounded(.up))))
        if let maxTime = limits.maxTime { try easy.set(CURLOPT_TIMEOUT_MS, max(1, Int(maxTime * 1000))) }
        if let caBundle = configuration.caBundle { try easy.set(CURLOPT_CAINFO, caBundle) }
        if let caPath = configuration.caPath { try easy.set(CURLOPT_CAPATH, caPath) }
        if !request.streaming { try easy.set(CURLOPT_ACCEPT_ENCODING, "") }
        switch request.method {
        case "GET": try easy.set(CURLOPT_HTTPGET, 1)
        case "POST": try easy.set(CURLOPT_POST, 1)
        default: try easy.set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            try body.withUnsafeBytes { bytes in
                try easy.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers + [(name: "Expect", value: "")] {
            let line = header.value.isEmpty ? "\(header.name):" : "\(header.name): \(header.value)"
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw TransportError.other("out of memory building headers")
            }
            list = appended
        }
        try easy.set(CURLOPT_HTTPHEADER, list: list)
        return list
    }

    private func mapError(
        _ code: CURLcode,
        easy: CurlEasy,
        exchange: CurlExchange,
        limits: TransferLimits,
        elapsed: Double,
        url: String
    ) -> TransportError {
        let detail = easy.errorDetail(code)
        let host = Self.host(of: url)
        switch code {
        case CURLE_COULDNT_CONNECT:
            return .connectionRefused(host: host)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .hostNotFound(host: host)
        case CURLE_OPERATION_TIMEDOUT:
            // A reused connection reports a connect time of 0: look at the later timers too.
            if !easy.isConnected, !exchange.headDelivered { return .connectTimeout(seconds: limits.connectTimeout) }
            if let maxTime = limits.maxTime, elapsed >= maxTime - 0.05 { return .deadline(seconds: maxTime) }
            return .idleTimeout(seconds: limits.idleTimeout)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tls(detail)
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_HTTP2,
            CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING:
            return .connectionLost(detail, afterResponse: exchange.headDelivered)
        case CURLE_UNSUPPORTED_PROTOCOL where easy.isConnected, CURLE_WEIRD_SERVER_REPLY:
            // Connected, so it was the answer that libcurl could not take (`HTTP/9.9`, HTTP/0.9, a bad status line).
            return .badResponse(detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest(detail)
        case CURLE_ABORTED_BY_CALLBACK:
            return exchange.idleExpired ? .idleTimeout(seconds: limits.idleTimeout) : .cancelled
        default:
            return .other(detail)
        }
    }

    /// The host part of a URL, for messages.
    package static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return String(rest)
    }
}

/// `curl_global_init`, exactly once per process.
private enum CurlGlobal {
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// Per-exchange state the C callbacks reach through their user-data pointer.
private final class CurlExchange {
    let handler: any HTTPResponseHandler
    let idleTimeout: Double
    unowned let easy: CurlEasy
    /// Told while the request waits for its first response byte on a connection opened for it.
    let pool: CurlConnectionPool
    let origin: String
    /// The request is counted in `pool` as waiting on a new connection.
    var waitingOnNewConnection = false
    var failure: (any Error)?
    var status = 0
    var headers: [(name: String, value: String)] = []
    var headDelivered = false
    /// When a byte was last received or sent, once connected (nil before): the idle clock.
    var lastActivity: Double?
    var uploaded: curl_off_t = 0
    /// The exchange was aborted because nothing moved for `idleTimeout` seconds.
    var idleExpired = false

    init(
        handler: any HTTPResponseHandler, idleTimeout: Double, easy: CurlEasy, pool: CurlConnectionPool, origin: String
    ) {
        self.handler = handler
        self.idleTimeout = idleTimeout
        self.easy = easy
        self.pool = pool
        self.origin = origin
    }

    /// libcurl opened a socket for this request (a reused connection opens none).
    func socketOpened() {
        guard !waitingOnNewConnection, status == 0 else { return }
        waitingOnNewConnection = true
        pool.waitingOnNewConnection(origin: origin)
    }

    /// The request no longer waits on a new connection: a response byte arrived, or the exchange ended.
    func stopWaiting() {
        guard waitingOnNewConnection else { return }
        waitingOnNewConnection = false
        pool.doneWaiting(origin: origin)
    }

    /// libcurl's progress tick (at least about once a second): cancellation and the idle timeout.
    ///
    /// CURLOPT_LOW_SPEED_TIME alone is not an idle timeout: libcurl averages the speed over the last five
    /// seconds, uploads included, so it fires some six seconds late.
    func progress(uploaded total: curl_off_t) -> Int32 {
        if Cancellation.isRequested { return 1 }
        let now = Monotonic.now()
        guard let last = lastActivity else {
            if easy.isConnected { lastActivity = now }
            return 0
        }
        if total != uploaded {
            uploaded = total
            lastActivity = now
            return 0
        }
        guard now - last >= idleTimeout else { return 0 }
        idleExpired = true
        return 1
    }

    /// Handles one header line (status line, header, or the blank line that ends a block).
    func header(_ line: UnsafeRawBufferPointer) -> Bool {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<end]), as: UTF8.self)
        lastActivity = Monotonic.now()
        if waitingOnNewConnection { stopWaiting() }
        if text.isEmpty {
            guard status >= 200, !headDelivered else { return true }
            return deliverHead()
        }
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers.removeAll()
            return true
        }
        if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon].lowercased()
            let value = text[text.index(after: colon)...].trimmingSpaces()
            headers.append((name: name, value: value))
        }
        return true
    }

    func deliverHead() -> Bool {
        headDelivered = true
        do {
            try handler.receive(head: HTTPResponseHead(status: status, headers: headers))
            return true
        } catch {
            failure = error
            return false
        }
    }

    /// libcurl handed over everything received so far; false (with `failure` set) aborts the exchange.
    func drained() -> Bool {
        guard headDelivered, failure == nil else { return failure == nil }
        do {
            try handler.drained()
            return true
        } catch {
            failure = error
            return false
        }
    }

    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lastActivity = Monotonic.now()
        if !headDelivered, !deliverHead() { return false }
        do {
            try handler.receive(body: bytes)
            return true
        } catch {
            failure = error
            return false
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}

private let writeCallback: ccurl_data_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length > 0, let pointer else { return 0 }
    return exchange.body(UnsafeRawBufferPointer(start: pointer, count: length)) ? length : 0
}

private let headerCallback: ccurl_data_callback = { pointer, size, count, context in
    guard let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard let pointer else { return length }
    return exchange.header(UnsafeRawBufferPointer(start: pointer, count: length)) ? length : 0
}

private let progressCallback: ccurl_xferinfo_callback = { context, _, _, _, uploaded in
    guard let context else { return Cancellation.isRequested ? 1 : 0 }
    return Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue().progress(uploaded: uploaded)
}

/// Called for each socket libcurl opens for a connection, before it connects; a reused connection opens none.
private let socketOptionsCallback: ccurl_sockopt_callback = { context, _, _ in
    if let context { Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue().socketOpened() }
    return Int32(CURL_SOCKOPT_OK)
}

/// Owner of one `CURLM*` multi handle, which holds the connection cache of the easy handle it runs.
final class CurlMulti {
    let handle: UnsafeMutableRawPointer

    /// A multi handle that keeps at most one connection alive: the last one its easy handle used. The
    /// corresponding C functions are `curl_multi_init` and `curl_multi_setopt` (`CURLMOPT_MAXCONNECTS`).
    init?() {
        guard let handle = curl_multi_init() else { return nil }
        self.handle = handle
        _ = ccurl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, 1)
    }

    deinit {
        curl_multi_cleanup(handle)
    }

    /// Runs `easy`'s exchange to its end, calling `drained` each time libcurl has processed everything
    /// that arrived (`false` from it aborts the exchange with `CURLE_WRITE_ERROR`). The corresponding C
    /// functions are `curl_multi_perform`, `curl_multi_poll` and `curl_multi_info_read`.
    func perform(_ easy: CurlEasy, drained: () -> Bool) -> CURLcode {
        guard curl_multi_add_handle(handle, easy.handle) == CURLM_OK else { return CURLE_OUT_OF_MEMORY }
        defer { curl_multi_remove_handle(handle, easy.handle) }
        var running: Int32 = 1
        while running > 0 {
            let status = curl_multi_perform(handle, &running)
            guard status == CURLM_OK else {
                return status == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT
            }
            guard drained() else { return CURLE_WRITE_ERROR }
            if running > 0, curl_multi_poll(handle, nil, 0, 1000, nil) != CURLM_OK { return CURLE_FAILED_INIT }
        }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(handle, &queued) {
            if message.pointee.msg == CURLMSG_DONE, message.pointee.easy_handle == easy.handle {
                return message.pointee.data.result
            }
        }
        return CURLE_GOT_NOTHING
    }
}

/// Owner of one `CURL*` easy handle; each method names the C function it calls.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Clears every option but keeps connections and caches. The corresponding C function is `curl_easy_reset`.
    func reset() {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        _ = ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    func setCallbacks(context: UnsafeMutableRawPointer) {
        _ = ccurl_easy_setopt_write_function(handle, writeCallback)
        _ = ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = ccurl_easy_setopt_header_function(handle, headerCallback)
        _ = ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = ccurl_easy_setopt_xferinfo_function(handle, progressCallback)
        _ = ccurl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
        _ = ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = ccurl_easy_setopt_sockopt_function(handle, socketOptionsCallback)
        _ = ccurl_easy_setopt_pointer(handle, CURLOPT_SOCKOPTDATA, context)
    }

    /// Sets an integer option. The corresponding C function is `curl_easy_setopt`.
    func set(_ option: CURLoption, _ value: Int) throws {
        try check(ccurl_easy_setopt_long(handle, option, value), option)
    }

    /// Sets a string option (libcurl copies it). The corresponding C function is `curl_easy_setopt`.
    func set(_ option: CURLoption, _ value: String) throws {
        try check(ccurl_easy_setopt_string(handle, option, value), option)
    }

    /// Sets a `curl_off_t` option. The corresponding C function is `curl_easy_setopt`.
    func set(_ option: CURLoption, offset: curl_off_t) throws {
        try check(ccurl_easy_setopt_off_t(handle, option, offset), option)
    }

    /// Sets a pointer option. The corresponding C function is `curl_easy_setopt`.
    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws {
        try check(ccurl_easy_setopt_pointer(handle, option, pointer), option)
    }

    /// Sets a header-list option. The corresponding C function is `curl_easy_setopt`.
    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws {
        try check(ccurl_easy_setopt_slist(handle, option, list), option)
    }

    /// Seconds the connection took, 0 when none was made. The corresponding C function is `curl_easy_getinfo`.
    func connectTime() -> Double {
        var value: curl_off_t = 0
        _ = ccurl_easy_getinfo_off_t(handle, CURLINFO_CONNECT_TIME_T, &value)
        return Double(value) / 1_000_000
    }

    /// Whether the transfer got past connecting: a new connection's connect time, or (a reused connection
    /// reports 0 there) the time until the request started going out.
    var isConnected: Bool {
        if connectTime() > 0 { return true }
        var value: curl_off_t = 0
        _ = ccurl_easy_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &value)
        return value > 0
    }

    /// libcurl's most specific description of the last failure, in the message grammar (`MessageText.fitted`).
    func errorDetail(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        if !detail.isEmpty { return MessageText.fitted(detail) }
        return curl_easy_strerror(code).map { MessageText.fitted(String(cString: $0)) } ?? "curl error \(code.rawValue)"
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw TransportError.invalidRequest("libcurl refused option \(option.rawValue): \(errorDetail(code))")
        }
    }
}
