import AIBase
import AIWire

/// How a spawned tool ended and what it wrote.
package struct ToolResult: Sendable {
    /// The exit code, or 128 + the signal number when a signal killed the process.
    package var status: Int32
    /// The signal that killed the process, if one did.
    package var terminatingSignal: Int32?
    /// Everything written to standard output.
    package var stdout: [UInt8]
    /// Everything written to standard error.
    package var stderr: [UInt8]
    /// Seconds from spawn to exit (monotonic).
    package var elapsed: Double

    /// A result with the given parts.
    package init(status: Int32, terminatingSignal: Int32? = nil, stdout: [UInt8], stderr: [UInt8], elapsed: Double) {
        self.status = status
        self.terminatingSignal = terminatingSignal
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed
    }

    /// Standard output decoded as UTF-8 (invalid sequences replaced).
    package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    /// Standard error decoded as UTF-8 (invalid sequences replaced).
    package var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// Standard output split at LF bytes (a CR before the LF is kept); no trailing empty line for a final LF.
    package var stdoutTextLines: [String] { ToolResult.lines(of: stdout) }

    /// Standard error split at LF bytes; no trailing empty line for a final LF.
    package var stderrTextLines: [String] { ToolResult.lines(of: stderr) }

    /// Every standard output line parsed as JSON; throws naming the first line that is not JSON (blank lines
    /// included).
    package var stdoutLines: [JSON] {
        get throws(ToolError) {
            var values: [JSON] = []
            for (position, line) in ToolResult.byteLines(of: stdout).enumerated() {
                do {
                    values.append(try JSON.parse(Array(line)))
                } catch {
                    throw .notJSON(
                        line: position + 1,
                        text: String(decoding: line, as: UTF8.self),
                        reason: "\(error.reason) at byte \(error.offset)"
                    )
                }
            }
            return values
        }
    }

    private static func byteLines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last == 0x0A || bytes.isEmpty { lines.removeLast() }
        return lines
    }

    private static func lines(of bytes: [UInt8]) -> [String] {
        byteLines(of: bytes).map { String(decoding: $0, as: UTF8.self) }
    }
}
