import AIBase
import AIWire
import Glibc
import Synchronization

/// `tool: error: …`, `tool: warning: …` and `tool: hint: …` lines on stderr (age's grammar).
package enum Diagnostics {
    private static let state = Mutex<(tool: String, quiet: Bool)>((tool: "ai", quiet: false))

    /// Sets the tool name that prefixes every line and whether warnings are silenced (`-q`).
    package static func configure(tool: String, quiet: Bool) {
        state.withLock { $0 = (tool: tool, quiet: quiet) }
    }

    /// Silences warnings (`-q`), once the options are parsed.
    package static func setQuiet(_ quiet: Bool) {
        state.withLock { $0.quiet = quiet }
    }

    /// The tool's name, as configured.
    package static var tool: String { state.withLock { $0.tool } }

    /// Prints an error line, then its hints.
    package static func error(_ message: String, hints: [String] = []) {
        emit("error", message)
        for hint in hints { emit("hint", hint) }
    }

    /// Prints a warning unless `-q` was given.
    package static func warning(_ message: String) {
        if state.withLock({ $0.quiet }) { return }
        emit("warning", message)
    }

    /// Prints a notice unless `-q` was given.
    package static func notice(_ message: String) {
        if state.withLock({ $0.quiet }) { return }
        emit("notice", message)
    }

    /// Prints a hint line.
    package static func hint(_ message: String) {
        emit("hint", message)
    }

    private static func emit(_ level: String, _ message: String) {
        let flattened = message.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        let line = Array("\(tool): \(level): \(flattened)\n".utf8)
        _ = line.withUnsafeBytes { JSONLWriter.writeAll(2, $0) }
    }
}

/// The reporter the tools give the library: its warnings and errors become `Diagnostics` lines on stderr.
package struct StandardErrorReporter: Reporter {
    /// A reporter for the tool `Diagnostics` was configured with.
    package init() {}

    package var tool: String { Diagnostics.tool }

    package func warning(_ message: String) {
        Diagnostics.warning(message)
    }

    package func notice(_ message: String) {
        Diagnostics.notice(message)
    }

    package func error(_ message: String, hints: [String]) {
        Diagnostics.error(message, hints: hints)
    }
}
