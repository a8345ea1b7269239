import AIBase
import AIWire

/// What one tool call gave back: the text for the model, and whether it reports a failure.
package struct ToolOutput: Sendable, Equatable {
    /// The result's text (a command's stdout, an MCP result's text content).
    package var content: String
    /// The call failed (non-zero exit, timeout, invalid arguments, unknown tool, an MCP error result).
    package var isError: Bool

    /// An output with the given parts.
    package init(content: String, isError: Bool) {
        self.content = content
        self.isError = isError
    }
}

/// A running server that offers tools (an MCP server over stdio).
package protocol ToolServer: AnyObject, Sendable {
    /// The command line it was started from (`--mcp`'s argument), naming it in messages.
    var commandLine: String { get }
    /// The server's tools, each with the backend `.mcp(server: commandLine, remoteName:)`.
    var tools: [ToolDefinition] { get }
    /// Calls the tool the server knows as `remoteName`.
    /// - Throws: `AIError` when the server cannot be reached (a failure the model should see comes back as an error
    ///   output instead).
    func call(remoteName: String, arguments: JSON, timeout: Double) throws -> ToolOutput
    /// Ends the server and its process group; safe to call more than once.
    func shutdown()
}
