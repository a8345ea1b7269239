import AIBase
import AIProviders
import AIWire
import ArgumentParser
import Glibc

/// Runs a tool's command: parses, runs, and turns every way out into one stderr line and an exit status.
package enum Tool {
    /// The entry point every `ai-*` executable calls from `main()`.
    ///
    /// `quick` reads the usual arguments without swift-argument-parser's start-up cost (see `QuickParse`); it
    /// returns nil for the rest. A lone `--version` is answered here for the same reason.
    package static func main<Command: ParsableCommand>(
        _ command: Command.Type, name: String, quick: (ArraySlice<String>) -> Command? = { _ in nil }
    ) -> Never {
        Diagnostics.configure(tool: name, quiet: false)
        Signals.install()
        let arguments = CommandLine.arguments.dropFirst()
        do {
            if arguments.count == 1, arguments.first == "--version", !Command.configuration.version.isEmpty {
                try JSONLWriter.standardOutput.write(bytes: Array((Command.configuration.version + "\n").utf8))
            } else if var command = quick(arguments) {
                try command.run()
            } else {
                var parsed = try Command.parseAsRoot()
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
            let code = Command.exitCode(for: error)
            if code == .success {
                let text = Command.fullMessage(for: error)
                try? JSONLWriter.standardOutput.write(bytes: Array((text + "\n").utf8))
                finish(0)
            }
            var message = Command.message(for: error)
            if let first = message.first { message = first.lowercased() + message.dropFirst() }
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
            Diagnostics.error(firstLine, hints: ["see '\(name) --help'"])
            finish(ExitStatus.usage.rawValue)
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
