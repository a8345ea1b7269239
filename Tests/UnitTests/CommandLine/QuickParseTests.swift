import AIBase
import AICommandLine
import ArgumentParser
import Testing

/// `ai-complete`'s two option groups as swift-argument-parser reads them, to hold `QuickParse.groups` to.
struct CompleteArguments: ParsableArguments {
    @OptionGroup var options: RequestOptions
    @OptionGroup var batch: BatchOptions
}

/// The quick parse against swift-argument-parser, the parser of record: whatever the quick parse reads, the other
/// must read too, to the same values. Both are given the arguments as `Tool.main` gives them, after
/// `ShortOptions.normalized`.
@Suite struct QuickParseTests {
    /// `ai-complete`'s arguments as the quick parse reads them in `Tool.main`.
    static func quick(_ arguments: [String]) -> (RequestOptions, BatchOptions)? {
        QuickParse.groups(ShortOptions.complete.normalized(arguments[...])[...])
    }

    /// `ai-complete`'s arguments as swift-argument-parser reads them in `Tool.main`.
    static func full(_ arguments: [String]) throws -> CompleteArguments {
        try CompleteArguments.parse(ShortOptions.complete.normalized(arguments[...]))
    }

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
        #expect(Self.helpSpellings(RequestOptions.self).count == 36, "the help parse found the options")
    }

    @Test(arguments: [
        [String](),
        ["-p", "openai", "--base-url", "http://127.0.0.1:8080/v1", "-n", "hi"],
        ["-p", "echo", "hello", "world"],
        ["-a", "x.png", "--attach", "https://x/a.png", "--attach=b.pdf", "hi"],
        ["-c", "--think=high", "-p", "echo", "hi"],
        ["--conversation", "--think", "2048", "hi"],
        ["hello", "--model=m", "-t", "0.5", "--stop", "a", "--stop", "b", "-"],
        ["-p", "a", "-p", "b", "--max-tokens", "9", "--input", "jsonl", "-r", "-q", "--no-config"],
        [
            "--retries", "0", "--connect-timeout", "2.5", "--idle-timeout", "1", "--max-time", "60",
            "--passphrase-fd", "3", "-s", "be brief",
        ],
        ["-j", "16", "--unordered", "--resume", "out.jsonl", "-p", "echo"],
        ["--schema", #"{"type":"object"}"#, "--repair", "2", "--schema-format-assert", "-p", "echo", "hi"],
        ["--schema=" + #"{"required":["a"]}"#, "--repair=0"],
        ["--max-steps", "3", "--approve", "--mcp", "server --stdio", "--mcp=other", "-p", "echo", "hi"],
        // Attached values and groups, as getopt reads them.
        ["-n", "-pecho", "hi"], ["-ph", "x"], ["-mhi", "x"], ["-shi", "x"], ["-j4", "-t0.5", "-mfoo"], ["-nr", "hi"],
        ["-nrqpecho", "-j", "2"], ["-np", "echo", "-t1"], ["-nqj16"], ["-m=x"],
    ])
    func usualArguments_areReadQuicklyAndAlike(_ arguments: [String]) throws {
        let quick = try #require(Self.quick(arguments))
        let full = try Self.full(arguments)
        #expect(String(describing: quick.0) == String(describing: full.options))
        #expect(String(describing: quick.1) == String(describing: full.batch))
    }

    /// An attached value is the value getopt gives it, whatever its letters (`-ph` is the provider `h`, never the
    /// help).
    @Test(arguments: [
        (["-pecho"], ["-p", "echo"]), (["-ph", "x"], ["-p", "h", "x"]), (["-mhi", "x"], ["-m", "hi", "x"]),
        (["-shi", "x"], ["-s", "hi", "x"]), (["-j4"], ["-j", "4"]), (["-t0.5"], ["-t", "0.5"]),
        (["-mfoo"], ["-m", "foo"]), (["-nrpecho", "hi"], ["-n", "-r", "-p", "echo", "hi"]),
        (["-t-1"], ["--temperature=-1"]), (["-p-"], ["--provider=-"]), (["-qj", "8"], ["-q", "-j", "8"]),
        (["-m=x"], ["-m", "=x"]),
    ])
    func attachedValue_isReadAsTheSeparateOne(_ attached: [String], _ separate: [String]) throws {
        let full = try Self.full(attached)
        let expected = try CompleteArguments.parse(separate)
        #expect(String(describing: full.options) == String(describing: expected.options))
        #expect(String(describing: full.batch) == String(describing: expected.batch))
    }

    @Test(arguments: [
        ["--help"], ["-h"], ["--version", "-p", "x"], ["--generate-completion-script", "bash"], ["-nh"],
        ["--", "-x"], ["-t", "-1"], ["-t-1"], ["-m"], ["--model="], ["--no-config=1"], ["--bogus"], ["-xpecho"],
        ["-j", "0"], ["--retries", "-1"], ["-t", "nan"], ["--input", "xml"], ["--passphrase-fd", "2"], ["-5"],
        ["-p", "-n"], ["-np", "--", "x"], ["-j0"], ["-tnan"], ["-.5"],
        ["--repair", "-1"], ["--schema", "{"], ["--schema", #"{"type":3}"#], ["--schema", "/no/such/schema.json"],
        ["--max-steps", "0"], ["--tool", "/no/such/tool.json"],
    ])
    func otherArguments_goToTheFullParser(_ arguments: [String]) {
        #expect(Self.quick(arguments) == nil)
    }

    /// Generated argument lists, valid and not, each written twice: with every option on its own (`-n -r -p x`)
    /// and with one-letter options grouped and values attached as getopt allows (`-nrpx`). Both spellings
    /// normalize to the same list; on it the quick parse either declines or agrees with swift-argument-parser, and
    /// it reads most of the well-formed ones.
    @Test func generatedArguments_areReadAlikeOrLeftToTheFullParser() throws {
        let options =
            RequestOptions.quickArguments.compactMap(\.generatorEntry)
            + BatchOptions.quickArguments.compactMap(\.generatorEntry)
        let values = [
            "gpt", "3", "0", "1", "-1", "2.5", "1e3", "nan", "inf", "+4", "0x10", " 7", "", "-", "auto",
            "json", "jsonl", "bogus", "99999999999999999999", "3.0", "hi there", "a=b", "h", "hi", "--", "-nr",
        ]
        let words = ["hi", "two words", "-", "", "help", "--", "-x", "-nr", "--help", "--version", "-5", "a=b"]
        var generator = SeededGenerator(state: 2026)
        var read = 0
        let lists = 600
        for _ in 0..<lists {
            var tokens: [GeneratedArgument] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                if Int.random(in: 0..<10, using: &generator) < 3 {
                    tokens.append(.word(words.randomElement(using: &generator)!))
                    continue
                }
                let (spellings, takesValue) = options.randomElement(using: &generator)!
                let spelling = spellings.randomElement(using: &generator)!
                guard takesValue else {
                    tokens.append(.flag(spelling))
                    continue
                }
                let long = spellings.first { $0.hasPrefix("--") } ?? spelling
                let value = values.randomElement(using: &generator)!
                let form = Int.random(in: 0..<10, using: &generator)
                if form == 0 {
                    tokens.append(.flag(spelling))  // the value missing, or the next argument taken for it
                } else if form < 3, spelling.hasPrefix("--") {
                    tokens.append(.word(spelling + "=" + value))
                } else {
                    tokens.append(.value(spelling, long: long, value))
                }
            }
            let separate = tokens.flatMap(\.separate)
            let grouped = GeneratedArgument.grouped(tokens)
            let normalized = ShortOptions.complete.normalized(grouped[...])
            #expect(
                normalized == ShortOptions.complete.normalized(separate[...]),
                "\(grouped) is not read as \(separate)")
            guard let quick = QuickParse.groups(normalized[...]) as (RequestOptions, BatchOptions)? else { continue }
            read += 1
            let full: CompleteArguments
            do {
                full = try CompleteArguments.parse(normalized)
            } catch {
                Issue.record("\(grouped): the quick parse read what swift-argument-parser refuses: \(error)")
                continue
            }
            #expect(String(describing: quick.0) == String(describing: full.options), "\(grouped)")
            #expect(String(describing: quick.1) == String(describing: full.batch), "\(grouped)")
        }
        #expect(read > lists / 5, "the quick parse read \(read) of \(lists) lists")
    }

    /// The letters `ai-complete` and `ai-stream` split are their options' one-letter spellings, as the help shows
    /// them.
    @Test func shortOptions_areTheHelpsOneLetterOptions() {
        #expect(ShortOptions.complete.letters == helpLetters(RequestOptions.self, BatchOptions.self))
        #expect(ShortOptions.stream.letters == helpLetters(RequestOptions.self))
    }

    @Test func singleGroup_isReadLikeTheFullParser() throws {
        let arguments = ["-p", "openai", "-m", "gpt", "--stop", "x", "question"]
        let quick = try #require(QuickParse.group(arguments[...]) as RequestOptions?)
        #expect(String(describing: quick) == String(describing: try RequestOptions.parse(arguments)))
        #expect((QuickParse.group(["-j", "2"][...]) as RequestOptions?) == nil, "a batch option is not a request one")
    }
}

/// One option or word of a generated argument list.
private enum GeneratedArgument {
    case word(String)
    case flag(String)
    case value(String, long: String, String)

    /// The option with its value as a separate argument; a value that starts with `-` attached to the long
    /// spelling, the only way swift-argument-parser takes it.
    var separate: [String] {
        switch self {
        case .word(let word): [word]
        case .flag(let spelling): [spelling]
        case .value(let spelling, let long, let value):
            value.hasPrefix("-") ? [long + "=" + value] : [spelling, value]
        }
    }

    /// The list with runs of one-letter options grouped into one argument and a non-empty value attached to the
    /// letter before it (`-n`, `-r`, `-p x` give `-nrpx`), as getopt allows. The argument after a letter left
    /// without its value stays as it is (it is that value), and so does everything after `--`.
    static func grouped(_ tokens: [GeneratedArgument]) -> [String] {
        var result: [String] = []
        var group = ""
        var valueNext = false
        var terminated = false
        func flush() {
            if !group.isEmpty { result.append("-" + group) }
            group = ""
        }
        for token in tokens {
            if case .word("--") = token { terminated = true }
            if valueNext || terminated {
                flush()
                result += token.separate
                valueNext = false
                continue
            }
            switch token {
            case .flag(let spelling) where spelling.count == 2 && spelling != "--":
                group += spelling.dropFirst()
                if ShortOptions.complete.values[spelling.dropFirst().first ?? " "] != nil {
                    flush()
                    valueNext = true
                }
            case .value(let spelling, _, let value) where spelling.count == 2 && !value.isEmpty:
                group += spelling.dropFirst() + value
                flush()
            default:
                flush()
                result += token.separate
            }
        }
        flush()
        return result
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
