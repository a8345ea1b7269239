#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, EINTR-safe wrappers over the POSIX calls the fake server and the tool runner share.
package enum POSIX {
    /// Seconds on the monotonic clock (for measuring intervals, e.g. retry back-off between requests).
    package static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
    }

    /// The text of an `errno` value.
    package static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text) + " (errno \(code))"
    }

    /// Closes `fd`, ignoring errors (the descriptor is gone either way on Linux, even after EINTR).
    static func closeQuietly(_ fd: Int32) {
        if fd >= 0 { _ = close(fd) }
    }

    /// Creates a pipe whose both ends are close-on-exec, so children spawned by other threads never inherit it.
    static func makePipe() throws(SystemCallError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let result = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress) }
        guard result == 0 else { throw SystemCallError("pipe", errno) }
        setCloseOnExec(fds[0])
        setCloseOnExec(fds[1])
        return (fds[0], fds[1])
    }

    /// Marks `fd` close-on-exec. (`pipe2`/`accept4` are not visible from Swift's Glibc module; the short window
    /// before this call is covered by `ToolProcess`, which closes every other descriptor in its children.)
    static func setCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// Sets or clears `O_NONBLOCK` on `fd`.
    static func setNonBlocking(_ fd: Int32, _ enabled: Bool = true) {
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0 else { return }
        _ = fcntl(fd, F_SETFL, enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Sets an integer socket option, ignoring failures (all uses are best effort).
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Polls `fds` for `events` each; returns the `revents`, or nil on timeout. `timeoutMs` < 0 waits forever.
    ///
    /// EINTR restarts the wait with the remaining time.
    static func waitFor(_ fds: [(fd: Int32, events: Int16)], timeoutMs: Int) -> [Int16]? {
        var entries = fds.map { pollfd(fd: $0.fd, events: $0.events, revents: 0) }
        let deadline = timeoutMs >= 0 ? monotonicSeconds() + Double(timeoutMs) / 1000 : .infinity
        while true {
            let remaining: Int32
            if timeoutMs < 0 {
                remaining = -1
            } else {
                remaining = Int32(max(0, min(Double(Int32.max), ((deadline - monotonicSeconds()) * 1000).rounded(.up))))
            }
            let count = entries.withUnsafeMutableBufferPointer {
                poll($0.baseAddress, nfds_t($0.count), remaining)
            }
            if count > 0 { return entries.map(\.revents) }
            if count == 0 { return nil }
            if errno != EINTR { return entries.map { _ in Int16(POLLERR) } }
        }
    }

    /// Writes all of `bytes` to a pipe or file descriptor, retrying on EINTR and partial writes.
    ///
    /// Returns false when the other end is gone (EPIPE) or another error occurs.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard var pointer = bytes.baseAddress else { return true }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(fd, pointer, remaining)
            if written > 0 {
                pointer += written
                remaining -= written
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                _ = waitFor([(fd, Int16(POLLOUT))], timeoutMs: 100)
            } else {
                return false
            }
        }
        return true
    }

    /// Ignores SIGPIPE in this process once, so writing to a pipe whose reader exited returns EPIPE instead of
    /// killing the test run. Children get default dispositions back (see `ToolProcess`).
    static let ignoreSIGPIPE: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}

/// A failed POSIX call: which call and its `errno`.
package struct SystemCallError: Error, CustomStringConvertible, Sendable {
    /// The call that failed (`socket`, `bind`, `posix_spawn`, …).
    package var call: String
    /// The `errno` value.
    package var code: Int32

    /// An error for `call` failing with `code`.
    package init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }

    /// `call: reason (errno N)`.
    package var description: String { "\(call): \(POSIX.describe(errno: code))" }
}
