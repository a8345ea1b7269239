import AICommandLine
import ArgumentParser
import Testing

/// The option help of every tool: placeholders that say what the value is, defaults as they are written.
@Suite struct HelpTextTests {
    /// Every option group and command whose help the tools show.
    static let groups: [any ParsableArguments.Type] =
        [RequestOptions.self, BatchOptions.self, ModelsOptions.self, KeysOptions.self, KDFOptions.self]
        + KeysCommands.all.map { $0 as any ParsableArguments.Type }

    /// The placeholders some options must show.
    @Test(arguments: [
        "--resume <file>", "--max-time <seconds>", "--connect-timeout <seconds>", "--idle-timeout <seconds>",
        "-j, --jobs <n>", "--retries <n>", "--max-tokens <n>", "-s, --system <text>", "--stop <text>",
        "-t, --temperature <number>", "--base-url <url>", "--input <format>",
        "--schema <file>", "--repair <n>", "--think <budget>",
    ])
    func option_showsWhatItsValueIs(_ synopsis: String) {
        let help = RequestOptions.helpMessage(columns: 300) + BatchOptions.helpMessage(columns: 300)
        #expect(
            help.contains("  " + synopsis + "  ") || help.contains("  " + synopsis + "\n"),
            "no '\(synopsis)' in the help")
    }

    /// No option's placeholder merely repeats its name (`--resume <resume>`), except where the name says what the
    /// value is (`--provider <provider>`, `--model <model>`, `--name <name>`, `--vault <path>`…).
    @Test(arguments: HelpTextTests.groups.map { String(describing: $0) })
    func placeholders_sayWhatTheValueIs(_ name: String) throws {
        let group = try #require(Self.groups.first { String(describing: $0) == name })
        let named = ["provider", "model", "name"]
        for match in group.helpMessage(columns: 300).matches(of: #/--([a-z-]+) <([a-z-]+)>/#) {
            let (option, placeholder) = (String(match.output.1), String(match.output.2))
            #expect(option != placeholder || named.contains(option), "--\(option) <\(placeholder)> in \(name)")
        }
    }

    /// A default of seconds is shown as it is written: `10`, not `10.0`.
    @Test func defaults_areShownAsWritten() {
        let help = RequestOptions.helpMessage(columns: 300) + ModelsOptions.helpMessage(columns: 300)
        #expect(help.contains("Seconds allowed to connect. (default: 10)"))
        #expect(help.contains("(default: 300)"))
        for group in Self.groups {
            #expect(!group.helpMessage(columns: 300).contains(".0)"), "\(group)")
        }
    }

    @Test(arguments: [("10", "10"), ("2.5", "2.5"), ("300", "300"), ("1e3", "1000"), ("0.000001", "1e-06")])
    func seconds_readAsADoubleAndPrintAsWritten(_ argument: String, _ printed: String) throws {
        let seconds = try #require(Seconds(argument: argument))
        #expect(seconds.value == Double(argument))
        #expect(seconds.defaultValueDescription == printed)
    }
}
