import AIBase
import AISchema
import AIWire

/// The tools offered to the model in one run, each with its arguments' schema compiled once, and the servers
/// behind the MCP ones.
package struct ToolSet: Sendable {
    /// A tool and its compiled `parameters`.
    package struct Tool: Sendable {
        /// The definition.
        package var definition: ToolDefinition
        /// Its `parameters`, compiled.
        package var schema: Schema
    }

    /// A call checked and ready to run, or the error result that replaces it.
    package enum Check: Sendable {
        /// The call may run: the tool and its arguments, parsed and valid.
        case ready(Tool, JSON)
        /// The call is refused; the output goes back to the model and nothing runs.
        case refused(ToolOutput)
    }

    /// The tools, in the order offered.
    package private(set) var tools: [Tool] = []
    /// The servers the MCP tools are called through, by command line.
    private var servers: [String: any ToolServer] = [:]

    /// An empty set.
    package init() {}

    /// Whether no tool is offered.
    package var isEmpty: Bool { tools.isEmpty }

    /// What the providers are told about the tools.
    package var specs: [ToolSpec] {
        tools.map {
            ToolSpec(
                name: $0.definition.name, description: $0.definition.description, parameters: $0.definition.parameters)
        }
    }

    /// Adds a tool, its schema compiled (or taken from `compiled` when given).
    /// - Throws: `AIError` (`input`) naming `place` when its name is taken or its `parameters` is not a schema.
    package mutating func add(_ definition: ToolDefinition, place: String, compiled: Schema? = nil) throws(AIError) {
        guard !tools.contains(where: { $0.definition.name == definition.name }) else {
            throw AIError(.input, "\(place): a tool named '\(definition.name)' is offered already")
        }
        let schema: Schema
        if let compiled {
            schema = compiled
        } else {
            do { schema = try Schema(definition.parameters) } catch {
                throw AIError(.input, "\(place): 'parameters' is not a JSON Schema: \(error.message)")
            }
        }
        tools.append(Tool(definition: definition, schema: schema))
    }

    /// Adds the tools of a server; one whose name another tool has already is offered as `<server>_<name>`
    /// (`MCPServer.offeredTools`: providers refuse a '.' in a function's name).
    /// - Throws: `AIError` (`input`) when a schema does not compile.
    package mutating func add(server: any ToolServer) throws(AIError) {
        servers[server.commandLine] = server
        let offered = MCPServer.offeredTools(servers: [server], commandTools: tools.map(\.definition))
        for definition in offered.dropFirst(tools.count) {
            try add(definition, place: "--mcp \(server.commandLine)")
        }
    }

    /// The tool named `name`.
    package func tool(named name: String) -> Tool? {
        tools.first { $0.definition.name == name }
    }

    /// Checks a call before anything runs: a name that was not offered, arguments that are not a JSON object and
    /// arguments that fail the tool's `parameters` are refused with an error output naming the tool and the reason.
    package func check(name: String?, arguments: String) -> Check {
        guard let name, let tool = tool(named: name) else {
            let offered = tools.map { "'\($0.definition.name)'" }.joined(separator: ", ")
            return .refused(
                ToolOutput(
                    content: "unknown tool '\(name ?? "")': it was not offered (the tools are \(offered))",
                    isError: true))
        }
        let text = arguments.isEmpty ? "{}" : arguments
        let value: JSON
        do { value = try JSON.parse(Array(text.utf8)) } catch {
            return .refused(
                ToolOutput(
                    content:
                        "invalid arguments for tool '\(name)': not JSON: \(error.reason) at byte \(error.offset)",
                    isError: true))
        }
        let failures = tool.schema.validate(value, limit: 5)
        guard failures.isEmpty else {
            let reasons = failures.map(\.description).joined(separator: "; ")
            return .refused(ToolOutput(content: "invalid arguments for tool '\(name)': \(reasons)", isError: true))
        }
        return .ready(tool, value)
    }

    /// Runs a checked call: a command tool as `CommandTool` does, an MCP tool through its server. A server that
    /// cannot be reached gives an error output too.
    package func run(_ tool: Tool, arguments: JSON, environment: CommandEnvironment) -> ToolOutput {
        let name = tool.definition.name
        switch tool.definition.backend {
        case .command(let argv, let timeout, let names):
            return CommandTool.run(
                name: name, argv: argv, input: arguments.encodedString, timeout: timeout,
                environment: environment.entries(listing: names))
        case .mcp(let commandLine, let remoteName):
            guard let server = servers[commandLine] else {
                return ToolOutput(content: "tool '\(name)': its server is not running", isError: true)
            }
            do {
                return try server.call(
                    remoteName: remoteName, arguments: arguments, timeout: ToolDefinition.defaultTimeout)
            } catch let error as AIError {
                return ToolOutput(content: "tool '\(name)' failed: \(error.message)", isError: true)
            } catch {
                return ToolOutput(content: "tool '\(name)' failed: \(error)", isError: true)
            }
        }
    }
}
