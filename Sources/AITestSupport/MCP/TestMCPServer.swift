import Foundation

/// JSON-RPC 2.0 over stdio, one message per line, written by hand: the MCP server side the client is tested against.
///
/// Tools: `echo` (its arguments as JSON), `add` (`a` + `b`), `fail` (an `isError` result), `slow` (sleeps
/// `seconds`), `rpc-error` (a JSON-RPC error), `env` (environment variable `name`, or `(unset)`), `noise` (writes to
/// stderr), `mixed` (text, an image, text), `structured` (structured content only), `ping-me` (asks the client
/// `ping` and `roots/list` and sends it a notification, then answers with the client's two responses as JSON),
/// `stray` (a response with an id never asked for, then its own), `hang` (never answered), `last-cancel` (the
/// params of the last `notifications/cancelled`, as JSON), `pid` (the server's process id), `string-id` (answers
/// with its request's id as a string) and `dotted.name`.
package final class TestMCPServer: @unchecked Sendable {
    package static let names = [
        "echo", "add", "fail", "slow", "rpc-error", "env", "noise", "mixed", "structured", "ping-me", "stray", "hang",
        "last-cancel", "pid", "string-id", "dotted.name",
    ]

    let versionAnswer: String
    let pageSize: Int?
    private let condition = NSCondition()
    private var answers: [String: Any] = [:]
    private var lastCancel: Any = NSNull()
    private let output = NSLock()

    package init(versionAnswer: String, pageSize: Int?) {
        self.versionAnswer = versionAnswer
        self.pageSize = pageSize
    }

    /// Reads messages until stdin ends.
    package func run() {
        while let line = readLine() {
            guard let message = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                continue
            }
            guard let method = message["method"] as? String else {
                condition.lock()
                answers["\(message["id"] ?? "")"] = message
                condition.broadcast()
                condition.unlock()
                continue
            }
            if method == "notifications/cancelled" {
                condition.lock()
                lastCancel = message["params"] ?? NSNull()
                condition.unlock()
            }
            guard let id = message["id"] else { continue }
            let params = message["params"] as? [String: Any] ?? [:]
            switch method {
            case "initialize":
                write([
                    "jsonrpc": "2.0", "id": id,
                    "result": [
                        "protocolVersion": versionAnswer, "capabilities": ["tools": [:] as [String: Any]],
                        "serverInfo": ["name": "ai-test-mcp-server", "version": "1"],
                    ] as [String: Any],
                ])
            case "tools/list":
                list(cursor: params["cursor"] as? String, id: id)
            case "tools/call":
                let name = params["name"] as? String ?? ""
                let arguments = params["arguments"] as? [String: Any] ?? [:]
                let work = UncheckedCall(name: name, arguments: arguments, id: id)
                Thread.detachNewThread { self.call(work.name, work.arguments, id: work.id) }
            default:
                write(["jsonrpc": "2.0", "id": id, "error": ["code": -32601, "message": "no method \(method)"]])
            }
        }
    }

    private func list(cursor: String?, id: Any) {
        let tools = Self.names.map { name -> [String: Any] in
            var schema: [String: Any] = ["type": "object"]
            if name == "add" {
                schema["properties"] = ["a": ["type": "number"], "b": ["type": "number"]]
                schema["required"] = ["a", "b"]
            }
            return ["name": name, "description": "The \(name) tool.", "inputSchema": schema]
        }
        var result: [String: Any] = ["tools": tools]
        if let pageSize {
            let start = cursor.flatMap(Int.init) ?? 0
            let end = min(tools.count, start + pageSize)
            result["tools"] = Array(tools[start..<end])
            if end < tools.count { result["nextCursor"] = String(end) }
        }
        write(["jsonrpc": "2.0", "id": id, "result": result])
    }

    private func call(_ name: String, _ arguments: [String: Any], id: Any) {
        switch name {
        case "echo":
            text(id: id, json(arguments))
        case "add":
            let sum = number(arguments["a"]) + number(arguments["b"])
            text(id: id, sum == sum.rounded() ? String(Int(sum)) : String(sum))
        case "fail":
            text(id: id, "failed on purpose", isError: true)
        case "slow":
            let seconds = number(arguments["seconds"])
            Thread.sleep(forTimeInterval: seconds)
            text(id: id, "slept \(seconds)")
        case "rpc-error":
            write(["jsonrpc": "2.0", "id": id, "error": ["code": -32602, "message": "rpc-error always refuses"]])
        case "env":
            let variable = arguments["name"] as? String ?? ""
            text(id: id, ProcessInfo.processInfo.environment[variable] ?? "(unset)")
        case "noise":
            TestMCPServer.writeError("ai-test-mcp-server: noise on stderr from a call")
            text(id: id, "quiet on stdout")
        case "mixed":
            let content: [[String: Any]] = [
                ["type": "text", "text": "first"], ["type": "image", "data": "aGVsbG8=", "mimeType": "image/png"],
                ["type": "text", "text": "second"],
            ]
            write(["jsonrpc": "2.0", "id": id, "result": ["content": content]])
        case "structured":
            write(["jsonrpc": "2.0", "id": id, "result": ["content": [], "structuredContent": ["answer": 42]]])
        case "ping-me":
            write(["jsonrpc": "2.0", "method": "notifications/message", "params": ["level": "info", "data": "hi"]])
            write(["jsonrpc": "2.0", "id": "srv-1", "method": "ping"])
            write(["jsonrpc": "2.0", "id": 7, "method": "roots/list"])
            condition.lock()
            while answers["srv-1"] == nil || answers["7"] == nil { condition.wait() }
            let replies: [String: Any] = ["ping": answers["srv-1"] ?? NSNull(), "roots": answers["7"] ?? NSNull()]
            condition.unlock()
            text(id: id, json(replies))
        case "string-id":
            write([
                "jsonrpc": "2.0", "id": "\(id)",
                "result": ["content": [["type": "text", "text": "answered with id \"\(id)\""]]],
            ])
        case "stray":
            write(["jsonrpc": "2.0", "id": 999_999, "result": ["content": [["type": "text", "text": "stray"]]]])
            text(id: id, "not stray")
        case "hang":
            break
        case "pid":
            text(id: id, String(getpid()))
        case "last-cancel":
            condition.lock()
            let params = lastCancel
            condition.unlock()
            text(id: id, json(params))
        default:
            text(id: id, "\(name) called")
        }
    }

    private func number(_ value: Any?) -> Double {
        (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init) ?? 0
    }

    private func text(id: Any, _ text: String, isError: Bool = false) {
        write([
            "jsonrpc": "2.0", "id": id,
            "result": ["content": [["type": "text", "text": text]], "isError": isError] as [String: Any],
        ])
    }

    private func json(_ value: Any) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    private func write(_ message: [String: Any]) {
        output.lock()
        defer { output.unlock() }
        FileHandle.standardOutput.write(Data((json(message) + "\n").utf8))
    }
}

/// A call handed to its thread (JSONSerialization's values are not `Sendable`, and nothing else touches them).
private struct UncheckedCall: @unchecked Sendable {
    let name: String
    let arguments: [String: Any]
    let id: Any
}

extension TestMCPServer {
    /// `ai-test-mcp-server`'s whole work, given its arguments (see its main.swift for their meaning).
    package static func main(_ arguments: [String]) -> Never {
        func option(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        if let pidFile = option("--stubborn") {
            Stubborn.run(pidFile: pidFile)
        } else if let status = option("--exit").flatMap(Int32.init) {
            writeError("ai-test-mcp-server: exiting at start with status \(status)")
            exit(status)
        } else if arguments.contains("--garbage") {
            FileHandle.standardOutput.write(Data("this is not json\n".utf8))
            _ = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            if arguments.contains("--noise") { writeError("ai-test-mcp-server: noise on stderr at start") }
            if let pidFile = option("--stubborn-child") { Stubborn.spawn(pidFile: pidFile) }
            TestMCPServer(
                versionAnswer: option("--version-answer") ?? "2025-06-18",
                pageSize: option("--page-size").flatMap(Int.init)
            ).run()
            if arguments.contains("--linger") {
                signal(SIGTERM, SIG_IGN)
                while true { sleep(60) }
            }
        }
        exit(0)
    }

    /// Writes a line on stderr.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
