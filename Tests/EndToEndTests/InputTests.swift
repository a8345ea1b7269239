import AIBase
import AITestSupport
import AIWire
import Foundation
import Glibc
import Testing

/// How the built tools read stdin and their arguments (ai-wire(5) INPUT): framing by the JSON value, a malformed
/// line that takes no other with it, a byte order mark, null fields, request fields checked as their flags are,
/// arguments that are not UTF-8, and the echo provider on a long input.
@Suite struct InputTests {
    func complete(_ input: [UInt8], _ arguments: [String] = []) throws -> ToolResult {
        try runTool(
            "ai-complete", arguments: ["-p", "echo"] + arguments, stdin: .bytes(input), environment: toolEnvironment())
    }

    /// `python3 -c 'import json;print(json.dumps({…},indent=0))'`: the inner object starts in the first column.
    static let indentZero = "{\n\"id\": \"p\",\n\"messages\": [\n{\n\"role\": \"user\",\n\"content\": \"hi\"\n}\n]\n}\n"

    @Test(arguments: [[], ["--input", "json"]])
    func prettyPrintedRequest_isSentWholeAndNeverInFragments(arguments: [String]) throws {
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-m", "gpt-4o-mini"] + arguments,
            stdin: .text(Self.indentZero), environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(lines.count == 1)
        #expect(lines.first?["id"] == "p")
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.json?["messages"]?.arrayValue?.last?["content"] == "hi")
    }

    @Test func inputJSON_readsConcatenatedValuesAsJq() throws {
        let result = try complete(Array(#"{"prompt":"a"} {"prompt":"b"}{"prompt":"c"}"#.utf8), ["--input", "json"])
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(lines.map { $0["content"] } == ["a", "b", "c"])
        #expect(lines.map { $0["id"] } == ["1", "1.2", "1.3"])
    }

    @Test func malformedLine_swallowsNothing() throws {
        let input = [
            #"{"id":"a","prompt":"one"}"#, #"{"id":"b","prompt":"unterminated"#, "plain text line",
            #"{"id":"d","prompt":"four"}"#,
        ]
        let result = try complete(Array((input.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 65)
        let lines = try result.stdoutLines
        #expect(lines.map { $0["id"] } == ["a", "2", "3", "d"])
        #expect(
            lines.map { $0["content"]?.stringValue ?? $0["error"]?["code"]?.stringValue } == [
                "one", "input", "input", "four",
            ])
    }

    @Test func byteOrderMark_isSkipped() throws {
        let result = try complete([0xEF, 0xBB, 0xBF] + Array("{\"prompt\":\"one\"}\n{\"prompt\":\"two\"}\n".utf8))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.map { $0["content"] } == ["one", "two"])
    }

    @Test func nullFields_areAbsent() throws {
        let input =
            #"{"prompt":"a","id":null,"metadata":null}"# + "\n"
            + #"{"prompt":null,"messages":[{"role":"user","content":"b"}],"seed":null}"# + "\n"
        let result = try complete(Array(input.utf8))
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try result.stdoutLines
        #expect(lines.map { $0["id"] } == ["1", "2"])
        #expect(lines.map { $0["content"] } == ["a", "b"])
        #expect(lines[0]["metadata"] == nil)
    }

    @Test func requestFields_areCheckedAsTheirFlagsAndNeverSent() throws {
        let server = try server("openai_chat_ok")
        defer { server.stop() }
        let input = [
            #"{"prompt":"a","max_tokens":-5}"#, #"{"prompt":"a","temperature":1e999}"#,
            #"{"prompt":"a","seed":18446744073709551616}"#,
        ]
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-m", "gpt-4o-mini"],
            stdin: .text(input.joined(separator: "\n")), environment: openAIEnvironment(server))
        #expect(result.status == 65)
        let messages = try result.stdoutLines.map { $0["error"]?["message"]?.stringValue ?? "" }
        #expect(messages.count == 3)
        #expect(messages[0] == "line 1: field 'max_tokens' must be more than 0")
        #expect(messages[1] == "line 2: field 'temperature' must be a finite number")
        #expect(messages[2].hasPrefix("line 3: field 'seed' must fit in 64 bits"))
        #expect(server.requests.isEmpty)
        // The flags say the same.
        let flag = try runTool(
            "ai-complete", arguments: ["-n", "-p", "echo", "--max-tokens=-5", "x"], environment: toolEnvironment())
        #expect(flag.status == 64)
        #expect(errorLine(flag, tool: "ai-complete")?.contains("--max-tokens must be more than 0") == true)
    }

    @Test(arguments: ["ai-complete", "ai-stream"])
    func invalidUTF8Argument_isRefusedAs65NamingIt(tool: String) throws {
        // argv bytes that are not UTF-8 cannot be written in a Swift string: the shell makes them.
        let script = #"exec "$0" -n -p echo "caf$(printf '\351')" ok"#
        let result = try runTool(
            "/bin/sh", arguments: ["-c", script, ToolProcess.executablePath(tool)], environment: toolEnvironment())
        #expect(result.status == 65, "\(result.stderrText)")
        #expect(errorLine(result, tool: tool) == #"\#(tool): error: invalid UTF-8 in argument 4 ('caf\xE9')"#)
        if tool == "ai-stream" {
            #expect(try result.stdoutLines.last?["error"]?["code"] == "input")
        }
        let valid = try runTool(
            "/bin/sh", arguments: ["-c", #"exec "$0" -n -p echo "café" ok"#, ToolProcess.executablePath(tool)],
            environment: toolEnvironment())
        #expect(valid.status == 0, "\(valid.stderrText)")
    }

    /// Runs `ai-stream -r -p echo` on `input`, sampling its peak RSS (VmHWM) while it runs.
    func echoStream(_ input: [UInt8]) throws -> (peakKB: Int, result: ToolResult) {
        let process = try ToolProcess(
            "ai-stream", arguments: ["-r", "-p", "echo"], stdin: .bytes(input), environment: toolEnvironment())
        return try process.waitSamplingPeakRSS()
    }

    @Test func echo_streamsALongInputInMemoryOfAFewTimesItsSize() throws {
        let size = 8 << 20
        let words = Array("lorem ipsum dolor sit amet, consectetur adipiscing elit\n".utf8)
        let input = (0..<size).map { words[$0 % words.count] }
        let small = try echoStream(Array("a few words".utf8))
        let large = try echoStream(input)
        #expect(large.result.status == 0, "\(large.result.stderrText)")
        #expect(large.result.stdout == input + [0x0A] || large.result.stdout == input)
        print(
            "echo stream of 8 MiB: \(large.result.elapsed)s, peak RSS \(large.peakKB) kB (small input \(small.peakKB) kB)"
        )
        // The whole input is one message (read once, copied once); the word-by-word stream adds nothing. About twice
        // the input alone; the bound leaves room for a loaded machine's allocator (the word-per-string reply used 9×).
        #expect(large.peakKB - small.peakKB < 5 * size / 1024, "\(small.peakKB) kB, then \(large.peakKB) kB")
    }
}

/// DESIGN §16: a prompt argument and a stdin that stays open and silent (CI runners, harnesses) get one notice.
@Suite struct SilentStdinTests {
    @Test func aSilentOpenStdin_getsOneNoticeAfterAboutThreeSeconds_andTheToolStillAnswers() throws {
        let started = Date()
        let process = try ToolProcess(
            "ai-complete", arguments: ["-p", "echo", "summarise"], stdin: .pipe, environment: toolEnvironment())
        try process.waitForStderr(
            containing: "ai-complete: notice: reading stdin; use -n if there is none", timeout: 10)
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 2.9, "\(waited)")
        usleep(300_000)
        try process.writeStdin(Array("the text".utf8))
        process.closeStdin()
        let result = try process.wait(timeout: 10)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try result.stdoutLines.first?["content"] == "summarise\n\nthe text")
        #expect(result.stderrText.components(separatedBy: "notice:").count == 2, "once: \(result.stderrText)")
    }

    @Test func quiet_silencesTheNotice_andStdinThatSpeaksInTimeGetsNone() throws {
        let process = try ToolProcess(
            "ai-complete", arguments: ["-q", "-p", "echo", "summarise"], stdin: .pipe, environment: toolEnvironment())
        usleep(3_500_000)
        process.closeStdin()
        let quiet = try process.wait(timeout: 10)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderrText)")
        let prompt = try runTool(
            "ai-complete", arguments: ["-p", "echo", "summarise"], stdin: .text("now"), environment: toolEnvironment())
        #expect(prompt.status == 0 && prompt.stderr.isEmpty, "\(prompt.stderrText)")
    }
}
