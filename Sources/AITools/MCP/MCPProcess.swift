import AIBase
import Glibc

/// An MCP server's process: started by `ChildSpawn` in a process group of its own, its stdin and stdout on
/// pipes to us, its stderr where the caller chose; ended with its whole group.
///
/// The process is reaped once, by `end(grace:termGrace:)`; until then its id (and so its group's id) cannot be
/// reused, which makes signalling the group safe.
final class MCPProcess: @unchecked Sendable {
    /// The child's process id, which is also its process group's id.
    let pid: pid_t
    /// Our end of the child's stdin (write), closed by `closeInput()`.
    private let input: Int32
    /// Our end of the child's stdout (read); the connection's reader closes it at end of file.
    let output: Int32

    private let lock = MCPLock()
    private let writing = MCPLock()
    private var status: Int32?
    private var inputClosed = false

    /// Starts `argv` (its program looked up on the environment's `PATH` as `execvp` does).
    /// - Parameters:
    ///   - environment: the variables the child gets, exactly.
    ///   - errorOutput: the descriptor the child's stderr is, or nil for `/dev/null`.
    /// - Throws: `AIError` (`config`) when the program cannot be started (or no pipe can be made for it).
    init(argv: [String], environment: [String: String], errorOutput: Int32?, commandLine: String) throws(AIError) {
        // A server that exits while we write to it must not kill us (DESIGN §9: the tools ignore SIGPIPE).
        signal(SIGPIPE, SIG_IGN)
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let started = ChildSpawn.start(
            argv: argv, environment: variables, path: environment["PATH"], errorOutput: errorOutput)
        guard case .success(let child) = started else {
            let reason = if case .failure(let failure) = started { failure.description } else { "" }
            throw AIError(.config, "--mcp '\(commandLine)': cannot start \(argv[0]): \(reason)")
        }
        pid = child.pid
        let flags = fcntl(child.stdin, F_GETFL, 0)
        _ = fcntl(child.stdin, F_SETFL, flags | O_NONBLOCK)
        input = child.stdin
        output = child.stdout
    }

    /// Closes the child's stdin (its signal to end); later calls do nothing.
    func closeInput() {
        lock.withLock {
            guard !inputClosed else { return }
            inputClosed = true
            close(input)
        }
    }

    /// Writes all of `bytes` to the child's stdin, whole messages never interleaved, giving up at `deadline`
    /// (monotonic seconds).
    /// - Returns: false when stdin is closed, the child is gone or the deadline passed.
    func send(_ bytes: [UInt8], deadline: Double) -> Bool {
        writing.withLock {
            var offset = 0
            while offset < bytes.count {
                // The descriptor is closed only under `lock`, so no other open can reuse it while we write.
                let (written, code) = lock.withLock { () -> (Int, Int32) in
                    guard !inputClosed else { return (-1, EBADF) }
                    let count = bytes.withUnsafeBytes {
                        write(input, $0.baseAddress.map { $0 + offset }, $0.count - offset)
                    }
                    return (count, count < 0 ? errno : 0)
                }
                if written > 0 {
                    offset += written
                } else if code == EINTR {
                    continue
                } else if code == EAGAIN || code == EWOULDBLOCK {
                    guard Monotonic.now() < deadline else { return false }
                    var entry = pollfd(fd: input, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&entry, 1, 50)
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Whether the child has exited (not reaped: its group id stays ours), waiting up to `seconds`.
    func waitForExit(_ seconds: Double) -> Bool {
        let deadline = Monotonic.now() + seconds
        while true {
            if lock.withLock({ status != nil }) { return true }
            var info = siginfo_t()
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if result == 0, info._sifields._sigchld.si_pid == pid { return true }
            if result < 0, errno != EINTR { return true }
            if Monotonic.now() >= deadline { return false }
            Monotonic.sleep(min(0.01, max(0, deadline - Monotonic.now())))
        }
    }

    /// How the child ended, when it has (`exit status 3`, `killed by signal 9`), without reaping it.
    func unreapedStatus() -> String? {
        if let status = exitStatus {
            return status > 128 ? "killed by signal \(status - 128)" : "exit status \(status)"
        }
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid
        else { return nil }
        let status = info._sifields._sigchld.si_status
        return info.si_code == CLD_EXITED ? "exit status \(status)" : "killed by signal \(status)"
    }

    /// The exit status once reaped (`end`), as a shell shows it: the code, or 128 + the signal.
    var exitStatus: Int32? { lock.withLock { status } }

    /// Ends the child and its group: stdin closed, up to `grace` seconds to exit, then SIGTERM to the group and up
    /// to `termGrace` seconds, then SIGKILL to the group (members that outlived the leader too), then the leader
    /// reaped. Safe to call more than once (later calls wait for nothing).
    func end(grace: Double, termGrace: Double) {
        closeInput()
        guard lock.withLock({ status == nil }) else { return }
        if !waitForExit(grace) {
            kill(-pid, SIGTERM)
            _ = waitForExit(termGrace)
        }
        // The leader is unreaped, so the group id is still ours even when the leader has exited.
        kill(-pid, SIGKILL)
        lock.withLock {
            guard status == nil else { return }
            var raw: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &raw, 0) } while result < 0 && errno == EINTR
            let signalNumber = raw & 0x7F
            status = result == pid ? (signalNumber == 0 ? (raw >> 8) & 0xFF : 128 + signalNumber) : -1
        }
    }
}
