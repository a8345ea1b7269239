import AIBase
import Glibc

/// An MCP server's process: started with `posix_spawnp` in a process group of its own, its stdin and stdout on
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
    /// - Throws: `AIError` (`config`) when the program cannot be started; `io` when no pipe can be made.
    init(argv: [String], environment: [String: String], errorOutput: Int32?, commandLine: String) throws(AIError) {
        // A server that exits while we write to it must not kill us (DESIGN §9: the tools ignore SIGPIPE).
        signal(SIGPIPE, SIG_IGN)
        let stdinPipe = try Self.pipe()
        let stdoutPipe: (read: Int32, write: Int32)
        do {
            stdoutPipe = try Self.pipe()
        } catch {
            close(stdinPipe.read)
            close(stdinPipe.write)
            throw error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        if let errorOutput {
            if errorOutput != 2 { posix_spawn_file_actions_adddup2(&actions, errorOutput, 2) }
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // Descriptors another thread opened without close-on-exec (or just before setting it) stay with us.
        if let addCloseFrom = Self.addCloseFrom { _ = addCloseFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        sigdelset(&defaultSignals, SIGKILL)
        sigdelset(&defaultSignals, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // posix_spawnp looks the program up on our own PATH: put the child's PATH in place for that lookup.
        let arguments = argv.map { strdup($0) }
        let variables = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            arguments.forEach { free($0) }
            variables.forEach { free($0) }
        }
        var child: pid_t = 0
        let program = Self.resolve(argv[0], path: environment["PATH"])
        let result = (arguments + [nil]).withUnsafeBufferPointer { argvPointer in
            (variables + [nil]).withUnsafeBufferPointer { envpPointer in
                guard let argvBase = argvPointer.baseAddress, let envpBase = envpPointer.baseAddress else {
                    return EINVAL
                }
                return posix_spawn(&child, program, &actions, &attributes, argvBase, envpBase)
            }
        }
        close(stdinPipe.read)
        close(stdoutPipe.write)
        guard result == 0 else {
            close(stdinPipe.write)
            close(stdoutPipe.read)
            throw AIError(
                .config, "--mcp '\(commandLine)': cannot start \(argv[0]): \(String(cString: strerror(result)))")
        }
        pid = child
        let flags = fcntl(stdinPipe.write, F_GETFL, 0)
        _ = fcntl(stdinPipe.write, F_SETFL, flags | O_NONBLOCK)
        input = stdinPipe.write
        output = stdoutPipe.read
    }

    /// The path to execute for `program`: itself when it holds a slash, else the first executable file of that
    /// name in `path`'s directories (`/usr/local/bin:/usr/bin:/bin` when unset), else `program` (which then fails).
    static func resolve(_ program: String, path: String?) -> String {
        guard !program.contains("/") else { return program }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(
            separator: ":", omittingEmptySubsequences: false)
        {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                return candidate
            }
        }
        return program
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

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because Swift's Glibc
    /// module does not declare it.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// A pipe with both ends close-on-exec.
    private static func pipe() throws(AIError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard fds.withUnsafeMutableBufferPointer({ Glibc.pipe($0.baseAddress) }) == 0 else {
            throw AIError(.io, "cannot make a pipe for an MCP server: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }
}
