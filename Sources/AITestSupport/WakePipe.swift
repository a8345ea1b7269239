import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-shot wake-up signal that blocked `poll` calls can watch: once `signal()` runs, its read end stays readable.
///
/// Threads blocked on sockets or pipes poll this descriptor too, so stopping never has to close a descriptor
/// another thread is using.
final class WakePipe: Sendable {
    /// The read end: readable once signalled.
    let fd: Int32
    private let writeFD: Int32
    private let signalled = Mutex(false)

    /// A fresh, unsignalled pipe.
    init() throws(SystemCallError) {
        let ends = try POSIX.makePipe()
        fd = ends.read
        writeFD = ends.write
    }

    deinit {
        POSIX.closeQuietly(fd)
        POSIX.closeQuietly(writeFD)
    }

    /// Whether `signal()` has run.
    var isSignalled: Bool { signalled.withLock { $0 } }

    /// Wakes every current and future poller; later calls do nothing.
    func signal() {
        let first = signalled.withLock { value in
            defer { value = true }
            return !value
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Sleeps `milliseconds` unless signalled first; returns false when woken by `signal()`.
    func sleep(milliseconds: Int) -> Bool {
        guard milliseconds > 0 else { return !isSignalled }
        return POSIX.waitFor([(fd, Int16(POLLIN))], timeoutMs: milliseconds) == nil
    }
}
