import AIBase
import AITestSupport
import AITools
import AIWire
import Foundation
import Testing

/// The MCP client against `ai-test-mcp-server` (a real process over stdio).
///
/// `AI_TEST_MCP_SERVER` names another server to run the tests marked `portable` against: Interop/mcp-sdk-server,
/// the same tools on the official MCP SDK.
@Suite struct MCPServerTests {
    static let handWritten = ToolProcess.executablePath("ai-test-mcp-server")
    static let portable = ProcessInfo.processInfo.environment["AI_TEST_MCP_SERVER"] ?? handWritten

    static func commandLine(_ server: String = portable, _ arguments: String = "") -> String {
        "'\(server)' \(arguments)"
    }

    static func start(
        _ arguments: String = "", server: String = portable, environment: [String: String] = [:],
        withholding: Set<String> = [], errorOutput: Int32? = nil, timeout: Double = 10
    ) throws -> any ToolServer {
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        return try MCPServer.start(
            commandLine: commandLine(server, arguments), environment: Environment(variables),
            withholding: withholding, errorOutput: errorOutput, timeout: timeout, grace: 0.5, termGrace: 0.5)
    }

    static func startError(_ commandLine: String, timeout: Double = 10) -> AIError? {
        do {
            let server = try MCPServer.start(commandLine: commandLine, errorOutput: nil, timeout: timeout)
            server.shutdown()
            return nil
        } catch {
            return error
        }
    }

    static func call(
        _ server: any ToolServer, _ name: String, _ arguments: String = "{}", timeout: Double = 10
    ) throws
        -> ToolOutput
    {
        try server.call(remoteName: name, arguments: try JSON.parse(arguments), timeout: timeout)
    }

    // MARK: Start and list

    @Test func start_listsEveryTool() throws {
        let server = try Self.start(server: Self.handWritten)
        defer { server.shutdown() }
        let names = server.tools.map(\.name)
        #expect(names.count == 16)
        #expect(names.prefix(3) == ["echo", "add", "fail"])
        let add = try #require(server.tools.first { $0.name == "add" })
        #expect(add.description == "The add tool.")
        #expect(add.parameters["required"] == .array(["a", "b"]))
        #expect(add.backend == .mcp(server: Self.commandLine(Self.handWritten), remoteName: "add"))
        // A name providers refuse is made a valid function name; the server still gets its own.
        let dotted = try #require(server.tools.last)
        #expect(dotted.name == "dotted_name")
        #expect(dotted.backend == .mcp(server: Self.commandLine(Self.handWritten), remoteName: "dotted.name"))
        #expect(try Self.call(server, "dotted.name").content == "dotted.name called")
    }

    @Test(arguments: [1, 4, 15, 16, 100])
    func start_followsPagination(pageSize: Int) throws {
        let whole = try Self.start(server: Self.handWritten)
        defer { whole.shutdown() }
        let paged = try Self.start("--page-size \(pageSize)", server: Self.handWritten)
        defer { paged.shutdown() }
        // The same tools; only the command line (naming the server in each backend) differs.
        func described(_ tools: [ToolDefinition]) -> [String] {
            tools.map { tool in
                guard case .mcp(_, let remoteName) = tool.backend else { return "not mcp" }
                return "\(tool.name) \(remoteName) \(tool.description ?? "") \(tool.parameters.encodedString)"
            }
        }
        #expect(paged.tools.count == 16)
        #expect(described(paged.tools) == described(whole.tools))
    }

    @Test func start_portableServer_listsItsTools() throws {
        let server = try Self.start("--page-size 2")
        defer { server.shutdown() }
        let names = Set(server.tools.map(\.name))
        #expect(
            names.isSuperset(of: ["echo", "add", "fail", "slow", "rpc-error", "env", "noise", "mixed", "structured"]))
    }

    // MARK: Calls

    @Test func call_textResult() throws {
        let server = try Self.start()
        defer { server.shutdown() }
        #expect(try Self.call(server, "echo", #"{"text":"hi","n":[1,2]}"#).content == #"{"n":[1,2],"text":"hi"}"#)
        #expect(try Self.call(server, "add", #"{"a":2,"b":3}"#) == ToolOutput(content: "5", isError: false))
        #expect(try Self.call(server, "echo", "null").content == "{}")
    }

    @Test func call_isErrorResult_isAnErrorOutput() throws {
        let server = try Self.start()
        defer { server.shutdown() }
        #expect(try Self.call(server, "fail") == ToolOutput(content: "failed on purpose", isError: true))
    }

    @Test func call_jsonRPCError_isAnErrorOutput() throws {
        let server = try Self.start()
        defer { server.shutdown() }
        let output = try Self.call(server, "rpc-error")
        #expect(output.isError)
        #expect(output.content.hasPrefix("MCP tool 'rpc-error' failed: "))
        #expect(output.content.contains("rpc-error always refuses"))
        #expect(output.content.hasSuffix("(JSON-RPC error -32602)"))
    }

    @Test func call_imageAndStructuredContent() throws {
        let server = try Self.start()
        defer { server.shutdown() }
        #expect(try Self.call(server, "mixed").content == "first\n[image image/png, 8 bytes of base64]\nsecond")
        #expect(try Self.call(server, "structured").content == #"{"answer":42}"#)
    }

    @Test func call_timeout_isAnErrorOutput_andTheServerIsToldToCancel() throws {
        let server = try Self.start(server: Self.handWritten)
        defer { server.shutdown() }
        let started = Monotonic.now()
        let output = try Self.call(server, "hang", timeout: 0.3)
        #expect(Monotonic.now() - started < 2)
        #expect(output == ToolOutput(content: "MCP tool 'hang' timed out after 0.3s", isError: true))
        // The hang call was request 3 (initialize 1, tools/list 2).
        let cancel = try JSON.parse(try Self.call(server, "last-cancel").content)
        #expect(cancel == .object(["reason": "timed out", "requestId": .int(3)]))
        // The connection goes on.
        #expect(try Self.call(server, "add", #"{"a":1,"b":1}"#).content == "2")
    }

    @Test func call_timeout_portableServer() throws {
        let server = try Self.start()
        defer { server.shutdown() }
        let output = try Self.call(server, "slow", #"{"seconds":5}"#, timeout: 0.3)
        #expect(output.isError)
        #expect(output.content.contains("timed out after 0.3s"))
    }

    @Test func calls_fromSeveralThreads_getTheirOwnResponses() throws {
        let server = try Self.start()
        defer { server.shutdown() }
        let started = Monotonic.now()
        // Slow calls finish in the reverse order of their start; adds come back at once in between.
        let outputs = Threads.map(Array(0..<12)) { index -> (Int, String) in
            let arguments =
                index % 2 == 0 ? #"{"seconds":\#(Double(12 - index) / 20)}"# : #"{"a":\#(index),"b":1000}"#
            let output = try? Self.call(server, index % 2 == 0 ? "slow" : "add", arguments)
            return (index, output?.content ?? "failed")
        }
        for (index, content) in outputs {
            #expect(content == (index % 2 == 0 ? "slept \(Double(12 - index) / 20)" : "\(index + 1000)"), "\(index)")
        }
        // Concurrent: the slow calls' 2.1 s in all overlap.
        #expect(Monotonic.now() - started < 1.5)
    }

    @Test func serverRequests_areAnswered_andItsNotificationsIgnored() throws {
        let server = try Self.start(server: Self.handWritten)
        defer { server.shutdown() }
        let replies = try JSON.parse(try Self.call(server, "ping-me").content)
        #expect(replies["ping"] == .object(["id": "srv-1", "jsonrpc": "2.0", "result": .object([:])]))
        #expect(replies["roots"]?["id"] == .int(7))
        #expect(replies["roots"]?["error"]?["code"] == .int(-32601))
    }

    @Test func responseWithAnUnknownID_isIgnored() throws {
        let server = try Self.start(server: Self.handWritten)
        defer { server.shutdown() }
        #expect(try Self.call(server, "stray").content == "not stray")
        #expect(try Self.call(server, "add", #"{"a":1,"b":2}"#).content == "3")
    }

    @Test func responseWithTheIDAsAString_isMatched() throws {
        let server = try Self.start(server: Self.handWritten)
        defer { server.shutdown() }
        #expect(try Self.call(server, "string-id").content == #"answered with id "3""#)
    }

    // MARK: Streams and environment

    @Test func serverStderr_goesWhereAsked_neverIntoTheProtocol() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let server = try Self.start("--noise", errorOutput: fds[1])
        close(fds[1])
        #expect(try Self.call(server, "noise").content == "quiet on stdout")
        server.shutdown()
        let text = String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("noise on stderr at start"))
        #expect(text.contains("noise on stderr from a call"))
    }

    @Test func environment_passesAllButKeyVariables() throws {
        let server = try Self.start(
            environment: [
                "OPENAI_API_KEY": "sk-1", "ANTHROPIC_API_KEY": "sk-2", "OLLAMA_API_KEY": "sk-3", "ROUTER_KEY": "sk-4",
                "AI_KEYS_SOCK": "/tmp/agent", "AI_PASSPHRASE_FILE": "/tmp/pass", "MCP_TEST_SETTING": "kept",
            ], withholding: ["ROUTER_KEY"])
        defer { server.shutdown() }
        for name in [
            "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OLLAMA_API_KEY", "ROUTER_KEY", "AI_KEYS_SOCK", "AI_PASSPHRASE_FILE",
        ] {
            #expect(try Self.call(server, "env", #"{"name":"\#(name)"}"#).content == "(unset)", "\(name)")
        }
        #expect(try Self.call(server, "env", #"{"name":"MCP_TEST_SETTING"}"#).content == "kept")
    }

    // MARK: Ending

    static func isGone(_ pid: Int32) -> Bool {
        // Reparented to an init that may not reap: a zombie counts as gone.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    static func waitUntilGone(_ pid: Int32, within seconds: Double = 3) -> Bool {
        let deadline = Monotonic.now() + seconds
        while Monotonic.now() < deadline {
            if isGone(pid) { return true }
            usleep(20_000)
        }
        return isGone(pid)
    }

    @Test func shutdown_killsTheWholeProcessGroup() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-child-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let server = try Self.start("--stubborn-child \(pidFile.path)", server: Self.handWritten)
        let leader = try #require(Int32(try Self.call(server, "pid").content))
        let text = try String(contentsOf: pidFile, encoding: .utf8)
        let child = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!Self.isGone(child))
        server.shutdown()
        #expect(Self.isGone(leader))
        #expect(Self.waitUntilGone(child))
        // Idempotent, and calls now fail.
        server.shutdown()
        #expect(throws: AIError.self) { try Self.call(server, "add", #"{"a":1,"b":1}"#) }
    }

    @Test func shutdown_ofSeveralServers_runsThemAtOnce() throws {
        let servers = try (0..<3).map { _ in try Self.start("--linger", server: Self.handWritten) }
        let leaders = try servers.map { try #require(Int32(try Self.call($0, "pid").content)) }
        let started = Monotonic.now()
        MCPServer.shutdown(servers)
        // Each takes its grace (0.5 s) and its SIGTERM grace (0.5 s): together, not one after another.
        #expect(Monotonic.now() - started < 2.5)
        #expect(leaders.allSatisfy(Self.isGone))
    }

    @Test func shutdown_ofAServerIgnoringStdinAndSIGTERM_endsWithSIGKILL() throws {
        let server = try Self.start("--linger", server: Self.handWritten)
        let leader = try #require(Int32(try Self.call(server, "pid").content))
        let started = Monotonic.now()
        server.shutdown()
        #expect(Monotonic.now() - started < 3)
        #expect(Self.isGone(leader))
    }

    @Test func shutdown_fromAnotherThread_endsAWaitingCall() throws {
        let server = try Self.start(server: Self.handWritten)
        Threads.detach {
            Monotonic.sleep(0.3)
            server.shutdown()
        }
        let started = Monotonic.now()
        #expect(throws: AIError.self) { try Self.call(server, "hang", timeout: 30) }
        #expect(Monotonic.now() - started < 5)
        server.shutdown()
    }

    @Test func serverDying_makesCallsThrow() throws {
        let server = try Self.start(server: Self.handWritten)
        defer { server.shutdown() }
        let leader = try #require(Int32(try Self.call(server, "pid").content))
        kill(leader, SIGKILL)
        do {
            _ = try Self.call(server, "hang", timeout: 10)
            Issue.record("a call to a dead server returned")
        } catch let error as AIError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("killed by signal 9") || error.message.contains("closed its stdout"))
        }
    }

    // MARK: Servers that cannot start

    @Test func serverExitingAtStart_isAConfigError() throws {
        let error = try #require(Self.startError(Self.commandLine(Self.handWritten, "--exit 3")))
        #expect(error.code == .config)
        #expect(error.message.contains("ended with exit status 3 before answering initialize"), "\(error.message)")
    }

    @Test func missingProgram_isAConfigError() throws {
        let error = try #require(Self.startError("ai-no-such-mcp-server --x"))
        #expect(error.code == .config)
        #expect(
            error.message
                == "--mcp 'ai-no-such-mcp-server --x': cannot start ai-no-such-mcp-server: No such file or directory")
        #expect(error.exitStatus == .config)
    }

    @Test func garbageOnStdout_isAProtocolError() throws {
        let error = try #require(Self.startError(Self.commandLine(Self.handWritten, "--garbage")))
        #expect(error.code == .protocol)
        #expect(error.message.hasSuffix("wrote something that is not a JSON-RPC message: this is not json"))
    }

    @Test func unknownProtocolVersion_isAProtocolError() throws {
        let error = try #require(Self.startError(Self.commandLine(Self.handWritten, "--version-answer 1999-01-01")))
        #expect(error.code == .protocol)
        #expect(error.message.contains("speaks protocol version 1999-01-01"))
    }

    @Test func serverSilentAtStart_isATimeout() throws {
        let started = Monotonic.now()
        let error = try #require(Self.startError("sleep 30", timeout: 0.5))
        #expect(error.code == .timeout)
        #expect(error.message == "MCP server 'sleep 30' did not answer initialize within 0.5s")
        #expect(Monotonic.now() - started < 5)
    }

    @Test func emptyCommandLine_isAUsageError() throws {
        let error = try #require(Self.startError("  "))
        #expect(error.code == .usage)
    }
}
