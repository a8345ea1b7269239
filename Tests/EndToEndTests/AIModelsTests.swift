import AIBase
import AICommandLine
import AIProviders
import AITestSupport
import AIWire
import Foundation
import Testing

@Suite struct AIModelsTests {
    @Test func providers_oneLineEachWithAvailabilityAndNoKeys() throws {
        let ollama = try server("ollama_version")
        defer { ollama.stop() }
        let down = try FakeServer.refusedPort()
        let result = try runTool(
            "ai-models", arguments: ["providers"],
            environment: toolEnvironment([
                "OLLAMA_HOST": ollama.baseURL, "OPENAI_BASE_URL": "http://127.0.0.1:\(down)/v1",
                "OPENAI_API_KEY": "sk-secret-value",
            ]))
        #expect(result.status == 0)
        let lines = try result.stdoutLines
        #expect(lines.compactMap { $0["name"]?.stringValue } == ["ollama", "openai", "anthropic", "echo"])
        #expect(lines[0]["available"] == .bool(true) && lines[0]["latency_ms"]?.intValue != nil)
        #expect(lines[1]["available"] == .bool(false) && lines[1]["key"] == "env")
        #expect(lines[1]["error"]?["code"] == "unavailable")
        #expect(lines[2]["key"] == "none" && lines[2]["error"]?["code"] == "no_key")
        #expect(lines.allSatisfy { $0["capabilities"]?["streaming"] == .bool(true) })
        #expect(!result.stdoutText.contains("sk-secret-value"))
    }

    @Test func listAll_oneProviderDownIsAnErrorLineAndTheStatus() throws {
        let ollama = try server("ollama_tags")
        defer { ollama.stop() }
        let down = try FakeServer.refusedPort()
        let result = try runTool(
            "ai-models", arguments: ["list", "--all"],
            environment: toolEnvironment([
                "OLLAMA_HOST": ollama.baseURL, "OPENAI_BASE_URL": "http://127.0.0.1:\(down)/v1", "OPENAI_API_KEY": "k",
                "ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(down)",
            ]))
        #expect(result.status == 69)
        let lines = try result.stdoutLines
        #expect(
            lines.filter { $0["provider"] == "ollama" }.compactMap { $0["id"]?.stringValue }
                == ["llama3.2:latest", "qwen2.5:7b"])
        #expect(lines.filter { $0["provider"] == "openai" }.first?["error"]?["code"] == "unavailable")
        #expect(lines.filter { $0["provider"] == "anthropic" }.first?["error"]?["code"] == "unavailable")
        #expect(lines.contains { $0["provider"] == "echo" && $0["id"] == "echo" })
    }

    @Test func list_anthropicFollowsPagination() throws {
        let index = try #require(fixtures)
        let page1 = try index.fixture("anthropic_models_page1").response()
        let page2 = try index.fixture("anthropic_models_page2").response()
        let server = try FakeServer { request in request.queryValue("after_id") == nil ? page1 : page2 }
        defer { server.stop() }
        let result = try runTool(
            "ai-models", arguments: ["list", "-p", "anthropic"],
            environment: toolEnvironment([
                "ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": server.baseURL,
            ]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(
            try result.stdoutLines.compactMap { $0["id"]?.stringValue } == [
                "claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-opus-4-20250514",
                "claude-3-5-haiku-20241022",
            ])
        #expect(server.requests.count == 2)
        #expect(server.requests.allSatisfy { $0.header("x-api-key") == "sk-ant-fixture" })
    }

    @Test func list_providerDownIs69() throws {
        let down = try FakeServer.refusedPort()
        let result = try runTool(
            "ai-models", arguments: ["list"],
            environment: toolEnvironment(["OLLAMA_HOST": "127.0.0.1:\(down)"]))
        #expect(result.status == 69)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "unavailable")
    }

    @Test func info_ollamaShow() throws {
        let ollama = try server("ollama_show")
        defer { ollama.stop() }
        let result = try runTool(
            "ai-models", arguments: ["info", "llama3.2"],
            environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL]))
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        #expect(line["context_length"] == .number("131072") && line["family"] == "llama")
    }

    @Test func info_unknownOllamaModelIs65() throws {
        let index = try #require(fixtures)
        let ollama = try FakeServer(responses: [index.fixture("ollama_error_404_model_not_found").response()])
        defer { ollama.stop() }
        let result = try runTool(
            "ai-models", arguments: ["info", "llama9"],
            environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL]))
        #expect(result.status == 65)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "not_found")
    }

    @Test func pull_progressLinesThenSuccess() throws {
        let ollama = try server("ollama_pull_stream", chunking: .bytewise)
        defer { ollama.stop() }
        let result = try runTool(
            "ai-models", arguments: ["pull", "llama3.2"],
            environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL]))
        #expect(result.status == 0, "\(result.stderrText)")
        let statuses = try result.stdoutLines.compactMap { $0["status"]?.stringValue }
        #expect(statuses.count == 9 && statuses.first == "pulling manifest" && statuses.last == "success")
        #expect(result.stderr.isEmpty)
        #expect(ollama.requests.first?.json?["model"] == "llama3.2")
        #expect(ollama.requests.first?.json?["stream"] == .bool(true))
    }

    @Test func pull_missingManifestIs65AndNotRetried() throws {
        let ollama = try server("ollama_pull_error")
        defer { ollama.stop() }
        let result = try runTool(
            "ai-models", arguments: ["pull", "nosuch"],
            environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL]))
        #expect(result.status == 65)
        #expect(ollama.requests.count == 1)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "not_found")
    }

    @Test func pull_refusedForNonOllamaProviders_withAHintThatWorks() throws {
        let result = try runTool(
            "ai-models", arguments: ["pull", "-p", "echo", "llama3.2"], environment: toolEnvironment())
        #expect(result.status == 64)
        let prefix = "ai-models: hint: "
        let hint = try #require(result.stderrText.split(separator: "\n").first { $0.hasPrefix(prefix) })
        let words = hint.dropFirst(prefix.count).split(separator: " ").map(String.init)
        #expect(words.first == "ai-models", "\(hint)")
        // The hinted command, run as it is printed, pulls from the ollama provider.
        let ollama = try server("ollama_pull_stream")
        defer { ollama.stop() }
        let hinted = try runTool(
            "ai-models", arguments: Array(words.dropFirst()),
            environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL]))
        #expect(hinted.status == 0, "\(hint): \(hinted.stderrText)")
    }

    @Test func pull_sigintEndsWith130() throws {
        let index = try #require(fixtures)
        var response = try index.fixture("ollama_pull_stream").response()
        response.chunking = .every(60, delayMs: 400)
        let ollama = try FakeServer(responses: [response])
        defer { ollama.stop() }
        let process = try ToolProcess(
            "ai-models", arguments: ["pull", "llama3.2"], stdin: .devNull,
            environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL]))
        try process.waitForStdout(containing: "pulling manifest", timeout: 10)
        process.send(signal: SIGINT)
        let result = try process.wait(timeout: 10)
        #expect(result.status == 130)
        #expect(try result.stdoutLines.last?["error"]?["code"] == "cancelled")
    }
}

/// The config file (DESIGN §7) through the binaries.
@Suite struct ConfigFileTests {
    func write(_ text: String) throws -> String {
        let path = scratchPath("config.json")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func configNamedProvider_answersWithNoKeyAndNoAuthorizationHeader() throws {
        let index = try #require(fixtures)
        let fixture = try index.fixture("openai_chat_stream_ok")
        let server = try FakeServer(handler: fixture.handler(skippingHeaders: ["authorization"]))
        defer { server.stop() }
        let config = try write(
            """
            {"version": 1, "default_provider": "local",
             "providers": {"local": {"kind": "openai", "base_url": "\(server.baseURL)/v1", "model": "qwen",
                                     "headers": {"X-Title": "ai-test"}}}}
            """)
        let result = try runTool(
            "ai-stream", arguments: [], stdin: .text("hi"),
            environment: toolEnvironment(["AI_CONFIG": config]))
        #expect(result.status == 0, "\(result.stderrText)")
        let request = try #require(server.requests.first)
        #expect(request.header("authorization") == nil)
        #expect(request.header("x-title") == "ai-test")
        #expect(request.json?["model"] == "qwen")
        #expect(try result.stdoutLines.first?["provider"] == "local")
    }

    @Test func configKeyNamesTheVariable() throws {
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let config = try write(
            """
            {"version": 1, "providers": {"router": {"kind": "openai", "base_url": "\(server.baseURL)/v1",
                                                    "key": "ROUTER_KEY"}}}
            """)
        let result = try runTool(
            "ai-complete", arguments: ["-p", "router"], stdin: .text("hi"),
            environment: toolEnvironment(["AI_CONFIG": config, "ROUTER_KEY": "sk-fixture-openai"]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(server.requests.first?.header("authorization") == "Bearer sk-fixture-openai")
    }

    @Test(arguments: [
        (#"{"version": 2}"#, "newer"), (#"{"version": 1, "colour": true}"#, "colour"),
        (#"{"version": 1, "providers": {"x": {"base_url": "http://h"}}}"#, "providers.x.kind"),
        (#"{"version": 1, "providers": {"x": {"kind": "openai", "base_url": 7}}}"#, "providers.x.base_url"),
        (#"{"version": 1, "default_provider": "nope"}"#, "default_provider"), ("{", "not JSON"),
    ])
    func badConfig_is78NamingFileAndField(_ text: String, _ field: String) throws {
        let config = try write(text)
        let result = try runTool(
            "ai-complete", arguments: ["-p", "echo"], stdin: .text("hi"),
            environment: toolEnvironment(["AI_CONFIG": config]))
        #expect(result.status == 78)
        let line = try #require(errorLine(result, tool: "ai-complete"))
        #expect(line.contains(config) && line.contains(field), "\(line)")
    }

    @Test func noConfig_skipsABadFile() throws {
        let config = try write("{")
        let result = try runTool(
            "ai-complete", arguments: ["--no-config", "-p", "echo"], stdin: .text("hi"),
            environment: toolEnvironment(["AI_CONFIG": config]))
        #expect(result.status == 0)
    }

    @Test func keyOverPlainHTTPAllowedOnlyWhenTheConfigSaysSo() throws {
        let config = try write(
            """
            {"version": 1, "providers": {"lan": {"kind": "openai", "base_url": "http://lan-box.invalid:9/v1", "key": "K"}}}
            """)
        // Should the check ever fail, the request goes to a refused loopback proxy, never off this machine.
        let proxy = try FakeServer.refusedPort()
        let result = try runTool(
            "ai-complete", arguments: ["-p", "lan", "--retries", "0"], stdin: .text("hi"),
            environment: toolEnvironment([
                "AI_CONFIG": config, "K": "secret",
                "http_proxy": "http://127.0.0.1:\(proxy)",
            ]))
        #expect(result.status == 78)
        #expect(errorLine(result, tool: "ai-complete")?.contains("plain http") == true)

        // With "allow_insecure_http": true the request is sent: it reaches the (refused) loopback proxy, 69.
        let allowed = try write(
            """
            {"version": 1, "providers": {"lan": {"kind": "openai", "base_url": "http://lan-box.invalid:9/v1", "key": "K",
                                                 "allow_insecure_http": true}}}
            """)
        let sent = try runTool(
            "ai-complete", arguments: ["-p", "lan", "--retries", "0"], stdin: .text("hi"),
            environment: toolEnvironment([
                "AI_CONFIG": allowed, "K": "secret",
                "http_proxy": "http://127.0.0.1:\(proxy)",
            ]))
        #expect(sent.status == 69, "\(sent.stderrText)")
        #expect(try sent.stdoutLines.last?["error"]?["code"] == "unavailable")
    }
}
