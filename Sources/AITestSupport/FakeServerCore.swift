import AIBase
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state and threads behind a `FakeServer`; connection threads hold this, not the server, so the server's
/// deinit can stop them.
final class FakeServerCore: Sendable {
    /// What the server's threads share.
    struct State {
        var requests: [RecordedRequest] = []
        var connectionCount = 0
        var stopped = false
        /// Accepted connections no pool thread has taken yet (a server with `threads`), in accept order.
        var pending: [(fd: Int32, index: Int)] = []
    }

    let listenFD: Int32
    let port: Int
    let wake: WakePipe
    let handler: FakeServer.Handler
    /// The fixed number of threads serving connections, or nil for a thread per connection.
    let poolThreads: Int?
    /// Seconds a connection may wait for its next request before the server closes it, or nil for no limit.
    let keepAlive: Double?
    let state = Mutex(State())
    let threads = DispatchGroup()
    /// Counts `State.pending` for the pool threads (plus one wake-up per thread on stop).
    let pendingCount = DispatchSemaphore(value: 0)

    init(threads poolThreads: Int?, keepAlive: Double?, handler: @escaping FakeServer.Handler) throws {
        self.handler = handler
        self.poolThreads = poolThreads.map { max(1, $0) }
        self.keepAlive = keepAlive
        wake = try WakePipe()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket", errno) }
        do {
            POSIX.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            var address = FakeServerCore.loopback(port: 0)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw SystemCallError("bind", errno) }
            guard listen(fd, 128) == 0 else { throw SystemCallError("listen", errno) }
            POSIX.setNonBlocking(fd)
            port = try FakeServerCore.localPort(of: fd)
        } catch {
            POSIX.closeQuietly(fd)
            throw error
        }
        listenFD = fd
    }

    /// Starts the accept thread (and the pool threads of a server with a fixed number of them).
    func start() {
        threads.enter()
        let thread = Thread { [self] in
            acceptLoop()
            threads.leave()
        }
        thread.name = "FakeServer.accept:\(port)"
        thread.start()
        for number in 0..<(poolThreads ?? 0) {
            threads.enter()
            let worker = Thread { [self] in
                poolLoop()
                threads.leave()
            }
            worker.name = "FakeServer.pool:\(port)#\(number)"
            worker.start()
        }
    }

    /// Signals every thread to finish and waits up to two seconds for them.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        wake.signal()
        for _ in 0..<(poolThreads ?? 0) { pendingCount.signal() }
        _ = threads.wait(timeout: .now() + 2)
        for connection in state.withLock({ $0.pending }) { POSIX.closeQuietly(connection.fd) }
    }

    /// Records a request (assigning its sequence number) and returns the stored copy.
    func record(_ request: RecordedRequest) -> RecordedRequest {
        state.withLock { state in
            var request = request
            request.sequence = state.requests.count
            state.requests.append(request)
            return request
        }
    }

    private func acceptLoop() {
        defer { POSIX.closeQuietly(listenFD) }
        while true {
            guard let events = POSIX.waitFor([(listenFD, Int16(POLLIN)), (wake.fd, Int16(POLLIN))], timeoutMs: -1)
            else { continue }
            if events[1] != 0 || wake.isSignalled { return }
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                switch errno {
                case EINTR, EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    if !wake.sleep(milliseconds: 10) { return }
                    continue
                default: return
                }
            }
            POSIX.setCloseOnExec(fd)
            POSIX.setNonBlocking(fd, false)
            POSIX.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            let index = state.withLock { state in
                defer { state.connectionCount += 1 }
                return state.connectionCount
            }
            if poolThreads != nil {
                state.withLock { $0.pending.append((fd: fd, index: index)) }
                pendingCount.signal()
                continue
            }
            threads.enter()
            let thread = Thread { [self] in
                HTTPConnection(core: self, fd: fd, index: index).run()
                threads.leave()
            }
            thread.name = "FakeServer.connection:\(port)#\(index)"
            thread.start()
        }
    }

    /// One pool thread: serves the oldest accepted connection until it ends, then the next (as cpp-httplib's
    /// thread pool does), so a connection kept alive holds its thread while later ones wait their turn.
    private func poolLoop() {
        while true {
            pendingCount.wait()
            let next: (fd: Int32, index: Int)? = state.withLock { state in
                guard !state.stopped, !state.pending.isEmpty else { return nil }
                return state.pending.removeFirst()
            }
            guard let next else { return }
            HTTPConnection(core: self, fd: next.fd, index: next.index).run()
        }
    }

    /// A `sockaddr_in` for 127.0.0.1:`port`.
    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// The local port `fd` is bound to.
    static func localPort(of fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SystemCallError("getsockname", errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
