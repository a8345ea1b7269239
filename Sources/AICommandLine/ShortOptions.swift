/// A tool's one-letter options, to read attached values and groups as getopt(3) does before either parser sees
/// the arguments.
///
/// swift-argument-parser reads `-pecho` as the group `-p -e -c -h -o` (and so prints the help for `-ph x`) and
/// refuses `-j4`; getopt reads `-pecho` as `-p echo`. `normalized` rewrites the arguments into spellings both
/// parsers read alike, so `QuickParse` and swift-argument-parser see the same list:
/// - `-pecho` becomes `-p echo`: the value is everything after the letter; one that starts with `-` (`-t-1`)
///   becomes `--temperature=-1`, as swift-argument-parser takes no such value after a separate option;
/// - a group is split, `-nrq` into `-n -r -q` and `-nrpecho` into `-n -r -p echo`; a group that ends in a
///   letter taking a value (`-np echo`) becomes `-n -p`, and the next argument is its value, kept as it is
///   (unless it is `--`, which swift-argument-parser never takes for a value);
/// - a letter the tool does not know stays an option of its own (`-xn` becomes `-x -n`) for the parser to refuse;
/// - words, long options, `-` and everything after `--` are kept as they are, and so is an argument whose letters
///   are not all ASCII letters and digits (`-.5`);
/// - a long option whose value may be left out, given without one (`--think`), gets its implied value
///   (`--think=on`), so that it never takes the next argument (the prompt) for its value.
package struct ShortOptions: Sendable {
    /// The letters of options that take no value (`h` for help included).
    package var flags: Set<Character>
    /// The letters of options that take a value, each with its long spelling (`p`: `--provider`) for a value that
    /// starts with `-`.
    package var values: [Character: String]
    /// Long options whose value may be left out, with the value they then take (`--think` alone is `--think=on`);
    /// each must be named in `optionalValueNames`.
    package var optionalValues: [String: String] = [:]

    /// Every long option of any tool whose value may be left out (`mayRewrite` looks for them). An array: a set
    /// would cost its hashing set-up at every start.
    package static let optionalValueNames = ["--think"]

    /// A table of the given letters.
    package init(flags: Set<Character>, values: [Character: String]) {
        self.flags = flags
        self.values = values
    }

    /// The letters of a quick-parse table (its `-x` spellings), with `h` for help.
    package init<Group>(_ table: [QuickArgument<Group>]) {
        flags = ["h"]
        values = [:]
        for entry in table {
            switch entry {
            case .flag(let names, _):
                for name in names { if let letter = Self.letter(of: name) { flags.insert(letter) } }
            case .value(let names, _):
                guard let long = names.first(where: { $0.hasPrefix("--") }) else { continue }
                for name in names { if let letter = Self.letter(of: name) { values[letter] = long } }
            case .words:
                continue
            }
        }
    }

    /// The letters of both tables.
    package func merging(_ other: ShortOptions) -> ShortOptions {
        ShortOptions(flags: flags.union(other.flags), values: values.merging(other.values) { first, _ in first })
    }

    /// `ai-complete`'s letters.
    package static let complete = ShortOptions(RequestOptions.quickArguments)
        .merging(ShortOptions(BatchOptions.quickArguments)).with(optionalValues: RequestOptions.optionalValues)
    /// `ai-stream`'s letters.
    package static let stream = ShortOptions(RequestOptions.quickArguments)
        .with(optionalValues: RequestOptions.optionalValues)

    /// These letters, with long options whose value may be left out.
    package func with(optionalValues: [String: String]) -> ShortOptions {
        var options = self
        options.optionalValues = optionalValues
        return options
    }
    /// The letters of every `ai-models` subcommand.
    package static let models = ShortOptions(flags: ["h", "q"], values: ["p": "--provider"])
    /// The letters of every `ai-keys` subcommand (`ShortOptionsTests` checks that no letter takes a value in one
    /// subcommand and none in another).
    package static let keys = ShortOptions(flags: ["h", "q", "D", "k"], values: ["a": "--socket", "n": "--last"])

    /// Whether any argument before `--` could be a group or carry an attached value (`-nr`, `-pecho`): a single
    /// dash followed by two or more characters. Without one, `normalized` would return the arguments unchanged.
    package static func mayRewrite(_ arguments: ArraySlice<String>) -> Bool {
        for argument in arguments {
            if argument == "--" { return false }
            if optionalValueNames.contains(argument) { return true }
            let bytes = argument.utf8
            if bytes.count > 2, bytes.first == UInt8(ascii: "-"), bytes.dropFirst().first != UInt8(ascii: "-") {
                return true
            }
        }
        return false
    }

    /// `arguments` with attached values and groups spelled out (see the type's summary).
    package func normalized(_ arguments: ArraySlice<String>) -> [String] {
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result += arguments[(index - 1)...]
                break
            }
            if let value = optionalValues[argument] {
                result.append(argument + "=" + value)
                continue
            }
            guard let letters = letters(of: argument) else {
                result.append(argument)
                continue
            }
            var takesNext = false
            var position = letters.startIndex
            while position < letters.endIndex {
                let letter = letters[position]
                position = letters.index(after: position)
                guard let long = values[letter] else {
                    result.append("-" + String(letter))
                    continue
                }
                let value = argument[position...]
                if value.hasPrefix("-") {
                    result.append(long + "=" + value)
                } else if !value.isEmpty {
                    result += ["-" + String(letter), String(value)]
                } else {
                    result.append("-" + String(letter))
                    takesNext = true
                }
                break
            }
            if takesNext, index < arguments.endIndex, arguments[index] != "--" {
                result.append(arguments[index])
                index += 1
            }
        }
        return result
    }

    /// The letters after the dash of a one-letter option or group (`-n`, `-nr`, `-pecho`), or nil for anything else.
    ///
    /// Letters up to the first that takes a value must be ASCII letters or digits; the value after it may be
    /// anything.
    private func letters(of argument: String) -> Substring? {
        guard argument.utf8.count >= 2, argument.hasPrefix("-"), !argument.hasPrefix("--") else { return nil }
        let letters = argument.dropFirst()
        for letter in letters {
            guard letter.isASCII, letter.isLetter || letter.isNumber else { return nil }
            if values[letter] != nil { break }
        }
        return letters
    }

    /// The letter of a one-letter spelling (`-p`), or nil for a long one.
    private static func letter(of name: String) -> Character? {
        guard name.count == 2, name.hasPrefix("-"), let letter = name.last, letter != "-" else { return nil }
        return letter
    }
}
