import AIBase
import AITestSupport
import AIWire
import Foundation
import Testing

/// The tool loop through the binaries (DESIGN §11): the fake agent calls tools, `ai-complete` and `ai-stream` run
/// them and send the results back, for each provider's wire format, streamed and not.
@Suite struct ToolLoopTests {
    enum Provider: String, CaseIterable, Sendable {
        case openai, anthropic, ollama
    }

    /// The environment pointing `provider` at `server` with a key (none for Ollama).
    static func environment(
        _ provider: Provider, _ server: FakeServer, _ extra: [String: String] = [:]
    ) -> [String:
        String]
    {
        var values: [String: String]
        switch provider {
        case .openai: values = ["OPENAI_API_KEY": "sk-fixture-openai", "OPENAI_BASE_URL": server.baseURL + "/v1"]
        case .anthropic: values = ["ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": server.baseURL]
        case .ollama: values = ["OLLAMA_HOST": "127.0.0.1:\(server.port)"]
        }
        values.merge(extra) { $1 }
        return toolEnvironment(values)
    }

    /// A `--tool` file in the scratch directory.
    static func toolFile(
        _ name: String, command: [String], parameters: String? = nil, timeout: Double? = nil, env: [String]? = nil
    ) throws -> String {
        var fields = [#""name":"\#(name)""#, #""description":"the \#(name) tool""#]
        if let parameters { fields.append(#""parameters":\#(parameters)"#) }
        let words = command.map { JSON.string($0).encodedString }.joined(separator: ",")
        fields.append(#""command":[\#(words)]"#)
        if let timeout { fields.append(#""timeout":\#(timeout)"#) }
        if let env { fields.append(#""env":[\#(env.map { "\"\($0)\"" }.joined(separator: ","))]"#) }
        let path = scratchPath("\(name).json")
        try ("{" + fields.joined(separator: ",") + "}").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An executable shell script in the scratch directory.
    static func script(_ name: String, _ body: String) throws -> String {
        let path = scratchPath(name)
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    static let echoParameters = #"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#

    static func parse(_ text: String) -> JSON? {
        try? JSON.parse(text)
    }

    /// Whether a process is gone (or a zombie nobody reaped yet, which runs no more).
    static func isGone(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    /// Waits up to `timeout` seconds for `check`.
    static func eventually(_ timeout: Double = 5, _ check: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if check() { return true }
            usleep(20_000)
        }
        return check()
    }

    // MARK: - Two steps per provider

    @Test(arguments: Provider.allCases, [false, true])
    func twoSteps_runTheToolAndSendItsResultBack(provider: Provider, stream: Bool) throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"hi there"}"#)])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            stream ? "ai-stream" : "ai-complete", arguments: ["-p", provider.rawValue, "--tool", tool, "say hi"],
            environment: Self.environment(provider, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        let outcome: JSON?
        if stream {
            #expect(
                lines.map { $0["type"]?.stringValue ?? "" } == ["start", "tool_call", "tool_result", "delta", "done"])
            #expect(
                lines[1]
                    == Self.parse(
                        #"{"type":"tool_call","id":"call_1_0","name":"echo","arguments":"{\"text\":\"hi there\"}"}"#))
            #expect(lines[2]["content"] == #"{"text":"hi there"}"# && lines[2]["is_error"] == .bool(false))
            #expect(lines[2]["ms"]?.intValue != nil && lines[2]["id"] == "call_1_0" && lines[2]["name"] == "echo")
            #expect(lines[3]["text"] == #"done: {"text":"hi there"}"#)
            outcome = lines.last
        } else {
            #expect(lines.count == 1)
            #expect(lines.first?["content"] == #"done: {"text":"hi there"}"#)
            outcome = lines.first
        }
        #expect(outcome?["steps"] == .int(2))
        #expect(outcome?["usage"]?["prompt_tokens"] == .int(20) && outcome?["usage"]?["completion_tokens"] == .int(10))
        #expect(outcome?["finish_reason"] == "stop")
        #expect(outcome?["tool_calls"] == nil)

        let requests = server.requests
        #expect(requests.count == 2)
        let first = try #require(requests.first?.json)
        let second = try #require(requests.last?.json)
        let parameters = try #require(Self.parse(Self.echoParameters))
        switch provider {
        case .openai, .ollama:
            let tools: JSON = .array([
                .object([
                    "type": "function",
                    "function": .object([
                        "name": "echo", "description": "the echo tool", "parameters": parameters,
                    ]),
                ])
            ])
            #expect(first["tools"] == tools && second["tools"] == tools)
            #expect(first["messages"] == Self.parse(#"[{"role":"user","content":"say hi"}]"#))
            let expected =
                provider == .openai
                ? #"[{"role":"user","content":"say hi"},{"role":"assistant","content":"","tool_calls":[{"id":"call_1_0","type":"function","function":{"name":"echo","arguments":"{\"text\":\"hi there\"}"}}]},{"role":"tool","content":"{\"text\":\"hi there\"}","tool_call_id":"call_1_0"}]"#
                : #"[{"role":"user","content":"say hi"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"echo","arguments":{"text":"hi there"}}}]},{"role":"tool","content":"{\"text\":\"hi there\"}","tool_name":"echo"}]"#
            #expect(second["messages"] == Self.parse(expected), "\(second["messages"]?.encodedString ?? "")")
        case .anthropic:
            let tools: JSON = .array([
                .object(["name": "echo", "description": "the echo tool", "input_schema": parameters])
            ])
            #expect(first["tools"] == tools && second["tools"] == tools)
            let expected =
                #"[{"role":"user","content":"say hi"},{"role":"assistant","content":[{"type":"tool_use","id":"call_1_0","name":"echo","input":{"text":"hi there"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1_0","content":"{\"text\":\"hi there\"}"}]}]"#
            #expect(second["messages"] == Self.parse(expected), "\(second["messages"]?.encodedString ?? "")")
        }
        #expect(first["stream"]?.boolValue ?? false == stream && second["stream"]?.boolValue ?? false == stream)
    }

    /// Reasoning in a later step (here a leading `<think>` block in the final answer) reaches `ai-stream` as
    /// `reasoning` events, as in the first step.
    @Test func laterStepReasoning_isStreamed() throws {
        let agent = FakeAgent(
            calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"x"}"#)], finals: ["<think>because</think>done"])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "--tool", tool, "think then answer"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(
            lines.map { $0["type"]?.stringValue ?? "" }
                == ["start", "tool_call", "tool_result", "reasoning", "delta", "done"])
        #expect(lines.first { $0["type"] == "reasoning" }?["text"] == "because")
        #expect(lines.first { $0["type"] == "delta" }?["text"] == "done")
    }

    @Test func raw_showsOnlyTheText() throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"raw"}"#)])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            "ai-stream", arguments: ["-p", "ollama", "-r", "--tool", tool, "go"],
            environment: Self.environment(.ollama, server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText == "done: {\"text\":\"raw\"}\n")
        #expect(server.requests.count == 2)
    }

    @Test func requestTools_defineToolsInline() throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"x"}"#)])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let request =
            #"{"prompt":"go","tools":[{"name":"echo","parameters":\#(Self.echoParameters),"command":["cat"]}]}"#
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai"], stdin: .text(request + "\n"),
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["content"] == #"done: {"text":"x"}"# && line["steps"] == .int(2))
        #expect(server.requests.first?.json?["tools"]?.arrayValue?.first?["function"]?["name"] == "echo")
    }

    @Test func withoutTools_callsAreReportedAndNotRun() throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "echo", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "go"], environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["finish_reason"] == "tool_calls" && line["tool_calls"]?.arrayValue?.first?["name"] == "echo")
        #expect(line["steps"] == nil)
        #expect(server.requests.count == 1 && server.requests.first?.json?["tools"] == nil)
    }

    // MARK: - Steps

    @Test(arguments: [false, true])
    func maxSteps_endsWithToolLoop(stream: Bool) throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"again"}"#)], rounds: .max)
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            stream ? "ai-stream" : "ai-complete",
            arguments: ["-p", "openai", "--tool", tool, "--max-steps", "3", "go"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 65)
        #expect(server.requests.count == 3)
        let last = try #require(try result.stdoutLines.last)
        #expect(last["error"]?["code"] == "tool_loop")
        #expect(last["usage"]?["total_tokens"] == .int(45))
        #expect(errorLine(result, tool: stream ? "ai-stream" : "ai-complete")?.contains("--max-steps 3") == true)
    }

    @Test func severalRounds_countEveryStep() throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"r"}"#)], rounds: 3)
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            "ai-complete", arguments: ["-p", "anthropic", "--tool", tool, "go"],
            environment: Self.environment(.anthropic, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["steps"] == .int(4) && line["usage"]?["total_tokens"] == .int(60))
        let messages = try #require(server.requests.last?.json?["messages"]?.arrayValue)
        #expect(messages.count == 7)
    }

    @Test func callsOfOneStep_runAtOnceAndComeBackInCallOrder() throws {
        let directory = scratchPath("barrier")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Each call waits for all three to have started: run one after another, the first would time out.
        let worker = try Self.script(
            "barrier.sh",
            """
            input=$(cat)
            tag=${input#*\\"tag\\":\\"}; tag=${tag%%\\"*}
            touch "\(directory)/$tag"
            i=0
            while [ $i -lt 100 ]; do
              [ -e "\(directory)/a" ] && [ -e "\(directory)/b" ] && [ -e "\(directory)/c" ] && break
              sleep 0.05; i=$((i + 1))
            done
            [ "$tag" = a ] && sleep 0.3
            [ "$tag" = b ] && sleep 0.1
            printf '%s' "$tag"
            """)
        let tool = try Self.toolFile(
            "part", command: [worker],
            parameters: #"{"type":"object","properties":{"tag":{"type":"string"}}}"#, timeout: 3)
        let agent = FakeAgent(
            calls: ["a", "b", "c"].map { FakeAgent.Call(name: "part", arguments: #"{"tag":"\#($0)"}"#) })
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "--tool", tool, "go"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(
            lines.filter { $0["type"] == "tool_result" }.map { $0["content"]?.stringValue ?? "" } == ["a", "b", "c"])
        #expect(
            lines.filter { $0["type"] == "tool_call" }.map { $0["id"]?.stringValue ?? "" } == [
                "call_1_0", "call_1_1", "call_1_2",
            ])
        #expect(lines.first { $0["type"] == "delta" }?["text"] == "done: a | b | c")
        let results = try #require(server.requests.last?.json?["messages"]?.arrayValue).filter { $0["role"] == "tool" }
        #expect(results.map { $0["tool_call_id"]?.stringValue ?? "" } == ["call_1_0", "call_1_1", "call_1_2"])
    }

    // MARK: - Safety

    @Test func noShell_argumentsAreNeverInterpreted() throws {
        let marker = scratchPath("shell-marker")
        let tool = try Self.toolFile(
            "say", command: ["/bin/echo", "$(touch \(marker))", ";", "touch", marker, "`touch \(marker)`"])
        let agent = FakeAgent(calls: [
            FakeAgent.Call(name: "say", arguments: #"{"x":"$(touch \#(marker)); touch \#(marker)"}"#)
        ])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--tool", tool, "go"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["content"] == .string("done: $(touch \(marker)) ; touch \(marker) `touch \(marker)`\n"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func environment_isPathHomeLangAndTheListedNamesOnly() throws {
        let tool = try Self.toolFile("env", command: ["env"], env: ["EXTRA_SETTING", "OPENAI_API_KEY", "NOT_SET"])
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "env", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let environment = Self.environment(
            .openai, server, ["LANG": "C.UTF-8", "EXTRA_SETTING": "on", "OTHER_SECRET": "hidden"])
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "--tool", tool, "go"], environment: environment)
        #expect(result.status == 0, "\(result.stderrText)")
        let content = try #require(
            try result.stdoutLines.first { $0["type"] == "tool_result" }?["content"]?.stringValue)
        let names = Set(content.split(separator: "\n").map { String($0.split(separator: "=")[0]) })
        #expect(names == ["PATH", "HOME", "LANG", "EXTRA_SETTING"], "\(content)")
        #expect(content.contains("EXTRA_SETTING=on\n") && content.contains("HOME=\(environment["HOME"] ?? "")\n"))
        #expect(!content.contains("sk-fixture-openai"))
    }

    @Test func timeout_killsTheToolAndItsChild() throws {
        let pids = scratchPath("timeout-pids")
        let worker = try Self.script("hang.sh", "sleep 30 &\necho $! > \(pids)\necho $$ >> \(pids)\nsleep 30")
        let tool = try Self.toolFile("hang", command: [worker], timeout: 1)
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "hang", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "--tool", tool, "go"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.elapsed < 10)
        let output = try #require(try result.stdoutLines.first { $0["type"] == "tool_result" })
        #expect(output["is_error"] == .bool(true))
        #expect(output["content"] == "tool 'hang' timed out after 1 s and was killed")
        let started = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap { pid_t($0) }
        #expect(started.count == 2)
        for pid in started { #expect(Self.eventually { Self.isGone(pid) }, "process \(pid) still runs") }
    }

    @Test func unknownToolAndInvalidArguments_areNeverExecuted() throws {
        let marker = scratchPath("exec-marker")
        let worker = try Self.script("mark.sh", "touch \(marker)")
        let tool = try Self.toolFile(
            "mark", command: [worker],
            parameters: #"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"#)
        let agent = FakeAgent(calls: [
            FakeAgent.Call(name: "ghost", arguments: "{}"), FakeAgent.Call(name: "mark", arguments: #"{"n":"seven"}"#),
            FakeAgent.Call(name: "mark", arguments: #"{"n":1.5}"#),
        ])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "anthropic", "--tool", tool, "go"],
            environment: Self.environment(.anthropic, server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let turn = try #require(server.requests.last?.json?["messages"]?.arrayValue?.last)
        let blocks = try #require(turn["content"]?.arrayValue)
        #expect(blocks.count == 3 && blocks.allSatisfy { $0["is_error"] == .bool(true) })
        #expect(blocks.map { $0["tool_use_id"]?.stringValue ?? "" } == ["call_1_0", "call_1_1", "call_1_2"])
        let texts = blocks.map { $0["content"]?.stringValue ?? "" }
        #expect(texts[0] == "unknown tool 'ghost': it was not offered (the tools are 'mark')")
        #expect(texts[1].hasPrefix("invalid arguments for tool 'mark': /n: "), "\(texts[1])")
        #expect(texts[2].hasPrefix("invalid arguments for tool 'mark': /n: "), "\(texts[2])")
    }

    @Test func failingTool_isAnErrorResultNamingTheStatus() throws {
        let worker = try Self.script("fail.sh", "echo broken; exit 3")
        let tool = try Self.toolFile("fail", command: [worker])
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "fail", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "--tool", tool, "go"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let output = try #require(try result.stdoutLines.first { $0["type"] == "tool_result" })
        #expect(output["content"] == "tool 'fail' failed: exit status 3\nbroken\n" && output["is_error"] == .bool(true))
    }

    @Test(arguments: ["ai-stream", "ai-complete"])
    func sigint_midToolEndsTheToolAndItsChild(tool name: String) throws {
        let pids = scratchPath("sigint-pids")
        let worker = try Self.script(
            "wait.sh", "sleep 30 &\necho $! > \(pids).tmp\necho $$ >> \(pids).tmp\nmv \(pids).tmp \(pids)\nsleep 30")
        let tool = try Self.toolFile("wait", command: [worker])
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "wait", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let process = try ToolProcess(
            name, arguments: ["-p", "openai", "--tool", tool, "go"], environment: Self.environment(.openai, server))
        #expect(Self.eventually(10) { FileManager.default.fileExists(atPath: pids) })
        process.send(signal: SIGINT)
        let result = try process.wait(timeout: 10)
        #expect(result.status == 130)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "cancelled")
        let started = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap { pid_t($0) }
        #expect(started.count == 2)
        for pid in started { #expect(Self.eventually { Self.isGone(pid) }, "process \(pid) still runs") }
    }

    @Test func childLeftBehind_isKilledWhenTheToolExits() throws {
        let pids = scratchPath("orphan-pids")
        let worker = try Self.script("orphan.sh", "sleep 30 &\necho $! > \(pids)\necho started")
        let tool = try Self.toolFile("orphan", command: [worker])
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "orphan", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--tool", tool, "go"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.first?["content"] == "done: started\n")
        let child = try #require(pid_t(try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n")[0]))
        #expect(Self.eventually { Self.isGone(child) }, "process \(child) still runs")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid")))
    func approve_withoutATerminalRefuses() throws {
        let marker = scratchPath("approve-marker")
        let worker = try Self.script("approve.sh", "touch \(marker)")
        let tool = try Self.toolFile("act", command: [worker])
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "act", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        // A new session has no controlling terminal.
        let result = try runTool(
            "/usr/bin/setsid",
            arguments: [
                "-w", ToolProcess.executablePath("ai-stream"), "-p", "openai", "--approve", "--tool", tool, "go",
            ],
            environment: Self.environment(.openai, server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let output = try #require(try result.stdoutLines.first { $0["type"] == "tool_result" })
        #expect(output["content"] == "tool 'act' was not run: --approve found no terminal to ask on")
        #expect(output["is_error"] == .bool(true))
    }

    /// `--approve` on a terminal (util-linux `script` gives the run a pty): `y` runs the call, anything else
    /// refuses it and the tool never runs; the prompt goes to the terminal, never to stdout.
    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")),
        arguments: [("y", true), ("n", false)])
    func approve_onATerminal_asksAndObeys(answer: String, runs: Bool) throws {
        let marker = scratchPath("approve-tty-\(answer)")
        let worker = try Self.script("approve-tty-\(answer).sh", "touch \(marker); echo ran")
        let tool = try Self.toolFile("act", command: [worker])
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "act", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let output = scratchPath("approve-tty-\(answer).jsonl")
        var values = Self.environment(.openai, server)
        values["SHELL"] = "/bin/sh"
        values["TERM"] = "dumb"
        values["AI_BIN"] = ToolProcess.executablePath("ai-complete")
        let command = #""$AI_BIN" -p openai --approve --tool '\#(tool)' go > '\#(output)'; echo "rc=$?""#
        let session = try ToolProcess(
            "/usr/bin/script", arguments: ["-q", "-e", "-c", command, "/dev/null"], stdin: .pipe, environment: values)
        try session.waitForStdout(containing: "[y/N]", timeout: 20)
        try session.writeStdin(Array((answer + "\r").utf8))
        try session.waitForStdout(containing: "rc=", timeout: 20)
        session.closeStdin()
        let result = try session.wait(timeout: 20)
        #expect(result.stdoutText.contains("run tool 'act' with {}"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("rc=0"), "\(result.stdoutText)")
        #expect(FileManager.default.fileExists(atPath: marker) == runs)
        let line = try #require(Self.parse(try String(contentsOfFile: output, encoding: .utf8)))
        #expect(line["steps"] == .int(2))
        let sent = server.requests.last?.json?["messages"]?.arrayValue?.last
        #expect(sent?["role"] == "tool")
        #expect((sent?["content"]?.stringValue ?? "").contains("ran") == runs, "\(sent?.encodedString ?? "")")
    }

    // MARK: - Bad definitions

    @Test func badToolFile_isAUsageError() throws {
        let path = scratchPath("bad-tool.json")
        try #"{"name":"x","command":"rm -rf /"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo", "--tool", path, "hi"], environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(errorLine(result, tool: "ai-complete")?.contains("'command' must be a non-empty array") == true)
    }

    // MARK: - With a schema

    static let countSchema = #"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"#

    /// The `answer` tool Anthropic is offered for `countSchema`.
    static let answerTool =
        #"{"name":"answer","description":"Give the answer: its input is the whole answer, meeting the input schema.","#
        + #""input_schema":\#(countSchema)}"#

    @Test(arguments: Provider.allCases, [false, true])
    func schema_aToolStepThenAnAnswerThatMeetsIt(provider: Provider, stream: Bool) throws {
        let agent = FakeAgent(
            calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"hi"}"#)], finals: [#"{"n":3}"#])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            stream ? "ai-stream" : "ai-complete",
            arguments: ["-p", provider.rawValue, "--tool", tool, "--schema", Self.countSchema, "count"],
            environment: Self.environment(provider, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        let outcome = try #require(lines.last)
        if stream {
            #expect(
                lines.map { $0["type"]?.stringValue ?? "" } == ["start", "tool_call", "tool_result", "delta", "done"])
            #expect(lines[3]["text"] == #"{"n":3}"#)
        } else {
            #expect(lines.count == 1 && outcome["content"] == #"{"n":3}"#)
        }
        #expect(outcome["data"] == Self.parse(#"{"n":3}"#))
        #expect(outcome["steps"] == .int(2) && outcome["usage"]?["total_tokens"] == .int(30))
        #expect(outcome["tool_calls"] == nil)
        #expect(result.stderrText.isEmpty, "\(result.stderrText)")

        let requests = server.requests.compactMap(\.json)
        #expect(requests.count == 2)
        let schema = try #require(Self.parse(Self.countSchema))
        let parameters = try #require(Self.parse(Self.echoParameters))
        let functionTools: JSON = .array([
            .object([
                "type": "function",
                "function": .object(["name": "echo", "description": "the echo tool", "parameters": parameters]),
            ])
        ])
        for body in requests {
            switch provider {
            case .openai:
                #expect(body["tools"] == functionTools)
                #expect(
                    body["response_format"]
                        == Self.parse(
                            #"{"type":"json_schema","json_schema":{"name":"answer","schema":\#(Self.countSchema),"#
                                + #""strict":false}}"#))
            case .ollama:
                #expect(body["tools"] == functionTools && body["format"] == schema)
            case .anthropic:
                let echo = #"{"name":"echo","description":"the echo tool","input_schema":\#(Self.echoParameters)}"#
                #expect(body["tools"] == Self.parse("[\(echo),\(Self.answerTool)]"))
                #expect(body["tool_choice"] == Self.parse(#"{"type":"any"}"#))
            }
        }
        let sent = try #require(requests.last?["messages"]?.arrayValue)
        #expect(sent.count == 3)
        #expect(sent.last?["role"] == (provider == .anthropic ? "user" : "tool"))
    }

    @Test(arguments: Provider.allCases, [false, true])
    func schema_aFailingAnswerIsRepaired(provider: Provider, stream: Bool) throws {
        let agent = FakeAgent(
            calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"hi"}"#)],
            finals: [#"{"n":"three"}"#, #"{"n":3}"#])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            stream ? "ai-stream" : "ai-complete",
            arguments: [
                "-p", provider.rawValue, "--tool", tool, "--schema", Self.countSchema, "--repair", "1", "count",
            ],
            environment: Self.environment(provider, server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText.contains("asking for a repair (repair 1)"), "\(result.stderrText)")
        let lines = try result.stdoutLines
        let outcome = try #require(lines.last)
        if stream {
            #expect(lines.filter { $0["type"] == "start" }.count == 1)
            #expect(
                lines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil } == [
                    #"{"n":"three"}"#, #"{"n":3}"#,
                ])
        } else {
            #expect(outcome["content"] == #"{"n":3}"#)
        }
        #expect(outcome["data"] == Self.parse(#"{"n":3}"#))
        #expect(outcome["steps"] == .int(3) && outcome["usage"]?["total_tokens"] == .int(45))
        let requests = server.requests.compactMap(\.json)
        #expect(requests.count == 3)
        let sent = try #require(requests.last?["messages"]?.arrayValue)
        #expect(sent.count == 5)
        #expect(sent[3]["role"] == "assistant" && sent[3]["content"] == #"{"n":"three"}"#)
        #expect(sent[4]["role"] == "user")
        #expect(
            sent[4]["content"]?.stringValue?.hasPrefix("Your answer does not match the JSON Schema:\n- /n: ") == true,
            "\(sent[4].encodedString)")
    }

    @Test(arguments: Provider.allCases)
    func schema_aFailingAnswerWithoutRepairIsASchemaError(provider: Provider) throws {
        let agent = FakeAgent(
            calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"hi"}"#)], finals: [#"{"n":"three"}"#])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            "ai-complete", arguments: ["-p", provider.rawValue, "--tool", tool, "--schema", Self.countSchema, "count"],
            environment: Self.environment(provider, server))
        #expect(result.status == 76)
        let line = try #require(try result.stdoutLines.first)
        #expect(line["error"]?["code"] == "schema")
        #expect(line["error"]?["content"] == #"{"n":"three"}"#)
        #expect(line["error"]?["errors"]?.arrayValue?.first?["path"] == "/n")
        #expect(line["usage"]?["total_tokens"] == .int(30))
        #expect(server.requests.count == 2)
    }

    @Test func schema_aRepairIsAStepAndStopsAtMaxSteps() throws {
        let agent = FakeAgent(
            calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"hi"}"#)],
            finals: [#"{"n":"three"}"#, #"{"n":3}"#])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            "ai-complete",
            arguments: [
                "-p", "openai", "--tool", tool, "--schema", Self.countSchema, "--repair", "1", "--max-steps", "2",
                "count",
            ],
            environment: Self.environment(.openai, server))
        #expect(result.status == 76)
        #expect(try result.stdoutLines.first?["error"]?["code"] == "schema")
        #expect(server.requests.count == 2)
    }

    @Test func schema_conversationHoldsEveryTurn() throws {
        let agent = FakeAgent(
            calls: [FakeAgent.Call(name: "echo", arguments: #"{"text":"hi"}"#)], finals: [#"{"n":3}"#])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("echo", command: ["cat"], parameters: Self.echoParameters)
        let result = try runTool(
            "ai-complete", arguments: ["-p", "anthropic", "-c", "--tool", tool, "--schema", Self.countSchema, "count"],
            environment: Self.environment(.anthropic, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        let messages = try #require(line["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "assistant"])
        #expect(messages.last?["content"] == #"{"n":3}"# && messages.last?["tool_calls"] == nil)
        #expect(line["data"] == Self.parse(#"{"n":3}"#))
    }

    /// Anthropic's call of `answer` is the final answer: a tool called beside it in the same step never runs.
    @Test func schema_anthropicAnswerCalledBesideAToolEndsTheLoop() throws {
        let marker = scratchPath("beside-answer-marker")
        let worker = try Self.script("beside.sh", "touch \(marker)")
        let tool = try Self.toolFile("mark", command: [worker])
        let server = try FakeServer { _ in
            .json(
                .object([
                    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                    "content": .array([
                        .object(["type": "tool_use", "id": "t1", "name": "mark", "input": .object([:])]),
                        .object(["type": "tool_use", "id": "t2", "name": "answer", "input": .object(["n": .int(7)])]),
                    ]),
                    "stop_reason": "tool_use",
                    "usage": .object(["input_tokens": .int(10), "output_tokens": .int(5)]),
                ]))
        }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "anthropic", "--tool", tool, "--schema", Self.countSchema, "count"],
            environment: Self.environment(.anthropic, server))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["data"] == Self.parse(#"{"n":7}"#) && line["steps"] == .int(1))
        #expect(line["tool_calls"] == nil)
        #expect(server.requests.count == 1)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func schema_aToolNamedAnswerIsRefused() throws {
        let agent = FakeAgent(calls: [FakeAgent.Call(name: "answer", arguments: "{}")])
        let server = try FakeServer(handler: agent.handler)
        defer { server.stop() }
        let tool = try Self.toolFile("answer", command: ["cat"])
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--tool", tool, "--schema", #"{"type":"object"}"#, "hi"],
            environment: Self.environment(.openai, server))
        #expect(result.status == 65)
        let line = try #require(try result.stdoutLines.first)
        #expect(line["error"]?["code"] == "input")
        #expect(line["error"]?["message"]?.stringValue?.contains("a tool named 'answer'") == true)
        #expect(server.requests.isEmpty)
    }
}
