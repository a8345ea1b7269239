import AIBase
import Glibc

/// A POSIX mutex with a condition variable on the monotonic clock: `Monitor` without a timeout cannot end a call
/// that waits too long, and `Synchronization.Mutex` has no condition variable.
final class MCPLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Wakes every thread in `wait(until:)`; call it holding the lock, after changing what they wait for.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Waits, holding the lock (inside `withLock`), for a `broadcast` or until `deadline` (monotonic seconds);
    /// wakes at least every `slice` seconds so the caller can look at what else changed (cancellation).
    func wait(until deadline: Double, slice: Double = 0.1) {
        let end = min(deadline, Monotonic.now() + slice)
        var spec = timespec()
        spec.tv_sec = Int(end.rounded(.down))
        spec.tv_nsec = Int((end - end.rounded(.down)) * 1e9)
        pthread_cond_timedwait(condition, mutex, &spec)
    }
}
