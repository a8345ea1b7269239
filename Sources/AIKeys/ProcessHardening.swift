import CSystem
import Glibc
import Synchronization

/// What a process that holds a key or a passphrase does to keep it out of core files and other processes' reach.
///
/// Not dumpable (`PR_SET_DUMPABLE` 0): no core file, no `ptrace` attach and no same-uid read of
/// `/proc/PID/mem` or `/proc/PID/environ`. Core limit 0 (`RLIMIT_CORE` 0/0): no core file even where the system
/// dumps non-dumpable processes (`suid_dumpable` 2). `SecretBytes` are also left out of dumps, but a key crosses
/// ordinary memory on its way into an HTTP header (a `String`, libcurl's header list): these settings cover those
/// copies too.
package enum ProcessHardening {
    private static let applied = Atomic<Bool>(false)

    /// Makes the process not dumpable and sets its core limit to 0 (soft and hard), once per process; the agent
    /// and the tools call it as soon as they hold a key. The corresponding C calls are `prctl(PR_SET_DUMPABLE)`
    /// and `setrlimit(RLIMIT_CORE)`.
    /// - Returns: false when a setting was refused.
    @discardableResult
    package static func forbidCoreDumps() -> Bool {
        let dumpable = csystem_set_dumpable(0) == 0
        let core = csystem_disable_core_dumps() == 0
        applied.store(true, ordering: .relaxed)
        return dumpable && core
    }

    /// `forbidCoreDumps()` unless it already ran: the cheap call for every key handed to a tool.
    package static func holdingSecrets() {
        if !applied.load(ordering: .relaxed) { forbidCoreDumps() }
    }

    /// Makes the process not dumpable but leaves its core limit alone, for a process about to `execve` another
    /// program: the new program is dumpable again and keeps the limits it inherits, as if started directly.
    /// - Returns: false when the setting was refused.
    @discardableResult
    package static func forbidCoreDumpsUntilExec() -> Bool {
        csystem_set_dumpable(0) == 0
    }

    /// Whether the process is dumpable (`PR_GET_DUMPABLE`).
    package static var isDumpable: Bool { csystem_get_dumpable() != 0 }

    /// The process's core-file limits (`RLIMIT_CORE`).
    package static var coreLimit: (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }
}
