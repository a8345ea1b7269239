import Glibc

/// Starts detached POSIX threads: blocking work (libcurl, sigwait, poll) never runs on Swift's cooperative pool.
package enum Threads {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread.
    /// - Returns: false when the thread could not be created.
    @discardableResult
    package static func detach(_ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                let box = Unmanaged<Box>.fromOpaque(context).takeRetainedValue()
                box.body()
                return nil
            }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}

extension Threads {
    /// `body` applied to every element on threads of their own (blocking work such as probes), results in input
    /// order once all have finished.
    package static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element],
        _ body: @escaping @Sendable (Element) -> Result
    ) -> [Result] {
        guard elements.count > 1 else { return elements.map(body) }
        let monitor = Monitor([Int: Result]())
        for (index, element) in elements.enumerated() {
            Threads.detach {
                let result = body(element)
                monitor.update { $0[index] = result }
            }
        }
        return monitor.wait(until: { $0.count == elements.count }) { results in
            elements.indices.compactMap { results[$0] }
        }
    }
}
