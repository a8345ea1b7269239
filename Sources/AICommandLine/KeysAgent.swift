import AIBase
import AIKeys
import AIProviders
import AIWire
import ArgumentParser
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

/// Starting, running and stopping the agent process: `KeysService` does the work, this prints the lines `eval`
/// reads and picks the exit status.
package enum KeysAgent {
    /// Runs `ai-keys agent` as its flags ask.
    /// - Throws: `AIError`; `ExitCode` with the background agent's status when it failed to start.
    package static func run(_ command: KeysAgentCommand) throws {
        let service = KeysService(
            environment: Environment.current(), reporter: StandardErrorReporter(), vault: command.vault)
        if command.kill {
            let pid = try service.stopAgent()
            let lines = "unset AI_KEYS_SOCK;\nunset AI_KEYS_AGENT_PID;\necho Agent pid \(pid) killed;\n"
            return try JSONLWriter.standardOutput.write(bytes: Array(lines.utf8))
        }
        let configuration = try service.agentConfiguration(
            socket: command.socket, idleTTL: command.idleTTL.ttl, hardTTL: command.ttl.ttl)
        let socket = configuration.socketPath
        if command.foreground || command.readyFD != nil {
            let server = try service.bindAgent(configuration)
            Signals.onInterrupt { _ = unlink(socket) }
            if command.readyFD == nil {
                try JSONLWriter.standardOutput.write(bytes: Array(exports(socket: socket, pid: getpid()).utf8))
            }
            service.serveAgent(server, readyDescriptor: command.readyFD)
            return
        }
        let launch = try service.launchAgent(
            configuration, ttl: command.ttl.argument, idleTTL: command.idleTTL.argument, quiet: command.quiet)
        switch launch {
        case .failed(let status):
            throw ExitCode(status)
        case .running(let pid):
            try JSONLWriter.standardOutput.write(bytes: Array(exports(socket: socket, pid: pid).utf8))
        }
    }

    /// The lines `eval` reads (`ssh-agent -s` style).
    package static func exports(socket: String, pid: Int32) -> String {
        let plain = socket.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@%".contains($0) }
        let escaped = socket.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''")
        let quoted = plain ? socket : "'" + escaped + "'"
        return "AI_KEYS_SOCK=\(quoted); export AI_KEYS_SOCK;\nAI_KEYS_AGENT_PID=\(pid); export AI_KEYS_AGENT_PID;\n"
    }
}
