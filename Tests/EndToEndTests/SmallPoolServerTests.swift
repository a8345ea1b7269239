import AITestSupport
import Foundation
import Testing

/// `ai-complete --jobs N` against a server with fewer threads than jobs that keeps connections alive, as
/// llama.cpp's server (cpp-httplib: a small pool, one kept-alive connection per thread, 5 s keep-alive) does.
///
/// A request on a new connection is read only when a thread is free, so an idle connection the batch keeps
/// must not hold one while such a request waits: that wait lasts the server's keep-alive timeout.
@Suite struct SmallPoolServerTests {
    /// Seconds the server keeps an idle connection: each wait behind one costs this much.
    static let keepAlive = 10.0

    @Test(arguments: [(8, false), (16, false), (8, true)])
    func batch_moreJobsThanServerThreads_neverWaitsOutTheKeepAlive(_ jobs: Int, unordered: Bool) throws {
        let server = try FakeServer(threads: 4, keepAlive: Self.keepAlive, handler: BatchTests.okHandler(delayMs: 0))
        defer { server.stop() }
        let count = 100
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "\(jobs)"] + (unordered ? ["--unordered"] : []),
            stdin: .text(BatchTests.input(count)), environment: openAIEnvironment(server), timeout: 120)
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(lines.count == count)
        #expect(lines.allSatisfy { $0["content"]?.stringValue == BatchTests.answer })
        if !unordered {
            #expect(lines.map { $0["id"]?.stringValue ?? "?" } == (1...count).map(String.init))
        }
        #expect(server.requests.count == count)
        // 100 requests take well under a second; one wait behind a kept connection takes 10 s.
        #expect(result.elapsed < Self.keepAlive / 2, "--jobs \(jobs): \(result.elapsed) s for \(count) requests")
    }

    @Test func batch_fewerJobsThanServerThreads_keepsItsConnections() throws {
        let server = try FakeServer(threads: 4, keepAlive: Self.keepAlive, handler: BatchTests.okHandler(delayMs: 0))
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--jobs", "4"], stdin: .text(BatchTests.input(100)),
            environment: openAIEnvironment(server), timeout: 120)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.count == 100)
        // Connections are reused (100 requests, a handful of connections); while the first ones open, a worker that
        // finds nothing to send may close an idle one that a request then opens again, so a few more than --jobs
        // may be opened on a loaded machine, never one per request.
        #expect(server.connectionCount <= 8, "\(server.connectionCount) connections for 4 jobs")
        #expect(result.elapsed < Self.keepAlive / 2)
    }
}
