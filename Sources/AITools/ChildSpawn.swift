import Glibc

/// Starting a child the way command tools and MCP servers both start: argv exactly as given (never a shell), its
/// program looked up on the child's own `PATH` as `execvp` would, exactly the environment given, its stdin and
/// stdout on pipes to us, its stderr where the caller says (else `/dev/null`), no other descriptor of ours, default
/// signal handling, and a process group of its own (so its whole group can be ended).
enum ChildSpawn {
    /// A started child: its pid (also its group's id), our write end of its stdin and our read end of its stdout.
    struct Child {
        var pid: pid_t
        var stdin: Int32
        var stdout: Int32
    }

    /// Starts `argv`.
    /// - Parameters:
    ///   - environment: `NAME=value` entries, exactly what the child gets.
    ///   - path: the child's `PATH`, where a program without a slash is looked up.
    ///   - errorOutput: the descriptor the child's stderr is, or nil for `/dev/null`.
    ///   - launch: runs the spawn it is given (a command tool's runs under the lock that SIGINT takes).
    /// - Returns: the child, or the errno that stopped it (0 when `launch` did not start it).
    static func start(
        argv: [String], environment: [String], path: String?, errorOutput: Int32?,
        launch: (() -> (pid: pid_t?, failure: Int32)) -> (pid: pid_t?, failure: Int32) = { $0() }
    ) -> Result<Child, SpawnFailure> {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard makePipe(&input) else { return .failure(SpawnFailure(number: errno)) }
        guard makePipe(&output) else {
            let number = errno
            close(input[0])
            close(input[1])
            return .failure(SpawnFailure(number: number))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        if let errorOutput {
            if errorOutput != 2 { posix_spawn_file_actions_adddup2(&actions, errorOutput, 2) }
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // Descriptors another thread opened without close-on-exec (or just before setting it) stay with us.
        if let addCloseFrom { _ = addCloseFrom(&actions, 3) }

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

        let program = resolve(argv[0], path: path)
        let arguments = argv.map { strdup($0) }
        let entries = environment.map { strdup($0) }
        defer {
            arguments.forEach { free($0) }
            entries.forEach { free($0) }
        }
        let launched = launch {
            var pid: pid_t = 0
            let result = (arguments + [nil]).withUnsafeBufferPointer { argvPointer in
                (entries + [nil]).withUnsafeBufferPointer { envPointer in
                    guard let argvBase = argvPointer.baseAddress, let envBase = envPointer.baseAddress else {
                        return EINVAL
                    }
                    return posix_spawn(&pid, program, &actions, &attributes, argvBase, envBase)
                }
            }
            return result == 0 ? (pid, 0) : (nil, result)
        }
        close(input[0])
        close(output[1])
        guard let pid = launched.pid else {
            close(input[1])
            close(output[0])
            return .failure(SpawnFailure(number: launched.failure))
        }
        return .success(Child(pid: pid, stdin: input[1], stdout: output[0]))
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

    /// A pipe whose ends close on exec (a child gets only what `dup2` gives it; other children starting at the same
    /// time get neither end, since every descriptor from 3 up is closed in them too).
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because Swift's Glibc
    /// module does not declare it: descriptors opened elsewhere without close-on-exec must not reach a child.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
}

/// Why a child did not start: the errno, or 0 when the run was stopping.
struct SpawnFailure: Error, CustomStringConvertible {
    let number: Int32

    var description: String { number == 0 ? "the run is being interrupted" : String(cString: strerror(number)) }
}
