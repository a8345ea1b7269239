import AIBase
import AITestSupport
import Foundation
import Glibc
import Testing

/// Runs tools in a network namespace of their own that holds only loopback (`unshare -n`, tests run as root):
/// whatever a tool tries, no packet leaves this machine.
enum IsolatedNetwork {
    /// Whether `unshare -n` works here.
    static let isAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
        else { return false }
        let probe = try? runTool(
            "/usr/bin/unshare", arguments: ["-n", "/bin/true"], environment: ["PATH": "/usr/bin:/bin"])
        return probe?.status == 0
    }()

    /// Runs the built tool `name` inside a new network namespace with loopback up.
    static func run(
        _ name: String, arguments: [String], stdin: StdinSource = .text("hi"), environment: [String: String]
    ) throws -> ToolResult {
        let script = #"/usr/sbin/ip link set lo up && exec "$0" "$@""#
        return try runTool(
            "/usr/bin/unshare",
            arguments: ["-n", "/bin/sh", "-c", script, ToolProcess.executablePath(name)] + arguments,
            stdin: stdin, environment: environment)
    }
}

/// DESIGN §6 through the built tools: the plain-http guard reads the base URL as libcurl does, loopback never goes
/// through a proxy, a plain-http proxy counts as where the key goes, and a tool holding a key cannot be dumped.
@Suite struct TransportSafetyEndToEndTests {
    /// A file with `text`, for AI_CONFIG.
    func config(_ text: String) throws -> String {
        let path = scratchPath("config.json")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Before: each URL passed the guard and libcurl sent the key in clear (off the host but for the namespace).
    @Test(
        .enabled(if: IsolatedNetwork.isAvailable),
        arguments: [
            "10.1.2.3:9/v1", "http:/10.1.2.3:9/v1", "http:///10.1.2.3:9/v1", "http://127.0.0.1.example.net:9/v1",
            "http://127.0.0.1\\@10.1.2.3:9/v1",
        ])
    func guardBypasses_areRefusedBeforeAnyConnection(_ url: String) throws {
        let result = try IsolatedNetwork.run(
            "ai-complete", arguments: ["-p", "openai", "--retries", "0", "--base-url", url],
            environment: toolEnvironment(["OPENAI_API_KEY": "sk-clear"]))
        #expect(result.status == 78, "\(url): \(result.stderrText)")
        let line = errorLine(result, tool: "ai-complete") ?? ""
        #expect(line.contains("plain http") || line.contains("has no scheme"), "\(line)")
        #expect(try result.stdoutLines.last?["error"]?["code"] == "config")
    }

    /// Before: libcurl guessed http and the key reached the server.
    @Test func aURLWithoutAScheme_neverReachesTheServer() throws {
        let server = try FakeServer(responses: [.json(.object([:]))])
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "--retries", "0", "--base-url", "127.0.0.1:\(server.port)/v1"],
            stdin: .text("hi"), environment: toolEnvironment(["OPENAI_API_KEY": "sk-clear"]))
        #expect(result.status == 78)
        #expect(errorLine(result, tool: "ai-complete")?.hasSuffix("has no scheme") == true, "\(result.stderrText)")
        #expect(server.connectionCount == 0)
    }

    /// Before: with a proxy in the environment, a request to loopback, key included, went to the proxy.
    @Test(arguments: ["127.0.0.1", "localhost"])
    func loopback_neverGoesThroughAProxy(_ host: String) throws {
        let target = try server("openai_chat_ok")
        defer { target.stop() }
        let proxy = try FakeServer(responses: [])
        defer { proxy.stop() }
        let proxyURL = "http://127.0.0.1:\(proxy.port)"
        let result = try runTool(
            "ai-complete",
            arguments: ["-p", "openai", "--retries", "0", "--base-url", "http://\(host):\(target.port)/v1"],
            stdin: .text("Say hello"),
            environment: toolEnvironment([
                "OPENAI_API_KEY": "sk-fixture-openai", "http_proxy": proxyURL, "HTTPS_PROXY": proxyURL,
                "all_proxy": proxyURL, "ALL_PROXY": proxyURL, "no_proxy": "example.invalid",
            ]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(proxy.connectionCount == 0)
        #expect(target.requests.first?.header("authorization") == "Bearer sk-fixture-openai")
    }

    /// Before: "allow_insecure_http" skipped the guard and the key went in clear to a proxy off this machine.
    @Test(.enabled(if: IsolatedNetwork.isAvailable))
    func aPlainHTTPProxy_isWhereTheKeyGoes() throws {
        let allowed = try config(
            """
            {"version": 1, "providers": {"lan": {"kind": "openai", "base_url": "http://10.1.2.3:9/v1", "key": "K",
                                                 "allow_insecure_http": true}}}
            """)
        let result = try IsolatedNetwork.run(
            "ai-complete", arguments: ["-p", "lan", "--retries", "0"],
            environment: toolEnvironment([
                "AI_CONFIG": allowed, "K": "secret", "http_proxy": "http://192.0.2.1:3128",
            ]))
        #expect(result.status == 78, "\(result.stderrText)")
        #expect(
            errorLine(result, tool: "ai-complete")
                == "ai-complete: error: refusing to send the lan key over plain http through the proxy 192.0.2.1")
        #expect(result.stderrText.contains("ai-complete: hint: add 10.1.2.3 to no_proxy, or use https"))
        let direct = try IsolatedNetwork.run(
            "ai-complete", arguments: ["-p", "lan", "--retries", "0"],
            environment: toolEnvironment([
                "AI_CONFIG": allowed, "K": "secret", "http_proxy": "http://192.0.2.1:3128", "no_proxy": "10.1.2.3",
            ]))
        #expect(direct.status == 69, "\(direct.stderrText)")
    }

    /// Before: `ai-complete` holding a key stayed dumpable with the inherited core limit.
    @Test func aToolHoldingAKey_isNotDumpable_andHasNoCoreLimit() throws {
        let target = try FakeServer(responses: [FakeResponse(status: 200, firstByteDelayMs: 20_000)])
        defer { target.stop() }
        let tool = try ToolProcess(
            "/usr/bin/setpriv",
            arguments: [
                "--reuid=65534", "--regid=65534", "--clear-groups", ToolProcess.executablePath("ai-complete"),
                "-p", "openai", "--retries", "0", "--base-url", target.baseURL + "/v1", "hello",
            ],
            stdin: .devNull,
            environment: toolEnvironment(["OPENAI_API_KEY": "sk-fixture-openai"]))
        defer { tool.send(signal: SIGKILL) }
        #expect(target.waitForRequests(1, timeout: 20))
        var environ = stat()
        #expect(stat("/proc/\(tool.pid)/environ", &environ) == 0)
        // The kernel hands the /proc files of a non-dumpable process to root.
        #expect(environ.st_uid == 0, "owner \(environ.st_uid)")
        let limits = String(
            decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(tool.pid)/limits")), as: UTF8.self)
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") } ?? ""
        #expect(core.split(separator: " ").filter { $0 == "0" }.count == 2, "\(core)")
    }
}
