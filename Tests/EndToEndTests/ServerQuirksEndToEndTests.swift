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
