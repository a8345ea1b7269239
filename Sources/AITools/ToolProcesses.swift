import Glibc
import Synchronization

/// The process groups of the command tools running now, so that an interrupted run ends them whole.
package enum ToolProcesses {
    private struct State {
        var stopped = false
        var groups: Set<pid_t> = []
    }

    private static let state = Mutex(State())

    /// Kills every running tool's process group and refuses to start any more (SIGINT, SIGTERM, stdout closed).
    /// Safe to call from any thread, more than once.
    package static func stopAll() {
        let groups = state.withLock { state in
            state.stopped = true
            return state.groups
        }
        for group in groups { _ = kill(-group, SIGKILL) }
    }

    /// Whether `stopAll` was called.
    package static var isStopped: Bool { state.withLock { $0.stopped } }

    /// Starts a process with `start` (which returns its pid, the id of its new process group, or nil) unless the
    /// run is stopping, and records its group.
    /// - Returns: the pid, or nil when the run is stopping or `start` failed (`failure` then holds its errno).
    static func launch(_ start: () -> (pid: pid_t?, failure: Int32)) -> (pid: pid_t?, failure: Int32, stopped: Bool) {
        state.withLock { state in
            guard !state.stopped else { return (nil, 0, true) }
            let started = start()
            if let pid = started.pid { state.groups.insert(pid) }
            return (started.pid, started.failure, false)
        }
    }

    /// Kills what is left of the group of `pid` (whose leader has exited but is not yet reaped) and forgets it.
    static func end(_ pid: pid_t) {
        state.withLock { state in
            _ = kill(-pid, SIGKILL)
            state.groups.remove(pid)
        }
    }
}
