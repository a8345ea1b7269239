import AIBase
import AIProviders
import AIWire
import ArgumentParser

/// The `ai-keys` subcommands, declared here so the executable stays a list; each `run` is one call into
/// `KeysCommand` or `KeysAgent`.
package enum KeysCommands {
    /// Every subcommand, in the order `--help` lists them.
    package static let all: [any ParsableCommand.Type] = [
        KeysInitCommand.self, KeysSetCommand.self, KeysGetCommand.self, KeysRemoveCommand.self,
        KeysListCommand.self, KeysPasswdCommand.self, KeysAgentCommand.self, KeysUnlockCommand.self,
        KeysLockCommand.self, KeysStatusCommand.self, KeysAuditCommand.self, KeysExecCommand.self,
    ]

    /// The root command's discussion: files, environment, exit status (the man page's sections, in brief).
    package static let discussion = """
        Keys live in one encrypted file (XChaCha20-Poly1305 under a random data key wrapped by an Argon2id key \
        from your passphrase; format: docs/vault-format.md). The suite's tools find a provider's key in its \
        environment variable, then the agent, then the vault.

        The passphrase comes from --passphrase-fd N, from the file named by AI_PASSPHRASE_FILE (yours, mode \
        0600), or from a prompt on /dev/tty; never from stdin, arguments or another variable.

        FILES: $AI_VAULT or $XDG_DATA_HOME/ai/vault (0600, directory 0700) and vault.lock next to it; \
        $XDG_STATE_HOME/ai/audit.jsonl; the agent socket $AI_KEYS_SOCK, else \
        $XDG_RUNTIME_DIR/ai-keys/agent.sock (else /run/user/UID/ai-keys/agent.sock).

        EXIT STATUS: 0 ok; 1 status: locked; 64 usage; 65 vault corrupted or tampered; 66 no vault; \
        69 no agent; 74 I/O error; 75 vault busy; 77 wrong passphrase, or locked with no way to unlock here; \
        78 no such key, unsafe permissions, untrusted agent.
        """
}

/// `ai-keys init`.
package struct KeysInitCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create an empty vault protected by a new passphrase.")

    /// The vault and passphrase options.
    @OptionGroup package var options: KeysOptions
    /// The KDF cost options.
    @OptionGroup package var kdf: KDFOptions

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.initialize(options, kdf: kdf) }
}

/// `ai-keys set NAME`.
package struct KeysSetCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Store a key, read from stdin when piped, else typed without echo.")

    /// The key's name.
    @Argument(help: "The key's name (for a provider, its name: openai, anthropic, …).")
    package var name: String
    /// The vault and passphrase options.
    @OptionGroup package var options: KeysOptions

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.set(name, options: options) }
}

/// `ai-keys get NAME`.
package struct KeysGetCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print one key, for scripts (from the agent when unlocked).")

    /// The key's name.
    @Argument(help: "The key's name.")
    package var name: String
    /// `--reveal`: print even to a terminal.
    @Flag(help: "Print the key even when stdout is a terminal.")
    package var reveal = false
    /// The vault and passphrase options.
    @OptionGroup package var options: KeysOptions

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.get(name, reveal: reveal, options: options) }
}

/// `ai-keys rm NAME`.
package struct KeysRemoveCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a key.")

    /// The key's name.
    @Argument(help: "The key's name.")
    package var name: String
    /// The vault and passphrase options.
    @OptionGroup package var options: KeysOptions

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.remove(name, options: options) }
}

/// `ai-keys list`.
package struct KeysListCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List keys as JSON lines: name, fingerprint, created, updated (never the key).")

    /// The vault and passphrase options.
    @OptionGroup package var options: KeysOptions

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.list(options) }
}

/// `ai-keys passwd`.
package struct KeysPasswdCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "passwd", abstract: "Change the passphrase (and the data key under it).")

    /// The vault and passphrase options.
    @OptionGroup package var options: KeysOptions
    /// `--new-passphrase-fd N`: the descriptor the new passphrase is read from.
    @Option(
        name: .customLong("new-passphrase-fd"),
        help: ArgumentHelp(
            "Read the new passphrase's first line from this descriptor (3 or more).", valueName: "n"))
    package var newPassphraseFD: Int32?
    /// The KDF cost options.
    @OptionGroup package var kdf: KDFOptions

    /// The command with its defaults.
    package init() {}

    /// Refuses values outside the documented ranges.
    /// - Throws: `ValidationError` (exit 64).
    package func validate() throws {
        try checkPassphraseFD(newPassphraseFD, "--new-passphrase-fd")
    }

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws {
        try KeysCommand.changePassphrase(options, newPassphraseFD: newPassphraseFD, kdf: kdf)
    }
}

/// `ai-keys unlock`.
package struct KeysUnlockCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Unlock the running agent with the vault's passphrase.")

    /// `--ttl DURATION`: the hard TTL.
    @OptionGroup package var options: KeysOptions
    @Option(help: ArgumentHelp("Lock after this long (at most the agent's --ttl), e.g. 8h.", valueName: "duration"))
    package var ttl: KeysDuration?
    /// `--idle-ttl DURATION`: the idle TTL.
    @Option(
        name: .customLong("idle-ttl"),
        help: ArgumentHelp(
            "Lock after this long unused (at most the agent's --idle-ttl).", valueName: "duration"))
    package var idleTTL: KeysDuration?

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.unlock(options, ttl: ttl, idleTTL: idleTTL) }
}

/// `ai-keys lock`.
package struct KeysLockCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "Make the agent forget its key now.")

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
    package func run() throws { try KeysCommand.lock() }
}

/// `ai-keys status`.
package struct KeysStatusCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the agent's state as a JSON line; exit 1 when locked.")

    /// The vault and passphrase options.
    @OptionGroup package var options: KeysOptions

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.status(options) }
}

/// `ai-keys audit`.
package struct KeysAuditCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Print the audit log: one JSON line per key access.")

    /// The key's name.
    @Option(help: ArgumentHelp("Only the lines about this key.", valueName: "name"))
    package var name: String?
    /// `-n/--last N`: only the last N lines.
    @Option(name: [.customShort("n"), .long], help: ArgumentHelp("Only the last N lines.", valueName: "n"))
    package var last: Int?

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws { try KeysCommand.audit(name: name, last: last) }
}

/// `ai-keys exec NAME -- CMD…`.
package struct KeysExecCommand: ParsableCommand {
    /// The command's name, summary and help.
    package static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command with one key in its environment.",
        discussion: """
            The key is put in the variable --env names (default: NAME upper-cased plus _API_KEY, so openai gives \
            OPENAI_API_KEY), never in one the loader, the C library or a shell acts on (LD_*, LC_*, PATH, HOME, \
            IFS, BASH_ENV…). The --passphrase-fd descriptor is closed on exec: CMD never inherits it. A process's \
            environment is readable by the same user through /proc: prefer letting the suite's tools ask the agent.
            """)

    /// The key's name.
    @Argument(help: "The key's name.")
    package var name: String
    /// `--env NAME`: the variable `exec` sets.
    @Option(name: .customLong("env"), help: ArgumentHelp("The variable to set.", valueName: "name"))
    package var variable: String?
    /// The command `exec` runs, after `--`.
    @OptionGroup package var options: KeysOptions
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    package var command: [String] = []

    /// The command with its defaults.
    package init() {}

    /// Runs the command.
    /// - Throws: `AIError` (or `ExitCode`) with the documented exit status.
    package func run() throws {
        try KeysCommand.exec(name, variable: variable, command: command, options: options)
    }
}
