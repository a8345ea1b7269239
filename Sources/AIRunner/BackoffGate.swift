import AIBase
import Synchronization

/// A pause every request of a batch honours: one 429 slows the whole batch instead of failing items.
package final class BackoffGate: Sendable {
    private let notBefore = Mutex<Double>(0)

    /// A gate that is open.
    package init() {}

    /// Closes the gate for `seconds` from now (a later reopening time wins).
    package func pause(for seconds: Double) {
        let until = Monotonic.now() + seconds
        notBefore.withLock { $0 = max($0, until) }
    }

    /// Blocks the calling thread until the gate is open.
    package func waitUntilOpen() {
        while true {
            let wait = notBefore.withLock { $0 } - Monotonic.now()
            guard wait > 0, !Cancellation.isRequested else { return }
            Monotonic.sleep(min(wait, 0.25))
        }
    }
}
