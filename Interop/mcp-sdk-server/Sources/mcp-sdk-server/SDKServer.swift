import Foundation
import MCP

/// The server built on the official SDK: its tools, paged listing, and calls answered concurrently.
enum SDKServer {
    static let tools: [Tool] = [
        Tool(
            name: "echo", description: "Returns its arguments as JSON.",
            inputSchema: .object(["type": "object", "properties": .object(["text": .object(["type": "string"])])])),
        Tool(
            name: "add", description: "Adds two numbers.",
            inputSchema: .object([
                "type": "object",
                "properties": .object(["a": .object(["type": "number"]), "b": .object(["type": "number"])]),
                "required": .array(["a", "b"]),
            ])),
        Tool(name: "fail", description: "Always fails (an isError result).", inputSchema: .object(["type": "object"])),
        Tool(
            name: "slow", description: "Sleeps for `seconds`, then says so.",
            inputSchema: .object(["type": "object", "properties": .object(["seconds": .object(["type": "number"])])])),
        Tool(
            name: "rpc-error", description: "Answers with a JSON-RPC error.", inputSchema: .object(["type": "object"])),
        Tool(
            name: "env", description: "The value of environment variable `name`.",
            inputSchema: .object(["type": "object", "properties": .object(["name": .object(["type": "string"])])])),
        Tool(name: "noise", description: "Writes to stderr.", inputSchema: .object(["type": "object"])),
        Tool(name: "mixed", description: "Text, an image, text.", inputSchema: .object(["type": "object"])),
        Tool(name: "structured", description: "Structured content only.", inputSchema: .object(["type": "object"])),
    ]

    static func run(pageSize: Int?) async throws {
        let server = Server(
            name: "mcp-sdk-server", version: "1.0", capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { params in
            guard let pageSize else { return .init(tools: tools) }
            let start = params.cursor.flatMap(Int.init) ?? 0
            let end = min(tools.count, start + pageSize)
            return .init(tools: Array(tools[start..<end]), nextCursor: end < tools.count ? String(end) : nil)
        }
        await server.withMethodHandler(CallTool.self) { params in
            try await call(params.name, params.arguments ?? [:])
        }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }

    static func call(_ name: String, _ arguments: [String: Value]) async throws -> CallTool.Result {
        switch name {
        case "echo":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let json = String(decoding: try encoder.encode(arguments), as: UTF8.self)
            return .init(content: [text(json)])
        case "add":
            let sum = number(arguments["a"]) + number(arguments["b"])
            return .init(content: [text(sum == sum.rounded() ? String(Int(sum)) : String(sum))])
        case "fail":
            return .init(content: [text("failed on purpose")], isError: true)
        case "slow":
            let seconds = number(arguments["seconds"])
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return .init(content: [text("slept \(seconds)")])
        case "rpc-error":
            throw MCPError.invalidParams("rpc-error always refuses")
        case "env":
            let variable = arguments["name"]?.stringValue ?? ""
            return .init(content: [text(ProcessInfo.processInfo.environment[variable] ?? "(unset)")])
        case "noise":
            writeError("mcp-sdk-server: noise on stderr from a call")
            return .init(content: [text("quiet on stdout")])
        case "mixed":
            return .init(content: [
                text("first"), .image(data: "aGVsbG8=", mimeType: "image/png", annotations: nil, _meta: nil),
                text("second"),
            ])
        case "structured":
            return .init(content: [], structuredContent: .object(["answer": .int(42)]))
        default:
            throw MCPError.invalidParams("unknown tool \(name)")
        }
    }

    static func text(_ text: String) -> Tool.Content {
        .text(text: text, annotations: nil, _meta: nil)
    }

    static func number(_ value: Value?) -> Double {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        case .string(let text): Double(text) ?? 0
        default: 0
        }
    }
}
