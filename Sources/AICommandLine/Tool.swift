import AIBase
import AIProviders
import AIWire
import ArgumentParser
import Glibc

/// Runs a tool's command: parses, runs, and turns every way out into one stderr line and an exit status.
package enum Tool {
    /// The entry point every `ai-*` executable calls from `main()`.
    ///
    /// The arguments are first read as getopt reads one-letter options (`shortOptions`, see `ShortOptions`).
    /// `quick` reads the usual arguments without swift-argument-parser's start-up cost (see `QuickParse`); it
    /// returns nil for the rest. A lone `--version` is answered here for the same reason.
    package static func main<Command: ParsableCommand>(
        _ command: Command.Type, name: String, shortOptions: @autoclosure () -> ShortOptions,
        quick: (ArraySlice<String>) -> Command? = { _ in nil }
    ) -> Never {
        openClosedStandardDescriptors()
        Diagnostics.configure(tool: name, quiet: false)
        Signals.install()
        let given = CommandLine.arguments.dropFirst()
        // The letter tables are built only when an argument could be a group or carry an attached value.
        let arguments = ShortOptions.mayRewrite(given) ? shortOptions().normalized(given) : Array(given)
        do {
            if arguments.count == 1, arguments.first == "--version", !Command.configuration.version.isEmpty {
                try JSONLWriter.standardOutput.write(bytes: Array((Command.configuration.version + "\n").utf8))
            } else if var command = quick(arguments[...]) {
                try command.run()
            } else {
                var parsed = try Command.parseAsRoot(arguments)
                try parsed.run()
            }
            finish(0)
        } catch let error as AIError {
            Diagnostics.error(error.message, hints: error.hints)
            finish(error.exitStatus.rawValue)
        } catch let exit as ExitCode {
            finish(exit.rawValue)
        } catch is OutputClosed {
            finish(0)
        } catch {
            finish(report(error, of: Command.self, name: name, arguments: arguments))
        }
    }

    /// Reports what swift-argument-parser threw and returns the exit status: the help, version or completion
    /// script on stdout when the arguments asked for it, else one usage error with hints on stderr.
    ///
    /// swift-argument-parser also answers a command with subcommands given none (`ai-keys`) with its help on
    /// stdout and status 0; that is a usage error here, since stdout is data (DESIGN §3).
    private static func report<Command: ParsableCommand>(
        _ error: any Error, of command: Command.Type, name: String, arguments: [String]
    ) -> Int32 {
        guard Command.exitCode(for: error) == .success else {
            let usage = UsageMessage(Command.message(for: error))
            Diagnostics.error(usage.message, hints: usage.hints + ["see '\(name) --help'"])
            return ExitStatus.usage.rawValue
        }
        let asked = arguments.prefix { $0 != "--" }.contains { argument in
            ["-h", "--help", "help", "--version", "--experimental-dump-help"].contains(argument)
                || argument.hasPrefix("--generate-completion-script")
        }
        guard asked else {
            let subcommands = Command.configuration.subcommands.map { $0._commandName }
            Diagnostics.error(
                "missing subcommand",
                hints: ["give one of: " + subcommands.joined(separator: ", "), "see '\(name) --help'"])
            return ExitStatus.usage.rawValue
        }
        do {
            try JSONLWriter.standardOutput.write(bytes: Array((Command.fullMessage(for: error) + "\n").utf8))
        } catch let error as AIError {
            Diagnostics.error(error.message, hints: error.hints)
            return error.exitStatus.rawValue
        } catch {
            return 0  // the reader went away (`OutputClosed`)
        }
        return 0
    }

    /// Opens `/dev/null` on each of descriptors 0, 1 and 2 that the process started without.
    ///
    /// Otherwise the next descriptor opened (a libcurl socket, the vault) would take the number, and the output
    /// meant for stdout would go into it. Descriptor 0 is opened write-only and 1 and 2 read-only, so reading
    /// stdin or writing stdout or stderr still fails with EBADF as on the closed descriptor: a closed stdout
    /// is an I/O error (74), a closed stdin too, and a closed stderr silences the messages, not the exit status.
    /// Children (`ai-keys exec`) inherit the same.
    private static func openClosedStandardDescriptors() {
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", descriptor == 0 ? O_WRONLY : O_RDONLY)
            if opened > descriptor {
                _ = dup2(opened, descriptor)
                _ = close(opened)
            }
        }
    }

    /// Ends the process with `status` without running atexit handlers.
    ///
    /// Worker threads (batch jobs, provider probes) may still be unwinding their libcurl handles; `exit`
    /// would run OpenSSL's cleanup underneath them (a double free seen under load). Every output the tools
    /// promise is already written with `write(2)` or fsynced, so only stdio buffers need a flush.
    package static func finish(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }
}
