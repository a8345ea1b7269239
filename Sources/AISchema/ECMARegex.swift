/// A `pattern` or `patternProperties` regular expression, compiled once with ECMA-262 semantics.
///
/// JSON Schema patterns are ECMA-262 regular expressions. They are translated to the standard library's
/// regex syntax (no Foundation, so no ICU in the tools) and matched by Unicode scalars, as ECMA-262's
/// `u` flag does: `.` is one code point other than a line terminator, `\d` and `\w` are ASCII only, `\b`
/// is a boundary between `\w` and not, `\s` is ECMA-262's white space and line terminators, `$` is the
/// end of the input. A pattern matches anywhere in the string unless anchored. Lookbehind is refused,
/// as the standard library's regex engine does not have it.
struct ECMARegex: @unchecked Sendable {
    // Unchecked: `Regex` is immutable once built, and its lazily lowered program is stored atomically
    // (swift-experimental-string-processing #474), so concurrent matching is safe; it does not say so yet.

    /// The pattern as written in the schema.
    let source: String
    /// The translated, compiled expression.
    let regex: Regex<AnyRegexOutput>

    /// Why a pattern is refused, in lowercase words.
    struct SyntaxError: Error {
        /// What is wrong.
        let reason: String
    }

    /// Compiles an ECMA-262 pattern.
    /// - Throws: `SyntaxError` when the pattern is malformed or uses lookbehind.
    init(_ pattern: String) throws(SyntaxError) {
        source = pattern
        let translated = try Self.translate(pattern)
        do {
            regex = try Regex(translated).matchingSemantics(.unicodeScalar).asciiOnlyDigits()
                .asciiOnlyWordCharacters().wordBoundaryKind(.simple)
        } catch {
            throw SyntaxError(reason: "\(error)")
        }
    }

    /// Whether the pattern matches somewhere in `text`.
    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }

    /// ECMA-262's white space and line terminators, as class members: tab, VT, FF, the BOM and every space
    /// separator (`Zs`), and LF, CR, LS, PS. (Listing the separators one by one matches several times slower.)
    static let whiteSpaceMembers = #"\t\n\u{B}\u{C}\r\p{Zs}\u{2028}\u{2029}\u{FEFF}"#

    /// `pattern` rewritten in the standard library's regex syntax with the same meaning.
    /// - Throws: `SyntaxError` for constructs that have no translation.
    static func translate(_ pattern: String) throws(SyntaxError) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var output = ""
        var index = 0
        var inClass = false
        func next(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\\" {
                guard let escaped = next() else { throw SyntaxError(reason: "\\ at the end of the pattern") }
                index += 1
                output += try translateEscape(escaped, inClass: inClass, scalars: scalars, index: &index)
                continue
            }
            if inClass {
                switch scalar {
                case "]": inClass = false; output += "]"
                case "[", "&", "~": output += "\\" + String(scalar)
                case "-" where next() == "-": output += "\\-"
                default: output.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "[":
                if next() == "]" {
                    index += 1
                    output += "(?!)"
                } else if next() == "^", next(1) == "]" {
                    index += 2
                    output += "(?s:.)"
                } else {
                    inClass = true
                    output += "["
                    if next() == "^" {
                        index += 1
                        output += "^"
                    }
                    if next() == "]" {
                        index += 1
                        output += "\\]"
                    }
                }
            case ".": output += #"[^\n\r\u{2028}\u{2029}]"#
            case "(":
                if next() == "?" {
                    switch (next(1), next(2)) {
                    case ("<", "="), ("<", "!"):
                        throw SyntaxError(reason: "lookbehind assertions are not supported")
                    case (":", _), ("=", _), ("!", _), ("<", _): output += "("
                    default: throw SyntaxError(reason: "invalid group")
                    }
                } else {
                    output += "("
                }
            case "{":
                if let end = quantifierEnd(scalars, at: index) {
                    output += "{" + String(String.UnicodeScalarView(scalars[index...end]))
                    index = end + 1
                } else {
                    output += "\\{"
                }
            case "}", "]": output += "\\" + String(scalar)
            default: output.unicodeScalars.append(scalar)
            }
        }
        if inClass { throw SyntaxError(reason: "missing ]") }
        return output
    }

    /// The index of the `}` closing `{n}`, `{n,}` or `{n,m}` when the `{` just read (`index` past it) starts one.
    static func quantifierEnd(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        var position = index
        var digits = 0
        while position < scalars.count, ("0"..."9").contains(scalars[position]) {
            position += 1
            digits += 1
        }
        guard digits > 0, position < scalars.count else { return nil }
        if scalars[position] == "}" { return position }
        guard scalars[position] == "," else { return nil }
        position += 1
        while position < scalars.count, ("0"..."9").contains(scalars[position]) { position += 1 }
        return position < scalars.count && scalars[position] == "}" ? position : nil
    }

    /// The translation of `\` followed by `escaped`; `index` is past `escaped` and moves past any operands.
    static func translateEscape(
        _ escaped: Unicode.Scalar, inClass: Bool, scalars: [Unicode.Scalar], index: inout Int
    ) throws(SyntaxError) -> String {
        func hexDigits(_ count: Int) -> UInt32? {
            guard index + count <= scalars.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<count {
                guard scalars[index + offset].isASCII,
                    let digit = JSONPointer.hexValue(UInt8(scalars[index + offset].value))
                else { return nil }
                value = value << 4 | UInt32(digit)
            }
            index += count
            return value
        }
        func literal(_ value: UInt32) -> String { "\\u{" + String(value, radix: 16) + "}" }
        switch escaped {
        case "d", "D", "w", "W": return "\\" + String(escaped)
        case "b": return inClass ? literal(8) : "\\b"
        case "B": return inClass ? "B" : "\\B"
        case "s": return inClass ? whiteSpaceMembers : "[" + whiteSpaceMembers + "]"
        case "S": return "[^" + whiteSpaceMembers + "]"
        case "t": return "\\t"
        case "n": return "\\n"
        case "r": return "\\r"
        case "f": return "\\f"
        case "v": return literal(0xB)
        case "0" where !(index < scalars.count && ("0"..."9").contains(scalars[index])): return literal(0)
        case "1"..."9":
            var text = "\\" + String(escaped)
            while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                text.unicodeScalars.append(scalars[index])
                index += 1
            }
            return text
        case "c":
            if index < scalars.count, scalars[index].isASCIILetter {
                let letter = scalars[index]
                index += 1
                return literal(letter.value % 32)
            }
            return "\\\\c"
        case "x":
            if let value = hexDigits(2) { return literal(value) }
            return "x"
        case "u":
            if index < scalars.count, scalars[index] == "{" {
                var end = index + 1
                while end < scalars.count, scalars[end] != "}" { end += 1 }
                guard end < scalars.count, end > index + 1 else { throw SyntaxError(reason: "invalid \\u{…} escape") }
                let text = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                guard let value = UInt32(text, radix: 16), Unicode.Scalar(value) != nil else {
                    throw SyntaxError(reason: "invalid \\u{…} escape")
                }
                index = end + 1
                return literal(value)
            }
            guard let high = hexDigits(4) else { return "u" }
            if (0xD800...0xDBFF).contains(high), index + 6 <= scalars.count, scalars[index] == "\\",
                scalars[index + 1] == "u"
            {
                let saved = index
                index += 2
                if let low = hexDigits(4), (0xDC00...0xDFFF).contains(low) {
                    return literal(0x10000 + (high - 0xD800) << 10 + (low - 0xDC00))
                }
                index = saved
            }
            guard Unicode.Scalar(high) != nil else { throw SyntaxError(reason: "lone surrogate escape") }
            return literal(high)
        case "p", "P":
            guard index < scalars.count, scalars[index] == "{" else { return String(escaped) }
            var end = index
            while end < scalars.count, scalars[end] != "}" { end += 1 }
            guard end < scalars.count else { throw SyntaxError(reason: "invalid property escape") }
            let text = "\\" + String(escaped) + String(String.UnicodeScalarView(scalars[index...end]))
            index = end + 1
            return text
        case "k":
            guard index < scalars.count, scalars[index] == "<" else { return "k" }
            var end = index
            while end < scalars.count, scalars[end] != ">" { end += 1 }
            guard end < scalars.count else { throw SyntaxError(reason: "invalid named reference") }
            let text = "\\k" + String(String.UnicodeScalarView(scalars[index...end]))
            index = end + 1
            return text
        default:
            if escaped.isASCIILetter || escaped.isASCIIDigit {
                throw SyntaxError(reason: "\\\(escaped) is not an escape")
            }
            if escaped.isASCII { return "\\" + String(escaped) }
            return String(escaped)
        }
    }
}

extension Unicode.Scalar {
    /// Whether this is `A`–`Z` or `a`–`z`.
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    /// Whether this is `0`–`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
