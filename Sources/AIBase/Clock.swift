import Glibc
import Synchronization

/// Monotonic time in seconds, for timings and back-off.
package enum Monotonic {
    /// Seconds since an arbitrary fixed point, never going backwards.
    package static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Sleeps the calling thread for `seconds` (never on the cooperative pool).
    package static func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR, !Cancellation.isRequested {
            request = remaining
        }
    }
}

/// The process-wide cancellation flag that in-flight transfers poll.
package enum Cancellation {
    private static let flag = Atomic<Bool>(false)

    /// Whether the process is shutting down (SIGINT, stdout closed).
    package static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Asks every transfer to stop.
    package static func request() { flag.store(true, ordering: .relaxed) }
}
