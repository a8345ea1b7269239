import AIBase
import AIWire
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on 127.0.0.1 (OS-chosen port) that replays canned responses to the client under test.
///
/// One thread accepts connections; each connection gets its own thread (or waits for one of a fixed pool, see
/// `init(threads:keepAlive:handler:)`) and serves requests one after another (keep-alive) until the client closes,
/// the request or response says `connection: close`, or a fault ends it.
/// Request bodies are read by `content-length` or chunked transfer coding; `expect: 100-continue` is answered.
/// Every request is recorded (see `requests`) before the handler runs. `stop()` (also run on deinit) wakes every
/// thread, including ones pausing or stalling inside a response, and waits briefly for them to finish (so do not
/// call it from a handler). `RecordedRequest.receivedAt` uses `POSIX.monotonicSeconds()`, so tests can compare
/// it with their own clock readings.
package final class FakeServer: Sendable {
    /// Computes the response to one request; runs on the connection's thread (concurrently across connections).
    package typealias Handler = @Sendable (RecordedRequest) -> FakeResponse

    private let core: FakeServerCore

    /// The TCP port the server listens on (127.0.0.1).
    package let port: Int

    /// Starts a server that answers every request with `handler(request)`.
    ///
    /// With `threads`, a fixed pool of that many threads serves the connections, each one connection at a time
    /// until it ends, in accept order (cpp-httplib's model, which llama.cpp's server uses): a connection the
    /// client keeps alive holds a thread while later connections wait. With `keepAlive`, a connection that waits
    /// longer than that many seconds for its next request is closed (cpp-httplib closes after 5 s).
    package init(threads: Int? = nil, keepAlive: Double? = nil, handler: @escaping Handler) throws {
        core = try FakeServerCore(threads: threads, keepAlive: keepAlive, handler: handler)
        port = core.port
        core.start()
    }

    /// Starts a server that answers the Nth request (in arrival order) with `responses[N]`.
    ///
    /// Once the list runs out, the last response is repeated (as the `ai-fake-server` CLI does); an empty list
    /// answers every request with a 500 whose JSON error message is "no responses configured".
    package convenience init(responses: [FakeResponse]) throws {
        try self.init(handler: FakeServer.sequence(responses.map { response in { _ in response } }))
    }

    deinit {
        core.stop()
    }

    /// The base URL of the server: `http://127.0.0.1:PORT` (no trailing slash).
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A snapshot of the requests received so far, in arrival order.
    package var requests: [RecordedRequest] { core.state.withLock { $0.requests } }

    /// How many TCP connections the server has accepted so far.
    package var connectionCount: Int { core.state.withLock { $0.connectionCount } }

    /// Stops listening, wakes and ends every connection (even one stalling mid-response) and waits up to two
    /// seconds for the threads to finish. Idempotent.
    package func stop() {
        core.stop()
    }

    /// Waits until at least `count` requests arrived or `timeout` seconds passed; returns whether they arrived.
    package func waitForRequests(_ count: Int, timeout: Double = 5) -> Bool {
        let deadline = POSIX.monotonicSeconds() + timeout
        while core.state.withLock({ $0.requests.count }) < count {
            if POSIX.monotonicSeconds() >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// A handler that answers the Nth request (by `RecordedRequest.sequence`) with `handlers[N]`, repeating the
    /// last one after the list runs out; an empty list answers 500 "no responses configured".
    package static func sequence(_ handlers: [Handler]) -> Handler {
        { request in
            guard let last = handlers.last else {
                let error: JSON = .object(["error": .object(["message": .string("no responses configured")])])
                return .json(error, status: 500)
            }
            return request.sequence < handlers.count ? handlers[request.sequence](request) : last(request)
        }
    }

    /// A 127.0.0.1 port that refuses connections: a socket bound to a free port that never listens.
    ///
    /// The socket stays open until the process exits, so no other server can take the port meanwhile and every
    /// connection attempt is answered with RST (ECONNREFUSED).
    package static func refusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket", errno) }
        var keep = false
        defer { if !keep { POSIX.closeQuietly(fd) } }
        var address = FakeServerCore.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw SystemCallError("bind", errno) }
        let port = try FakeServerCore.localPort(of: fd)
        keep = true
        reservedSockets.withLock { $0.append(fd) }
        return port
    }

    /// Sockets held by `refusedPort()` for the life of the process.
    private static let reservedSockets = Mutex<[Int32]>([])
}
