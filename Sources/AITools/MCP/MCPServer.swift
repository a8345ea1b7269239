import AIBase
import AIWire

/// A Model Context Protocol server started over stdio (DESIGN §11, `--mcp "CMD ARGS…"`).
///
/// The server is the program `commandLine` names, split into words as a shell would split a simple command
/// (`MCPCommandLine`) but started without a shell, in a process group of its own, with its stdin and stdout on
/// pipes and its stderr on ours (or where `errorOutput` says). It gets our environment less the suite's key
/// variables (`withheldVariables`). The client speaks JSON-RPC 2.0, one message per line: `initialize`
/// (protocol version 2025-11-25; the server may answer 2025-06-18, 2025-03-26 or 2024-11-05),
/// `notifications/initialized`, `tools/list` (every page) and `tools/call`.
///
/// The caller must call `shutdown()` on every server it started, once the run ends and also when it is
/// interrupted (from the thread that handles SIGINT, never from an asynchronous signal handler): it closes the
/// server's stdin, waits up to `grace` seconds, then sends SIGTERM and, `termGrace` seconds later, SIGKILL to the
/// server's whole process group, and reaps it.
package enum MCPServer {
    /// The protocol version asked for.
    package static let protocolVersion = "2025-11-25"
    /// The protocol versions this client speaks: a server answering another one is refused.
    package static let knownVersions: Set<String> = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// The variables a server never gets: the providers' key variables the suite knows and the vault's and the
    /// key agent's.
    package static let withheldVariables: Set<String> = [
        "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_API_KEY", "AI_KEYS_SOCK", "AI_PASSPHRASE_FILE",
    ]
    /// The most `tools/list` pages read before the server is deemed to loop.
    static let maximumPages = 1000

    /// Starts the server from `commandLine`, initializes it and lists its tools.
    /// - Parameters:
    ///   - commandLine: the program and its arguments (`--mcp`'s argument).
    ///   - environment: the environment to pass on, less `withheldVariables` and `withholding`.
    ///   - withholding: more variables not to pass on (key variables the config names).
    ///   - errorOutput: the descriptor the server's stderr goes to (ours by default), or nil for `/dev/null`.
    ///   - timeout: seconds that `initialize` and each `tools/list` page may take.
    ///   - grace: seconds `shutdown()` gives the server to exit once its stdin is closed.
    ///   - termGrace: seconds `shutdown()` waits after SIGTERM before SIGKILL.
    /// - Throws: `AIError`: `usage` for a command line that is not one, `config` when the program cannot be
    ///   started or exits before answering, `protocol` when it answers with something other than MCP, `timeout`
    ///   when it does not answer in time, `cancelled` when the run is interrupted.
    package static func start(
        commandLine: String,
        environment: Environment = .current(),
        withholding: Set<String> = [],
        errorOutput: Int32? = 2,
        timeout: Double = 30,
        grace: Double = 2,
        termGrace: Double = 1
    ) throws(AIError) -> any ToolServer {
        let argv = try MCPCommandLine.words(commandLine)
        let withheld = withheldVariables.union(withholding)
        let variables = environment.values.filter { !withheld.contains($0.key) }
        let process = try MCPProcess(
            argv: argv, environment: variables, errorOutput: errorOutput, commandLine: commandLine)
        let connection = MCPConnection(commandLine: commandLine, process: process, grace: grace, termGrace: termGrace)
        do throws(AIError) {
            try connection.startReading()
            try initialize(connection, timeout: timeout)
            connection.tools = try listTools(connection, timeout: timeout)
        } catch {
            connection.shutdown()
            throw error
        }
        return connection
    }

    private static func initialize(_ connection: MCPConnection, timeout: Double) throws(AIError) {
        let params: JSON = .object([
            "protocolVersion": .string(protocolVersion),
            "capabilities": .object([:]),
            "clientInfo": .object(["name": "ai", "version": .string(Version.string)]),
        ])
        let result = try result(of: "initialize", params: params, connection, timeout: timeout)
        guard let version = result["protocolVersion"]?.stringValue else {
            throw AIError(
                .protocol, "MCP server '\(connection.commandLine)' answered initialize without a protocolVersion")
        }
        guard knownVersions.contains(version) else {
            throw AIError(
                .protocol,
                "MCP server '\(connection.commandLine)' speaks protocol version \(version), which this client does not",
                hints: ["known versions: \(knownVersions.sorted().joined(separator: ", "))"])
        }
        connection.protocolVersion = version
        connection.notify("notifications/initialized", params: .object([:]))
    }

    private static func listTools(_ connection: MCPConnection, timeout: Double) throws(AIError) -> [ToolDefinition] {
        var tools: [ToolDefinition] = []
        var cursor: String?
        for _ in 0..<maximumPages {
            let params: JSON = cursor.map { .object(["cursor": .string($0)]) } ?? .object([:])
            let result = try result(of: "tools/list", params: params, connection, timeout: timeout)
            guard let list = result["tools"]?.arrayValue else {
                throw AIError(.protocol, "MCP server '\(connection.commandLine)' answered tools/list without 'tools'")
            }
            for (index, tool) in list.enumerated() {
                tools.append(try definition(tool, index: index, connection.commandLine))
            }
            guard let next = result["nextCursor"]?.stringValue else { return tools }
            cursor = next
        }
        throw AIError(
            .protocol, "MCP server '\(connection.commandLine)' gave more than \(maximumPages) pages of tools")
    }

    /// A tool of `tools/list` as the model is told of it: its name made a valid function name, its
    /// `inputSchema` as the parameters.
    private static func definition(_ tool: JSON, index: Int, _ commandLine: String) throws(AIError) -> ToolDefinition {
        guard let remoteName = tool["name"]?.stringValue, !remoteName.isEmpty else {
            throw AIError(.protocol, "MCP server '\(commandLine)' listed a tool without a name (tools[\(index)])")
        }
        var parameters = tool["inputSchema"] ?? .object(["type": "object"])
        guard case .object(var schema) = parameters else {
            throw AIError(.protocol, "MCP server '\(commandLine)': tool '\(remoteName)' has no inputSchema object")
        }
        if schema["type"] == nil { schema["type"] = "object" }
        parameters = .object(schema)
        let name = String(MCPCommandLine.sanitized(remoteName).prefix(64))
        return ToolDefinition(
            name: name, description: tool["description"]?.stringValue, parameters: parameters,
            backend: .mcp(server: commandLine, remoteName: remoteName))
    }

    /// Sends `method` and returns its result object.
    private static func result(
        of method: String, params: JSON, _ connection: MCPConnection, timeout: Double
    ) throws(AIError) -> JSON {
        let commandLine = connection.commandLine
        switch connection.request(method, params: params, timeout: timeout).outcome {
        case .reply(let message):
            if let error = message["error"], !error.isNull {
                let text = error["message"]?.stringValue ?? "no message"
                throw AIError(.protocol, "MCP server '\(commandLine)' refused \(method): \(text)")
            }
            guard let result = message["result"], case .object = result else {
                throw AIError(.protocol, "MCP server '\(commandLine)' answered \(method) without a result object")
            }
            return result
        case .failed(let error):
            guard error.code == .unavailable else { throw error }
            throw AIError(.config, error.message + " before answering \(method)")
        case .timedOut:
            throw AIError(
                .timeout, "MCP server '\(commandLine)' did not answer \(method) within \(AIError.seconds(timeout))")
        case .cancelled:
            throw AIError(.cancelled, "cancelled")
        }
    }
}

extension MCPServer {
    /// Shuts every server down at once (each may take its grace period), returning when all have ended.
    package static func shutdown(_ servers: [any ToolServer]) {
        _ = Threads.map(servers) { $0.shutdown() }
    }

    /// The tools offered to the model: `commandTools` as they are, then each server's tools, a server's tool
    /// renamed `<server>_<name>` when its name is also another tool's (`<server>` the server program's file name,
    /// `MCPCommandLine.serverName`). Names stay at most 64 characters and distinct: a name still taken gets a
    /// number after the server's (`<server>2_<name>`).
    package static func offeredTools(servers: [any ToolServer], commandTools: [ToolDefinition]) -> [ToolDefinition] {
        var count: [String: Int] = [:]
        for tool in commandTools + servers.flatMap(\.tools) { count[tool.name, default: 0] += 1 }
        var taken = Set(commandTools.map(\.name))
        var offered = commandTools
        for server in servers {
            let prefix = MCPCommandLine.serverName(server.commandLine)
            for var tool in server.tools {
                if count[tool.name, default: 0] > 1 || taken.contains(tool.name) {
                    var candidate = String((prefix + "_" + tool.name).prefix(64))
                    var number = 2
                    while taken.contains(candidate) {
                        let numbered = "\(prefix)\(number)_"
                        candidate = String((numbered + tool.name).prefix(64))
                        number += 1
                    }
                    tool.name = candidate
                }
                taken.insert(tool.name)
                offered.append(tool)
            }
        }
        return offered
    }
}
