import AIBase
import AITestSupport
import AIWire
import Foundation
import Glibc
import Synchronization
import Testing

/// `ai-complete` batches through the built binary (DESIGN §4, §8, §9): concurrency, order, exit status of the
/// first failed item in input order, the shared 429 back-off, SIGINT and `--resume`, bounded memory.
@Suite struct BatchTests {
    static let answer = "Hello! How can I help you today?"

    /// `count` JSONL requests `{"prompt":"q<i>"}`, i = 1…count (their ids are their line numbers).
    static func input(_ count: Int) -> String {
        (1...count).map { #"{"prompt":"q\#($0)"}"# }.joined(separator: "\n") + "\n"
    }

    /// The user message of a recorded request ("q7"), or nil.
    static func prompt(of request: RecordedRequest) -> String? {
        request.json?["messages"]?.arrayValue?.last?["content"]?.stringValue
    }

    /// The item number of a recorded request (7 for "q7").
    static func item(of request: RecordedRequest) -> Int? {
        prompt(of: request).flatMap { Int($0.dropFirst()) }
    }

    /// The validated `openai_chat_ok` answer, sent after `delayMs`.
    static func okHandler(delayMs: Int) throws -> FakeServer.Handler {
        let index = try #require(fixtures)
        let validated = try index.fixture("openai_chat_ok").handler()
        return { request in
            var response = validated(request)
            response.firstByteDelayMs = delayMs
            return response
        }
    }

    /// A JSON error response as OpenAI sends it.
    static func openAIError(
        status: Int, type: String, message: String, headers: [(String, String)] = []
    ) -> FakeResponse {
        .json(
            .object([
                "error": .object([
                    "message": .string(message), "type": .string(type), "param": .null,
                    "code": .null,
                ])
            ]), status: status, headers: headers)
    }

    // MARK: - Throughput, order, connection reuse

    /// Runs `count` requests with `jobs` workers against a server that answers each after `delayMs`.
    func timedBatch(count: Int, jobs: Int, delayMs: Int) throws -> (elapsed: Double, connections: Int) {
        let server = try FakeServer(handler: Self.okHandler(delayMs: delayMs))
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "\(jobs)"],
            stdin: .text(Self.input(count)), environment: openAIEnvironment(server), timeout: 120)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderr.isEmpty)
        let lines = try result.stdoutLines
        #expect(lines.count == count)
        #expect(
            lines.map { $0["id"]?.stringValue ?? "?" } == (1...count).map(String.init), "ids 1…\(count) in input order")
        #expect(lines.allSatisfy { $0["content"]?.stringValue == Self.answer && $0["error"] == nil })
        // Every item was sent exactly once.
        let requests = server.requests
        #expect(requests.count == count)
        #expect(requests.compactMap(Self.item(of:)).sorted() == Array(1...count))
        #expect(server.connectionCount <= jobs, "connections are reused: \(server.connectionCount) for \(jobs) jobs")
        return (result.elapsed, server.connectionCount)
    }

    @Test func thousandRequests_jobs16_inOrderAndFasterThanJobs1() throws {
        let delayMs = 10
        let parallel = try timedBatch(count: 1000, jobs: 16, delayMs: delayMs)
        let sequential = try timedBatch(count: 1000, jobs: 1, delayMs: delayMs)
        // 1000 × 10 ms one at a time is at least 10 s; sixteen at a time needs about a tenth of that.
        #expect(sequential.elapsed >= 10)
        #expect(
            parallel.elapsed * 3 < sequential.elapsed,
            "--jobs 16: \(parallel.elapsed)s, --jobs 1: \(sequential.elapsed)s")
        let report = String(
            format: "ai-complete batch of 1000 openai_chat_ok requests, server delay %d ms per response\n"
                + "--jobs 16: %.2f s (%d connections)\n--jobs 1:  %.2f s (%d connection)\nspeed-up: %.1fx\n",
            delayMs, parallel.elapsed, parallel.connections, sequential.elapsed, sequential.connections,
            sequential.elapsed / parallel.elapsed
        )
        try? report.write(toFile: "/tmp/batch-timing.txt", atomically: true, encoding: .utf8)
        print(report)
    }

    @Test func unordered_writesEveryResultOnce() throws {
        let index = try #require(fixtures)
        let validated = try index.fixture("openai_chat_ok").handler()
        // Later items answer sooner, so finishing order differs from input order.
        let server = try FakeServer { request in
            var response = validated(request)
            response.firstByteDelayMs = 5 + 10 * (7 - (Self.item(of: request) ?? 0) % 8)
            return response
        }
        defer { server.stop() }
        let count = 200
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "8", "--unordered"],
            stdin: .text(Self.input(count)), environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        let ids = lines.compactMap { $0["id"]?.stringValue.flatMap(Int.init) }
        #expect(lines.count == count)
        #expect(ids.sorted() == Array(1...count), "every id exactly once")
        #expect(lines.allSatisfy { $0["content"]?.stringValue == Self.answer })
        #expect(server.requests.count == count)
    }

    // MARK: - Exit status: first failed item in input order

    /// Items 1–10; line 4 is malformed, item 8 gets a 401 at once, item 1 is answered after 800 ms.
    @Test(arguments: [false, true])
    func malformedLine_namesItsLineAndGives65(unordered: Bool) throws {
        let index = try #require(fixtures)
        let validated = try index.fixture("openai_chat_ok").handler()
        let unauthorized = try index.fixture("openai_error_401").response()
        let server = try FakeServer { request in
            switch Self.item(of: request) {
            case 8: return unauthorized
            case 1:
                var slow = validated(request)
                slow.firstByteDelayMs = 800
                return slow
            default: return validated(request)
            }
        }
        defer { server.stop() }
        var lines = Self.input(10).split(separator: "\n").map(String.init)
        lines[3] = #"{"prompt": oops}"#
        let arguments = ["-p", "openai", "--jobs", "4"] + (unordered ? ["--unordered"] : [])
        let result = try runTool(
            "ai-complete", arguments: arguments, stdin: .text(lines.joined(separator: "\n") + "\n"),
            environment: openAIEnvironment(server))
        #expect(result.status == 65, "\(result.stderrText)")
        let output = try result.stdoutLines
        #expect(output.count == 10)
        var byID: [String: JSON] = [:]
        for line in output { byID[line["id"]?.stringValue ?? "?"] = line }
        #expect(byID.count == 10, "one line per item")
        #expect(byID["4"]?["error"]?["code"] == "input")
        #expect(byID["4"]?["error"]?["message"]?.stringValue?.contains("line 4") == true)
        #expect(byID["8"]?["error"]?["code"] == "auth")
        for id in [1, 2, 3, 5, 6, 7, 9, 10] {
            #expect(byID["\(id)"]?["content"]?.stringValue == Self.answer, "item \(id)")
        }
        // The malformed line is never sent; everything else is, once.
        #expect(server.requests.compactMap(Self.item(of:)).sorted() == [1, 2, 3, 5, 6, 7, 8, 9, 10])
        #expect(result.stderrTextLines.contains { $0.hasPrefix("ai-complete: error: ") && $0.contains("line 4") })
        if unordered {
            // In time, item 8 failed (77) before item 1 finished: the status still follows input order.
            let order = output.map { $0["id"]?.stringValue ?? "?" }
            #expect(order.firstIndex(of: "8")! < order.firstIndex(of: "1")!, "\(order)")
        } else {
            #expect(output.map { $0["id"]?.stringValue ?? "?" } == (1...10).map(String.init))
        }
    }

    /// Item 2 fails with 77 after 800 ms; item 5 fails with 69 at once: the batch exits 77.
    @Test(arguments: [false, true])
    func exitStatus_isThatOfTheFirstFailedItemInInputOrder(unordered: Bool) throws {
        let index = try #require(fixtures)
        let validated = try index.fixture("openai_chat_ok").handler()
        var slowUnauthorized = try index.fixture("openai_error_401").response()
        slowUnauthorized.firstByteDelayMs = 800
        let unauthorized = slowUnauthorized
        let serverError = try index.fixture("openai_error_500").response()
        let server = try FakeServer { request in
            switch Self.item(of: request) {
            case 2: return unauthorized
            case 5: return serverError
            default: return validated(request)
            }
        }
        defer { server.stop() }
        let arguments = ["-p", "openai", "--jobs", "6", "--retries", "0"] + (unordered ? ["--unordered"] : [])
        let result = try runTool(
            "ai-complete", arguments: arguments, stdin: .text(Self.input(8)),
            environment: openAIEnvironment(server))
        #expect(result.status == 77, "\(result.stderrText)")
        let output = try result.stdoutLines
        let order = output.map { $0["id"]?.stringValue ?? "?" }
        #expect(Set(order) == Set((1...8).map(String.init)) && order.count == 8)
        let failed = output.filter { $0["error"] != nil }.map { ($0["id"]?.stringValue ?? "?", $0["error"]?["code"]) }
        #expect(failed.count == 2)
        #expect(output.first { $0["id"] == "2" }?["error"]?["code"] == "auth")
        #expect(output.first { $0["id"] == "5" }?["error"]?["code"] == "server")
        #expect(server.requests.count == 8)
        if unordered {
            // Written as they finished: item 5's 69 came first in time.
            #expect(order.firstIndex(of: "5")! < order.firstIndex(of: "2")!, "\(order)")
        } else {
            #expect(order == (1...8).map(String.init))
        }
    }

    // MARK: - Rate limits slow the batch down

    /// A retry hint of any size (`1e19`, `inf`, `1e400`) is read without trapping: the 429 is reported as a
    /// rate limit (75), for `ai-complete` and `ai-stream` alike (`--max-time` ends the batch's waiting out).
    @Test(arguments: ["1e19", "inf", "1e400", "-1"])
    func hugeRetryAfter_isARateLimitNotACrash(_ value: String) throws {
        for header in ["retry-after", "retry-after-ms"] {
            let rateLimit = Self.openAIError(
                status: 429, type: "requests", message: "Rate limit reached", headers: [(header, value)])
            let server = try FakeServer { _ in rateLimit }
            defer { server.stop() }
            for tool in ["ai-complete", "ai-stream"] {
                let result = try runTool(
                    tool, arguments: ["-p", "openai", "--retries", "0", "--max-time", "1", "-n", "hi"],
                    environment: openAIEnvironment(server))
                #expect(result.status == 75, "\(tool) \(header): \(value): \(result.stderrText)")
                #expect(result.stdoutText.contains(#""code":"rate_limited""#), "\(tool) \(header): \(value)")
            }
        }
    }

    /// The first 12 requests (three per worker) get 429 `retry-after: 1`; with `--retries 1` every item still
    /// succeeds: a batch waits out up to 10 rate limits per item.
    @Test func rateLimits_slowTheBatchInsteadOfFailingItems() throws {
        let jobs = 4
        let limited = 3 * jobs
        let validated = try Self.okHandler(delayMs: 0)
        let rateLimit = Self.openAIError(
            status: 429, type: "requests", message: "Rate limit reached",
            headers: [("retry-after", "1")])
        let server = try FakeServer { request in request.sequence < limited ? rateLimit : validated(request) }
        defer { server.stop() }
        let count = 20
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "\(jobs)", "--retries", "1"],
            stdin: .text(Self.input(count)), environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(lines.count == count)
        #expect(lines.map { $0["id"]?.stringValue ?? "?" } == (1...count).map(String.init))
        #expect(!lines.contains { $0["error"] != nil }, "no item failed (rate_limited)")
        let requests = server.requests
        #expect(requests.count == count + limited)
        // Workers move on only after a success, so the first items took every 429: at least one of them more
        // than --retries allows.
        let items = requests.compactMap(Self.item(of:))
        #expect(items.filter { $0 > jobs }.count == count - jobs, "items after the first \(jobs) were sent once")
        #expect(items.filter { $0 <= jobs }.count == jobs + limited)
        #expect((1...jobs).contains { item in items.filter { $0 == item }.count >= 3 })
        // The first round of 429s closed the gate for a second; three rounds take three.
        #expect(requests[jobs].receivedAt - requests[0].receivedAt >= 0.95)
        #expect(result.elapsed >= 3)
        #expect(result.stderrText.contains("ai-complete: warning: rate limited by openai (retry after 1s)"))
    }

    /// Only the very first request gets a 429 (`retry-after: 1`): the other workers must hold back too.
    @Test func oneRateLimit_pausesEveryWorker() throws {
        let jobs = 4
        let validated = try Self.okHandler(delayMs: 20)
        let rateLimit = Self.openAIError(
            status: 429, type: "requests", message: "Rate limit reached",
            headers: [("retry-after", "1")])
        let server = try FakeServer { request in request.sequence == 0 ? rateLimit : validated(request) }
        defer { server.stop() }
        let count = 40
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "\(jobs)", "-q"],
            stdin: .text(Self.input(count)), environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.count == count)
        let requests = server.requests
        #expect(requests.count == count + 1)
        // Requests already on their way when the 429 arrived may land just after it; none may start later
        // while the gate is closed.
        let limitedAt = requests[0].receivedAt
        let duringPause = requests.filter { $0.receivedAt > limitedAt + 0.2 && $0.receivedAt < limitedAt + 0.9 }
        #expect(
            duringPause.isEmpty,
            "\(duringPause.count) requests started while the gate was closed: \(duringPause.map { $0.receivedAt - limitedAt })"
        )
        #expect(result.elapsed >= 1)
    }

    // MARK: - SIGINT, then --resume

    @Test func sigint_leavesValidLines_andResumeDoesOnlyTheRest() throws {
        let count = 40
        let input = Self.input(count)
        let first = try FakeServer(handler: Self.okHandler(delayMs: 300))
        defer { first.stop() }
        let process = try ToolProcess(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "4"],
            stdin: .text(input), environment: openAIEnvironment(first))
        // Let a few rounds finish (4 at a time, 300 ms each), then interrupt with requests in flight.
        #expect(first.waitForRequests(14, timeout: 20))
        usleep(100_000)
        process.send(signal: SIGINT)
        let interrupted = try process.wait(timeout: 10)
        #expect(interrupted.status == 130)
        #expect(interrupted.stderrText.contains("ai-complete: error: interrupted"))
        // Every line is whole JSON (stdoutLines throws otherwise), in input order, each id once.
        let lines = try interrupted.stdoutLines
        let ids = lines.map { $0["id"]?.stringValue ?? "?" }
        #expect(ids == (1...lines.count).map(String.init), "\(ids)")
        var succeeded: Set<Int> = []
        var cancelled = 0
        for line in lines {
            if let content = line["content"] {
                #expect(content.stringValue == Self.answer && line["error"] == nil)
                succeeded.insert(Int(line["id"]?.stringValue ?? "") ?? 0)
            } else {
                #expect(line["error"]?["code"] == "cancelled", "\(line)")
                cancelled += 1
            }
        }
        #expect(succeeded.count >= 8 && succeeded.count < count, "\(succeeded.count) succeeded before SIGINT")
        #expect(cancelled >= 1, "requests in flight were cancelled")

        // Resume from that output: only what did not succeed is sent.
        let file = NSTemporaryDirectory() + "ai-batch-resume-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(interrupted.stdout).write(to: URL(fileURLWithPath: file))
        let second = try FakeServer(handler: Self.okHandler(delayMs: 0))
        defer { second.stop() }
        let resumed = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "4", "--resume", file],
            stdin: .text(input), environment: openAIEnvironment(second))
        #expect(resumed.status == 0, "\(resumed.stderrText)")
        let rest = try resumed.stdoutLines
        let restIDs = rest.compactMap { $0["id"]?.stringValue.flatMap(Int.init) }
        #expect(rest.allSatisfy { $0["content"]?.stringValue == Self.answer })
        let sent = second.requests.compactMap(Self.item(of:))
        #expect(Set(sent).isDisjoint(with: succeeded), "the resumed run redid items that had succeeded")
        #expect(sent.count == Set(sent).count, "each item sent once")
        #expect(restIDs == Array(1...count).filter { !succeeded.contains($0) })
        #expect(succeeded.union(restIDs) == Set(1...count))
        print(
            "SIGINT batch: \(succeeded.count) succeeded, \(cancelled) cancelled, \(count - lines.count) never read; "
                + "resume sent \(sent.count)")
    }

    // MARK: - Memory stays bounded

    /// Runs `count` echo items, sampling the child's peak RSS (VmHWM) while it runs.
    func echoBatch(count: Int) throws -> (peakKB: Int, elapsed: Double) {
        let process = try ToolProcess(
            "ai-complete", arguments: ["-p", "echo", "--jobs", "4"],
            stdin: .text(Self.input(count)), environment: toolEnvironment())
        let (peak, result) = try process.waitSamplingPeakRSS(every: 0.01)
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = result.stdoutTextLines
        #expect(lines.count == count)
        #expect(lines.last?.hasPrefix(#"{"id":"\#(count)","#) == true)
        #expect(lines.first?.contains(#""content":"q1""#) == true)
        return (peak, result.elapsed)
    }

    @Test func twentyThousandEchoItems_peakMemoryStaysFlat() throws {
        let small = try echoBatch(count: 2000)
        let large = try echoBatch(count: 20000)
        print(
            "echo batch peak RSS (VmHWM): 2,000 items \(small.peakKB) kB in \(small.elapsed)s; "
                + "20,000 items \(large.peakKB) kB in \(large.elapsed)s")
        #expect(large.peakKB > 0)
        // Ten times the items must not need ten times the memory: allow 16 MiB of slack for the allocator.
        #expect(large.peakKB < small.peakKB + 16 * 1024, "2,000: \(small.peakKB) kB, 20,000: \(large.peakKB) kB")
    }
}
