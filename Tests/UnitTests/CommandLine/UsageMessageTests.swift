import AICommandLine
import ArgumentParser
import Testing

/// swift-argument-parser's error texts rewritten in the message grammar (DESIGN §3): lowercase, no final period,
/// its advice as hints.
@Suite struct UsageMessageTests {
    /// The message `Tool.main` prints for `arguments`.
    static func usage(_ arguments: [String]) -> UsageMessage? {
        do {
            _ = try CompleteArguments.parse(arguments)
            return nil
        } catch {
            return UsageMessage(CompleteArguments.message(for: error))
        }
    }

    @Test func unknownOption_suggestsTheNearestInAHint() throws {
        let usage = try #require(Self.usage(["--bogus"]))
        #expect(usage == UsageMessage(message: "unknown option '--bogus'", hints: ["did you mean '--jobs'?"]))
    }

    @Test func invalidValue_listsTheValuesInAHint() throws {
        let usage = try #require(Self.usage(["--input", "xml"]))
        #expect(usage.message == "the value 'xml' is invalid for '--input <format>'")
        #expect(usage.hints == ["please provide one of 'auto', 'text', 'json' or 'jsonl'"])
    }

    @Test(arguments: [
        ["--bogus"], ["--input", "xml"], ["-p"], ["-t", "x"], ["--no-config=1"], ["-j", "0"], ["--jobs", "x"],
        ["--connect-timeout", "soon"], ["--max-time"], ["-x"], ["--retries", "-1"], ["--passphrase-fd", "1"],
    ])
    func everyParserError_followsTheGrammar(_ arguments: [String]) throws {
        let usage = try #require(Self.usage(arguments))
        for line in [usage.message] + usage.hints {
            #expect(!line.isEmpty && !line.hasSuffix(".") && !line.contains("\n"), "\(arguments): \(line)")
            #expect(line.first?.isUppercase == false, "\(arguments): \(line)")
        }
    }

    @Test func listOfValues_andAnotherReading_becomeHints() {
        let listed = UsageMessage(
            "The value 'x' is invalid for '--kind <kind>'. Please provide one of the following:\n  - a\n  - b")
        #expect(listed.message == "the value 'x' is invalid for '--kind <kind>'")
        #expect(listed.hints == ["please provide one of the following: a, b"])
        let composite = UsageMessage("Unknown option '-px'\n   or: Missing value for '-p <provider>' in '-px'")
        #expect(composite.message == "unknown option '-px'")
        #expect(composite.hints == ["or: missing value for '-p <provider>' in '-px'"])
    }
}
