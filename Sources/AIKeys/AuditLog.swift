import AIBase
import AIWire
import Glibc

/// The append-only record of key accesses (DESIGN §6): one JSON line per vault or agent access in
/// `$XDG_STATE_HOME/ai/audit.jsonl` (directory 0700, file 0600), never a secret.
///
/// A line is `{"time","action","name","tool","pid","via"}`: `time` is RFC 3339 UTC; `action` is `get`,
/// `exec`, `set`, `rm`, `list`, `init`, `passwd`, `unlock`, `unlock_failed` or `lock`; `name` is the entry
/// (null for whole-vault actions); `tool` and `pid` name the process that received the key; `via` is `vault`
/// (opened with the passphrase) or `agent`. Each line goes out in one `write` with O_APPEND, so concurrent
/// writers never interleave. A line that cannot be written (or a log that fails the vault's checks) is a warning,
/// never a failure: the access it records is still allowed, and nothing ever waits on the log.
package struct AuditLog: Sendable {
    /// The log file.
    package let path: String

    /// The log the environment names.
    package init(environment: Environment) {
        path = KeysPaths.auditLog(environment)
    }

    /// A log at `path` (tests).
    package init(path: String) {
        self.path = path
    }

    /// Appends one line; failures are returned, never thrown (the access itself already happened).
    ///
    /// The log is opened without following a symbolic link and without blocking (a FIFO in its place is refused
    /// at once, never waited on), then checked on the descriptor as the vault is: a regular file of ours with no
    /// group or other permissions. A log that fails a check is not written.
    /// - Returns: nil, or why the line could not be written.
    @discardableResult
    package func record(action: String, name: String?, tool: String, pid: Int32, via: String) -> String? {
        let line: JSON = .object([
            "time": .string(WallClock.format(WallClock.now())),
            "action": .string(action),
            "name": name.map { .string($0) } ?? .null,
            "tool": .string(tool),
            "pid": .int(Int(pid)),
            "via": .string(via),
        ])
        var bytes = line.encoded()
        bytes.append(0x0A)
        do {
            try KeysFileSystem.ensurePrivateDirectory(KeysFileSystem.directory(of: path))
        } catch {
            return AIError(error).message
        }
        let descriptor = KeysFileSystem.retrying {
            open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0o600)
        }
        guard descriptor >= 0 else {
            switch errno {
            case ELOOP: return "not writing the audit log \(path): it is a symbolic link"
            case ENXIO: return "not writing the audit log \(path): it is not a regular file"
            default: return "cannot open the audit log \(path): \(KeysFileSystem.describe())"
            }
        }
        defer { KeysFileSystem.closeQuietly(descriptor) }
        do {
            _ = try KeysFileSystem.checkPrivateFile(descriptor, path: path)
        } catch {
            return "not writing the audit log: \(AIError(error).message)"
        }
        guard bytes.withUnsafeBytes({ KeysFileSystem.writeAll(descriptor, $0) }) else {
            return "cannot write the audit log \(path): \(KeysFileSystem.describe())"
        }
        return nil
    }

    /// The log's bytes, for `ai-keys audit`: empty when there is none; refused, as the vault is, when it is not a
    /// regular file of ours with no group or other permissions.
    /// - Throws: `KeysError.notARegularFile`, `.notOwned`, `.permissionsTooOpen`, `.symbolicLink`, `.io`.
    package func contents() throws(KeysError) -> [UInt8] {
        guard let descriptor = try KeysFileSystem.openForReading(path) else { return [] }
        defer { KeysFileSystem.closeQuietly(descriptor) }
        _ = try KeysFileSystem.checkPrivateFile(descriptor, path: path)
        return try KeysFileSystem.readAll(descriptor, limit: 1 << 30, path: path)
    }

    /// Appends one line for this process (for `reporter.tool`) and gives `reporter` a warning if it could not be
    /// written.
    package func recordOrWarn(action: String, name: String?, via: String, reporter: any Reporter) {
        if let problem = record(action: action, name: name, tool: reporter.tool, pid: getpid(), via: via) {
            reporter.warning(problem)
        }
    }
}
