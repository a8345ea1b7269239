import AIProviders
import ArgumentParser

/// One entry of a quick-parse table (see `QuickParse`): an option with all its spellings, or the words.
package enum QuickArgument<Group> {
    /// An option without a value (`-n`, `--no-config`).
    case flag([String], (inout Group) -> Void)
    /// An option with a value; the closure returns false when the value does not convert.
    case value([String], (inout Group, String) -> Bool)
    /// The words that are not options.
    case words((inout Group, String) -> Void)

    /// An option without a value, spelled each of `names`.
    package static func flag(_ names: String..., set: @escaping (inout Group) -> Void) -> Self {
        .flag(names, set)
    }

    /// An option whose value converts the way swift-argument-parser converts it (`init(argument:)`).
    package static func value<Value: ExpressibleByArgument>(
        _ names: String..., set: @escaping (inout Group, Value) -> Void
    ) -> Self {
        .value(names) { group, text in
            guard let value = Value(argument: text) else { return false }
            set(&group, value)
            return true
        }
    }

    /// This argument of a group, as one of a value that holds the group where `project` hands it out.
    fileprivate func lifted<Holder>(
        _ project: @escaping (inout Holder, (inout Group) -> Bool) -> Bool
    ) -> QuickArgument<Holder> {
        switch self {
        case .flag(let names, let set):
            .flag(names) {
                _ = project(&$0) {
                    set(&$0); return true
                }
            }
        case .value(let names, let set): .value(names) { holder, text in project(&holder) { set(&$0, text) } }
        case .words(let set):
            .words { holder, word in
                _ = project(&holder) {
                    set(&$0, word); return true
                }
            }
        }
    }
}

/// Option groups the quick parse reads.
package protocol QuickParsable: ParsableArguments {
    /// The group with every property at the default its declaration gives (swift-argument-parser leaves them
    /// unset until it parses, and reading an unset one stops the process).
    static var quickDefaults: Self { get }
    /// Every option of the group with all its spellings, and its words if it takes any.
    static var quickArguments: [QuickArgument<Self>] { get }
}

/// The common run of a tool's arguments, read without swift-argument-parser's reflection.
///
/// swift-argument-parser finds a command's options by reflecting on its properties every time it parses: about 11
/// million instructions and 3 ms, more than the whole of a call on loopback (see Benchmarks/README.md).
/// `ai-complete` and `ai-stream` read the arguments they are usually given here first:
/// - a known option, spelled exactly as the help shows it (`-p x`, `--provider x`, `--provider=x`), whose value
///   converts and does not start with `-`;
/// - a word (the prompt), `-` included.
///
/// Anything else goes to swift-argument-parser, which stays the one parser of record: help, `--version`
/// with other arguments, completion scripts, grouped short flags (`-nr`), `--`, and every usage error with its
/// wording. A quick parse that would give a different result is a bug; `QuickParseTests` holds the two to the
/// same values over generated argument lists.
package enum QuickParse {
    /// Reads `arguments` into `value` by `table`.
    /// - Returns: false when the arguments are not in the quick shape; `value` is then half-set and must be
    ///   dropped.
    package static func read<Value>(
        _ arguments: ArraySlice<String>, _ table: [QuickArgument<Value>], into value: inout Value
    ) -> Bool {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.utf8.count > 1, argument.utf8.first == UInt8(ascii: "-") else {
                guard let words = table.wordSetter() else { return false }
                words(&value, argument)
                continue
            }
            var spelling = Substring(argument)
            var inline: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                spelling = argument[..<equals]
                inline = String(argument[argument.index(after: equals)...])
            }
            switch table.entry(spelled: spelling) {
            case .flag(_, let set)? where inline == nil:
                set(&value)
            case .value(_, let set)?:
                if inline == nil, index < arguments.endIndex {
                    inline = arguments[index]
                    index += 1
                }
                guard let text = inline, !text.isEmpty, text.utf8.first != UInt8(ascii: "-"),
                    set(&value, text)
                else { return false }
            default:
                return false
            }
        }
        return true
    }

    /// The group `Group` the arguments give, validated, or nil when only swift-argument-parser can read them.
    package static func group<Group: QuickParsable>(_ arguments: ArraySlice<String>) -> Group? {
        var group = Group.quickDefaults
        guard read(arguments, Group.quickArguments, into: &group), (try? group.validate()) != nil else { return nil }
        return group
    }

    /// The two groups the arguments give (a command's options and batch options), each validated, or nil when
    /// only swift-argument-parser can read them.
    package static func groups<First: QuickParsable, Second: QuickParsable>(
        _ arguments: ArraySlice<String>
    ) -> (First, Second)? {
        typealias Groups = (First, Second)
        var groups: Groups = (First.quickDefaults, Second.quickDefaults)
        let table =
            First.quickArguments.map { $0.lifted { (groups: inout Groups, set) in set(&groups.0) } }
            + Second.quickArguments.map { $0.lifted { (groups: inout Groups, set) in set(&groups.1) } }
        guard read(arguments, table, into: &groups), (try? groups.0.validate()) != nil,
            (try? groups.1.validate()) != nil
        else { return nil }
        return groups
    }
}

extension Array {
    /// The word setter of a quick table.
    fileprivate func wordSetter<Group>() -> ((inout Group, String) -> Void)? where Element == QuickArgument<Group> {
        for entry in self {
            if case .words(let set) = entry { return set }
        }
        return nil
    }

    /// The option of a quick table spelled `spelling`.
    fileprivate func entry<Group>(spelled spelling: Substring) -> QuickArgument<Group>?
    where Element == QuickArgument<Group> {
        for entry in self {
            switch entry {
            case .flag(let names, _), .value(let names, _):
                for name in names where name == spelling { return entry }
            case .words:
                continue
            }
        }
        return nil
    }
}
