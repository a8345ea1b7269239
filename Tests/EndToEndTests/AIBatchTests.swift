import AIBase
import AITestSupport
import AIWire
import Foundation
import Glibc
import Testing

/// `ai-batch` through the built binary against the fake batch service (DESIGN §14): the exact upload and create
/// bodies, results in input order with the original ids and metadata, expired and failed requests, the same output
/// every time, `not_supported`, `wait --max-time`, a 429 while polling, cancel, and a kill during submit.
@Suite struct AIBatchTests {
    /// The environment pointing `provider` at `server`, with the fixtures' keys, in a fresh HOME.
    static func environment(_ server: FakeServer) -> [String: String] {
        toolEnvironment([
            "OPENAI_API_KEY": "sk-fixture-openai", "OPENAI_BASE_URL": server.baseURL + "/v1",
            "ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": server.baseURL,
        ])
    }

    static func batch(_ arguments: [String], stdin: String = "", _ environment: [String: String]) throws -> ToolResult {
        try runTool("ai-batch", arguments: arguments, stdin: .text(stdin), environment: environment)
    }

    /// Mixed input: an awkward id with metadata, a request the provider refuses, one that expires, a line that is
    /// no request, and a numeric id.
    static let mixedInput =
        [
            #"{"id":"a b/c","prompt":"hello there","metadata":{"k":1}}"#,
            #"{"id":"é","prompt":"please FAIL"}"#,
            #"{"prompt":"will EXPIRE"}"#,
            #"{"id":"x","colour":"red"}"#,
            #"{"id":5,"prompt":"last one"}"#,
        ].joined(separator: "\n") + "\n"

    /// Submits, waits, and reads the results twice; returns the job line and the results.
    static func roundTrip(
        provider: String, server: FakeServer, input: String = mixedInput, extra: [String] = []
    ) throws -> (job: JSON, results: ToolResult, environment: [String: String]) {
        let environment = environment(server)
        let submitted = try batch(["submit", "-p", provider] + extra, stdin: input, environment)
        #expect(submitted.status == 0, "\(submitted.stderrText)")
        let job = try #require(try submitted.stdoutLines.first)
        let name = try #require(job["job"]?.stringValue)
        let waited = try batch(["wait", name], environment)
        #expect(waited.status == 0, "\(waited.stderrText)")
        #expect(try waited.stdoutLines.first?["state"] == "ended")
        // No progress bar when stderr is not a terminal.
        #expect(waited.stderr.isEmpty)
        let results = try batch(["results", name], environment)
        let again = try batch(["results", name], environment)
        #expect(again.stdout == results.stdout)
        #expect(again.status == results.status)
        return (job, results, environment)
    }

    /// Checks the mixed input's five lines.
    static func checkMixed(_ lines: [JSON], provider: String, model: String) {
        #expect(lines.count == 5)
        guard lines.count == 5 else { return }
        #expect(lines[0]["id"] == "a b/c")
        #expect(lines[0]["provider"]?.stringValue == provider)
        #expect(lines[0]["model"]?.stringValue == model)
        #expect(lines[0]["content"] == "echo: hello there")
        #expect(lines[0]["finish_reason"] == "stop")
        #expect(lines[0]["metadata"] == .object(["k": .int(1)]))
        #expect(lines[0]["usage"]?["prompt_tokens"]?.intValue == 2)
        #expect(lines[0]["timing"] != nil)
        #expect(lines[1]["id"] == "é")
        #expect(lines[1]["error"]?["code"] == "rejected")
        #expect(lines[1]["error"]?["status"]?.intValue == 400)
        #expect(lines[1]["error"]?["message"]?.stringValue?.contains("bad request: please FAIL") == true)
        #expect(lines[2]["id"] == "3")
        #expect(lines[2]["error"]?["code"] == "timeout")
        #expect(lines[2]["error"]?["retryable"] == .bool(true))
        #expect(lines[3]["error"]?["code"] == "input")
        #expect(lines[3]["error"]?["message"]?.stringValue?.contains("colour") == true)
        #expect(lines[4]["id"] == .int(5))
        #expect(lines[4]["content"] == "echo: last one")
    }

    @Test func openAI_submitWaitResults_exactBodies_inputOrder() throws {
        let service = FakeBatchService()
        let server = try FakeServer(handler: service.handler)
        defer { server.stop() }
        let (job, results, environment) = try Self.roundTrip(provider: "openai", server: server)
        let name = try #require(job["job"]?.stringValue)
        #expect(job["provider"] == "openai")
        #expect(job["requests"]?.intValue == 5)
        #expect(job["provider_jobs"] == .array([.string("batch_00001")]))
        // The upload: purpose batch, one line per request sent, the body the OpenAI provider sends.
        let upload = try #require(server.requests.first { $0.method == "POST" && $0.path == "/v1/files" })
        #expect(upload.header("authorization") == "Bearer sk-fixture-openai")
        #expect(upload.header("content-type")?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(upload.bodyText.contains("Content-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"))
        let file = String(decoding: try #require(service.uploadedFiles["file-1"]), as: UTF8.self)
        #expect(
            file.split(separator: "\n").map(String.init) == [
                #"{"custom_id":"r0_a_b_c","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}}"#,
                #"{"custom_id":"r1__","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"please FAIL"}]}}"#,
                #"{"custom_id":"r2_3","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"will EXPIRE"}]}}"#,
                #"{"custom_id":"r4_5","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"last one"}]}}"#,
            ])
        let create = try #require(server.requests.first { $0.method == "POST" && $0.path == "/v1/batches" })
        #expect(
            create.bodyText
                == #"{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"ai_job":"\#(name)","ai_part":"0"}}"#
        )
        #expect(results.status == 65, "\(results.stderrText)")
        Self.checkMixed(try results.stdoutLines, provider: "openai", model: "gpt-4o-mini")
        #expect(results.stderrTextLines.contains { $0.hasPrefix("ai-batch: error: openai rejected the request (400)") })
        // The record: 0600 in a 0700 directory.
        let directory = environment["XDG_STATE_HOME", default: ""] + "/ai/batches"
        let fileMode = try FileManager.default.attributesOfItem(atPath: directory + "/\(name).json")[.posixPermissions]
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions]
        #expect(fileMode as? Int == 0o600)
        #expect(directoryMode as? Int == 0o700)
        let list = try Self.batch(["list"], environment)
        #expect(list.status == 0)
        #expect(try list.stdoutLines.map { $0["job"] } == [.string(name)])
        #expect(try list.stdoutLines.first?["state"] == "submitted")
    }

    /// DESIGN §14: the results are what `ai-complete` would have printed, so `ai-complete --resume` with them redoes
    /// only the requests that did not succeed.
    @Test func results_letAICompleteResumeRedoOnlyTheFailures() throws {
        let service = FakeBatchService()
        let server = try FakeServer(handler: service.handler)
        defer { server.stop() }
        let (_, results, _) = try Self.roundTrip(provider: "openai", server: server)
        let resultsFile = scratchPath("batch-results-\(UUID().uuidString).jsonl")
        try Data(results.stdout).write(to: URL(fileURLWithPath: resultsFile))
        let chat = try FakeServer(handler: FakeAgent(calls: []).handler)
        defer { chat.stop() }
        let redo = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--resume", resultsFile], stdin: .text(Self.mixedInput),
            environment: Self.environment(chat))
        let sent = chat.requests.compactMap { $0.json?["messages"]?.arrayValue?.last?["content"]?.stringValue }
        #expect(sent.sorted() == ["please FAIL", "will EXPIRE"], "\(redo.stderrText)")
        let lines = try redo.stdoutLines
        #expect(lines.map { $0["id"] ?? .null } == [.string("é"), .string("3"), .string("x")])
        #expect(lines.prefix(2).allSatisfy { $0["content"]?.stringValue != nil })
        #expect(lines.last?["error"]?["code"] == "input")
    }

    @Test func anthropic_submitWaitResults_exactBody_inputOrder() throws {
        let service = FakeBatchService()
        let server = try FakeServer(handler: service.handler)
        defer { server.stop() }
        let (job, results, _) = try Self.roundTrip(
            provider: "anthropic", server: server, extra: ["-m", "claude-test", "--max-tokens", "50"])
        #expect(job["provider_jobs"] == .array([.string("msgbatch_00001")]))
        let create = try #require(server.requests.first { $0.method == "POST" && $0.path == "/v1/messages/batches" })
        #expect(create.header("x-api-key") == "sk-ant-fixture")
        #expect(create.header("anthropic-version") == "2023-06-01")
        let params = { (text: String) in
            #"{"model":"claude-test","max_tokens":50,"messages":[{"role":"user","content":"\#(text)"}]}"#
        }
        #expect(
            create.bodyText
                == #"{"requests":[{"custom_id":"r0_a_b_c","params":\#(params("hello there"))},"#
                + #"{"custom_id":"r1__","params":\#(params("please FAIL"))},"#
                + #"{"custom_id":"r2_3","params":\#(params("will EXPIRE"))},"#
                + #"{"custom_id":"r4_5","params":\#(params("last one"))}]}"#)
        #expect(results.status == 65, "\(results.stderrText)")
        Self.checkMixed(try results.stdoutLines, provider: "anthropic", model: "claude-test")
    }

    @Test func schema_answersValidated_asAIComplete() throws {
        let service = FakeBatchService()
        let server = try FakeServer(handler: service.handler)
        defer { server.stop() }
        let schema = #"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"#
        let input = [
            #"{"id":"good","prompt":"json:{\"n\":3}"}"#, #"{"id":"bad","prompt":"json:{\"n\":\"x\"}"}"#,
            #"{"id":"not a schema","prompt":"x","schema":{"type":3}}"#,
        ].joined(separator: "\n")
        for provider in ["openai", "anthropic"] {
            let (job, results, _) = try Self.roundTrip(
                provider: provider, server: server, input: input, extra: ["--schema", schema])
            #expect(results.status == 76, "\(provider): \(results.stderrText)")
            #expect(job["requests"]?.intValue == 3)
            let lines = try results.stdoutLines
            #expect(lines.count == 3)
            guard lines.count == 3 else { continue }
            #expect(lines[0]["data"] == .object(["n": .int(3)]), "\(provider)")
            #expect(lines[1]["error"]?["code"] == "schema", "\(provider)")
            #expect(lines[1]["error"]?["retryable"] == .bool(true))
            #expect(lines[1]["error"]?["content"] == #"{"n":"x"}"#)
            #expect(lines[2]["error"]?["code"] == "input")
            #expect(lines[2]["error"]?["message"]?.stringValue?.hasPrefix("field 'schema': ") == true)
        }
        // Each provider was asked for the schema natively, as ai-complete asks; the bad schema was not sent.
        let schemaJSON = try JSON.parse(Array(schema.utf8))
        let file = try #require(service.uploadedFiles["file-1"]).split(separator: 0x0A)
        #expect(file.count == 2)
        let openAIBody = try JSON.parse(Array(try #require(file.first)))["body"]
        #expect(openAIBody?["response_format"]?["json_schema"]?["schema"] == schemaJSON)
        let create = try #require(server.requests.first { $0.path == "/v1/messages/batches" && $0.method == "POST" })
        let requests = try #require(create.json?["requests"]?.arrayValue)
        #expect(requests.count == 2)
        #expect(requests.first?["params"]?["tools"]?.arrayValue?.first?["input_schema"] == schemaJSON)
        #expect(requests.first?["params"]?["tool_choice"]?["name"] == "answer")
    }

    @Test(arguments: ["echo", "ollama"])
    func providerWithoutBatchAPI_notSupported_nothingSent(provider: String) throws {
        let server = try FakeServer(responses: [])
        defer { server.stop() }
        var environment = Self.environment(server)
        environment["OLLAMA_HOST"] = server.baseURL
        let result = try Self.batch(["submit", "-p", provider], stdin: #"{"prompt":"hi"}"#, environment)
        #expect(result.status == 78)
        #expect(errorLine(result, tool: "ai-batch") == "ai-batch: error: \(provider) has no batch API")
        #expect(server.requests.isEmpty)
        #expect(result.stdout.isEmpty)
    }

    @Test func configProviders_byKind_ollamaKindRefused_openAIKindServed() throws {
        let service = FakeBatchService()
        let server = try FakeServer(handler: service.handler)
        defer { server.stop() }
        var environment = Self.environment(server)
        let config = scratchPath("config.json")
        let text =
            #"{"version":1,"providers":{"local":{"kind":"ollama","base_url":"\#(server.baseURL)"},"#
            + #""gateway":{"kind":"openai","base_url":"\#(server.baseURL)/v1","key":"GATEWAY_KEY"}}}"#
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        environment["AI_CONFIG"] = config
        environment["GATEWAY_KEY"] = "gw-key"
        let refused = try Self.batch(["submit", "-p", "local", "hi"], environment)
        #expect(refused.status == 78)
        #expect(errorLine(refused, tool: "ai-batch") == "ai-batch: error: local has no batch API")
        #expect(server.requests.isEmpty)
        let served = try Self.batch(["submit", "-p", "gateway", "hi"], environment)
        #expect(served.status == 0, "\(served.stderrText)")
        #expect(try served.stdoutLines.first?["provider"] == "gateway")
        #expect(server.requests.first?.header("authorization") == "Bearer gw-key")
        #expect(service.batchIDs.count == 1)
    }

    @Test func duplicateIDs_inputError_nothingSent() throws {
        let server = try FakeServer(handler: FakeBatchService().handler)
        defer { server.stop() }
        let input =
            #"{"id":"a","prompt":"x"}"# + "\n" + #"{"id":"b","prompt":"y"}"# + "\n" + #"{"id":"a","prompt":"z"}"#
        let result = try Self.batch(["submit", "-p", "openai"], stdin: input, Self.environment(server))
        #expect(result.status == 65)
        #expect(errorLine(result, tool: "ai-batch")?.contains(#"duplicate id "a" (lines 1 and 3)"#) == true)
        #expect(server.requests.isEmpty)
    }

    @Test func unknownJob_notFound_badJobID_usage_noKey_78() throws {
        let server = try FakeServer(handler: FakeBatchService().handler)
        defer { server.stop() }
        let environment = Self.environment(server)
        let unknown = try Self.batch(["status", "20261202T000000-000000"], environment)
        #expect(unknown.status == 65)
        #expect(errorLine(unknown, tool: "ai-batch") == "ai-batch: error: no job 20261202T000000-000000")
        let bad = try Self.batch(["results", "../../etc/passwd"], environment)
        #expect(bad.status == 64)
        var keyless = environment
        keyless["ANTHROPIC_API_KEY"] = nil
        let noKey = try Self.batch(["submit", "-p", "anthropic", "hi"], keyless)
        #expect(noKey.status == 78)
        #expect(errorLine(noKey, tool: "ai-batch") == "ai-batch: error: no key for anthropic")
        #expect(server.requests.isEmpty)
        let list = try Self.batch(["list"], environment)
        #expect(list.status == 0)
        #expect(list.stdout.isEmpty)
    }

    @Test func wait_maxTime_75() throws {
        var options = FakeBatchService.Options()
        options.pollsUntilEnded = 1_000
        let server = try FakeServer(handler: FakeBatchService(options: options).handler)
        defer { server.stop() }
        let environment = Self.environment(server)
        let submitted = try Self.batch(["submit", "-p", "openai", "hello"], environment)
        let name = try #require(try submitted.stdoutLines.first?["job"]?.stringValue)
        let waited = try Self.batch(["wait", "--max-time", "1.5", name], environment)
        #expect(waited.status == 75)
        #expect(errorLine(waited, tool: "ai-batch") == "ai-batch: error: job \(name) is still running after 1.5s")
        let results = try Self.batch(["results", name], environment)
        #expect(results.status == 75)
        #expect(results.stdout.isEmpty)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func wait_drawsAProgressBar_onATerminalOnly() throws {
        var options = FakeBatchService.Options()
        options.pollsUntilEnded = 2
        let server = try FakeServer(handler: FakeBatchService(options: options).handler)
        defer { server.stop() }
        var environment = Self.environment(server)
        let submitted = try Self.batch(["submit", "-p", "openai", "hello"], environment)
        let name = try #require(try submitted.stdoutLines.first?["job"]?.stringValue)
        let output = scratchPath("wait.jsonl")
        environment["BATCH"] = ToolProcess.executablePath("ai-batch")
        environment["SHELL"] = "/bin/bash"
        environment["TERM"] = "dumb"
        let session = try runTool(
            "/usr/bin/script",
            arguments: ["-q", "-e", "-c", #""$BATCH" wait \#(name) > \#(output); echo "rc=$?""#, "/dev/null"],
            stdin: .devNull, environment: environment)
        #expect(session.stdoutText.contains("rc=0"), "\(session.stdoutText)")
        #expect(session.stdoutText.contains("\r\u{1B}[K\(name) ["), "\(session.stdoutText)")
        #expect(session.stdoutText.contains("] 0/1 in_progress"), "\(session.stdoutText)")
        let line = try JSON.parse(Array(try String(contentsOfFile: output, encoding: .utf8).utf8))
        #expect(line["state"] == "ended")
    }

    @Test func wait_rateLimitedWhilePolling_keepsPolling() throws {
        var options = FakeBatchService.Options()
        options.rateLimitedPolls = 4
        let server = try FakeServer(handler: FakeBatchService(options: options).handler)
        defer { server.stop() }
        let environment = Self.environment(server)
        let submitted = try Self.batch(["submit", "-p", "anthropic", "hello"], environment)
        let name = try #require(try submitted.stdoutLines.first?["job"]?.stringValue)
        let waited = try Self.batch(["wait", name], environment)
        #expect(waited.status == 0, "\(waited.stderrText)")
        #expect(try waited.stdoutLines.first?["succeeded"]?.intValue == 1)
        let polls = server.requests.filter { $0.method == "GET" }
        #expect(polls.count >= 5)
        #expect(waited.stderrText.contains("rate limited by anthropic"))
    }

    @Test(arguments: ["openai", "anthropic"])
    func cancel_unfinishedRequestsBecomeRetryableCancelledLines(provider: String) throws {
        var options = FakeBatchService.Options()
        options.pollsUntilEnded = 1_000
        let server = try FakeServer(handler: FakeBatchService(options: options).handler)
        defer { server.stop() }
        let environment = Self.environment(server)
        let input = #"{"id":"p","prompt":"one"}"# + "\n" + #"{"id":"q","prompt":"two"}"#
        let submitted = try Self.batch(["submit", "-p", provider], stdin: input, environment)
        let name = try #require(try submitted.stdoutLines.first?["job"]?.stringValue)
        let cancelled = try Self.batch(["cancel", name], environment)
        #expect(cancelled.status == 0, "\(cancelled.stderrText)")
        #expect(try cancelled.stdoutLines.first?["state"] == "cancelling")
        let status = try Self.batch(["status", name], environment)
        #expect(try status.stdoutLines.first?["state"] == "ended")
        #expect(try status.stdoutLines.first?["cancelled"]?.intValue == 2)
        let results = try Self.batch(["results", name], environment)
        #expect(results.status == 130)
        let lines = try results.stdoutLines
        #expect(lines.map { $0["id"] } == ["p", "q"])
        #expect(lines.allSatisfy { $0["error"]?["code"] == "cancelled" && $0["error"]?["retryable"] == .bool(true) })
    }

    @Test(arguments: ["openai", "anthropic"])
    func killedDuringSubmit_listShowsTheJob_statusFindsItsProviderJob(provider: String) throws {
        var options = FakeBatchService.Options()
        options.holdCreateMs = 20_000
        let service = FakeBatchService(options: options)
        let server = try FakeServer(handler: service.handler)
        defer { server.stop() }
        let environment = Self.environment(server)
        let process = try ToolProcess(
            "ai-batch", arguments: ["submit", "-p", provider], stdin: .text(#"{"prompt":"hi"}"#),
            environment: environment)
        let deadline = Date().addingTimeInterval(10)
        while service.batchIDs.isEmpty, Date() < deadline { usleep(10_000) }
        #expect(service.batchIDs.count == 1)
        process.send(signal: SIGKILL)
        let killed = try process.wait(timeout: 10)
        #expect(killed.terminatingSignal == SIGKILL)
        #expect(killed.stdout.isEmpty)
        let list = try Self.batch(["list"], environment)
        let listed = try list.stdoutLines
        #expect(listed.count == 1)
        #expect(listed.first?["state"] == "submitting")
        #expect(listed.first?["provider_jobs"] == .array([.null]))
        let name = try #require(listed.first?["job"]?.stringValue)
        let status = try Self.batch(["status", name], environment)
        #expect(status.status == 0, "\(status.stderrText)")
        let line = try #require(try status.stdoutLines.first)
        #expect(line["provider_jobs"]?.arrayValue?.first?["id"]?.stringValue == service.batchIDs.first)
        #expect(try Self.batch(["list"], environment).stdoutLines.first?["state"] == "submitted")
        let waited = try Self.batch(["wait", name], environment)
        #expect(waited.status == 0, "\(waited.stderrText)")
        let results = try Self.batch(["results", name], environment)
        #expect(results.status == 0, "\(results.stderrText)")
        #expect(try results.stdoutLines.first?["content"] == "echo: hi")
    }
}
