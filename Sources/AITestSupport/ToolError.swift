import AIBase
import AIWire

/// Why spawning, waiting for, or reading a tool failed.
package enum ToolError: Error, CustomStringConvertible, Sendable {
    /// No executable at this path (build the package first).
    case notFound(String)
    /// A system call failed while spawning or talking to the process.
    case system(SystemCallError)
    /// The process did not finish within the timeout and was killed; what it wrote so far.
    case timedOut(seconds: Double, partial: ToolResult)
    /// An expected line or text did not appear on an output stream within the timeout.
    case outputTimedOut(seconds: Double, waitingFor: String, soFar: [UInt8])
    /// A standard output line (1-based) was not JSON.
    case notJSON(line: Int, text: String, reason: String)
    /// `writeStdin`/`closeStdin` on a process not spawned with `.pipe` standard input.
    case stdinNotPiped

    /// A readable explanation, with the captured output for timeouts.
    package var description: String {
        switch self {
        case .notFound(let path):
            return "no executable at \(path) (was the package built?)"
        case .system(let error):
            return error.description
        case .timedOut(let seconds, let partial):
            return "process did not finish within \(seconds) s and was killed\n"
                + "stdout so far: \(ToolError.excerpt(partial.stdout))\n"
                + "stderr so far: \(ToolError.excerpt(partial.stderr))"
        case .outputTimedOut(let seconds, let waitingFor, let soFar):
            return "no \(waitingFor) within \(seconds) s; output so far: \(ToolError.excerpt(soFar))"
        case .notJSON(let line, let text, let reason):
            return "stdout line \(line) is not JSON (\(reason)): \(text.prefix(500))"
        case .stdinNotPiped:
            return "standard input is not a pipe (spawn with stdin: .pipe)"
        }
    }

    private static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.suffix(2000), as: UTF8.self)
        return bytes.count > 2000 ? "…" + text : text
    }
}
