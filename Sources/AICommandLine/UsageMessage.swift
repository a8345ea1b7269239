import AIBase

/// A swift-argument-parser error text in the message grammar: one lowercase line without a final period for the
/// error, and the parser's advice as hints.
///
/// `Unknown option '--bogus'. Did you mean '--jobs'?` becomes the error `unknown option '--bogus'` and the hint
/// `did you mean '--jobs'?`; `… invalid for '--input <format>'. Please provide one of 'auto', … or 'jsonl'.`
/// becomes the error `… invalid for '--input <format>'` and the hint `please provide one of 'auto', … or 'jsonl'`.
package struct UsageMessage: Equatable, Sendable {
    /// The error line.
    package var message: String
    /// The hint lines, in order.
    package var hints: [String]

    /// The sentences of the parser's text that are advice rather than the error.
    private static let adviceSentences = [". Did you mean '", ". Please provide one of "]

    /// A message with its hints, as they are.
    package init(message: String, hints: [String]) {
        self.message = message
        self.hints = hints
    }

    /// The message and hints of swift-argument-parser's `text` (`ParsableCommand.message(for:)`).
    package init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        var first = lines.isEmpty ? "" : lines.removeFirst()
        var hints: [String] = []
        // A list of values, one `  - value` line each, after `Please provide one of the following:`.
        let values = lines.filter { $0.hasPrefix("  - ") }.map { String($0.dropFirst(4)) }
        lines.removeAll { $0.hasPrefix("  - ") }
        if !values.isEmpty, first.hasSuffix(":") { first += " " + values.joined(separator: ", ") }
        for advice in Self.adviceSentences {
            guard let range = first.firstRange(of: advice) else { continue }
            hints.append(String(first[first.index(after: range.lowerBound)...]))
            first = String(first[..<range.lowerBound])
        }
        // `… or: Missing value for '-p <provider>' in '-px'`: another reading of the same argument.
        hints = hints.map(MessageText.fitted)
        for line in lines {
            let text = MessageText.fitted(line)
            hints.append(text.hasPrefix("or: ") ? "or: " + MessageText.fitted(String(text.dropFirst(4))) : text)
        }
        self.message = MessageText.fitted(first)
        self.hints = hints.filter { !$0.isEmpty }
    }
}
