import AICommandLine
import ArgumentParser
import Testing

/// The one-letter options of the help of the given groups or commands, each with the long spelling of an option
/// that takes a value (`p`: `--provider`) or "" for one that takes none (`n`), as `ShortOptions.letters` gives
/// them. A letter that takes a value in one and none in another, or has two long spellings, is recorded as an
/// issue: one table could not read both.
func helpLetters(_ groups: any ParsableArguments.Type...) -> [Character: String] {
    var letters: [Character: String] = [:]
    for group in groups {
        for line in group.helpMessage(columns: 300).split(separator: "\n") where line.hasPrefix("  -") {
            // `  -p, --provider <provider>   Provider: …`, `  -D   Stay in the foreground …`
            let synopsis = line.dropFirst(2).split(separator: "  ").first ?? ""
            let words = synopsis.split(whereSeparator: { $0 == " " || $0 == "," })
            guard let short = words.first, short.count == 2, let letter = short.last else { continue }
            let takesValue = words.contains { $0.hasPrefix("<") }
            let long = takesValue ? String(words.first { $0.hasPrefix("--") } ?? "") : ""
            if let known = letters[letter], known != long {
                Issue.record("-\(letter) is '\(known)' in one command and '\(long)' in \(group)")
            }
            letters[letter] = long
        }
    }
    return letters
}

extension ShortOptions {
    /// The table as `helpLetters` gives one.
    var letters: [Character: String] {
        var letters: [Character: String] = [:]
        for flag in flags { letters[flag] = "" }
        for (letter, long) in values { letters[letter] = long }
        return letters
    }
}

/// `ShortOptions`: one-letter options read as getopt reads them, the same way for both parsers.
@Suite struct ShortOptionsTests {
    @Test(arguments: [
        (["-pecho"], ["-p", "echo"]), (["-ph", "x"], ["-p", "h", "x"]), (["-mhi"], ["-m", "hi"]),
        (["-j4"], ["-j", "4"]), (["-t0.5"], ["-t", "0.5"]), (["-t-1"], ["--temperature=-1"]),
        (["-nrq"], ["-n", "-r", "-q"]), (["-nrpecho"], ["-n", "-r", "-p", "echo"]),
        (["-np", "-x"], ["-n", "-p", "-x"]), (["-np", "--", "-nr"], ["-n", "-p", "--", "-nr"]),
        (["-xn"], ["-x", "-n"]), (["-5"], ["-5"]), (["-.5"], ["-.5"]), (["-"], ["-"]), (["--"], ["--"]),
        (["--provider", "x"], ["--provider", "x"]), (["--model=-mx"], ["--model=-mx"]),
        (["a-b", "-q"], ["a-b", "-q"]),
        (["--", "-pecho", "-nr"], ["--", "-pecho", "-nr"]), (["-p", "-nr"], ["-p", "-nr"]), (["-ps p"], ["-p", "s p"]),
        (["-nh"], ["-n", "-h"]), (["-é"], ["-é"]), (["-pé"], ["-p", "é"]),
        (["--think", "hi"], ["--think=on", "hi"]), (["-c", "--think=2048"], ["-c", "--think=2048"]),
        (["--", "--think"], ["--", "--think"]),
    ])
    func normalized_spellsOutGroupsAndAttachedValues(_ arguments: [String], _ expected: [String]) {
        #expect(ShortOptions.complete.normalized(arguments[...]) == expected)
    }

    /// `--think` alone never takes the prompt for its value, in either tool; tools without it leave it alone.
    @Test func think_withoutAValueIsOn() {
        #expect(ShortOptions.mayRewrite(["--think", "hi"]))
        #expect(!ShortOptions.mayRewrite(["--", "--think"]))
        #expect(ShortOptions.stream.normalized(["--think", "2048"]) == ["--think=on", "2048"])
        #expect(ShortOptions.models.normalized(["list", "--think"]) == ["list", "--think"])
    }

    @Test func ai_keys_lettersAreThoseOfEverySubcommand() {
        let commands = KeysCommands.all.map { $0 as any ParsableArguments.Type }
        var letters: [Character: String] = [:]
        for command in commands { letters.merge(helpLetters(command)) { $1 } }
        #expect(ShortOptions.keys.letters == letters)
        #expect(letters["n"] == "--last" && letters["D"] == "", "the help parse found the letters")
    }

    @Test func ai_models_lettersAreThoseOfItsOptions() {
        #expect(ShortOptions.models.letters == helpLetters(ModelsOptions.self))
    }

    /// A value given to a letter of ai-keys and ai-models is read as the separate one.
    @Test func attachedValue_isReadAsTheSeparateOneByEveryTool() throws {
        #expect(ShortOptions.keys.normalized(["audit", "-n5"]) == ["audit", "-n", "5"])
        #expect(ShortOptions.keys.normalized(["agent", "-Dasock"]) == ["agent", "-D", "-a", "sock"])
        #expect(ShortOptions.models.normalized(["list", "-qpecho"]) == ["list", "-q", "-p", "echo"])
        let audit = try KeysAuditCommand.parse(ShortOptions.keys.normalized(["-n5"]))
        #expect(audit.last == 5)
        let models = try ModelsOptions.parse(ShortOptions.models.normalized(["-pecho"]))
        #expect(models.provider == "echo")
    }

    /// The start-up skips the letter tables when no argument could be rewritten: then rewriting changes nothing.
    @Test func withoutACandidate_rewritingChangesNothing() {
        let words = ["-p", "echo", "-n", "-r", "hi", "--provider", "openai", "--", "-pecho", "-", "x", "--max-time=3"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let arguments = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                words.randomElement(using: &generator) ?? "x"
            }
            let slice = arguments[...]
            guard !ShortOptions.mayRewrite(slice) else { continue }
            for table in [ShortOptions.complete, .stream, .models, .keys] {
                #expect(table.normalized(slice) == arguments, "\(arguments)")
            }
        }
        #expect(ShortOptions.mayRewrite(["-pecho"]) && ShortOptions.mayRewrite(["-nr"]))
        #expect(!ShortOptions.mayRewrite(["-p", "echo", "--", "-pecho"]) && !ShortOptions.mayRewrite(["--provider"]))
    }
}
