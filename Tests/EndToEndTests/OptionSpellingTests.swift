import AIBase
import AITestSupport
import Testing

/// One-letter options as getopt reads them (`-pecho` is `-p echo`), help only on request, and swift-argument-parser's
/// errors in the message grammar, through the built tools.
@Suite struct OptionSpellingTests {
    @Test(arguments: [
        ["-n", "-pecho", "hi"], ["-npecho", "hi"], ["-nqpecho", "-mfoo", "hi"], ["-pecho", "-shi", "-n", "hi"],
        ["-j4", "-t0.5", "-mfoo", "-pecho", "-n", "hi"], ["-nj1", "-pecho", "-t-1", "hi"],
        ["-n", "-pecho", "-mhi", "hi"],
    ])
    func attachedValues_workAsWithGetopt(_ arguments: [String]) throws {
        let result = try runTool("ai-complete", arguments: arguments, environment: toolEnvironment())
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderr.isEmpty)
        #expect(try result.stdoutLines.first?["content"] == "hi", "\(result.stdoutText)")
    }

    @Test func attachedModel_isTheModel() throws {
        let complete = try runTool(
            "ai-complete", arguments: ["-n", "-pecho", "-mhi", "x"], environment: toolEnvironment())
        #expect(try complete.stdoutLines.first?["model"] == "hi")
        let stream = try runTool("ai-stream", arguments: ["-n", "-pecho", "-mhi", "x"], environment: toolEnvironment())
        #expect(try stream.stdoutLines.first?["model"] == "hi")
        let models = try runTool("ai-models", arguments: ["list", "-pecho"], environment: toolEnvironment())
        #expect(models.status == 0)
        #expect(try models.stdoutLines.first?["provider"] == "echo")
        let raw = try runTool("ai-stream", arguments: ["-nrqpecho", "hi"], environment: toolEnvironment())
        #expect(raw.status == 0 && raw.stdoutText == "hi\n")
    }

    /// `-ph` is the provider `h`, never the help: help goes to stdout only when asked for.
    @Test(arguments: [
        ("ai-complete", ["-ph", "x"]), ("ai-complete", ["-n", "-ph", "x"]), ("ai-stream", ["-ph", "x"]),
        ("ai-complete", ["-mhi", "-ph", "x"]), ("ai-models", ["list", "-ph"]),
    ])
    func valueStartingWithH_isNoHelpRequest(_ tool: String, _ arguments: [String]) throws {
        let result = try runTool(tool, arguments: arguments, environment: toolEnvironment())
        #expect(result.status == 78, "\(result.stdoutText)")
        #expect(!result.stdoutText.contains("USAGE:"))
        #expect(errorLine(result, tool: tool) == "\(tool): error: unknown provider 'h'")
    }

    /// A command given no subcommand is a usage error on stderr, not its help on stdout.
    @Test(arguments: ["ai-models", "ai-keys"])
    func missingSubcommand_is64WithNothingOnStdout(_ tool: String) throws {
        let result = try runTool(tool, arguments: [], environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(errorLine(result, tool: tool) == "\(tool): error: missing subcommand")
        let help = try runTool(tool, arguments: ["--help"], environment: toolEnvironment())
        #expect(help.status == 0 && help.stdoutText.hasPrefix("OVERVIEW:"))
    }

    @Test func unknownOption_givesItsSuggestionAsAHint() throws {
        let result = try runTool("ai-complete", arguments: ["--bogus"], environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(
            result.stderrTextLines == [
                "ai-complete: error: unknown option '--bogus'", "ai-complete: hint: did you mean '--jobs'?",
                "ai-complete: hint: see 'ai-complete --help'",
            ])
    }

    @Test func invalidChoice_listsTheChoicesInAHint() throws {
        let result = try runTool("ai-stream", arguments: ["--input", "xml", "hi"], environment: toolEnvironment())
        #expect(result.status == 64)
        #expect(
            result.stderrTextLines == [
                "ai-stream: error: the value 'xml' is invalid for '--input <format>'",
                "ai-stream: hint: please provide one of 'auto', 'text', 'json' or 'jsonl'",
                "ai-stream: hint: see 'ai-stream --help'",
            ])
    }

    /// Every stderr line of a usage error: `tool: error: …` or `tool: hint: …`, lowercase, no final period.
    @Test(arguments: [
        ("ai-complete", ["--bogus"]), ("ai-complete", ["-j", "x"]), ("ai-complete", ["-p"]),
        ("ai-complete", ["--no-config=1"]), ("ai-stream", ["-j4"]), ("ai-stream", ["--max-time", "soon"]),
        ("ai-models", ["lst"]), ("ai-models", ["info"]), ("ai-keys", ["audit", "-nx"]), ("ai-keys", ["get"]),
        ("ai-keys", ["list", "--vault"]), ("ai-models", ["list", "--al"]),
    ])
    func usageErrors_followTheMessageGrammar(_ tool: String, _ arguments: [String]) throws {
        let result = try runTool(tool, arguments: arguments, environment: toolEnvironment())
        #expect(result.status == 64, "\(result.stderrText)")
        #expect(result.stdout.isEmpty)
        #expect(errorLine(result, tool: tool) != nil, "\(result.stderrText)")
        for line in result.stderrTextLines {
            let text = line.drop { $0 != " " }.dropFirst().drop { $0 != " " }.dropFirst()
            #expect(line.hasPrefix("\(tool): error: ") || line.hasPrefix("\(tool): hint: "), "\(line)")
            #expect(text.first?.isUppercase == false && !text.hasSuffix("."), "\(line)")
        }
    }
}
