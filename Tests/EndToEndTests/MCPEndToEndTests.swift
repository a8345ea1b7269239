import AIBase
import AITestSupport
import AIWire
import Foundation
import Testing

/// `--mcp` through the binaries (DESIGN §11): an MCP server over stdio (`ai-test-mcp-server`) offers its tools, the
/// fake agent calls them, the result goes back to the model, and the server is gone when the run ends.
@Suite struct MCPEndToEndTests {
    static let server = ToolProcess.executablePath("ai-test-mcp-server")

    static func environment(_ fake: FakeServer, _ extra: [String: String] = [:]) -> [String: String] {
        var values = ["OPENAI_API_KEY": "sk-fixture-openai", "OPENAI_BASE_URL": fake.baseURL + "/v1"]
        values.merge(extra) { $1 }
        return toolEnvironment(values)
    }

    /// The names of the tools a recorded request offered.
    static func offered(_ request: JSON?) -> [String] {
        (request?["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
    }

    @Test(arguments: ["ai-complete", "ai-stream"])
    func mcpTool_isCalledAndItsResultSentBack(tool: String) throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "add", arguments: #"{"a":2,"b":40}"#)])
        let fake = try FakeServer(handler: agent.handler)
        defer { fake.stop() }
        let pidFile = scratchPath("mcp-child-\(tool).pid")
        let result = try runTool(
            tool, arguments: ["-p", "openai", "--mcp", "'\(Self.server)' --stubborn-child '\(pidFile)'", "add them"],
            environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderrText)")
        let last = try #require(try result.stdoutLines.last)
        #expect(last["steps"] == .int(2))
        let requests = fake.requests
        #expect(requests.count == 2)
        let offered = Self.offered(requests.first?.json)
        #expect(offered.contains("add"), "\(offered)")
        let messages = requests.last?.json?["messages"]?.arrayValue ?? []
        #expect(messages.last?["role"] == "tool")
        #expect(messages.last?["content"] == "42")
        // The server's process group, its stubborn child included, is gone when the run has ended.
        let pid = try #require(
            Int32(
                (try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                    ?? ""))
        #expect(ToolLoopTests.eventually(5) { ToolLoopTests.isGone(pid) }, "the server's child \(pid) outlived the run")
    }

    @Test func clashingName_isOfferedWithTheServersName() throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "ai-test-mcp-server_echo", arguments: #"{"x":1}"#)])
        let fake = try FakeServer(handler: agent.handler)
        defer { fake.stop() }
        // The command tool answers otherwise than the server's echo, so the result shows which one ran.
        let echo = try ToolLoopTests.toolFile("echo", command: ["echo", "the command tool"])
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--tool", echo, "--mcp", "'\(Self.server)'", "echo it"],
            environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderrText)")
        let names = Self.offered(fake.requests.first?.json)
        #expect(names.contains("echo") && names.contains("ai-test-mcp-server_echo"), "\(names)")
        let messages = fake.requests.last?.json?["messages"]?.arrayValue ?? []
        #expect(messages.last?["content"] == #"{"x":1}"#, "the server's echo answered, not the command tool")
    }

    @Test func providerKeys_neverReachTheServer() throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "env", arguments: #"{"name":"OPENAI_API_KEY"}"#)])
        let fake = try FakeServer(handler: agent.handler)
        defer { fake.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--mcp", "'\(Self.server)'", "what key?"],
            environment: Self.environment(fake))
        #expect(result.status == 0, "\(result.stderrText)")
        let messages = fake.requests.last?.json?["messages"]?.arrayValue ?? []
        #expect(messages.last?["content"] == "(unset)")
    }

    @Test func serverThatCannotStart_isAConfigError_andNothingIsSent() throws {
        let fake = try FakeServer(handler: FakeAgent(calls: []).handler)
        defer { fake.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--mcp", "'\(Self.server)' --exit 3", "hi"],
            environment: Self.environment(fake))
        #expect(result.status == 78, "\(result.stderrText)")
        #expect(fake.requests.isEmpty)
    }
}
