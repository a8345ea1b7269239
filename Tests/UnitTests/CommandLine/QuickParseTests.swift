import AIBase
import AICommandLine
import ArgumentParser
import Testing

/// `ai-complete`'s two option groups as swift-argument-parser reads them, to hold `QuickParse.groups` to.
private struct CompleteArguments: ParsableArguments {
    @OptionGroup var options: RequestOptions
    @OptionGroup var batch: BatchOptions
}

/// The quick parse against swift-argument-parser, the parser of record: whatever the quick parse reads, the other
/// must read too, to the same values.
@Suite struct QuickParseTests {
    /// Every spelling a quick table knows, from `table`.
    static func spellings<Group>(_ table: [QuickArgument<Group>]) -> Set<String> {
        var names = Set<String>()
        for entry in table {
            switch entry {
            case .flag(let spellings, _), .value(let spellings, _): names.formUnion(spellings)
            case .words: continue
            }
        }
        return names
    }

    /// Every spelling of an option line in swift-argument-parser's help for `Group` (`  -p, --provider <p>`),
    /// without its own -h/--help.
    static func helpSpellings<Group: ParsableArguments>(_ group: Group.Type) -> Set<String> {
        var names = Set<String>()
        for line in Group.helpMessage(columns: 200).split(separator: "\n") where line.hasPrefix("  -") {
            let spelled = line.dropFirst(2).split(separator: " ").prefix { $0.hasPrefix("-") }
            names.formUnion(spelled.map { String($0.hasSuffix(",") ? $0.dropLast() : $0) })
        }
        return names.subtracting(["-h", "--help"])
    }

    @Test func everyOption_isInTheQuickTable() {
        #expect(Self.spellings(RequestOptions.quickArguments) == Self.helpSpellings(RequestOptions.self))
        #expect(Self.spellings(BatchOptions.quickArguments) == Self.helpSpellings(BatchOptions.self))
        #expect(Self.helpSpellings(RequestOptions.self).count == 24, "the help parse found the options")
    }

    @Test(arguments: [
        [String](),
        ["-p", "openai", "--base-url", "http://127.0.0.1:8080/v1", "-n", "hi"],
        ["-p", "echo", "hello", "world"],
        ["hello", "--model=m", "-t", "0.5", "--stop", "a", "--stop", "b", "-"],
        ["-p", "a", "-p", "b", "--max-tokens", "9", "--input", "jsonl", "-r", "-q", "--no-config"],
        [
            "--retries", "0", "--connect-timeout", "2.5", "--idle-timeout", "1", "--max-time", "60",
            "--passphrase-fd", "3", "-s", "be brief",
        ],
        ["-j", "16", "--unordered", "--resume", "out.jsonl", "-p", "echo"],
    ])
    func usualArguments_areReadQuicklyAndAlike(_ arguments: [String]) throws {
        let quick = try #require(QuickParse.groups(arguments[...]) as (RequestOptions, BatchOptions)?)
        let full = try CompleteArguments.parse(arguments)
        #expect(String(describing: quick.0) == String(describing: full.options))
        #expect(String(describing: quick.1) == String(describing: full.batch))
    }

    @Test(arguments: [
        ["--help"], ["-h"], ["--version", "-p", "x"], ["--generate-completion-script", "bash"], ["-nr", "hi"],
        ["--", "-x"], ["-t", "-1"], ["-m"], ["--model="], ["--no-config=1"], ["-pecho"], ["-m=x"], ["--bogus"],
        ["-j", "0"], ["--retries", "-1"], ["-t", "nan"], ["--input", "xml"], ["--passphrase-fd", "2"], ["-5"],
    ])
    func otherArguments_goToTheFullParser(_ arguments: [String]) {
        #expect((QuickParse.groups(arguments[...]) as (RequestOptions, BatchOptions)?) == nil)
    }

    /// Generated argument lists, valid and not: the quick parse either declines or agrees with
    /// swift-argument-parser, and it reads most of the well-formed ones.
    @Test func generatedArguments_areReadAlikeOrLeftToTheFullParser() throws {
        let options =
            RequestOptions.quickArguments.compactMap(\.generatorEntry)
            + BatchOptions.quickArguments.compactMap(\.generatorEntry)
        let values = [
            "gpt", "3", "0", "1", "-1", "2.5", "1e3", "nan", "inf", "+4", "0x10", " 7", "", "-", "auto",
            "json", "jsonl", "bogus", "99999999999999999999", "3.0", "hi there", "a=b",
        ]
        let words = ["hi", "two words", "-", "", "help", "--", "-x", "-nr", "--help", "--version", "-5", "a=b"]
        var generator = SeededGenerator(state: 2026)
        var read = 0
        let lists = 400
        for _ in 0..<lists {
            var arguments: [String] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                if Int.random(in: 0..<10, using: &generator) < 3 {
                    arguments.append(words.randomElement(using: &generator)!)
                    continue
                }
                let (spellings, takesValue) = options.randomElement(using: &generator)!
                let spelling = spellings.randomElement(using: &generator)!
                guard takesValue else {
                    arguments.append(spelling)
                    continue
                }
                let value = values.randomElement(using: &generator)!
                let form = Int.random(in: 0..<10, using: &generator)
                if form == 0 {
                    arguments.append(spelling)  // the value missing, or the next argument taken for it
                } else if form < 3, spelling.hasPrefix("--") {
                    arguments.append(spelling + "=" + value)
                } else {
                    arguments += [spelling, value]
                }
            }
            guard let quick = QuickParse.groups(arguments[...]) as (RequestOptions, BatchOptions)? else { continue }
            read += 1
            let full: CompleteArguments
            do {
                full = try CompleteArguments.parse(arguments)
            } catch {
                Issue.record("\(arguments): the quick parse read what swift-argument-parser refuses: \(error)")
                continue
            }
            #expect(String(describing: quick.0) == String(describing: full.options), "\(arguments)")
            #expect(String(describing: quick.1) == String(describing: full.batch), "\(arguments)")
        }
        #expect(read > lists / 5, "the quick parse read \(read) of \(lists) lists")
    }

    @Test func singleGroup_isReadLikeTheFullParser() throws {
        let arguments = ["-p", "openai", "-m", "gpt", "--stop", "x", "question"]
        let quick = try #require(QuickParse.group(arguments[...]) as RequestOptions?)
        #expect(String(describing: quick) == String(describing: try RequestOptions.parse(arguments)))
        #expect((QuickParse.group(["-j", "2"][...]) as RequestOptions?) == nil, "a batch option is not a request one")
    }
}

extension QuickArgument {
    /// The spellings of an option and whether it takes a value; nil for the words.
    fileprivate var generatorEntry: ([String], Bool)? {
        switch self {
        case .flag(let spellings, _): (spellings, false)
        case .value(let spellings, _): (spellings, true)
        case .words: nil
        }
    }
}
