import AIBase
import AITools
import AIWire
import Testing

@Suite struct MCPCommandLineTests {
    @Test func words_splitOnWhiteSpace() throws {
        #expect(try MCPCommandLine.words("server") == ["server"])
        #expect(try MCPCommandLine.words("  npx\t-y  @scope/pkg\n--flag ") == ["npx", "-y", "@scope/pkg", "--flag"])
    }

    @Test func words_quotesAndBackslashes_asAShellReadsThem() throws {
        #expect(try MCPCommandLine.words(#"run 'a b' "c d""#) == ["run", "a b", "c d"])
        #expect(
            try MCPCommandLine.words(#"run 'it\s' "say \"hi\" \\ \$ \x""#) == ["run", #"it\s"#, #"say "hi" \ $ \x"#])
        #expect(try MCPCommandLine.words(#"run a\ b \'c"#) == ["run", "a b", "'c"])
        #expect(try MCPCommandLine.words(#"run a'b'"c"d"#) == ["run", "abcd"])
        #expect(try MCPCommandLine.words(#"run '' """#) == ["run", "", ""])
        #expect(try MCPCommandLine.words("run a\\\nb") == ["run", "ab"])
    }

    @Test func words_expandNothing() throws {
        #expect(
            try MCPCommandLine.words("tool $HOME ~ *.txt a;b `x` $(y) |z") == [
                "tool", "$HOME", "~", "*.txt", "a;b", "`x`", "$(y)", "|z",
            ])
    }

    @Test func words_refuseWhatIsNotACommand() {
        for line in ["", "   ", "''", "run 'open", #"run "open"#, #"run \"#] {
            #expect(throws: AIError.self, "\(line)") { try MCPCommandLine.words(line) }
            do {
                _ = try MCPCommandLine.words(line)
            } catch {
                #expect(error.code == .usage, "\(line)")
                #expect(error.message.contains("--mcp"), "\(line)")
            }
        }
    }

    @Test func serverName_isTheProgramsFileName_sanitised() {
        #expect(MCPCommandLine.serverName("/usr/local/bin/my.server --x") == "my_server")
        #expect(MCPCommandLine.serverName("npx -y @modelcontextprotocol/server-git") == "npx")
        #expect(MCPCommandLine.serverName("'/opt/a b/srv@2' x") == "srv_2")
        #expect(MCPCommandLine.sanitized("a.b/c d-e_f") == "a_b_c_d-e_f")
    }

    final class FakeServer: ToolServer, @unchecked Sendable {
        let commandLine: String
        let tools: [ToolDefinition]
        init(_ commandLine: String, _ names: [String]) {
            self.commandLine = commandLine
            tools = names.map {
                ToolDefinition(
                    name: $0, description: nil, parameters: .object([:]),
                    backend: .mcp(server: commandLine, remoteName: $0))
            }
        }
        func call(remoteName: String, arguments: JSON, timeout: Double) throws -> ToolOutput {
            ToolOutput(content: "", isError: false)
        }
        func shutdown() {}
    }

    static func command(_ name: String) -> ToolDefinition {
        ToolDefinition(
            name: name, description: nil, parameters: .object([:]),
            backend: .command(argv: ["true"], timeout: 1, environment: []))
    }

    @Test func offeredTools_prefixOnlyClashingServerTools() {
        let git = FakeServer("/usr/bin/git-mcp --repo .", ["status", "log", "search"])
        let web = FakeServer("web.server", ["search", "fetch"])
        let offered = MCPServer.offeredTools(servers: [git, web], commandTools: [Self.command("log")])
        #expect(
            offered.map(\.name) == ["log", "status", "git-mcp_log", "git-mcp_search", "web_server_search", "fetch"])
        // The server still knows each tool by its own name.
        #expect(offered[3].backend == .mcp(server: "/usr/bin/git-mcp --repo .", remoteName: "search"))
        #expect(offered.allSatisfy { ToolDefinition.isValidName($0.name) })
    }

    @Test func offeredTools_twoServersOfOneProgram_stayDistinct() {
        let first = FakeServer("srv --a", ["x"])
        let second = FakeServer("srv --b", ["x"])
        let offered = MCPServer.offeredTools(servers: [first, second], commandTools: [])
        #expect(offered.map(\.name) == ["srv_x", "srv2_x"])
    }

    @Test func offeredTools_keepNamesWithin64Characters() {
        let long = String(repeating: "t", count: 64)
        let first = FakeServer("alpha", [long])
        let second = FakeServer("beta", [long])
        let offered = MCPServer.offeredTools(servers: [first, second], commandTools: [])
        #expect(offered.count == 2)
        #expect(offered.allSatisfy { $0.name.utf8.count <= 64 && ToolDefinition.isValidName($0.name) })
        #expect(Set(offered.map(\.name)).count == 2)
        #expect(offered[0].name.hasPrefix("alpha_t"))
    }

    @Test func offeredTools_withoutClash_changeNothing() {
        let server = FakeServer("srv", ["a", "b"])
        let offered = MCPServer.offeredTools(servers: [server], commandTools: [Self.command("c")])
        #expect(offered.map(\.name) == ["c", "a", "b"])
    }
}

@Suite struct MCPResultTests {
    static func parse(_ text: String) throws -> JSON { try JSON.parse(text) }

    @Test func textParts_joinedByNewlines() throws {
        let result = try Self.parse(#"{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}"#)
        #expect(MCPResult.output(result) == ToolOutput(content: "a\nb", isError: false))
    }

    @Test func isError_makesAnErrorOutput() throws {
        let result = try Self.parse(#"{"content":[{"type":"text","text":"no"}],"isError":true}"#)
        #expect(MCPResult.output(result) == ToolOutput(content: "no", isError: true))
    }

    @Test func otherParts_describedInOneLine() throws {
        let result = try Self.parse(
            #"""
            {"content":[{"type":"image","data":"aGVsbG8=","mimeType":"image/png"},
            {"type":"audio","data":"AAAA","mimeType":"audio/wav"},
            {"type":"resource","resource":{"uri":"file:///a.txt","mimeType":"text/plain","text":"inside"}},
            {"type":"resource","resource":{"uri":"file:///b.bin","blob":"AA=="}},
            {"type":"resource_link","uri":"file:///c","name":"c"},{"type":"video"}]}
            """#)
        #expect(
            MCPResult.output(result).content == """
                [image image/png, 8 bytes of base64]
                [audio audio/wav, 4 bytes of base64]
                inside
                [resource file:///b.bin]
                [resource link file:///c (c)]
                [video content]
                """)
    }

    @Test func structuredContent_whenNoPartHasText() throws {
        let only = try Self.parse(#"{"content":[],"structuredContent":{"answer":42}}"#)
        #expect(MCPResult.output(only).content == #"{"answer":42}"#)
        let both = try Self.parse(#"{"content":[{"type":"text","text":"42"}],"structuredContent":{"answer":42}}"#)
        #expect(MCPResult.output(both).content == "42")
        #expect(MCPResult.output(try Self.parse("{}")) == ToolOutput(content: "", isError: false))
    }

    @Test func jsonRPCError_namesTheToolTheMessageAndTheCode() throws {
        let error = try Self.parse(#"{"code":-32602,"message":"bad arguments"}"#)
        let output = MCPResult.output(error: error, tool: "search")
        #expect(output.isError)
        #expect(output.content == "MCP tool 'search' failed: bad arguments (JSON-RPC error -32602)")
    }
}
