import AIBase
import AIKeys
import AIProviders
import AIWire
import ArgumentParser
import CSystem
import Glibc

/// `ai-keys agent`.
package struct KeysAgentCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Start the unlock agent and print its environment (like ssh-agent -s).",
        discussion: """
            Prints AI_KEYS_SOCK=…; export AI_KEYS_SOCK; and AI_KEYS_AGENT_PID=…; export AI_KEYS_AGENT_PID; for \
            eval, then runs in the background (-D: in the foreground, logging to stderr). Unlock it with \
            'ai-keys unlock'. It locks after --idle-ttl without use and --ttl after the unlock (0: never), on a \
            clock that counts suspend; 'ai-keys lock' or SIGUSR1 lock it at once; -k stops the agent named by \
            AI_KEYS_AGENT_PID. It answers only processes of its own uid and never writes the vault.
            """)

    /// `-D`: serve in the foreground.
    @Flag(name: .customShort("D"), help: "Stay in the foreground and log to stderr.")
    package var foreground = false
    /// `-k`: stop the agent named by `AI_KEYS_AGENT_PID`.
    @Flag(name: .customShort("k"), help: "Stop the agent named by AI_KEYS_AGENT_PID.")
    package var kill = false
    /// `-a/--socket PATH`: the socket path.
    @Option(
        name: [.customShort("a"), .customLong("socket")],
        help: ArgumentHelp(
            "The socket (default: $AI_KEYS_SOCK, else $XDG_RUNTIME_DIR/ai-keys/agent.sock).", valueName: "path"))
    package var socket: String?
    /// `--ttl DURATION`: the hard TTL.
    @Option(help: ArgumentHelp("Lock this long after an unlock, e.g. 90m, 8h; 0: never.", valueName: "duration"))
    package var ttl = KeysDuration(seconds: UInt32(AgentConfiguration.defaultHardTTL))
    /// `--idle-ttl DURATION`: the idle TTL.
    @Option(
        name: .customLong("idle-ttl"),
        help: ArgumentHelp(
            "Lock after this long without a request; 0: never.", valueName: "duration"))
    package var idleTTL = KeysDuration(seconds: UInt32(AgentConfiguration.defaultIdleTTL))
    /// `--vault PATH`: the vault file instead of `$AI_VAULT` or the default.
    @Option(
        name: .customLong("vault"),
        help: ArgumentHelp(
            "The vault (default: $AI_VAULT, else "
                + "$XDG_DATA_HOME/ai/vault).", valueName: "path"))
    package var vault: String?
    /// `--ready-fd N` (internal): where a background agent reports that it listens.
    @Option(name: .customLong("ready-fd"), help: .hidden)
    package var readyFD: Int32?
    /// `-q`: no warnings.
    @Flag(name: .shortAndLong, help: "Silence warnings (never errors).")
    package var quiet = false

    /// The command with its defaults.
    package init() {}

    /// Applies `-q`.
    /// - Throws: nothing today (`ValidationError` for future checks).
    package func validate() throws { Diagnostics.setQuiet(quiet) }

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysAgent.run(self) }
}

/// Starting, running and stopping the agent process.
package enum KeysAgent {
    /// Runs `ai-keys agent` as its flags ask.
    /// - Throws: `AIError`; `ExitCode` with the background agent's status when it failed to start.
    package static func run(_ command: KeysAgentCommand) throws {
        let environment = Environment.current()
        if command.kill { return try stop(environment) }
        let socket = command.socket ?? KeysPaths.agentSocket(environment)
        guard socket.hasPrefix("/") else { throw AIError(.usage, "the agent socket path must be absolute") }
        let configuration = AgentConfiguration(
            socketPath: socket, vault: VaultLocation(environment: environment, override: command.vault),
            idleTTL: command.idleTTL.ttl, hardTTL: command.ttl.ttl, audit: AuditLog(environment: environment))
        if command.foreground || command.readyFD != nil {
            try serve(configuration, readyFD: command.readyFD)
        } else {
            try launch(command, configuration: configuration, environment: environment)
        }
    }

    /// Hardens the process, binds the socket, announces itself and serves until told to stop.
    private static func serve(_ configuration: AgentConfiguration, readyFD: Int32?) throws {
        if !AgentServer.hardenProcess() { Diagnostics.warning("cannot make the agent non-dumpable") }
        let server = AgentServer(configuration: configuration)
        server.log = { Diagnostics.warning($0) }
        try KeysCommand.keys { () throws(KeysError) in try server.bind() }
        let probe = try KeysCommand.keys { () throws(KeysError) in try SecretBytes(count: 32) }
        if !probe.lockInMemory() {
            Diagnostics.warning("memory could not be locked (RLIMIT_MEMLOCK): secrets may be swapped out")
        }
        if configuration.hardTTL == nil {
            Diagnostics.warning("no --ttl: keys stay unlocked until 'ai-keys lock' or the idle ttl")
        }
        let socket = configuration.socketPath
        Signals.onInterrupt { _ = unlink(socket) }
        _ = chdir("/")
        if let readyFD {
            Array("ready\n".utf8).withUnsafeBytes { _ = KeysFileSystem.writeAll(readyFD, $0) }
            KeysFileSystem.closeQuietly(readyFD)
            let null = open("/dev/null", O_RDWR | O_CLOEXEC)
            if null >= 0 {
                _ = dup2(null, 2)
                KeysFileSystem.closeQuietly(null)
            }
            server.log = { _ in }
        } else {
            try JSONLWriter.standardOutput.write(bytes: Array(exports(socket: socket, pid: getpid()).utf8))
        }
        server.serve()
    }

    /// Starts `ai-keys agent --ready-fd 3 …` in a new session and prints its variables once it listens.
    private static func launch(
        _ command: KeysAgentCommand, configuration: AgentConfiguration,
        environment: Environment
    ) throws {
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
        let executable = selfExecutable()
        var arguments = [
            executable, "agent", "--ready-fd", "3", "--socket", configuration.socketPath,
            "--vault", configuration.vault.path, "--ttl", command.ttl.argument,
            "--idle-ttl", command.idleTTL.argument,
        ]
        if command.quiet { arguments.append("-q") }
        var variables = environment.values.filter { $0.key != "SWIFT_BACKTRACE" }.map { "\($0.key)=\($0.value)" }
        variables.append("SWIFT_BACKTRACE=enable=no")
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
            throw ExitCode(code == 0 ? ExitStatus.software.rawValue : code)
        }
        try JSONLWriter.standardOutput.write(bytes: Array(exports(socket: configuration.socketPath, pid: pid).utf8))
    }

    /// `ai-keys agent -k`: stops the agent named by AI_KEYS_AGENT_PID and prints the `unset` lines.
    private static func stop(_ environment: Environment) throws {
        guard let text = environment["AI_KEYS_AGENT_PID"], let pid = Int32(text), pid > 0 else {
            throw AIError(.usage, "AI_KEYS_AGENT_PID is not set; cannot stop the agent")
        }
        guard processName(pid) == "ai-keys" else {
            throw AIError(.usage, "process \(pid) is not an ai-keys agent")
        }
        guard Glibc.kill(pid, SIGTERM) == 0 else {
            throw AIError(.io, "cannot stop the agent (pid \(pid)): \(KeysFileSystem.describe())")
        }
        let deadline = Monotonic.now() + 5
        while processName(pid) != nil, Monotonic.now() < deadline { usleep(10_000) }
        let lines = "unset AI_KEYS_SOCK;\nunset AI_KEYS_AGENT_PID;\necho Agent pid \(pid) killed;\n"
        try JSONLWriter.standardOutput.write(bytes: Array(lines.utf8))
    }

    /// The `comm` of a live (not zombie) process, or nil.
    private static func processName(_ pid: Int32) -> String? {
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

    /// The lines `eval` reads (`ssh-agent -s` style).
    package static func exports(socket: String, pid: Int32) -> String {
        let plain = socket.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@%".contains($0) }
        let escaped = socket.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''")
        let quoted = plain ? socket : "'" + escaped + "'"
        return "AI_KEYS_SOCK=\(quoted); export AI_KEYS_SOCK;\nAI_KEYS_AGENT_PID=\(pid); export AI_KEYS_AGENT_PID;\n"
    }

    private static func selfExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments.first ?? "ai-keys" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
