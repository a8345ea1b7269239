import Glibc

/// Text from elsewhere (the C library, libcurl, swift-argument-parser) fitted to the message grammar of DESIGN
/// §3: one line, starting in lowercase, without a final period.
package enum MessageText {
    /// `strerror(code)` as part of a message: "no space left on device", not "No space left on device".
    package static func systemError(_ code: Int32 = errno) -> String {
        fitted(String(cString: strerror(code)))
    }

    /// `text` in the message grammar.
    ///
    /// Lines are joined with a space, surrounding blanks and one final period are dropped, and a capitalised
    /// first word ("No", "Failed") is put in lowercase; a first word with another capital in it ("SSL",
    /// "OpenSSL", "HTTP/2") is a name and stays as it is.
    package static func fitted(_ text: String) -> String {
        var line = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingBlanks() }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
        if line.hasSuffix("."), !line.hasSuffix("..") { line.removeLast() }
        let firstWord = line.prefix { !$0.isWhitespace }
        guard let first = firstWord.first, first.isUppercase,
            !firstWord.dropFirst().contains(where: \.isUppercase)
        else { return line }
        return first.lowercased() + line.dropFirst()
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return self[start...end]
    }
}
