import AITools
import Synchronization

/// The MCP servers a run started, shut down when it ends: normally, on an error, or on SIGINT/SIGTERM.
package final class ToolServers: Sendable {
    private let servers = Mutex<[any ToolServer]>([])

    /// No servers yet.
    package init() {}

    /// Adds a server that has started.
    package func append(_ server: any ToolServer) {
        servers.withLock { $0.append(server) }
    }

    /// Shuts every server down (each once).
    package func shutdown() {
        let started = servers.withLock { list in
            defer { list = [] }
            return list
        }
        guard !started.isEmpty else { return }
        MCPServer.shutdown(started)
    }
}
