import AIBase
import Glibc

/// What `exec` found to run: the command, ready to replace this process, or a program that is not there.
package enum ExecPreparation {
    /// The command, with the key in its environment entry.
    case ready(PreparedCommand)
    /// No executable of that name in `PATH` (or at that path): the command layer says so and exits 127.
    case commandNotFound(program: String)
}

extension KeysService {
    /// `exec NAME -- CMD…`: checks the variable and the name, finds CMD, then fetches the key (recording an `exec`
    /// access), in that order, so that a typo costs no passphrase. The `--passphrase-fd` descriptor is made
    /// close-on-exec at once, whether the key then comes from the agent or the vault: CMD never inherits it.
    /// - Throws: `AIError` (`usage` for no command, a bad variable or one in `refusedVariables`, and what `fetch`
    ///   throws).
    package func prepareExec(_ name: String, variable: String?, command: [String]) throws(AIError) -> ExecPreparation {
        if let passphraseDescriptor { Passphrase.closeOnExec(passphraseDescriptor) }
        guard let program = command.first else { throw AIError(.usage, "no command to run after --") }
        let variable = variable ?? Self.defaultVariable(for: name)
        guard Self.isValidVariable(variable) else {
            throw AIError(.usage, "invalid environment variable name '\(variable)'")
        }
        guard !Self.isRefusedVariable(variable) else {
            throw AIError(
                .usage,
                "refusing to put a key in \(variable): the dynamic loader, the C library or the shell acts on it",
                hints: ["name another variable with --env"])
        }
        try checkName(name)
        guard let path = Self.findExecutable(program, environment: environment) else {
            return .commandNotFound(program: program)
        }
        let secret = try fetch(name, action: "exec")
        let entry = try Self.keys { () throws(KeysError) in
            try PreparedCommand.entry(variable: variable, secret: secret)
        }
        return .ready(PreparedCommand(path: path, arguments: command, variable: variable, entry: entry))
    }

    /// `OPENAI_API_KEY` for `openai`, `ANTHROPIC_API_KEY` for `anthropic`, else NAME upper-cased with `-` and `.`
    /// as `_`, plus `_API_KEY`.
    package static func defaultVariable(for name: String) -> String {
        let upper = name.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 }
        return String(upper) + "_API_KEY"
    }

    /// Whether `name` is a portable variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    package static func isValidVariable(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F
                || ($0 >= 0x61 && $0 <= 0x7A)
        }
    }

    /// The variables `exec` never puts a key in: the dynamic loader's and the C library's, which change what
    /// runs or print their value (`ld.so` reports a bad `LD_PRELOAD` on stderr), and the shell's control
    /// variables, which change what a shell runs or where. Every name starting with a prefix in
    /// `refusedVariablePrefixes` is refused too.
    package static let refusedVariables: Set<String> = [
        "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE",
        "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZ", "TZDIR", "LANG", "LANGUAGE",
        "PATH", "HOME", "SHELL", "IFS", "ENV", "BASH_ENV", "BASHOPTS", "SHELLOPTS", "CDPATH", "GLOBIGNORE", "PS1",
        "PS2", "PS4", "PROMPT_COMMAND",
    ]

    /// The prefixes of refused variables: the loader's `LD_`, the locale's `LC_`, bash's exported functions.
    package static let refusedVariablePrefixes = ["LD_", "LC_", "BASH_FUNC_"]

    /// Whether `exec` refuses to put a key in `variable` (`refusedVariables`, `refusedVariablePrefixes`).
    package static func isRefusedVariable(_ variable: String) -> Bool {
        refusedVariables.contains(variable) || refusedVariablePrefixes.contains { variable.hasPrefix($0) }
    }

    /// `program` itself when it holds a `/` and is executable, else the first executable regular file of that name
    /// in `PATH` (default `/usr/local/bin:/usr/bin:/bin`).
    package static func findExecutable(_ program: String, environment: Environment) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = String(directory) + "/" + program
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}

/// A command that replaces this process with one key in its environment (the only place a key is put there).
///
/// The key goes into the new program's environment only (readable by the same uid through `/proc/PID/environ`:
/// documented, and the reason the suite's own tools ask the agent instead). The signal mask and SIGPIPE are put
/// back to their defaults first, since the tools block SIGINT/SIGTERM and ignore SIGPIPE.
package final class PreparedCommand {
    /// The executable's path.
    package let path: String
    /// The arguments, argv[0] first.
    package let arguments: [String]
    /// The variable that gets the key.
    package let variable: String
    private let entry: SecretBytes

    init(path: String, arguments: [String], variable: String, entry: SecretBytes) {
        self.path = path
        self.arguments = arguments
        self.variable = variable
        self.entry = entry
    }

    /// `variable=secret` and a NUL, in locked memory.
    /// - Throws: `KeysError.outOfMemory`.
    static func entry(variable: String, secret: SecretBytes) throws(KeysError) -> SecretBytes {
        let prefix = Array((variable + "=").utf8)
        let entry = try SecretBytes(count: prefix.count + secret.count + 1)
        entry.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            prefix.withUnsafeBytes { if let from = $0.baseAddress { base.copyMemory(from: from, byteCount: $0.count) } }
            secret.withUnsafeBytes { source in
                if let from = source.baseAddress {
                    (base + prefix.count).copyMemory(from: from, byteCount: source.count)
                }
            }
            buffer[buffer.count - 1] = 0
        }
        return entry
    }

    /// Execs the command with this process's environment (less any `variable=` entry) plus `variable=secret`.
    /// - Returns: only when `execve` failed: its errno (SIGPIPE is ignored again then).
    package func replaceProcess() -> Int32 {
        let prefixLength = variable.utf8.count + 1
        var environment: [UnsafeMutablePointer<CChar>?] = []
        var pointer = environ
        while let current = pointer.pointee {
            if strncmp(current, variable + "=", prefixLength) != 0 { environment.append(current) }
            pointer += 1
        }
        let argv = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        signal(SIGPIPE, SIG_DFL)
        entry.withUnsafeMutableBytes { buffer in
            environment.append(buffer.baseAddress?.assumingMemoryBound(to: CChar.self))
            environment.append(nil)
            _ = (argv + [nil]).withUnsafeBufferPointer { arguments in
                environment.withUnsafeBufferPointer { variables in
                    guard let argumentBase = arguments.baseAddress, let variableBase = variables.baseAddress else {
                        return Int32(-1)
                    }
                    return execve(path, argumentBase, variableBase)
                }
            }
        }
        let code = errno
        signal(SIGPIPE, SIG_IGN)
        return code
    }
}
