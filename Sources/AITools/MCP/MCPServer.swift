import AIBase
import AIWire

/// A Model Context Protocol server started over stdio.
package enum MCPServer {
    /// Starts the server from `commandLine` (words split without a shell), initializes it and lists its tools.
    /// - Throws: `AIError`.
    package static func start(commandLine: String) throws(AIError) -> any ToolServer {
        throw AIError(.notSupported, "--mcp: MCP servers are not supported yet")
    }
}
