import AIBase
import AICommandLine
import AIProviders
import AITestSupport
import AIWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Helpers

/// Runs the system curl with an empty environment (no proxies, no .curlrc) and returns its result.
///
/// `-w` output goes to stderr (`%{stderr}`), so stdout holds exactly the response body.
private func curl(_ arguments: [String], timeout: Double = 10) throws -> ToolResult {
    let path = try #require(ToolProcess.findOnPath("curl"), "curl not found on PATH")
    return try runTool(
        path, arguments: ["-q", "-sS", "--noproxy", "*"] + arguments, environment: [:], timeout: timeout)
}

/// The HTTP status curl reported with `-w '%{stderr}STATUS=%{http_code}'`.
private func curlStatus(_ result: ToolResult) -> Int? {
    guard let range = result.stderrText.range(of: "STATUS=") else { return nil }
    return Int(result.stderrText[range.upperBound...].prefix { $0.isNumber })
}

/// A request that satisfies `fixture`'s request rule: the rule's method, path, query and headers, and a JSON body
/// built from `body_must_include` plus plausible values for `body_must_have_keys`.
private func validRequest(for fixture: Fixture) -> RecordedRequest {
    let rule = fixture.request
    var path = rule?.path ?? "/"
    if let query = rule?.query, !query.isEmpty {
        path += "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }
    var headers = (rule?.headers ?? []).map { (name: $0.0, value: $0.1) }
    var body: [UInt8] = []
    if let rule, rule.bodyMustInclude != nil || !rule.bodyMustHaveKeys.isEmpty {
        var object = rule.bodyMustInclude?.objectValue ?? JSONObject()
        for key in rule.bodyMustHaveKeys where object[key] == nil {
            switch key {
            case "messages": object[key] = .array([.object(["role": .string("user"), "content": .string("hi")])])
            case "max_tokens": object[key] = .int(64)
            case "tools": object[key] = .array([])
            default: object[key] = .string("test-\(key)")
            }
        }
        body = JSON.object(object).encoded()
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append((name: "content-type", value: "application/json"))
        }
    }
    return RecordedRequest(method: rule?.method ?? "GET", path: path, headers: headers, body: body)
}

/// curl arguments sending `request` to `server`.
private func curlArguments(for request: RecordedRequest, to server: FakeServer) -> [String] {
    var arguments = ["-X", request.method]
    for header in request.headers { arguments += ["-H", "\(header.name): \(header.value)"] }
    if !request.body.isEmpty { arguments += ["--data-binary", request.bodyText] }
    return arguments + ["-w", "%{stderr}STATUS=%{http_code}", server.baseURL + request.path]
}

/// A minimal blocking TCP client for looking at the raw bytes the server writes.
private final class RawClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(result == 0, "connect failed: errno \(errno)")
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One read: up to 64 KiB, nil on timeout, [] at end of file or on error.
    func readOnce(timeoutMs: Int32) -> [UInt8]? {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, timeoutMs) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    /// Reads until end of file (or `timeoutMs` of silence).
    func readToEnd(timeoutMs: Int32 = 2000) -> [UInt8] {
        var all: [UInt8] = []
        while let chunk = readOnce(timeoutMs: timeoutMs), !chunk.isEmpty { all += chunk }
        return all
    }

    /// Reads until at least `count` bytes arrived (or silence/EOF); returns them.
    func read(atLeast count: Int, timeoutMs: Int32 = 2000) -> [UInt8] {
        var all: [UInt8] = []
        while all.count < count, let chunk = readOnce(timeoutMs: timeoutMs), !chunk.isEmpty { all += chunk }
        return all
    }
}

/// Splits a raw response into head text and body bytes.
private func splitResponse(_ bytes: [UInt8]) -> (head: String, body: [UInt8]) {
    let marker: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
    for start in 0..<max(0, bytes.count - 3) where Array(bytes[start..<start + 4]) == marker {
        return (String(decoding: bytes[..<start], as: UTF8.self), Array(bytes[(start + 4)...]))
    }
    return (String(decoding: bytes, as: UTF8.self), [])
}

private let helloBody = Array("hello, fake world".utf8)

// MARK: - Server tests

@Suite("FakeServer")
struct FakeServerTests {
    static let streamFixtures = [
        "openai_chat_ok", "openai_chat_stream_ok", "openai_chat_stream_crlf_comments", "openai_chat_stream_utf8_split",
        "anthropic_messages_stream_ok", "ollama_chat_stream_utf8_split", "ollama_chat_stream_long_line",
        "anthropic_models_page2",
    ]

    static let chunkings: [Fixture.Chunking] = [.whole, .planned, .bytewise]

    @Test("fixture bodies arrive byte-identical", arguments: streamFixtures, chunkings)
    func fixtureArrivesByteIdentical(id: String, chunking: Fixture.Chunking) throws {
        let fixture = try FixtureIndex.loadDefault().fixture(id)
        let server = try FakeServer(handler: fixture.handler(chunking: chunking))
        let request = validRequest(for: fixture)
        let result = try curl(curlArguments(for: request, to: server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(curlStatus(result) == fixture.status)
        #expect(result.stdout == fixture.body, "\(id) \(chunking): got \(result.stdout.count) of \(fixture.body.count)")
        #expect(server.requests.count == 1)
    }

    @Test func everyFixtureAcceptsItsValidRequest() throws {
        for fixture in try FixtureIndex.loadDefault().fixtures {
            #expect(fixture.validate(validRequest(for: fixture)) == nil, "\(fixture.id)")
        }
    }

    @Test func chunkedFramingOnTheWire() throws {
        let server = try FakeServer(responses: [
            FakeResponse(body: helloBody, framing: .chunked, chunking: .splitAt([5, 12], delayMs: 0))
        ])
        let client = try RawClient(port: server.port)
        client.send("GET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let (head, body) = splitResponse(client.readToEnd())
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.lowercased().contains("transfer-encoding: chunked"))
        #expect(!head.lowercased().contains("content-length"))
        #expect(String(decoding: body, as: UTF8.self) == "5\r\nhello\r\n7\r\n, fake \r\n5\r\nworld\r\n0\r\n\r\n")

        let result = try curl(["-w", "%{stderr}STATUS=%{http_code}", server.baseURL + "/again"])
        #expect(result.status == 0)
        #expect(result.stdout == helloBody)
    }

    @Test func contentLengthFramingOnTheWire() throws {
        let server = try FakeServer(responses: [FakeResponse(status: 201, headers: [("x-a", "1")], body: helloBody)])
        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let (head, body) = splitResponse(client.readToEnd())
        #expect(head == "HTTP/1.1 201 Created\r\nx-a: 1\r\ncontent-length: 17\r\nconnection: close")
        #expect(body == helloBody)
    }

    @Test func closeDelimitedFramingEndsCleanly() throws {
        let fixture = try FixtureIndex.loadDefault().fixture("openai_chat_stream_truncated")
        let server = try FakeServer(handler: fixture.handler(chunking: .planned, framing: .closeDelimited))
        let request = validRequest(for: fixture)
        let result = try curl(curlArguments(for: request, to: server))
        #expect(result.status == 0, "a close-delimited body ends without an HTTP-level error: \(result.stderrText)")
        #expect(result.stdout == fixture.body)

        let raw = try FakeServer(responses: [FakeResponse(body: helloBody, framing: .closeDelimited)])
        let client = try RawClient(port: raw.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let (head, body) = splitResponse(client.readToEnd())
        #expect(head == "HTTP/1.1 200 OK\r\nconnection: close")
        #expect(body == helloBody)
    }

    @Test func splitAtPausesBetweenWrites() throws {
        let server = try FakeServer(responses: [FakeResponse(body: helloBody, chunking: .splitAt([5], delayMs: 150))])
        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = client.read(atLeast: 1)
        let (_, firstBody) = splitResponse(first)
        let start = POSIX.monotonicSeconds()
        let second = client.read(atLeast: 1)
        let pause = POSIX.monotonicSeconds() - start
        #expect(firstBody == Array(helloBody[0..<5]))
        #expect(second == Array(helloBody[5...]))
        #expect(pause >= 0.1, "the second piece came after \(pause) s")
    }

    @Test func keepAliveReusesOneConnection() throws {
        let server = try FakeServer(responses: [.text("one\n"), .text("two\n")])
        let result = try curl([server.baseURL + "/a", server.baseURL + "/b?x=1"])
        #expect(result.status == 0)
        #expect(result.stdoutText == "one\ntwo\n")
        #expect(server.connectionCount == 1)
        #expect(server.requests.map(\.path) == ["/a", "/b?x=1"])
        #expect(server.requests.map(\.connectionIndex) == [0, 0])
    }

    @Test func closeDelimitedResponseForcesNewConnection() throws {
        let server = try FakeServer(responses: [FakeResponse(body: helloBody, framing: .closeDelimited)])
        let result = try curl([server.baseURL + "/a", server.baseURL + "/b"])
        #expect(result.status == 0)
        #expect(result.stdout == helloBody + helloBody)
        #expect(server.connectionCount == 2)
        #expect(server.requests.map(\.connectionIndex) == [0, 1])
    }

    @Test func recordsRequests() throws {
        let server = try FakeServer(responses: [.json(.object(["ok": .bool(true)]))])
        let result = try curl([
            "-X", "POST", "-H", "Authorization: Bearer sk-test", "-H", "Content-Type: application/json",
            "-H", "X-Custom: a b", "--data-binary", #"{"model":"m","messages":[{"role":"user","content":"hé"}]}"#,
            server.baseURL + "/v1/chat/completions?trace=1&q=a%20b",
        ])
        #expect(result.status == 0)
        #expect(result.stdoutText == #"{"ok":true}"#)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions?trace=1&q=a%20b")
        #expect(request.pathWithoutQuery == "/v1/chat/completions")
        #expect(request.queryValue("q") == "a b")
        #expect(request.header("authorization") == "Bearer sk-test")
        #expect(request.header("CONTENT-TYPE") == "application/json")
        #expect(request.header("x-custom") == "a b")
        #expect(request.header("missing") == nil)
        #expect(request.json?["model"]?.stringValue == "m")
        #expect(request.json?["messages"]?.arrayValue?.first?["content"]?.stringValue == "hé")
        #expect(request.sequence == 0)
        #expect(request.receivedAt > 0)
    }

    @Test func readsChunkedRequestBodiesAndAnswersExpectContinue() throws {
        let server = try FakeServer(responses: [.text("ok")])
        let payload = String(repeating: "0123456789", count: 300)
        let started = POSIX.monotonicSeconds()
        let result = try curl([
            "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue", "--expect100-timeout", "5",
            "--data-binary", payload, server.baseURL + "/upload",
        ])
        #expect(result.status == 0)
        #expect(POSIX.monotonicSeconds() - started < 3, "curl waited for 100 Continue")
        let request = try #require(server.requests.first)
        #expect(request.bodyText == payload)
        #expect(request.header("transfer-encoding") == "chunked")
    }

    @Test func responsesRepeatTheLastAndEmptyListAnswers500() throws {
        let server = try FakeServer(responses: [.text("1"), .text("2")])
        let result = try curl([server.baseURL, server.baseURL, server.baseURL])
        #expect(result.stdoutText == "122")
        #expect(server.requests.map(\.sequence) == [0, 1, 2])

        let empty = try FakeServer(responses: [])
        let failed = try curl(["-w", "%{stderr}STATUS=%{http_code}", empty.baseURL])
        #expect(curlStatus(failed) == 500)
        #expect(failed.stdoutText.contains("no responses configured"))
    }

    @Test func validationAnswers400() throws {
        let fixture = try FixtureIndex.loadDefault().fixture("openai_chat_stream_ok")
        let server = try FakeServer(handler: fixture.handler())
        var request = validRequest(for: fixture)
        request.body = JSON.object(["model": .string("m"), "messages": .array([]), "stream": .bool(true)]).encoded()
        let result = try curl(curlArguments(for: request, to: server))
        #expect(curlStatus(result) == 400)
        let message = try JSON.parse(result.stdout)["error"]?["message"]?.stringValue
        #expect(message?.contains("body.stream_options is missing") == true, "\(message ?? "nil")")
    }

    @Test func validationRules() throws {
        let index = try FixtureIndex.loadDefault()
        let openai = try index.fixture("openai_chat_ok")
        let good = validRequest(for: openai)
        #expect(openai.validate(good) == nil)

        var request = good
        request.method = "GET"
        #expect(openai.validate(request)?.contains("method") == true)
        request = good
        request.path = "/v1/completions"
        #expect(openai.validate(request)?.contains("path") == true)
        #expect(openai.validate(request, checkPath: false) == nil)
        request = good
        request.headers = good.headers.filter { $0.name != "authorization" }
        #expect(openai.validate(request) == "header authorization is missing")
        #expect(openai.validate(request, skippingHeaders: ["authorization"]) == nil)
        request.headers.append((name: "Authorization", value: "Bearer sk-real-secret"))
        let why = try #require(openai.validate(request))
        #expect(!why.contains("sk-real-secret"), "credentials are never echoed: \(why)")
        request = good
        request.headers = good.headers.map {
            $0.name == "content-type" ? (name: "Content-Type", value: "application/json; charset=utf-8") : $0
        }
        #expect(openai.validate(request) == nil, "content-type parameters are ignored")
        request = good
        request.body = JSON.object(["model": .string("m")]).encoded()
        #expect(openai.validate(request) == "body has no 'messages' key")
        request.body = Array("not json".utf8)
        #expect(openai.validate(request)?.hasPrefix("body is not JSON") == true)
        request.body = JSON.object(["model": .string("m"), "messages": .array([]), "stream_options": .null]).encoded()
        #expect(openai.validate(request) == "body must not include 'stream_options'")

        let stream = try index.fixture("openai_chat_stream_ok")
        request = validRequest(for: stream)
        #expect(stream.validate(request) == nil)
        request.body = JSON.object([
            "model": .string("m"), "messages": .array([]), "stream": .bool(true),
            "stream_options": .object(["include_usage": .bool(false)]),
        ]).encoded()
        #expect(stream.validate(request) == "body.stream_options.include_usage is false, expected true")

        let anthropic = try index.fixture("anthropic_messages_ok")
        request = validRequest(for: anthropic)
        #expect(anthropic.validate(request) == nil)
        var body = try #require(request.json?.objectValue)
        body["max_tokens"] = .int(0)
        request.body = JSON.object(body).encoded()
        #expect(anthropic.validate(request)?.contains("max_tokens") == true)
        body["max_tokens"] = .int(10)
        body["messages"] = .array([.object(["role": .string("system"), "content": .string("x")])])
        request.body = JSON.object(body).encoded()
        #expect(anthropic.validate(request)?.contains("system") == true)

        let page2 = try index.fixture("anthropic_models_page2")
        request = validRequest(for: page2)
        #expect(page2.validate(request) == nil)
        request.path = "/v1/models?limit=2"
        #expect(page2.validate(request) == "query parameter after_id is missing")

        let parserOnly = try index.fixture("sse_spec_edge_cases")
        #expect(parserOnly.validate(RecordedRequest(method: "DELETE", path: "/anything")) == nil)
    }

    @Test func stallMakesCurlTimeOutAndStopDoesNotHang() throws {
        let server = try FakeServer(responses: [
            FakeResponse(body: helloBody, framing: .chunked, stallAfterBytes: 5, stallSeconds: 30)
        ])
        let result = try curl(["--max-time", "1", server.baseURL])
        #expect(result.status == 28, "curl: \(result.stderrText)")
        #expect(result.stdout == Array(helloBody[0..<5]))
        #expect(result.elapsed < 1.8)

        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = client.read(atLeast: 1)
        let started = POSIX.monotonicSeconds()
        server.stop()
        #expect(POSIX.monotonicSeconds() - started < 1, "stop() waited for a stalled response")
        #expect(client.readToEnd(timeoutMs: 1000).isEmpty, "the stalled connection is closed")
    }

    @Test func stallResumesAfterStallSeconds() throws {
        let server = try FakeServer(responses: [FakeResponse(body: helloBody, stallAfterBytes: 3, stallSeconds: 0.3)])
        let result = try curl([server.baseURL])
        #expect(result.status == 0)
        #expect(result.stdout == helloBody)
        #expect(result.elapsed >= 0.25)
    }

    @Test func resetGivesCurlAnError() throws {
        let server = try FakeServer(responses: [FakeResponse(body: helloBody, resetAfterBytes: 5)])
        let result = try curl([server.baseURL])
        #expect(result.status == 56, "curl: \(result.stderrText)")
        #expect(result.stderrText.lowercased().contains("reset"))

        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let (head, body) = splitResponse(client.readToEnd())
        #expect(head.hasPrefix("HTTP/1.1 200 OK"))
        #expect(body == Array(helloBody[0..<5]), "bytes written before the reset still arrive")
    }

    @Test func closeAfterBytesCutsTheBody() throws {
        let contentLength = try FakeServer(responses: [FakeResponse(body: helloBody, closeAfterBytes: 7)])
        var result = try curl([contentLength.baseURL])
        #expect(result.status == 18, "content-length body cut short: \(result.stderrText)")
        #expect(result.stdout == Array(helloBody[0..<7]))

        let chunked = try FakeServer(responses: [
            FakeResponse(body: helloBody, framing: .chunked, chunking: .every(10, delayMs: 0), closeAfterBytes: 13)
        ])
        result = try curl([chunked.baseURL])
        #expect(result.status == 18, "chunked body cut mid-chunk: \(result.stderrText)")
        #expect(result.stdout == Array(helloBody[0..<13]))

        let closeDelimited = try FakeServer(responses: [
            FakeResponse(body: helloBody, framing: .closeDelimited, closeAfterBytes: 9)
        ])
        result = try curl([closeDelimited.baseURL])
        #expect(result.status == 0, "a close-delimited cut is clean: \(result.stderrText)")
        #expect(result.stdout == Array(helloBody[0..<9]))
    }

    @Test func firstByteDelayAndHead() throws {
        let server = try FakeServer(responses: [FakeResponse(body: helloBody, firstByteDelayMs: 300)])
        let result = try curl(["-I", server.baseURL])
        #expect(result.status == 0)
        #expect(result.elapsed >= 0.28)
        #expect(result.stdoutText.lowercased().contains("content-length: 17"))
        #expect(server.requests.first?.method == "HEAD")
    }

    @Test func refusedPortRefuses() throws {
        let port = try FakeServer.refusedPort()
        let result = try curl(["http://127.0.0.1:\(port)/"])
        #expect(result.status == 7, "curl: \(result.stderrText)")
    }

    @Test func handlerSeesRecordedRequestAndScenarioOrder() throws {
        let index = try FixtureIndex.loadDefault()
        let scenario = try index.scenario("openai_429_then_ok")
        let server = try FakeServer(handler: index.handler(for: scenario))
        let request = validRequest(for: try index.fixture("openai_chat_ok"))
        let first = try curl(curlArguments(for: request, to: server))
        let second = try curl(curlArguments(for: request, to: server))
        #expect(curlStatus(first) == 429)
        #expect(curlStatus(second) == 200)
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests[1].receivedAt >= requests[0].receivedAt)
    }
}

// MARK: - Fixture loading

@Suite("Fixtures")
struct FixtureTests {
    @Test func indexLoadsWithVerifiedBodies() throws {
        let index = try FixtureIndex.loadDefault()
        #expect(index.fixtures.count >= 40)
        #expect(index.scenarios.count >= 9)
        #expect(index["openai_chat_ok"]?.status == 200)
        #expect(index["no_such_fixture"] == nil)
        #expect(throws: FixtureError.self) { try index.fixture("no_such_fixture") }
        for fixture in index.fixtures {
            #expect(fixture.body.count == fixture.raw["body_bytes"]?.intValue, "\(fixture.id)")
            for offset in fixture.chunkPlan?.splitAt ?? [] {
                #expect(offset > 0 && offset < fixture.body.count, "\(fixture.id) split_at \(offset)")
            }
        }
    }

    @Test func plannedChunkingFollowsEventsWithoutAPlan() throws {
        let index = try FixtureIndex.loadDefault()
        let sse = try index.fixture("openai_chat_stream_ok")
        #expect(sse.chunkPlan == nil)
        #expect(sse.eventBoundaries.count + 1 == sse.expected["sse_events"]?.intValue)
        let ndjson = try index.fixture("ollama_chat_stream_ok")
        let lines = ndjson.body.split(separator: 0x0A).count
        #expect(ndjson.eventBoundaries.count + 1 == lines)
        guard case .splitAt(let offsets, 0) = ndjson.response(chunking: .planned).chunking else {
            Issue.record("planned NDJSON chunking is not split at lines")
            return
        }
        #expect(offsets.allSatisfy { ndjson.body[$0 - 1] == 0x0A })
        let planned = try index.fixture("openai_chat_stream_crlf_comments").response(chunking: .planned)
        #expect(planned.chunking == .splitAt([310, 361, 635], delayMs: 20))
        #expect(planned.framing == .chunked)
        #expect(try index.fixture("openai_chat_ok").response().framing == .contentLength)
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        )
    }
}

// MARK: - Tool runner and the ai-fake-server CLI

@Suite("ToolRunner")
struct ToolRunnerTests {
    @Test func passesStdinAndExactEnvironment() throws {
        let cat = try runTool("/bin/cat", arguments: [], stdin: .text("line 1\nline 2"), environment: [:])
        #expect(cat.status == 0)
        #expect(cat.stdoutText == "line 1\nline 2")
        let env = try runTool("/usr/bin/env", arguments: [], stdin: .devNull, environment: ["ONLY": "this"])
        #expect(env.stdoutText == "ONLY=this\n")
    }

    @Test func parsesJSONLinesAndFailsLoudly() throws {
        let good = try runTool("/bin/cat", arguments: [], stdin: .text("{\"a\":1}\n[2]\n"), environment: [:])
        #expect(try good.stdoutLines == [.object(["a": .int(1)]), .array([.int(2)])])
        let bad = try runTool("/bin/cat", arguments: [], stdin: .text("{\"a\":1}\nnope\n"), environment: [:])
        #expect(throws: ToolError.self) { try bad.stdoutLines }
    }

    @Test func timeoutKillsTheChild() throws {
        let started = POSIX.monotonicSeconds()
        #expect(throws: ToolError.self) {
            try runTool("/bin/sleep", arguments: ["10"], environment: [:], timeout: 0.3)
        }
        #expect(POSIX.monotonicSeconds() - started < 2)
    }

    @Test func signalsAndPipes() throws {
        let sleeper = try ToolProcess("/bin/sleep", arguments: ["10"], stdin: .devNull, environment: [:])
        sleeper.send(signal: SIGINT)
        let interrupted = try sleeper.wait(timeout: 5)
        #expect(interrupted.status == 128 + SIGINT)
        #expect(interrupted.terminatingSignal == SIGINT)

        let cat = try ToolProcess("/bin/cat", arguments: [], stdin: .pipe, environment: [:])
        try cat.writeStdin(Array("first\n".utf8))
        #expect(try cat.readLine(timeout: 5) == "first")
        try cat.writeStdin(Array("second".utf8))
        try cat.waitForStdout(containing: "second", timeout: 5)
        cat.closeStdin()
        let result = try cat.wait(timeout: 5)
        #expect(result.status == 0)
        #expect(result.stdoutText == "first\nsecond")

        let yes = try ToolProcess("/usr/bin/yes", arguments: [], stdin: .devNull, environment: [:])
        #expect(try yes.readLine(timeout: 5) == "y")
        yes.closeStdout()
        let broken = try yes.wait(timeout: 5)
        #expect(broken.status == 128 + SIGPIPE, "yes dies of SIGPIPE once stdout is closed")
    }

    @Test func fakeServerCLIServesFixturesAndSyntheticStreams() throws {
        let server = try ToolProcess(
            "ai-fake-server",
            arguments: ["--fixture", "openai_chat_stream_ok", "openai_chat_ok", "--chunking", "planned"],
            stdin: .devNull,
            environment: [:]
        )
        let portLine = try #require(try server.readLine(timeout: 10))
        #expect(portLine.hasPrefix("PORT="))
        let base = "http://127.0.0.1:" + portLine.dropFirst("PORT=".count)
        let index = try FixtureIndex.loadDefault()
        func arguments(for id: String) throws -> [String] {
            let request = validRequest(for: try index.fixture(id))
            return [
                "-H", "content-type: application/json", "--data-binary", request.bodyText, "-w",
                "%{stderr}STATUS=%{http_code}", base + "/any/prefix/chat/completions",
            ]
        }
        let stream = try curl(arguments(for: "openai_chat_stream_ok"))
        #expect(curlStatus(stream) == 200, "no authorization header needed: \(stream.stdoutText)")
        #expect(stream.stdout == (try index.fixture("openai_chat_stream_ok").body))
        let json = try curl(arguments(for: "openai_chat_ok"))
        #expect(json.stdout == (try index.fixture("openai_chat_ok").body), "the second fixture answers next")
        let again = try curl(arguments(for: "openai_chat_stream_ok"))
        #expect(curlStatus(again) == 400, "the last fixture repeats and still checks the body")
        server.send(signal: SIGTERM)
        let ended = try server.wait(timeout: 5)
        #expect(ended.status == 128 + SIGTERM)
        #expect(ended.stderrText.contains("POST /any/prefix/chat/completions -> 200"))

        for format in SyntheticStream.allCases {
            let synthetic = try ToolProcess(
                "ai-fake-server",
                arguments: ["--stream-chunks", "3", "--format", format.rawValue],
                stdin: .devNull,
                environment: [:]
            )
            let line = try #require(try synthetic.readLine(timeout: 10))
            let result = try curl(["http://127.0.0.1:" + line.dropFirst("PORT=".count)])
            synthetic.send(signal: SIGTERM)
            _ = try synthetic.wait(timeout: 5)
            #expect(result.status == 0)
            var text = ""
            for line in result.stdoutTextLines where !line.isEmpty && !line.hasPrefix("event:") {
                let payload = line.hasPrefix("data: ") ? String(line.dropFirst(6)) : line
                if payload == "[DONE]" { continue }
                let value = try JSON.parse(payload)
                text +=
                    value["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue
                    ?? value["delta"]?["text"]?.stringValue ?? value["message"]?["content"]?.stringValue ?? ""
            }
            #expect(text == SyntheticStream.text(chunks: 3), "\(format)")
        }
    }

    @Test func syntheticStreamServesLargeCountsInProcess() throws {
        let server = try FakeServer(responses: [SyntheticStream.ollama.response(chunks: 20_000)])
        let result = try curl([server.baseURL])
        #expect(result.status == 0)
        let lines = result.stdoutTextLines
        #expect(lines.count == 20_001)
        #expect(lines[19_999].contains("\"content\":\"t19999 \""))
        #expect(lines.last?.contains("\"eval_count\":20000") == true)
    }
}
