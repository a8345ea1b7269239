import AIBase
import AICommandLine
import AIProviders
import AITestSupport
import AIWire
import Foundation
import Glibc
import Synchronization
import Testing

/// Fault injection through the built binaries (DESIGN §3, §4, §5; research/protocols.md §5): one row per fault
/// and tool, each checking the exit status, the last stdout line, the number of requests the server saw, and
/// that no line (result, `start`, delta, `done`/`error`) was written twice. Every row writes its observed
/// outcome to `/tmp/fault-table.md` (a markdown table, rewritten as rows finish) and prints it.
@Suite struct FaultTests {
    @Test(arguments: FaultCase.all)
    func fault(_ row: FaultCase) throws {
        let index = try #require(fixtures)
        let plan = try row.plan(index, row.tool)
        var arguments = ["-p", row.provider.rawValue, "-m", "fixture-model"] + row.arguments
        var server: FakeServer?
        var listener: FullBacklogListener?
        let environment: [String: String]
        switch plan {
        case .server(let responses):
            let started = try FakeServer(responses: responses)
            server = started
            switch row.provider {
            case .openai: environment = openAIEnvironment(started)
            case .anthropic:
                environment = toolEnvironment([
                    "ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": started.baseURL,
                ])
            }
        case .refused:
            let port = try FakeServer.refusedPort()
            arguments += ["--base-url", "http://127.0.0.1:\(port)/v1"]
            environment = toolEnvironment(["OPENAI_API_KEY": "sk-fixture-openai"])
        case .unreachable:
            guard let full = FullBacklogListener() else {
                FaultTable.record(
                    row, status: "n/a",
                    last: "skipped: this kernel completes connections to a "
                        + "full accept queue", requests: "n/a")
                return
            }
            listener = full
            arguments += ["--base-url", "http://127.0.0.1:\(full.port)/v1"]
            environment = toolEnvironment(["OPENAI_API_KEY": "sk-fixture-openai"])
        }
        defer {
            server?.stop()
            withExtendedLifetime(listener) {}
        }

        let result = try runTool(
            row.tool.rawValue, arguments: arguments, stdin: .text("Say hello"),
            environment: environment, timeout: 30)
        let requests = server?.requests ?? []
        let lines = try result.stdoutLines
        let context = Comment(
            rawValue: "\(row.testDescription): stdout:\n\(result.stdoutText)\nstderr:\n\(result.stderrText)")

        // Exit status and request count.
        #expect(result.status == row.expected.status, context)
        #expect(requests.count == row.expected.requests, context)

        // The last line, and no line written twice.
        let last = try #require(lines.last, context)
        let record = row.tool == .complete ? last : (last["type"] == "error" ? last : nil)
        switch row.tool {
        case .complete:
            #expect(lines.count == 1, "one result line per request: \(context)")
            #expect(last["id"] == "1", context)
            if row.expected.last == "success" {
                #expect(last["error"] == nil, context)
                #expect(last["content"]?.stringValue == row.text.full, context)
            } else {
                #expect(last["content"] == nil, context)
            }
        case .stream:
            let types = lines.map { $0["type"]?.stringValue ?? "?" }
            #expect(types.filter { $0 == "start" }.count <= 1, "start written twice: \(context)")
            #expect(types.firstIndex(of: "start").map { $0 == 0 } ?? true, context)
            #expect(types.filter { $0 == "done" || $0 == "error" }.count == 1, "one terminal line: \(context)")
            #expect(Set(types).isSubset(of: ["start", "delta", "done", "error"]), context)
            let deltas = lines.filter { $0["type"] == "delta" }.compactMap { $0["text"]?.stringValue }.joined()
            switch row.text {
            case .full(let text):
                #expect(deltas == text, "deltas repeated or lost: \(context)")
            case .partial(let text):
                #expect(deltas == text, "deltas repeated or lost: \(context)")
            case .prefix(let text):
                #expect(text.hasPrefix(deltas), "deltas repeated or lost: \(context)")
            case .none:
                #expect(deltas.isEmpty, context)
            }
            if row.expected.last == "success" { #expect(last["type"] == "done", context) }
        }
        if row.expected.last == "success" {
            #expect(errorLine(result, tool: row.tool.rawValue) == nil, context)
        } else {
            let error = try #require(record?["error"], context)
            #expect(error["code"]?.stringValue == row.expected.last, context)
            #expect(errorLine(result, tool: row.tool.rawValue) != nil, "one stderr error line: \(context)")
            if let wanted = row.messageContains {
                #expect(error["message"]?.stringValue?.contains(wanted) == true, context)
                #expect(errorLine(result, tool: row.tool.rawValue)?.contains(wanted) == true, context)
            }
        }
        // The server never saw the same attempt twice on one connection at once, and retries were spaced.
        if requests.count >= 2 {
            let gap = requests[1].receivedAt - requests[0].receivedAt
            if let minGap = row.minGap { #expect(gap >= minGap, "waited \(gap)s before retrying: \(context)") }
            if let maxGap = row.maxGap { #expect(gap <= maxGap, "waited \(gap)s before retrying: \(context)") }
            let bodies = Set(requests.map(\.bodyText))
            #expect(bodies.count == 1, "every attempt sends the same body: \(context)")
        }
        if let minElapsed = row.minElapsed {
            #expect(result.elapsed >= minElapsed, "took \(result.elapsed)s: \(context)")
        }
        if let maxElapsed = row.maxElapsed {
            #expect(result.elapsed <= maxElapsed, "took \(result.elapsed)s: \(context)")
        }

        let observedLast: String
        if let code = record?["error"]?["code"]?.stringValue {
            observedLast = row.tool == .complete ? "error `\(code)`" : "`error` `\(code)`"
        } else if row.tool == .complete {
            observedLast = last["content"] != nil ? "result (content)" : "?"
        } else {
            observedLast = last["type"]?.stringValue.map { "`\($0)`" } ?? "?"
        }
        let extra =
            requests.count >= 2
            ? String(format: " (retry after %.2fs)", requests[1].receivedAt - requests[0].receivedAt) : ""
        FaultTable.record(
            row, status: "\(result.status)", last: observedLast, requests: "\(requests.count)\(extra)",
            elapsed: result.elapsed)
    }

    // MARK: - Timeouts: idle from the last byte, --max-time over the whole request, reused connections

    /// The error object of the last line (`ai-complete` result or `ai-stream` error event).
    func lastError(_ result: ToolResult) throws -> JSON? {
        try result.stdoutLines.last?["error"]
    }

    /// `--idle-timeout`: "Seconds allowed between two received bytes" (DESIGN §5: "an idle timeout between bytes").
    @Test func idleTimeout_firesSoonAfterTheLastByte() throws {
        let index = try #require(fixtures)
        var stalled = try index.ok(.stream)
        stalled.stallAfterBytes = try index.afterThirdDelta()
        stalled.stallSeconds = 20
        let server = try FakeServer(responses: [stalled])
        defer { server.stop() }
        let result = try runTool(
            "ai-stream", arguments: ["-p", "openai", "--idle-timeout", "1", "--retries", "0"],
            stdin: .text("x"), environment: openAIEnvironment(server))
        #expect(result.status == 75)
        #expect(try lastError(result)?["code"] == "timeout")
        #expect(result.elapsed < 3.5, "timed out \(result.elapsed)s after the request, 1 s idle allowed")
    }

    /// Deltas reach stdout as they arrive (DESIGN §3), not when the stream ends: while the server holds the
    /// stream open after three deltas, those three are already written, as delta lines or (`--raw`) as text.
    @Test(arguments: [([], #""text":" How""#), (["-r"], "Hello! How")])
    func deltas_areWrittenBeforeTheStreamEnds(_ flags: [String], _ third: String) throws {
        let index = try #require(fixtures)
        var stalled = try index.ok(.stream)
        stalled.stallAfterBytes = try index.afterThirdDelta()
        stalled.stallSeconds = 3
        let server = try FakeServer(responses: [stalled])
        defer { server.stop() }
        let started = Monotonic.now()
        let process = try ToolProcess(
            "ai-stream", arguments: ["-p", "openai", "--retries", "0"] + flags,
            stdin: .text("x"), environment: openAIEnvironment(server))
        try process.waitForStdout(containing: third, timeout: 2.5)
        #expect(Monotonic.now() - started < 2.5, "the third delta waited for the rest of the stream")
        let result = try process.wait()
        #expect(result.status == 0)
        if flags.isEmpty {
            #expect(try result.stdoutLines.last?["type"] == "done")
        } else {
            #expect(result.stdoutText == "Hello! How can I help?\n")
        }
    }

    /// `--max-time`: "Seconds allowed for the whole request" (DESIGN §5: "an optional total deadline").
    @Test(arguments: [FaultTool.complete, .stream])
    func maxTime_boundsTheWholeRequestRetriesIncluded(_ tool: FaultTool) throws {
        let index = try #require(fixtures)
        let server = try FakeServer(responses: [try index.ok(tool).withChunking(.every(40, delayMs: 250))])
        defer { server.stop() }
        let result = try runTool(
            tool.rawValue, arguments: ["-p", "openai", "--max-time", "1", "--retries", "2"],
            stdin: .text("x"), environment: openAIEnvironment(server))
        #expect(result.status == 75)
        let error = try lastError(result)
        #expect(error?["code"] == "timeout")
        #expect(error?["message"]?.stringValue?.contains("within 1s (--max-time)") == true, "\(result.stdoutText)")
        #expect(result.elapsed < 2.5, "took \(result.elapsed)s with --max-time 1")
        #expect(server.requests.count == 1)
    }

    /// A batch worker reuses its connection; libcurl then reports a connect time of 0, and a later idle
    /// timeout or deadline must still be named as such, not as a connect timeout.
    @Test(arguments: ["--idle-timeout", "--max-time"])
    func timeoutOnAReusedConnection_isNotAConnectTimeout(_ flag: String) throws {
        let index = try #require(fixtures)
        let ok = try index.fixture("openai_chat_ok").response()
        var slow = ok
        if flag == "--idle-timeout" {
            slow.stallAfterBytes = 100
            slow.stallSeconds = 20
        } else {
            slow.chunking = .every(40, delayMs: 250)
        }
        let server = try FakeServer(responses: [ok, slow])
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", flag, "1", "--retries", "0", "--jobs", "1"],
            stdin: .text("{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n"),
            environment: openAIEnvironment(server))
        #expect(result.status == 75)
        #expect(server.connectionCount == 1, "the second request reused the connection")
        let lines = try result.stdoutLines
        #expect(lines.count == 2 && lines.first?["content"] != nil)
        #expect(lines.last?["error"]?["code"] == "timeout")
        #expect(lines.last?["error"]?["message"]?.stringValue?.contains("(\(flag))") == true, "\(result.stdoutText)")
    }
}

// MARK: - The table of faults

/// The tools a fault row runs.
enum FaultTool: String, Sendable {
    case complete = "ai-complete"
    case stream = "ai-stream"
}

/// The provider a row talks to.
enum FaultProvider: String, Sendable {
    case openai, anthropic
}

/// Where a row's requests go.
enum FaultPlan: Sendable {
    /// A fake server answering the Nth request with the Nth response (the last one repeats).
    case server([FakeResponse])
    /// A loopback port that refuses connections.
    case refused
    /// A loopback listener whose accept queue is full: the kernel drops the SYN, connecting never finishes.
    case unreachable
}

/// The delta text `ai-stream` must have written, exactly once each.
enum ExpectedText: Sendable {
    /// The whole answer (the result's `content` for `ai-complete`).
    case full(String)
    /// Exactly this much of an answer that was cut.
    case partial(String)
    /// Some prefix of this answer (how much depends on timing).
    case prefix(String)
    /// No delta at all.
    case none

    var full: String? {
        if case .full(let text) = self { return text }
        return nil
    }
}

/// What a row must end with.
struct FaultExpectation: Sendable {
    var status: Int32
    /// `success`, or the error code of the last line.
    var last: String
    /// Requests the server saw.
    var requests: Int
}

/// One fault against one tool.
struct FaultCase: Sendable, CustomTestStringConvertible {
    var row: Int
    var fault: String
    var tool: FaultTool
    var provider: FaultProvider
    var arguments: [String]
    var plan: @Sendable (FixtureIndex, FaultTool) throws -> FaultPlan
    var expected: FaultExpectation
    var text: ExpectedText
    var minGap: Double?
    var maxGap: Double?
    var minElapsed: Double?
    var maxElapsed: Double?
    var messageContains: String?

    var testDescription: String { "\(fault) [\(tool.rawValue)]" }
}

/// The OpenAI stream fixture's answer and where its events end.
private let openAIStreamText = "Hello! How can I help?"
private let openAIStreamFirstThree = "Hello! How"
private let openAICompleteText = "Hello! How can I help you today?"
private let anthropicStreamText = "Hello! How can I help?"
private let anthropicCompleteText = "Hello! How can I help you today?"

extension FixtureIndex {
    /// The fixture's response, unvalidated (the rows feed non-streaming and streaming requests alike).
    func answer(_ id: String) throws -> FakeResponse {
        try fixture(id).response()
    }

    /// The success response for `tool`: a JSON completion for `ai-complete`, an event stream for `ai-stream`.
    func ok(_ tool: FaultTool, _ provider: FaultProvider = .openai) throws -> FakeResponse {
        switch (tool, provider) {
        case (.complete, .openai): try fixture("openai_chat_ok").response()
        case (.stream, .openai): try fixture("openai_chat_stream_ok").response(chunking: .planned)
        case (.complete, .anthropic): try fixture("anthropic_messages_ok").response()
        case (.stream, .anthropic): try fixture("anthropic_messages_stream_ok").response(chunking: .planned)
        }
    }

    /// The byte offset in `openai_chat_stream_ok` just after its third delta event ("Hello", "!", " How").
    func afterThirdDelta() throws -> Int {
        // Event 0 is the role chunk with empty content; events 1–3 carry the first three deltas.
        try fixture("openai_chat_stream_ok").eventBoundaries[3]
    }
}

/// A 429 `rate_limit_exceeded` asking for a retry after `milliseconds`.
private func rateLimit(milliseconds: Int) -> FakeResponse {
    let error: JSON = .object([
        "error": .object([
            "message": "Rate limit reached for requests", "type": "requests", "param": .null,
            "code": "rate_limit_exceeded",
        ])
    ])
    return .json(error, status: 429, headers: [("retry-after-ms", "\(milliseconds)")])
}

extension FaultCase {
    /// A row for one tool.
    static func row(
        _ fault: String,
        _ tool: FaultTool,
        provider: FaultProvider = .openai,
        arguments: [String] = [],
        expect: FaultExpectation,
        text: ExpectedText? = nil,
        minGap: Double? = nil,
        maxGap: Double? = nil,
        minElapsed: Double? = nil,
        maxElapsed: Double? = nil,
        messageContains: String? = nil,
        plan: @escaping @Sendable (FixtureIndex, FaultTool) throws -> FaultPlan
    ) -> FaultCase {
        let success = expect.last == "success"
        let whole: String =
            switch (tool, provider) {
            case (.complete, .openai): openAICompleteText
            case (.stream, .openai): openAIStreamText
            case (.complete, .anthropic): anthropicCompleteText
            case (.stream, .anthropic): anthropicStreamText
            }
        return FaultCase(
            row: 0, fault: fault, tool: tool, provider: provider, arguments: arguments, plan: plan, expected: expect,
            text: text ?? (success ? .full(whole) : .none), minGap: minGap, maxGap: maxGap, minElapsed: minElapsed,
            maxElapsed: maxElapsed, messageContains: messageContains
        )
    }

    /// The same row for both tools.
    static func both(
        _ fault: String,
        provider: FaultProvider = .openai,
        arguments: [String] = [],
        expect: FaultExpectation,
        minGap: Double? = nil,
        maxGap: Double? = nil,
        minElapsed: Double? = nil,
        maxElapsed: Double? = nil,
        messageContains: String? = nil,
        plan: @escaping @Sendable (FixtureIndex, FaultTool) throws -> FaultPlan
    ) -> [FaultCase] {
        [FaultTool.complete, .stream].map { tool in
            row(
                fault, tool, provider: provider, arguments: arguments, expect: expect, minGap: minGap, maxGap: maxGap,
                minElapsed: minElapsed, maxElapsed: maxElapsed, messageContains: messageContains, plan: plan)
        }
    }

    /// Every row, numbered in table order.
    static let all: [FaultCase] = {
        var rows: [FaultCase] = []
        // 429 with the fixture's `retry-after: 2`: waited out, then success.
        rows += both(
            "429 `retry-after: 2`, then 200", expect: .init(status: 0, last: "success", requests: 2),
            minGap: 2.0, maxGap: 3.5
        ) { index, tool in
            .server([try index.answer("openai_error_429_rate_limit"), try index.ok(tool)])
        }
        // `retry-after-ms: 1500` wins over `retry-after: 3`.
        rows += both(
            "429 `retry-after-ms: 1500` (+ `retry-after: 3`), then 200",
            expect: .init(status: 0, last: "success", requests: 2), minGap: 1.5, maxGap: 2.9
        ) { index, tool in
            .server([try index.answer("openai_error_429_retry_after_ms"), try index.ok(tool)])
        }
        // A quota is not a rate limit: waiting never helps.
        rows += both("429 `insufficient_quota`", expect: .init(status: 77, last: "quota", requests: 1)) { index, tool in
            .server([try index.answer("openai_error_429_insufficient_quota"), try index.ok(tool)])
        }
        rows += both(
            "500, then 200", expect: .init(status: 0, last: "success", requests: 2),
            minGap: 0.375, maxGap: 1.5
        ) { index, tool in
            .server([try index.answer("openai_error_500"), try index.ok(tool)])
        }
        rows += both(
            "529 overloaded (anthropic), then 200", provider: .anthropic,
            expect: .init(status: 0, last: "success", requests: 2), minGap: 0.375, maxGap: 1.5
        ) { index, tool in
            .server([try index.answer("anthropic_error_529_overloaded"), try index.ok(tool, .anthropic)])
        }
        rows += both(
            "529 persists (anthropic, `--retries 2`)", provider: .anthropic, arguments: ["--retries", "2"],
            expect: .init(status: 69, last: "server", requests: 3), minGap: 0.375, maxGap: 1.5
        ) { index, _ in
            .server([try index.answer("anthropic_error_529_overloaded")])
        }
        rows += both(
            "500 persists (`--retries 1`)", arguments: ["--retries", "1"],
            expect: .init(status: 69, last: "server", requests: 2)
        ) { index, _ in
            .server([try index.answer("openai_error_500")])
        }
        // ai-complete, which always runs as a batch, waits out up to 10 rate limits per item whatever --retries
        // says, 0 included (Runner, DESIGN §8, ai-complete(1)); ai-stream follows --retries.
        rows.append(
            row(
                "429 persists (`retry-after-ms: 100`, `--retries 0`)", .stream, arguments: ["--retries", "0"],
                expect: .init(status: 75, last: "rate_limited", requests: 1)
            ) { _, _ in
                .server([rateLimit(milliseconds: 100)])
            })
        rows.append(
            row(
                "429 persists (`retry-after-ms: 100`, `--retries 0`)", .complete, arguments: ["--retries", "0"],
                expect: .init(status: 75, last: "rate_limited", requests: 11), minGap: 0.1
            ) { _, _ in
                .server([rateLimit(milliseconds: 100)])
            })
        rows.append(
            row(
                "429 persists (`retry-after-ms: 100`, `--retries 1`)", .stream, arguments: ["--retries", "1"],
                expect: .init(status: 75, last: "rate_limited", requests: 2), minGap: 0.1
            ) { _, _ in
                .server([rateLimit(milliseconds: 100)])
            })
        rows.append(
            row(
                "429 persists (`retry-after-ms: 100`, `--retries 1`)", .complete, arguments: ["--retries", "1"],
                expect: .init(status: 75, last: "rate_limited", requests: 11), minGap: 0.1
            ) { _, _ in
                .server([rateLimit(milliseconds: 100)])
            })
        rows += both("401", expect: .init(status: 77, last: "auth", requests: 1)) { index, tool in
            .server([try index.answer("openai_error_401"), try index.ok(tool)])
        }
        rows += both(
            "connection refused (`--retries 1`)", arguments: ["--retries", "1"],
            expect: .init(status: 69, last: "unavailable", requests: 0), minElapsed: 0.375,
            messageContains: "connection refused"
        ) { _, _ in .refused }
        // A reset after deltas reached stdout: never retried (the retry would repeat them).
        rows.append(
            row(
                "reset (RST) mid-stream after 3 deltas, then 200", .stream,
                expect: .init(status: 75, last: "incomplete", requests: 1),
                text: .partial(openAIStreamFirstThree)
            ) { index, tool in
                var cut = try index.ok(tool)
                cut.resetAfterBytes = try index.afterThirdDelta() + 20
                return .server([cut, try index.ok(tool)])
            })
        // ai-complete wrote nothing yet, so a reset inside the JSON body is retried.
        rows.append(
            row(
                "reset (RST) mid-body, then 200", .complete,
                expect: .init(status: 0, last: "success", requests: 2), minGap: 0.375
            ) { index, tool in
                var cut = try index.ok(tool)
                cut.resetAfterBytes = 300
                return .server([cut, try index.ok(tool)])
            })
        rows += both(
            "reset (RST) after the head, before any body byte, then 200",
            expect: .init(status: 0, last: "success", requests: 2), minGap: 0.375
        ) { index, tool in
            var cut = try index.ok(tool)
            cut.resetAfterBytes = 0
            return .server([cut, try index.ok(tool)])
        }
        rows.append(
            row(
                "stream cut cleanly (FIN) before its end marker, then 200", .stream,
                expect: .init(status: 75, last: "incomplete", requests: 1),
                text: .partial("Once upon a time")
            ) { index, tool in
                .server([try index.answer("openai_chat_stream_truncated_clean_boundary"), try index.ok(tool)])
            })
        rows.append(
            row(
                "body cut cleanly (FIN) short of its content-length, then 200", .complete,
                expect: .init(status: 0, last: "success", requests: 2), minGap: 0.375
            ) { index, tool in
                var cut = try index.ok(tool)
                cut.closeAfterBytes = 300
                return .server([cut, try index.ok(tool)])
            })
        rows.append(
            row(
                "malformed event in a 200 stream after 3 deltas, then 200", .stream,
                expect: .init(status: 76, last: "protocol", requests: 1),
                text: .partial(openAIStreamFirstThree)
            ) { index, tool in
                let fixture = try index.fixture("openai_chat_stream_ok")
                let cut = try index.afterThirdDelta()
                let body =
                    Array(fixture.body[..<cut]) + Array("data: {\"choices\":[{oops\n\n".utf8) + fixture.body[cut...]
                let broken = FakeResponse(status: 200, headers: fixture.responseHeaders, body: body, framing: .chunked)
                return .server([broken, try index.ok(tool)])
            })
        rows.append(
            row(
                "malformed JSON in a 200 body, then 200", .complete,
                expect: .init(status: 76, last: "protocol", requests: 1)
            ) { index, tool in
                .server([.text("{\"choices\": [", contentType: "application/json"), try index.ok(tool)])
            })
        rows.append(
            row(
                "stall after 3 deltas (`--idle-timeout 1 --retries 0`)", .stream,
                arguments: ["--idle-timeout", "1", "--retries", "0"],
                expect: .init(status: 75, last: "timeout", requests: 1), text: .partial(openAIStreamFirstThree),
                minElapsed: 1, maxElapsed: 8, messageContains: "--idle-timeout"
            ) { index, tool in
                var stalled = try index.ok(tool)
                stalled.stallAfterBytes = try index.afterThirdDelta()
                stalled.stallSeconds = 20
                return .server([stalled])
            })
        rows.append(
            row(
                "stall mid-body (`--idle-timeout 1 --retries 0`)", .complete,
                arguments: ["--idle-timeout", "1", "--retries", "0"],
                expect: .init(status: 75, last: "timeout", requests: 1), minElapsed: 1, maxElapsed: 8,
                messageContains: "--idle-timeout"
            ) { index, tool in
                var stalled = try index.ok(tool)
                stalled.stallAfterBytes = 300
                stalled.stallSeconds = 20
                return .server([stalled])
            })
        rows += both(
            "first byte after 1s (`--idle-timeout 3`)", arguments: ["--idle-timeout", "3"],
            expect: .init(status: 0, last: "success", requests: 1), minElapsed: 1
        ) { index, tool in
            var slow = try index.ok(tool)
            slow.firstByteDelayMs = 1000
            return .server([slow])
        }
        rows += both(
            "HTML 502 from a proxy (`--retries 1`)", arguments: ["--retries", "1"],
            expect: .init(status: 69, last: "server", requests: 2),
            messageContains: "HTTP 502 (non-JSON body)"
        ) { index, _ in
            .server([try index.answer("openai_error_502_html")])
        }
        // 40 bytes every 250 ms: never idle, but far longer than the deadline.
        rows.append(
            row(
                "`--max-time 1` exceeded by a trickling stream (`--retries 0`)", .stream,
                arguments: ["--max-time", "1", "--retries", "0"],
                expect: .init(status: 75, last: "timeout", requests: 1), text: .prefix(openAIStreamText),
                minElapsed: 1, maxElapsed: 4, messageContains: "--max-time"
            ) { index, tool in
                .server([try index.ok(tool).withChunking(.every(40, delayMs: 250))])
            })
        rows.append(
            row(
                "`--max-time 1` exceeded by a trickling body (`--retries 0`)", .complete,
                arguments: ["--max-time", "1", "--retries", "0"],
                expect: .init(status: 75, last: "timeout", requests: 1), minElapsed: 1, maxElapsed: 4,
                messageContains: "--max-time"
            ) { index, tool in
                .server([try index.ok(tool).withChunking(.every(40, delayMs: 250))])
            })
        rows += both(
            "`--connect-timeout 1`: SYN dropped by a full accept queue on 127.0.0.1 (`--retries 0`)",
            arguments: ["--connect-timeout", "1", "--retries", "0"],
            expect: .init(status: 75, last: "timeout", requests: 0), minElapsed: 0.9, maxElapsed: 5,
            messageContains: "--connect-timeout"
        ) { _, _ in .unreachable }
        for position in rows.indices { rows[position].row = position }
        return rows
    }()
}

// MARK: - The markdown table

/// The observed rows, written to `/tmp/fault-table.md` in row order each time one finishes.
enum FaultTable {
    static let path = "/tmp/fault-table.md"
    private static let rows = Mutex<[Int: String]>([:])

    static func record(_ row: FaultCase, status: String, last: String, requests: String, elapsed: Double? = nil) {
        let line = "| \(row.fault) | `\(row.tool.rawValue)` | \(status) | \(last) | \(requests) |"
        let timing = elapsed.map { String(format: " %.2fs", $0) } ?? ""
        print("fault row \(row.row):\(timing) \(line)")
        rows.withLock { rows in
            rows[row.row] = line
            let header = "| fault | tool | exit status | last line | requests |\n| --- | --- | --- | --- | --- |\n"
            let text = header + rows.keys.sorted().compactMap { rows[$0] }.joined(separator: "\n") + "\n"
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}

// MARK: - A connection that never completes, on loopback

/// A listener on 127.0.0.1 whose accept queue is full: Linux drops the SYN of every further connection attempt
/// (`tcp_conn_request`: `sk_acceptq_is_full` → drop), so `connect` hangs in SYN_SENT until the client gives up,
/// exactly like a black-holed address, without leaving 127.0.0.0/8.
///
/// nil when the kernel accepts a probe connection anyway (then the trick does not hold here).
final class FullBacklogListener: @unchecked Sendable {
    let port: Int
    private var descriptors: [Int32] = []

    init?() {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { return nil }
        descriptors.append(listener)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 0) == 0 else {
            close(listener)
            return nil
        }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        guard named == 0 else {
            close(listener)
            return nil
        }
        port = Int(UInt16(bigEndian: local.sin_port))
        // Fill the queue (backlog 0 holds one established connection), then check that one more hangs.
        for _ in 0..<2 { descriptors.append(Self.startConnecting(port: port)) }
        usleep(50_000)
        let probe = Self.startConnecting(port: port)
        descriptors.append(probe)
        var entry = pollfd(fd: probe, events: Int16(POLLOUT), revents: 0)
        if poll(&entry, 1, 300) != 0 {
            descriptors.forEach { close($0) }
            return nil
        }
    }

    deinit {
        descriptors.forEach { close($0) }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A non-blocking socket with a connection attempt to 127.0.0.1:`port` under way.
    private static func startConnecting(port: Int) -> Int32 {
        let fd = socket(
            AF_INET,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = loopback(port: UInt16(port))
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return fd
    }
}
