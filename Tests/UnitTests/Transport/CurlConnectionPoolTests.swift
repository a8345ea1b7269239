import AIBase
import AITestSupport
import AITransport
import AIWire
import Foundation
import Synchronization
import Testing

/// Keeps the status of a response and drops its body.
private final class StatusCollector: HTTPResponseHandler {
    var status = 0

    func receive(head: HTTPResponseHead) throws { status = head.status }

    func receive(body: UnsafeRawBufferPointer) throws {}
}

/// `CurlConnectionPool` against `FakeServer`s with a small fixed pool of threads and a keep-alive limit, as
/// llama.cpp's server has.
@Suite struct CurlConnectionPoolTests {
    static let limits = TransferLimits(connectTimeout: 5, idleTimeout: 8, maxTime: 20)

    /// A GET of `/path` on `server` through `transport`; returns the status and when it ended.
    static func get(_ transport: CurlTransport, _ server: FakeServer, _ path: String) throws -> (Int, Double) {
        let collector = StatusCollector()
        try transport.perform(
            HTTPRequest(method: "GET", url: server.baseURL + path), limits: limits, handler: collector)
        return (collector.status, POSIX.monotonicSeconds())
    }

    /// Runs `body` on a thread of its own; the result is read by waiting on the returned box.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> ThreadResult<T> {
        let result = ThreadResult<T>()
        Thread { result.set(Result { try body() }) }.start()
        return result
    }

    @Test func transportsOfOnePool_reuseOneConnectionAcrossThreads() throws {
        let server = try FakeServer { _ in .json(.object(["ok": .bool(true)])) }
        defer { server.stop() }
        let pool = CurlConnectionPool()
        for _ in 0..<3 {
            let done = Self.onThread {
                let transport = try CurlTransport(configuration: .init(userAgent: "test"), pool: pool)
                return try Self.get(transport, server, "/").0
            }
            #expect(try done.wait() == 200)
        }
        #expect(server.connectionCount == 1, "each thread's transport reused the connection the last one returned")
        #expect(pool.idleCount == 1)
    }

    @Test func smallPoolServer_servesANewConnectionOnlyWhenAKeptOneCloses() throws {
        // One thread, 0.5 s keep-alive: a second client's connection waits until the first one's is closed.
        let server = try FakeServer(threads: 1, keepAlive: 0.5) { _ in .json(.object(["ok": .bool(true)])) }
        defer { server.stop() }
        let first = try CurlTransport(configuration: .init(userAgent: "test"), pool: CurlConnectionPool())
        let second = try CurlTransport(configuration: .init(userAgent: "test"), pool: CurlConnectionPool())
        let (status, firstEnded) = try Self.get(first, server, "/one")
        #expect(status == 200)
        let (secondStatus, secondEnded) = try Self.get(second, server, "/two")
        #expect(secondStatus == 200)
        #expect(secondEnded - firstEnded >= 0.4, "served after the keep-alive closed the first connection")
        #expect(server.connectionCount == 2)
    }

    @Test func releaseSurplus_closesAnIdleConnectionARequestOnANewOneWaitsBehind() throws {
        // One thread and a keep-alive longer than the transfer's idle timeout: waiting it out fails the request.
        let server = try FakeServer(threads: 1, keepAlive: 60) { request in
            var response = FakeResponse.json(.object(["ok": .bool(true)]))
            if request.path == "/slow" { response.firstByteDelayMs = 400 }
            return response
        }
        defer { server.stop() }
        let pool = CurlConnectionPool()
        // The first request takes the server's only thread; the second goes out on a new connection meanwhile.
        let slow = Self.onThread {
            let first = try CurlTransport(configuration: .init(userAgent: "test"), pool: pool)
            return try Self.get(first, server, "/slow")
        }
        #expect(server.waitForRequests(1))
        let queued = Self.onThread {
            let second = try CurlTransport(configuration: .init(userAgent: "test"), pool: pool)
            return try Self.get(second, server, "/queued")
        }
        let (slowStatus, slowEnded) = try slow.wait()
        #expect(slowStatus == 200)
        // The first connection is idle in the pool, holding the thread; its caller has nothing more to send.
        try CurlTransport(configuration: .init(userAgent: "test"), pool: pool).idle()
        let (queuedStatus, queuedEnded) = try queued.wait()
        #expect(queuedStatus == 200)
        #expect(queuedEnded - slowEnded < 3, "answered once the idle connection closed, not after the keep-alive")
        #expect(server.connectionCount == 2)
        #expect(pool.idleCount == 1, "the closed connection's handles are gone; the second request's are back")
    }

    @Test func releaseSurplus_keepsIdleConnectionsWhenNoRequestWaitsOnANewOne() throws {
        let server = try FakeServer(threads: 1, keepAlive: 60) { _ in .json(.object(["ok": .bool(true)])) }
        defer { server.stop() }
        let pool = CurlConnectionPool()
        let transport = try CurlTransport(configuration: .init(userAgent: "test"), pool: pool)
        #expect(try Self.get(transport, server, "/").0 == 200)
        transport.idle()
        #expect(pool.idleCount == 1)
        #expect(try Self.get(transport, server, "/").0 == 200)
        #expect(server.connectionCount == 1)
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/v1/chat/completions", "http://127.0.0.1:8080"),
        ("https://api.openai.com/v1", "https://api.openai.com"),
        ("https://api.anthropic.com?x=1", "https://api.anthropic.com"),
        ("http://host", "http://host"),
        ("127.0.0.1:80/x", "127.0.0.1:80"),
    ])
    func origin_isSchemeHostAndPort(_ url: String, _ origin: String) {
        #expect(CurlConnectionPool.origin(of: url) == origin)
    }
}

/// The result of work on another thread.
final class ThreadResult<T: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let value = Mutex<Result<T, any Error>?>(nil)

    func set(_ result: Result<T, any Error>) {
        value.withLock { $0 = result }
        done.signal()
    }

    /// Waits for the result.
    /// - Throws: what the work threw.
    func wait() throws -> T {
        done.wait()
        guard let result = value.withLock({ $0 }) else { throw CancellationError() }
        return try result.get()
    }
}
