import ArgumentParser
import Glibc

/// Runs a tool's command: parses, runs, and turns every way out into one stderr line and an exit status.
package enum Tool {
    /// The entry point every `ai-*` executable calls from `main()`.
    package static func main<Command: ParsableCommand>(_ command: Command.Type, name: String) -> Never {
        Diagnostics.configure(tool: name, quiet: false)
        Signals.install()
        do {
            var parsed = try Command.parseAsRoot()
            try parsed.run()
            exit(0)
        } catch let error as AIError {
            Diagnostics.error(error.message, hints: error.hints)
            exit(error.exitStatus.rawValue)
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch is OutputClosed {
            exit(0)
        } catch {
            let code = Command.exitCode(for: error)
            if code == .success {
                let text = Command.fullMessage(for: error)
                try? JSONLWriter.standardOutput.write(bytes: Array((text + "\n").utf8))
                exit(0)
            }
            var message = Command.message(for: error)
            if let first = message.first { message = first.lowercased() + message.dropFirst() }
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
            Diagnostics.error(firstLine, hints: ["see '\(name) --help'"])
            exit(ExitStatus.usage.rawValue)
        }
    }
}
