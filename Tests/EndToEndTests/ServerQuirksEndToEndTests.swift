import AITestSupport
import AIWire
import Foundation
import Testing

/// DESIGN §16 end to end: servers that refuse `stream_options`, and the config that stops asking for it.
@Suite struct ServerQuirksEndToEndTests {
    static func refusal(status: Int) -> FakeResponse {
        .json(
            .object([
                "error": .object([
                    "message": "Unrecognized request argument supplied: stream_options",
                    "type": "invalid_request_error",
                ])
            ]), status: status)
    }

    @Test(arguments: [400, 422])
    func aServerRefusingStreamOptions_isAskedOnceMoreWithoutThem(status: Int) throws {
        let index = try #require(fixtures)
        let ok = try index.fixture("openai_chat_stream_ok").response()
        let server = try FakeServer { request in
            request.json?["stream_options"] == nil ? ok : Self.refusal(status: status)
        }
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "-n", "hi"], environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests.first?.json?["stream_options"] != nil)
        #expect(requests.last?.json?["stream_options"] == nil && requests.last?.json?["stream"] == .bool(true))
        let lines = try result.stdoutLines
        #expect(lines.filter { $0["type"] == "start" }.count == 1, "one stream of output")
        #expect(lines.last?["type"] == "done")
        #expect(result.stderr.isEmpty, "\(result.stderrText)")
    }

    @Test(arguments: [
        "openai/error_400_context_length.json", "openai/error_400_context_llamacpp.json",
        "openai/error_400_context_vllm.json",
    ])
    func contextOverflow_isContextLength65(_ path: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let body = Array(try Data(contentsOf: root.appendingPathComponent("Fixtures/providers/\(path)")))
        let server = try FakeServer { _ in
            FakeResponse(status: 400, headers: [("content-type", "application/json")], body: body)
        }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-n", "hi"], environment: openAIEnvironment(server))
        #expect(result.status == 65, "\(path): \(result.stderrText)")
        let error = try #require(try result.stdoutLines.first?["error"])
        #expect(error["code"] == "context_length" && error["retryable"] == .bool(false), "\(path)")
        #expect(error["prompt_tokens"] != nil && error["context_tokens"] != nil, "\(path)")
        #expect(server.requests.count == 1, "not retried")
        #expect(result.stderrText.contains("hint: shorten the input"))
    }

    @Test func aStreamEndingWithDoneAndNoFinishReason_succeedsWithNone() throws {
        let sse = #"data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}"# + "\n\n" + "data: [DONE]\n\n"
        let server = try FakeServer { _ in
            FakeResponse(headers: [("content-type", "text/event-stream")], body: Array(sse.utf8))
        }
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "-n", "hi"], environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let done = try #require(try result.stdoutLines.last)
        #expect(done["type"] == "done" && done["finish_reason"] == .null, "\(result.stdoutText)")
    }

    @Test func configStreamUsageFalse_neverAsks() throws {
        let index = try #require(fixtures)
        let ok = try index.fixture("openai_chat_stream_ok").response()
        let server = try FakeServer { request in
            request.json?["stream_options"] == nil ? ok : Self.refusal(status: 400)
        }
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ai-quirks-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.json")
        try Data(
            #"{"version":1,"providers":{"local":{"kind":"openai","base_url":"\#(server.baseURL)/v1","stream_usage":false}}}"#
                .utf8
        ).write(to: config)
        let result = try runTool(
            "ai-stream", arguments: ["-p", "local", "-n", "hi"],
            environment: toolEnvironment(["AI_CONFIG": config.path]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.json?["stream_options"] == nil)
    }
}

/// DESIGN §16: `cost` on result lines and `done` when a price is configured; never a guess.
@Suite struct CostEndToEndTests {
    static func configFile(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ai-cost-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("config-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: path)
        return path.path
    }

    @Test func resultAndDone_carryTheCost_whenThePriceIsKnown() throws {
        let chat = try server("openai_chat_ok")
        defer { chat.stop() }
        // openai_chat_ok reports 19 prompt tokens (0 cached) and 9 completion tokens from gpt-4o-mini-2024-07-18.
        let config = try Self.configFile(
            #"{"version":1,"prices":{"gpt-4o-mini-2024-07-18":{"input":0.15,"output":0.6,"cached_input":0.075}}}"#)
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-n", "hi"],
            environment: openAIEnvironment(chat).merging(["AI_CONFIG": config]) { $1 })
        #expect(result.status == 0, "\(result.stderrText)")
        let line = try #require(try result.stdoutLines.first)
        let cost = try #require(line["cost"])
        #expect(cost["input"]?.doubleValue == 19 * 0.15 / 1_000_000)
        #expect(cost["output"]?.doubleValue == 9 * 0.6 / 1_000_000)
        #expect(cost["usd"]?.doubleValue == 19 * 0.15 / 1_000_000 + 9 * 0.6 / 1_000_000)
        let stream = try server("openai_chat_stream_ok")
        defer { stream.stop() }
        let streamConfig = try Self.configFile(#"{"version":1,"prices":{"gpt-4o-mini":{"input":1,"output":1}}}"#)
        let streamed = try runTool(
            "ai-stream", arguments: ["-p", "openai", "-n", "hi"],
            environment: openAIEnvironment(stream).merging(["AI_CONFIG": streamConfig]) { $1 })
        #expect(streamed.status == 0, "\(streamed.stderrText)")
        let done = try #require(try streamed.stdoutLines.last)
        #expect(done["type"] == "done" && done["cost"]?["usd"] != nil, "\(streamed.stdoutText)")
    }

    @Test func noPrice_noCostField() throws {
        let chat = try server("openai_chat_ok")
        defer { chat.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-n", "hi"], environment: openAIEnvironment(chat))
        #expect(result.status == 0)
        #expect(try result.stdoutLines.first?["cost"] == nil)
    }
}

/// A status line that is not HTTP (or a final 1xx) is the provider's protocol error (76), never a usage error.
@Suite struct MalformedStatusLineTests {
    @Test(arguments: [
        "HTTP/1.1 abc OK", "HTTP/9.9 200 OK", "garbage", "HTTP/1.1 199 Odd", "HTTP/1.1 100 Continue",
        "HTTP/1.1 103 Early Hints",
    ])
    func malformedStatusLine_isProtocol(_ line: String) throws {
        var response = FakeResponse.json(.object(["choices": .array([])]))
        response.statusLine = line
        response.framing = .closeDelimited
        let fixed = response
        let server = try FakeServer { _ in fixed }
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--retries", "0", "-n", "hi"],
            environment: openAIEnvironment(server))
        #expect(result.status == 76, "\(line): \(result.stdoutText) \(result.stderrText)")
        #expect(result.stdoutText.contains(#""code":"protocol""#), "\(line)")
    }
}
