import AIBase

/// An `--mcp` argument read as a shell would split a simple command into words, without running a shell.
///
/// White space (blanks, tabs, newlines) separates words. Single quotes keep everything up to the next single quote
/// as it is; double quotes keep everything but `\"`, `\\`, `` \` `` and `\$`, whose backslash goes; outside quotes a
/// backslash keeps the next character as it is (and a backslash before a newline joins the lines). Nothing is
/// expanded: `$HOME`, `~`, `*` and `;` are plain characters, and no program but the one named is started.
package enum MCPCommandLine {
    /// The words of `commandLine`.
    /// - Throws: `AIError` (`usage`) for an empty command line, an unterminated quote or a final lone backslash.
    package static func words(_ commandLine: String) throws(AIError) -> [String] {
        var words: [String] = []
        var word: [Character] = []
        var inWord = false
        var characters = commandLine.makeIterator()
        while let character = characters.next() {
            switch character {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(String(word)) }
                word = []
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "'" {
                        closed = true
                        break
                    }
                    word.append(next)
                }
                guard closed else { throw problem("an unterminated single quote", commandLine) }
            case "\"":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "\"" {
                        closed = true
                        break
                    }
                    guard next == "\\" else {
                        word.append(next)
                        continue
                    }
                    guard let escaped = characters.next() else { break }
                    switch escaped {
                    case "\"", "\\", "`", "$": word.append(escaped)
                    case "\n": break
                    default: word.append(contentsOf: ["\\", escaped])
                    }
                }
                guard closed else { throw problem("an unterminated double quote", commandLine) }
            case "\\":
                guard let escaped = characters.next() else { throw problem("a final lone backslash", commandLine) }
                if escaped != "\n" {
                    word.append(escaped)
                    inWord = true
                }
            default:
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(String(word)) }
        guard let first = words.first, !first.isEmpty else {
            throw AIError(.usage, "--mcp needs a command to start the server, got '\(commandLine)'")
        }
        return words
    }

    /// The name clashing tools of the server are prefixed with: the last path component of its program,
    /// characters other than `[a-zA-Z0-9_-]` replaced by `_` (providers refuse a `.` in a function name).
    package static func serverName(_ commandLine: String) -> String {
        let program = (try? words(commandLine))?.first ?? commandLine
        let base = program.split(separator: "/").last.map(String.init) ?? program
        let name = sanitized(base)
        return name.isEmpty ? "mcp" : name
    }

    /// `text` with every character a provider's function name may not hold replaced by `_`.
    package static func sanitized(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    switch scalar {
                    case "a"..."z", "A"..."Z", "0"..."9", "_", "-": scalar
                    default: "_"
                    }
                }))
    }

    private static func problem(_ what: String, _ commandLine: String) -> AIError {
        AIError(.usage, "--mcp '\(commandLine)': \(what)")
    }
}
