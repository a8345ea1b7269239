import AIBase
import AIWire
import Glibc

/// A started MCP server spoken to over its stdin and stdout: JSON-RPC 2.0, one message per line.
///
/// Any thread may call it, several at once: each request gets its own id, and one reader thread hands every
/// response to the caller waiting for its id. The reader also answers the server's own requests (`ping` with an
/// empty result, anything else with "method not found") and drops its notifications. A line that is not a
/// JSON-RPC message, or the server's stdout closing, ends the connection: waiting and later calls throw.
final class MCPConnection: ToolServer, @unchecked Sendable {
    /// How a wait for a response ended.
    enum Outcome {
        case reply(JSON)
        case failed(AIError)
        case timedOut
        case cancelled
    }

    let commandLine: String
    /// Written once by `MCPServer.start` before the connection is handed out; read-only after.
    var tools: [ToolDefinition] = []
    /// The protocol version the server answered `initialize` with.
    var protocolVersion = ""

    let process: MCPProcess
    private let lock = MCPLock()
    private var nextID = 1
    private var waiting: Set<Int> = []
    private var replies: [Int: JSON] = [:]
    private var failure: AIError?
    private var ending = false
    private var ended = false
    private let grace: Double
    private let termGrace: Double

    /// The longest line the server may write (a tool result with images can be large).
    static let maximumLine = 64 << 20

    init(commandLine: String, process: MCPProcess, grace: Double, termGrace: Double) {
        self.commandLine = commandLine
        self.process = process
        self.grace = grace
        self.termGrace = termGrace
    }

    /// Starts the reader thread.
    /// - Throws: `AIError` (`io`) when no thread can be made.
    func startReading() throws(AIError) {
        guard Threads.detach({ self.readLoop() }) else {
            throw AIError(.io, "cannot start a thread to read MCP server '\(commandLine)'")
        }
    }

    // MARK: - Requests

    /// Sends request `method` and waits up to `timeout` seconds for its response.
    func request(_ method: String, params: JSON, timeout: Double) -> (id: Int, outcome: Outcome) {
        let id: Int = lock.withLock {
            defer { nextID += 1 }
            waiting.insert(nextID)
            return nextID
        }
        let deadline = Monotonic.now() + timeout
        let message: JSON = .object(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
        guard process.send(message.encoded() + [0x0A], deadline: deadline) else {
            let outcome: Outcome = lock.withLock {
                waiting.remove(id)
                // A server that exited: its stdout's end of file, which the reader is about to see, says more.
                let patience = min(deadline, Monotonic.now() + 1)
                while failure == nil, Monotonic.now() < patience { lock.wait(until: patience) }
                if let failure { return .failed(failure) }
                if Monotonic.now() >= deadline { return .timedOut }
                return .failed(AIError(.unavailable, "MCP server '\(commandLine)' no longer reads its input"))
            }
            return (id, outcome)
        }
        let outcome: Outcome = lock.withLock {
            defer { waiting.remove(id) }
            while true {
                if let reply = replies.removeValue(forKey: id) { return .reply(reply) }
                if let failure { return .failed(failure) }
                if Cancellation.isRequested { return .cancelled }
                if Monotonic.now() >= deadline { return .timedOut }
                lock.wait(until: deadline)
            }
        }
        return (id, outcome)
    }

    /// Sends notification `method` (best effort: a server that does not read has the connection ended anyway).
    func notify(_ method: String, params: JSON) {
        let message: JSON = .object(["jsonrpc": "2.0", "method": .string(method), "params": params])
        _ = process.send(message.encoded() + [0x0A], deadline: Monotonic.now() + 5)
    }

    func call(remoteName: String, arguments: JSON, timeout: Double) throws -> ToolOutput {
        let argumentsObject: JSON = arguments.isNull ? .object([:]) : arguments
        let params: JSON = .object(["name": .string(remoteName), "arguments": argumentsObject])
        let (id, outcome) = request("tools/call", params: params, timeout: timeout)
        switch outcome {
        case .reply(let message):
            if let error = message["error"], !error.isNull {
                return MCPResult.output(error: error, tool: remoteName)
            }
            guard let result = message["result"], case .object = result else {
                return ToolOutput(content: "MCP tool '\(remoteName)' answered without a result", isError: true)
            }
            return MCPResult.output(result)
        case .failed(let error):
            throw error
        case .timedOut:
            notify("notifications/cancelled", params: .object(["requestId": .int(id), "reason": "timed out"]))
            return ToolOutput(
                content: "MCP tool '\(remoteName)' timed out after \(AIError.seconds(timeout))", isError: true)
        case .cancelled:
            notify("notifications/cancelled", params: .object(["requestId": .int(id), "reason": "cancelled"]))
            throw AIError(.cancelled, "cancelled")
        }
    }

    // MARK: - Ending

    /// Ends the server: the connection fails every waiting call, the server's stdin is closed, and after `grace`
    /// seconds SIGTERM, after `termGrace` more SIGKILL go to its whole process group, which is then reaped. A second
    /// call waits for the first to finish.
    func shutdown() {
        let first: Bool = lock.withLock {
            if failure == nil { failure = AIError(.cancelled, "MCP server '\(commandLine)' was shut down") }
            lock.broadcast()
            guard !ending else {
                while !ended { lock.wait(until: .infinity) }
                return false
            }
            ending = true
            return true
        }
        guard first else { return }
        process.end(grace: grace, termGrace: termGrace)
        lock.withLock {
            ended = true
            lock.broadcast()
        }
    }

    /// Ends the connection with `error` unless it has already ended; wakes every waiting call.
    func fail(_ error: AIError) {
        lock.withLock {
            if failure == nil { failure = error }
            lock.broadcast()
        }
    }

    /// Why the connection ended, if it has.
    var endedBecause: AIError? { lock.withLock { failure } }

    // MARK: - Reading

    private func readLoop() {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let fd = process.output
        defer { close(fd) }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            var start = buffer.count
            buffer.append(contentsOf: chunk[0..<count])
            var lineStart = 0
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                guard handle(buffer[lineStart..<newline]) else { return }
                lineStart = newline + 1
                start = lineStart
            }
            buffer.removeFirst(lineStart)
            guard buffer.count <= Self.maximumLine else {
                fail(AIError(.protocol, "MCP server '\(commandLine)' wrote a line longer than 64 MiB"))
                return
            }
        }
        if !buffer.isEmpty, buffer.contains(where: { !Self.isSpace($0) }) {
            guard handle(buffer[...]) else { return }
        }
        fail(closedError())
    }

    /// What to say when the server's stdout closed: its exit status when it has exited.
    private func closedError() -> AIError {
        if process.waitForExit(0.5), let status = process.unreapedStatus() {
            return AIError(.unavailable, "MCP server '\(commandLine)' ended with \(status)")
        }
        return AIError(.unavailable, "MCP server '\(commandLine)' closed its stdout")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// Handles one line; false when it ended the connection.
    private func handle(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.contains(where: { !Self.isSpace($0) }) else { return true }
        let message: JSON
        do {
            message = try JSON.parse(Array(line))
        } catch {
            fail(garbage(line))
            return false
        }
        let messages: [JSON]
        if case .array(let batch) = message { messages = batch } else { messages = [message] }
        for message in messages {
            guard case .object(let object) = message else {
                fail(garbage(line))
                return false
            }
            let id = object["id"].flatMap { $0.isNull ? nil : $0 }
            if let method = object["method"]?.stringValue {
                if let id { answer(method, id: id) }
            } else if let id, object["result"] != nil || object["error"] != nil {
                // Our ids are numbers; a server that echoes one as a string is understood too.
                guard let number = id.intValue ?? id.stringValue.flatMap({ Int($0) }) else { continue }
                lock.withLock {
                    if waiting.contains(number) {
                        replies[number] = message
                        lock.broadcast()
                    }
                }
            } else {
                fail(garbage(line))
                return false
            }
        }
        return true
    }

    /// Answers a request of the server: `ping` with an empty result, anything else with "method not found".
    private func answer(_ method: String, id: JSON) {
        let reply: JSON
        if method == "ping" {
            reply = .object(["jsonrpc": "2.0", "id": id, "result": .object([:])])
        } else {
            reply = .object([
                "jsonrpc": "2.0", "id": id,
                "error": .object(["code": .int(-32601), "message": .string("Method not found: \(method)")]),
            ])
        }
        _ = process.send(reply.encoded() + [0x0A], deadline: Monotonic.now() + 5)
    }

    private func garbage(_ line: ArraySlice<UInt8>) -> AIError {
        let text = String(decoding: line.prefix(80), as: UTF8.self)
        return AIError(
            .protocol, "MCP server '\(commandLine)' wrote something that is not a JSON-RPC message: \(text)")
    }
}
