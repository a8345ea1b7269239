import AIBase
import Glibc

/// The locations the keys code uses (DESIGN §7), on top of the suite's `Paths`; a relative `XDG_RUNTIME_DIR` is
/// ignored, as the XDG spec requires.
package enum KeysPaths {
    /// `$XDG_DATA_HOME`, else `~/.local/share` (the suite's `Paths`).
    package static func dataHome(_ environment: Environment) -> String {
        Paths(environment: environment).dataHome
    }

    /// `$XDG_STATE_HOME`, else `~/.local/state` (the suite's `Paths`).
    package static func stateHome(_ environment: Environment) -> String {
        Paths(environment: environment).stateHome
    }

    /// `$XDG_RUNTIME_DIR`, else `/run/user/<uid>` (cron sets no `XDG_RUNTIME_DIR`; gnupg does the same).
    package static func runtimeDirectory(_ environment: Environment) -> String {
        absolute(environment[.xdgRuntimeDirectory]) ?? "/run/user/\(geteuid())"
    }

    /// The agent's socket: `AI_KEYS_SOCK`, else `<runtime dir>/ai-keys/agent.sock`.
    package static func agentSocket(_ environment: Environment) -> String {
        environment[.keysSocket] ?? runtimeDirectory(environment) + "/ai-keys/agent.sock"
    }

    /// The audit log: `$XDG_STATE_HOME/ai/audit.jsonl`.
    package static func auditLog(_ environment: Environment) -> String {
        stateHome(environment) + "/ai/audit.jsonl"
    }

    private static func absolute(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/") else { return nil }
        return value
    }
}

/// Wall-clock time for vault dates and audit lines.
package enum WallClock {
    /// Seconds since the Unix epoch.
    package static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    /// RFC 3339 UTC text of Unix seconds, `2026-01-02T03:04:05Z`.
    package static func format(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

/// Time that keeps counting while the machine is suspended (`CLOCK_BOOTTIME`), for the agent's TTLs: a laptop
/// suspended overnight comes back locked (OpenSSH `monotime`).
package enum BootClock {
    /// Seconds since boot, suspend included.
    package static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_BOOTTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
