/// Runs a built binary of this package (found next to the running test binary, see
/// `ToolProcess.binaryDirectory`; a name containing a slash is used as a path) with `arguments`, the given
/// standard input and exactly `environment` (nothing is inherited), and waits for it.
///
/// Standard output and error are read concurrently. When `timeout` seconds pass, the child is killed and
/// `ToolError.timedOut` is thrown with the output so far.
package func runTool(
    _ name: String,
    arguments: [String],
    stdin: StdinSource = .bytes([]),
    environment: [String: String],
    timeout: Double = 30
) throws(ToolError) -> ToolResult {
    let process = try ToolProcess(name, arguments: arguments, stdin: stdin, environment: environment)
    return try process.wait(timeout: timeout)
}
