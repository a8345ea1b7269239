import AIBase
import AICommandLine
import AIProviders
import AITestSupport
import AIWire
import Foundation
import Testing

/// The man pages (`man/`) and completion scripts (`completions/`) against the built tools (STYLE: docs are
/// tested): options, exit statuses and error codes as the code has them, completions as the tools generate them,
/// EXAMPLES that run (see `ManExample` for their markers), and `mandoc -T lint` when mandoc is installed.
@Suite struct DocsTests {
    /// The tools whose man page and completions are checked. Add a tool here when it gets them.
    static let tools = ["ai-complete", "ai-stream", "ai-models", "ai-keys", "ai-embed", "ai-batch"]

    /// The shells swift-argument-parser generates completions for, and the file each script is committed as.
    static let shells = ["bash", "zsh", "fish"]

    /// Every page in `man/`.
    static let pages: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Docs.root + "/man")) ?? []
        return names.filter { $0.hasSuffix(".1") || $0.hasSuffix(".5") }.sorted()
    }()

    /// Every display of every page's EXAMPLES, with the problems found while reading them.
    static let examples: (examples: [ManExample], problems: [String]) = {
        var examples: [ManExample] = []
        var problems: [String] = []
        for page in pages {
            let found = ManExample.parse(page: page, source: Docs.read("man/" + page) ?? "")
            examples += found.examples
            problems += found.problems
        }
        return (examples, problems)
    }()

    // MARK: - Options

    @Test(arguments: DocsTests.tools)
    func manPage_documentsEveryLongOptionOfHelp(tool: String) throws {
        let help = try runTool(tool, arguments: ["--help"], environment: toolEnvironment())
        #expect(help.status == 0, "\(help.stderrText)")
        var shown = Set(help.stdoutText.matches(of: #/--[a-z][a-z0-9-]*/#).map { String($0.output) })
        // A tool with subcommands: the options of every subcommand's --help, each subcommand in the SYNOPSIS.
        let subcommands = Docs.subcommands(help: help.stdoutText)
        for subcommand in subcommands {
            let subhelp = try runTool(tool, arguments: [subcommand, "--help"], environment: toolEnvironment())
            #expect(subhelp.status == 0, "\(tool) \(subcommand) --help: \(subhelp.stderrText)")
            shown.formUnion(subhelp.stdoutText.matches(of: #/--[a-z][a-z0-9-]*/#).map { String($0.output) })
        }
        #expect(shown.contains("--help") && shown.count > 5, "no options found in \(tool) --help")
        let page = try #require(Docs.read("man/\(tool).1"), "man/\(tool).1 is missing")
        let synopsis = Docs.section("SYNOPSIS", of: page).split(separator: "\n")
        for subcommand in subcommands
        where !synopsis.contains(where: { $0 == ".Cm \(subcommand)" || $0.hasPrefix(".Cm \(subcommand) ") }) {
            Issue.record("the subcommand \(subcommand) of '\(tool) --help' is not in the SYNOPSIS of man/\(tool).1")
        }
        let documented = Docs.documentedLongOptions(Docs.section("OPTIONS", of: page))
        for option in shown.sorted() where !documented.contains(option) {
            Issue.record("\(option) is in '\(tool) --help' but not in the OPTIONS of man/\(tool).1")
        }
        for option in documented.sorted() where !shown.contains(option) {
            Issue.record("man/\(tool).1 documents \(option), which '\(tool) --help' does not show")
        }
    }

    @Test(arguments: DocsTests.tools)
    func manPage_listsEveryExitStatus(tool: String) throws {
        let page = try #require(Docs.read("man/\(tool).1"), "man/\(tool).1 is missing")
        let section = Docs.section("EXIT STATUS", of: page)
        let listed = Docs.tagItems(section)
        for status in ExitStatus.allCases where status != .predicateFalse {
            #expect(listed.contains(String(status.rawValue)), "EXIT STATUS of man/\(tool).1 lacks \(status.rawValue)")
        }
        let named = Docs.macroArguments("Cm", in: section)
        for code in ErrorCode.allCases where code != .vaultLocked {
            #expect(
                named.contains(code.rawValue),
                "EXIT STATUS of man/\(tool).1 does not name the error code \(code.rawValue)")
        }
    }

    @Test func wirePage_givesEveryErrorCodeItsExitStatus() throws {
        let page = try #require(Docs.read("man/ai-wire.5"), "man/ai-wire.5 is missing")
        let rows = Docs.section("ERROR RECORDS", of: page).split(separator: "\n").filter { $0.hasPrefix(".It Cm ") }
        for code in ErrorCode.allCases {
            let expected = ".It Cm \(code.rawValue) Ta \(code.exitStatus.rawValue) Ta "
            #expect(
                rows.contains { $0.hasPrefix(expected) },
                "the error code table of man/ai-wire.5 needs a row starting '\(expected)'")
        }
        let listed = Docs.tagItems(Docs.section("EXIT STATUS", of: page))
        for status in ExitStatus.allCases {
            #expect(listed.contains(String(status.rawValue)), "EXIT STATUS of man/ai-wire.5 lacks \(status.rawValue)")
        }
    }

    // MARK: - Completions

    @Test(arguments: DocsTests.tools, DocsTests.shells)
    func completionScript_isWhatTheToolGeneratesNow(tool: String, shell: String) throws {
        let path = Docs.completionPath(tool: tool, shell: shell)
        let generated = try runTool(
            tool, arguments: ["--generate-completion-script", shell],
            environment: toolEnvironment())
        #expect(generated.status == 0, "\(generated.stderrText)")
        let committed = try #require(Docs.read(path), "\(path) is missing: run 'make completions' and commit it")
        if committed != generated.stdoutText {
            let old = committed.split(separator: "\n", omittingEmptySubsequences: false)
            let new = generated.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDifference = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            let line = firstDifference ?? min(old.count, new.count)
            Issue.record(
                """
                \(path) differs from '\(tool) --generate-completion-script \(shell)' from line \(line + 1) on: \
                run 'make completions' and commit the result
                """)
        }
    }

    @Test func committedDocs_belongToListedTools() throws {
        let completions = (try? FileManager.default.contentsOfDirectory(atPath: Docs.root + "/completions")) ?? []
        let expected = Set(
            Self.tools.flatMap { tool in
                Self.shells.map { Docs.completionPath(tool: tool, shell: $0) }
            })
        for name in completions where !expected.contains("completions/" + name) {
            Issue.record("completions/\(name) belongs to no tool of DocsTests.tools: add the tool there")
        }
        for page in Self.pages where page.hasSuffix(".1") && !Self.tools.contains(String(page.dropLast(2))) {
            Issue.record("man/\(page) belongs to no tool of DocsTests.tools: add the tool there")
        }
    }

    // MARK: - Examples

    @Test func examples_areAllMarked() {
        #expect(Self.examples.problems == [])
        for page in Self.pages where Docs.read("man/" + page)?.contains("\n.Sh EXAMPLES\n") == true {
            #expect(Self.examples.examples.contains { $0.page == page }, "man/\(page) has no examples")
        }
        #expect(Self.examples.examples.contains { !$0.marker.online && !$0.marker.fixtures.isEmpty })
    }

    @Test(arguments: DocsTests.examples.examples)
    func example_runsAndPrintsWhatItsMarkerSays(example: ManExample) throws {
        let marker = example.marker
        if marker.online { try Test.cancel("\(example): needs a real provider (marked online)") }
        let path = Docs.examplePath
        for command in marker.needs where Docs.find(command, path: path) == nil {
            Issue.record("\(example) skipped: it needs \(command), which is not installed", severity: .warning)
            try Test.cancel("\(example): needs \(command)")
        }
        var environment = toolEnvironment(["PATH": path, "LC_ALL": "C.UTF-8"])
        let directory = try #require(environment["HOME"]) + "/work"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The runtime directory a login session provides (0700), where `ai-keys agent` puts its socket.
        try FileManager.default.createDirectory(
            atPath: try #require(environment["XDG_RUNTIME_DIR"]),
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        var server: FakeServer?
        defer { server?.stop() }
        if !marker.fixtures.isEmpty {
            let index = try #require(fixtures)
            let handler = try index.handler(sequence: marker.fixtures, skippingHeaders: ["authorization", "x-api-key"])
            let started = try FakeServer(handler: handler)
            server = started
            environment["PORT"] = String(started.port)
        }
        let script = "cd '\(directory)' || exit 125\n" + example.script
        let result = try runTool(
            "/bin/sh", arguments: ["-e", "-c", script], stdin: .devNull,
            environment: environment, timeout: 60)
        let context = """
            \(example)
            \(example.script)
            -- status \(result.status), stdout:
            \(result.stdoutText)
            -- stderr:
            \(result.stderrText)
            """
        #expect(result.status == marker.status, "\(context)")
        switch marker.stdout {
        case .jsonl:
            #expect(!result.stdout.isEmpty, "no output: \(context)")
            let lines = try result.stdoutLines
            #expect(lines.allSatisfy { $0.objectValue != nil }, "a line is not a JSON object: \(context)")
        case .text:
            #expect(!result.stdout.isEmpty, "no output: \(context)")
        case .empty:
            #expect(result.stdout.isEmpty, "unexpected output: \(context)")
        }
        for file in marker.files {
            let text = try #require(
                Docs.read(directory + "/" + file, absolute: true),
                "\(file) was not written: \(context)")
            let lines = text.split(separator: "\n")
            #expect(!lines.isEmpty, "\(file) is empty: \(context)")
            for line in lines {
                #expect((try? JSON.parse(Array(line.utf8)))?.objectValue != nil, "\(file): not a JSON object: \(line)")
            }
        }
    }

    // MARK: - README

    /// The README's config recipe writes the file where the tools read it, whether `XDG_CONFIG_HOME` is set or
    /// not: run as written, with its server's port replaced by the fake server's.
    @Test(arguments: [true, false])
    func readmeConfigRecipe_writesWhereTheToolsRead(xdgConfigHome: Bool) throws {
        let readme = try #require(Docs.read("README.md"))
        let blocks = readme.components(separatedBy: "```sh\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let recipe = try #require(blocks.first { $0.contains("config.json") }, "no config recipe in README.md")
        let index = try #require(fixtures)
        let server = try FakeServer(
            handler: index.handler(sequence: ["openai_chat_ok"], skippingHeaders: ["authorization", "x-api-key"]))
        defer { server.stop() }
        let script = recipe.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(server.port)")
        #expect(script != recipe, "the recipe no longer names 127.0.0.1:8080")
        var environment = toolEnvironment(["PATH": Docs.examplePath])
        if !xdgConfigHome { environment["XDG_CONFIG_HOME"] = nil }
        let result = try runTool(
            "/bin/sh", arguments: ["-e", "-c", script], stdin: .devNull, environment: environment, timeout: 60)
        #expect(result.status == 0, "\(script)\n\(result.stderrText)")
        #expect(try result.stdoutLines.first?["content"] == "Hello! How can I help you today?")
    }

    // MARK: - mandoc

    @Test(
        .enabled(
            if: Docs.find("mandoc", path: Docs.systemPath) != nil,
            "mandoc is not installed; script/bootstrap should install it"))
    func manPages_lintClean() throws {
        let mandoc = try #require(Docs.find("mandoc", path: Docs.systemPath))
        #expect(Self.pages.count >= 3)
        let files = Self.pages.map { Docs.root + "/man/" + $0 }
        let result = try runTool(
            mandoc, arguments: ["-T", "lint", "-W", "warning"] + files,
            environment: ["PATH": Docs.systemPath])
        #expect(
            result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty,
            "mandoc -T lint -W warning man/*:\n\(result.stdoutText)\(result.stderrText)")
    }
}

// MARK: - Reading the pages

/// How an example display is to be run: its marker comment, `.\" example: …`.
struct ExampleMarker: Sendable, Equatable {
    /// What standard output must be.
    enum Output: String, Sendable {
        case jsonl, text, empty
    }

    /// Needs a real provider: skipped.
    var online = false
    /// Fixtures served on `$PORT`, in order.
    var fixtures: [String] = []
    /// What standard output must be.
    var stdout = Output.jsonl
    /// The expected exit status.
    var status: Int32 = 0
    /// Commands that must be installed.
    var needs: [String] = []
    /// Files the example writes that must be JSON Lines.
    var files: [String] = []

    /// The marker of a comment line, or a problem; nil when the line is no marker.
    static func parse(_ line: String) -> Result<ExampleMarker, MarkerError>? {
        let prefix = #".\" example:"#
        guard line.hasPrefix(prefix) else { return nil }
        let words = line.dropFirst(prefix.count).split(separator: " ")
        var marker = ExampleMarker()
        switch words.first {
        case "online":
            marker.online = true
            return words.count == 1 ? .success(marker) : .failure(MarkerError("an online marker takes no options"))
        case "offline": break
        default: return .failure(MarkerError("a marker is 'offline …' or 'online'"))
        }
        for word in words.dropFirst() {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                return .failure(MarkerError("'\(word)' is not key=value"))
            }
            let values = parts[1].split(separator: ",").map(String.init)
            switch parts[0] {
            case "fixture": marker.fixtures += values
            case "needs": marker.needs += values
            case "file": marker.files += values
            case "stdout":
                guard let output = Output(rawValue: parts[1]) else {
                    return .failure(MarkerError("bad stdout=\(parts[1])"))
                }
                marker.stdout = output
            case "status":
                guard let status = Int32(parts[1]) else { return .failure(MarkerError("bad status=\(parts[1])")) }
                marker.status = status
            default:
                return .failure(MarkerError("unknown key '\(parts[0])'"))
            }
        }
        return .success(marker)
    }
}

/// Why a marker could not be read.
struct MarkerError: Error, Equatable {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

/// One `.Bd -literal` … `.Ed` display of a page's EXAMPLES section, as shell text.
///
/// Every display in an EXAMPLES section is preceded by a marker comment line that says how the test runs it:
///
///     .\" example: offline [fixture=ID,...] [stdout=jsonl|text|empty] [status=N] [needs=CMD,...] [file=NAME,...]
///     .\" example: online
///
/// An `offline` display is run with `/bin/sh -e -c` in an empty directory, with `HOME` and the XDG directories in
/// a temp dir (`XDG_RUNTIME_DIR` made 0700, as a login session has it), no keys, and `PATH` starting with the
/// built tools. `fixture=` serves those fixtures of `Tests/Fixtures/providers` in order (the last repeats;
/// requests are checked, credentials aside) on 127.0.0.1 and exports the port as `PORT`. `stdout=` says what
/// standard output must be: `jsonl` (the default: at least one line, each a JSON object), `text` (not empty) or
/// `empty`. `status=` is the expected exit status (0). `needs=` skips the example, with a warning, when a command
/// is not installed. `file=` names files the example writes that must be JSON Lines. An `online` display needs a
/// real provider (or a terminal to type a passphrase on) and is skipped. A display without a marker, an unknown
/// key, or a roff escape other than `\e \- \& \(aq \(dq \(ti \(ha \(rs \(ga` fails `examples_areAllMarked`.
struct ManExample: Sendable, CustomStringConvertible, CustomTestStringConvertible {
    /// The page's file name, such as `ai-complete.1`.
    var page: String
    /// The line of its `.Bd`.
    var line: Int
    /// How to run it.
    var marker: ExampleMarker
    /// The shell text, roff escapes resolved.
    var script: String

    var description: String { "man/\(page):\(line)" }
    var testDescription: String { description }

    /// The examples of a page's EXAMPLES section, and what is wrong with any display there.
    static func parse(page: String, source: String) -> (examples: [ManExample], problems: [String]) {
        var examples: [ManExample] = []
        var problems: [String] = []
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var inExamples = false
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix(".Sh ") { inExamples = line == ".Sh EXAMPLES" }
            guard inExamples, line.hasPrefix(".Bd ") else {
                index += 1
                continue
            }
            let location = "man/\(page):\(index + 1)"
            var marker: ExampleMarker?
            switch index > 0 ? ExampleMarker.parse(lines[index - 1]) : nil {
            case .success(let parsed)?: marker = parsed
            case .failure(let error)?: problems.append("\(location): \(error.reason)")
            case nil: problems.append("\(location): a display without a '.\\\" example: offline|online' line before it")
            }
            if !line.hasPrefix(".Bd -literal") { problems.append("\(location): an example display must be -literal") }
            var body: [String] = []
            var end = index + 1
            while end < lines.count, lines[end] != ".Ed" {
                let text = lines[end]
                if text.hasPrefix(".\\\"") {
                    // A comment inside the display.
                } else if text.hasPrefix(".") || text.hasPrefix("'") {
                    problems.append("man/\(page):\(end + 1): a request inside an example display")
                } else {
                    switch Roff.unescape(text) {
                    case .success(let plain): body.append(plain)
                    case .failure(let error): problems.append("man/\(page):\(end + 1): \(error.reason)")
                    }
                }
                end += 1
            }
            if let marker {
                examples.append(
                    ManExample(
                        page: page, line: index + 1, marker: marker,
                        script: body.joined(separator: "\n") + "\n"))
            }
            index = end + 1
        }
        return (examples, problems)
    }
}

/// The roff escapes an example display may use.
enum Roff {
    private static let named = ["aq": "'", "dq": "\"", "ti": "~", "ha": "^", "rs": "\\", "ga": "`"]

    /// The text a display line shows.
    static func unescape(_ line: String) -> Result<String, MarkerError> {
        var out = ""
        var rest = Substring(line)
        while let backslash = rest.firstIndex(of: "\\") {
            out += rest[..<backslash]
            rest = rest[rest.index(after: backslash)...]
            guard let next = rest.first else { return .failure(MarkerError("a backslash at the end of a line")) }
            rest = rest.dropFirst()
            switch next {
            case "e": out += "\\"
            case "-": out += "-"
            case "&": break
            case "(":
                let name = String(rest.prefix(2))
                guard let text = named[name] else { return .failure(MarkerError("unsupported roff escape \\(\(name)")) }
                out += text
                rest = rest.dropFirst(2)
            default:
                return .failure(MarkerError("unsupported roff escape \\\(next): write \\e for a backslash"))
            }
        }
        return .success(out + rest)
    }
}

/// Paths and text of the package's docs.
enum Docs {
    /// The package root: the nearest directory above this file holding `Package.swift`.
    static let root: String = {
        var directory = (#filePath as NSString).deletingLastPathComponent
        while directory.count > 1 {
            if FileManager.default.fileExists(atPath: directory + "/Package.swift") { return directory }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// Where examples and mandoc are looked for, besides the built tools.
    static let systemPath = "/usr/local/bin:/usr/bin:/bin"

    /// The `PATH` examples run with: the built tools first.
    static var examplePath: String { ToolProcess.binaryDirectory + ":" + systemPath }

    /// The text of a file under the package root (or at an absolute path), nil when it cannot be read.
    static func read(_ path: String, absolute: Bool = false) -> String? {
        guard let data = FileManager.default.contents(atPath: absolute ? path : root + "/" + path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The committed completion script of `tool` for `shell`, relative to the root.
    static func completionPath(tool: String, shell: String) -> String {
        switch shell {
        case "zsh": "completions/_\(tool)"
        default: "completions/\(tool).\(shell)"
        }
    }

    /// The executable `command` in one of the directories of `path`.
    static func find(_ command: String, path: String) -> String? {
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The source of the section `.Sh name` of a page, up to the next `.Sh`; empty when there is none.
    static func section(_ name: String, of page: String) -> String {
        guard let start = page.range(of: "\n.Sh \(name)\n") else { return "" }
        let rest = page[start.upperBound...]
        let end = rest.range(of: "\n.Sh ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The long options the `.It` lines of an mdoc section document: `.It Fl p , -provider Ar provider` gives
    /// `--provider` (every word after `Fl` up to the next macro is a flag, `-` prefixed).
    static func documentedLongOptions(_ section: String) -> Set<String> {
        var options: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix(".It ") {
            var inFlags = false
            for word in line.split(separator: " ").dropFirst() {
                if word == "Fl" {
                    inFlags = true
                } else if word.first?.isUppercase == true, word.count <= 3 {
                    inFlags = false
                } else if inFlags, word != ",", word.hasPrefix("-") {
                    options.insert("-" + word)
                }
            }
        }
        return options
    }

    /// The words a macro applies to on the macro lines of a section: `.Pq Cm rejected , not_found .` gives
    /// `rejected` and `not_found` for `Cm` (every word after it up to the next macro, punctuation aside).
    static func macroArguments(_ macro: String, in section: String) -> Set<String> {
        var words: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix(".") {
            var inMacro = false
            for word in line.split(separator: " ") {
                if word == macro {
                    inMacro = true
                } else if word.first?.isUppercase == true, word.count <= 3 {
                    inMacro = false
                } else if inMacro, !word.allSatisfy({ ",;:.()".contains($0) }) {
                    words.insert(String(word))
                }
            }
        }
        return words
    }

    /// The subcommands the SUBCOMMANDS list of a `--help` text names (its two-space-indented first words); empty
    /// for a tool without subcommands.
    static func subcommands(help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "SUBCOMMANDS:") else { return [] }
        return lines[(start + 1)...].prefix { !$0.isEmpty }.compactMap { line in
            line.firstMatch(of: #/^  ([a-z][a-z0-9-]*)( |$)/#).map { String($0.output.1) }
        }
    }

    /// The first word of every `.It` line of a section (the statuses of an EXIT STATUS list).
    static func tagItems(_ section: String) -> Set<String> {
        Set(
            section.split(separator: "\n").filter { $0.hasPrefix(".It ") }.compactMap {
                $0.split(separator: " ").dropFirst().first.map(String.init)
            })
    }
}
