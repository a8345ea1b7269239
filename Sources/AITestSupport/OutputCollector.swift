import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drains one output pipe of a child process on its own thread, so a full pipe never blocks the child, and lets
/// callers wait for lines or text as they arrive.
final class OutputCollector: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var lineCursor = 0
    private var isFinished = false

    private let fd: Int32
    private let wake: WakePipe

    /// Starts draining `fd` (the parent's read end; this collector closes it).
    init(fd: Int32, name: String) throws(SystemCallError) {
        self.fd = fd
        wake = try WakePipe()
        let thread = Thread { [self] in drain() }
        thread.name = name
        thread.start()
    }

    /// Everything read so far.
    var snapshot: [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        return bytes
    }

    /// Whether the pipe reached end of file (or was closed early).
    var finished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isFinished
    }

    /// Stops reading and closes the read end (the writer then gets EPIPE/SIGPIPE); waits until it is closed.
    func closeEarly() {
        wake.signal()
        _ = waitUntilFinished(deadline: .infinity)
    }

    /// Stops reading soon (without waiting), e.g. when a grandchild keeps the pipe open after the child exited.
    func stop() {
        wake.signal()
    }

    /// Waits until end of file or `deadline` (monotonic seconds); returns whether end of file was reached.
    func waitUntilFinished(deadline: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !isFinished {
            if !wait(until: deadline) { return isFinished }
        }
        return true
    }

    /// The next line (without its LF; a final unterminated line is returned once at end of file); nil at end
    /// of file. Throws when no full line arrives by `deadline`.
    func readLine(deadline: Double, timeout: Double) throws(ToolError) -> String? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let newline = bytes[lineCursor...].firstIndex(of: 0x0A) {
                defer { lineCursor = newline + 1 }
                return String(decoding: bytes[lineCursor..<newline], as: UTF8.self)
            }
            if isFinished {
                guard lineCursor < bytes.count else { return nil }
                defer { lineCursor = bytes.count }
                return String(decoding: bytes[lineCursor...], as: UTF8.self)
            }
            if !wait(until: deadline) {
                throw .outputTimedOut(seconds: timeout, waitingFor: "complete line", soFar: bytes)
            }
        }
    }

    /// Waits until everything read so far contains `needle`; throws when it does not by `deadline` or the pipe
    /// ends first.
    func waitFor(_ needle: [UInt8], deadline: Double, timeout: Double) throws(ToolError) {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if needle.isEmpty || OutputCollector.contains(bytes, needle) { return }
            if isFinished || !wait(until: deadline) {
                throw .outputTimedOut(
                    seconds: timeout,
                    waitingFor: "'\(String(decoding: needle, as: UTF8.self))'",
                    soFar: bytes
                )
            }
        }
    }

    /// Waits on the condition (lock held) until signalled or `deadline`; false once the deadline passed.
    private func wait(until deadline: Double) -> Bool {
        if deadline == .infinity {
            condition.wait()
            return true
        }
        let remaining = deadline - POSIX.monotonicSeconds()
        if remaining <= 0 { return false }
        _ = condition.wait(until: Date(timeIntervalSinceNow: remaining))
        return true
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }

    private func drain() {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            guard let events = POSIX.waitFor([(fd, Int16(POLLIN)), (wake.fd, Int16(POLLIN))], timeoutMs: -1) else {
                continue
            }
            if events[1] != 0 { break }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                condition.lock()
                bytes.append(contentsOf: chunk[0..<count])
                condition.broadcast()
                condition.unlock()
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                break
            }
        }
        POSIX.closeQuietly(fd)
        condition.lock()
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }
}
