import AIBase
import CSystem
import Glibc

/// How a background agent's start went.
package enum AgentLaunch: Sendable, Equatable {
    /// It listens: its pid.
    case running(pid: Int32)
    /// It exited before it listened, with this status (its own error line is already on stderr).
    case failed(status: Int32)
}

extension KeysService {
    /// The configuration of an agent on `socket` (else the environment's), serving this service's vault.
    /// - Throws: `AIError` (`usage` for a relative socket path).
    package func agentConfiguration(
        socket: String?, idleTTL: Double?, hardTTL: Double?
    ) throws(AIError)
        -> AgentConfiguration
    {
        let socket = socket ?? agentSocket
        guard socket.hasPrefix("/") else { throw AIError(.usage, "the agent socket path must be absolute") }
        return AgentConfiguration(
            socketPath: socket, vault: location, idleTTL: idleTTL, hardTTL: hardTTL, audit: auditLog)
    }

    /// Hardens the process (not dumpable, no core), binds the socket and says what it could not make safe: memory
    /// that cannot be locked, no hard TTL. The agent's log goes to the reporter until `serveAgent` detaches.
    /// - Throws: `AIError` (`config` when an agent runs there or the directory is unsafe, `io`).
    package func bindAgent(_ configuration: AgentConfiguration) throws(AIError) -> AgentServer {
        if !AgentServer.hardenProcess() { reporter.warning("cannot make the agent non-dumpable") }
        let server = AgentServer(configuration: configuration)
        let reporter = reporter
        server.log = { reporter.warning($0) }
        try Self.keys { () throws(KeysError) in try server.bind() }
        let probe = try Self.keys { () throws(KeysError) in try SecretBytes(count: 32) }
        if !probe.lockInMemory() {
            reporter.warning("memory could not be locked (RLIMIT_MEMLOCK): secrets may be swapped out")
        }
        if configuration.hardTTL == nil {
            reporter.warning("no --ttl: keys stay unlocked until 'ai-keys lock' or the idle ttl")
        }
        return server
    }

    /// Serves until the agent is told to stop. With `readyDescriptor` (a background agent) it first writes
    /// `ready` there, closes it, and points stderr at `/dev/null` with its log silenced.
    package func serveAgent(_ server: AgentServer, readyDescriptor: Int32?) {
        _ = chdir("/")
        if let readyDescriptor {
            Array("ready\n".utf8).withUnsafeBytes { _ = KeysFileSystem.writeAll(readyDescriptor, $0) }
            KeysFileSystem.closeQuietly(readyDescriptor)
            let null = open("/dev/null", O_RDWR | O_CLOEXEC)
            if null >= 0 {
                _ = dup2(null, 2)
                KeysFileSystem.closeQuietly(null)
            }
            server.log = { _ in }
        }
        server.serve()
    }

    /// Starts `ai-keys agent --ready-fd 3 …` (this executable) in a new session, with a clean environment
    /// (`agentEnvironment`), and waits until it listens. `ttl` and `idleTTL` are passed on as written; `quiet` adds
    /// `-q`.
    /// - Throws: `AIError` (`io` when the pipe or the process cannot be made).
    package func launchAgent(
        _ configuration: AgentConfiguration, ttl: String, idleTTL: String, quiet: Bool
    ) throws(AIError) -> AgentLaunch {
        var ends: [Int32] = [-1, -1]
        guard ends.withUnsafeMutableBufferPointer({ csystem_pipe_cloexec($0.baseAddress) }) == 0 else {
            throw AIError(.io, "cannot create a pipe: \(KeysFileSystem.describe())")
        }
        let readEnd = ends[0]
        var writeEnd = ends[1]
        defer { KeysFileSystem.closeQuietly(readEnd) }
        if writeEnd <= 3 {
            let moved = fcntl(writeEnd, F_DUPFD_CLOEXEC, 10)
            KeysFileSystem.closeQuietly(writeEnd)
            writeEnd = moved
        }
        let executable = Self.selfExecutable()
        var arguments = [
            executable, "agent", "--ready-fd", "3", "--socket", configuration.socketPath,
            "--vault", configuration.vault.path, "--ttl", ttl, "--idle-ttl", idleTTL,
        ]
        if quiet { arguments.append("-q") }
        let variables = Self.agentEnvironment(environment)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: Int32 = 0
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer in
                csystem_spawn_detached(&pid, executable, argvBuffer.baseAddress, envpBuffer.baseAddress, writeEnd)
            }
        }
        KeysFileSystem.closeQuietly(writeEnd)
        guard result == 0 else { throw AIError(.io, "cannot start the agent: \(KeysFileSystem.describe(result))") }
        let announcement = (try? KeysFileSystem.readAll(readEnd, limit: 64, path: "the agent")) ?? []
        guard announcement == Array("ready\n".utf8) else {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return .failed(status: code == 0 ? ExitStatus.software.rawValue : code)
        }
        return .running(pid: pid)
    }

    /// The variables a background agent keeps from its launcher: those naming where its files are, and the
    /// locale. Nothing else (provider keys, `AI_PASSPHRASE_FILE`, `LD_*`, `PATH`: it runs no program) reaches it.
    package static let agentVariables = [
        "HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "AI_VAULT", "AI_KEYS_SOCK", "LANG", "LC_ALL",
    ]

    /// A background agent's whole environment: `agentVariables` from `environment`, and Swift's crash backtraces off.
    package static func agentEnvironment(_ environment: Environment) -> [String] {
        agentVariables.compactMap { name in environment[name].map { "\(name)=\($0)" } } + ["SWIFT_BACKTRACE=enable=no"]
    }

    /// `agent -k`: stops the agent named by `AI_KEYS_AGENT_PID` (after checking it is `ai-keys`) and waits up to
    /// 5 s for it to exit.
    /// - Returns: its pid.
    /// - Throws: `AIError` (`usage` without the variable or for another process, `io` when it cannot be signalled).
    package func stopAgent() throws(AIError) -> Int32 {
        guard let text = environment["AI_KEYS_AGENT_PID"], let pid = Int32(text), pid > 0 else {
            throw AIError(.usage, "AI_KEYS_AGENT_PID is not set; cannot stop the agent")
        }
        guard Self.processName(pid) == "ai-keys" else {
            throw AIError(.usage, "process \(pid) is not an ai-keys agent")
        }
        guard Glibc.kill(pid, SIGTERM) == 0 else {
            throw AIError(.io, "cannot stop the agent (pid \(pid)): \(KeysFileSystem.describe())")
        }
        let deadline = Monotonic.now() + 5
        while Self.processName(pid) != nil, Monotonic.now() < deadline { usleep(10_000) }
        return pid
    }

    /// The `comm` of a live (not zombie) process, or nil.
    package static func processName(_ pid: Int32) -> String? {
        func contents(_ path: String) -> String? {
            guard let descriptor = try? KeysFileSystem.openForReading(path) else { return nil }
            defer { KeysFileSystem.closeQuietly(descriptor) }
            return (try? KeysFileSystem.readAll(descriptor, limit: 4096, path: path)).map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        guard let stat = contents("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        if stat[stat.index(after: close)...].trimmingPrefix(" ").hasPrefix("Z") { return nil }
        return contents("/proc/\(pid)/comm")?.split(separator: "\n").first.map(String.init)
    }

    private static func selfExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments.first ?? "ai-keys" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
