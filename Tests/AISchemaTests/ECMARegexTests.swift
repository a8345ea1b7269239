import Testing

@testable import AISchema

/// `pattern` follows ECMA-262 (with the `u` flag), not the standard library's defaults.
@Suite struct ECMARegexTests {
    @Test(arguments: [
        (#"^\d$"#, "5", true), (#"^\d$"#, "٥", false), (#"^\D$"#, "٥", true),
        (#"^\w$"#, "a", true), (#"^\w$"#, "é", false), (#"^\W$"#, "é", true),
        (#"^\s$"#, "\u{FEFF}", true), (#"^\s$"#, "\u{2003}", true), (#"^\s$"#, "\u{85}", false),
        (#"^\S$"#, "\u{85}", true),
        (#"^[\s]$"#, "\u{A0}", true), (#"^[^\s]$"#, "\u{A0}", false),
        (#"^.$"#, "\u{2028}", false), (#"^.$"#, "\r", false), (#"^.$"#, "\u{85}", true), (#"^.$"#, "😀", true),
        (#"a$"#, "a\n", false), (#"^a"#, "\na", false),
        (#"\bcat\b"#, "a cat!", true), (#"\bcat"#, "écat", true), (#"\Bcat"#, "bobcat", true),
        (#"^\cC$"#, "\u{3}", true), (#"^\x41$"#, "A", true), (#"^\u0041$"#, "A", true), (#"^\u{1F600}$"#, "😀", true),
        (#"^\ud83d\ude00$"#, "😀", true), (#"^\0$"#, "\u{0}", true), (#"^\t\n\v\f\r$"#, "\t\n\u{B}\u{C}\r", true),
        (#"^[]$"#, "", false), (#"^[^]$"#, "\n", true), (#"^a{2}$"#, "aa", true), (#"^a{2,}$"#, "a", false),
        (#"^a{,2}$"#, "a{,2}", true), (#"^a{x$"#, "a{x", true), (#"^[a-c]+$"#, "abc", true), (#"^[a\-c]$"#, "b", false),
        (#"^[[]$"#, "[", true), (#"^[a&&b]$"#, "&", true), (#"^[~]$"#, "~", true), (#"^\/$"#, "/", true),
        (#"^(?<year>\d{4})-\k<year>$"#, "2024-2024", true), (#"^(a)\1$"#, "aa", true), (#"^(?:ab)+$"#, "abab", true),
        (#"^(?=a)\w+$"#, "abc", true), (#"^(?!a)\w+$"#, "abc", false),
        (#"^\p{Lu}$"#, "É", true), (#"^\p{Script=Greek}+$"#, "αβγ", true), (#"^\P{L}$"#, "1", true),
        (#"^a|b$"#, "xb", true), (#"^#$"#, "#", true), (#"^ $"#, " ", true),
        (#"[\b]"#, "\u{8}", true), (#"^\]$"#, "]", true), (#"^}$"#, "}", true),
    ])
    func matches(pattern: String, text: String, expected: Bool) throws {
        let regex = try ECMARegex(pattern)
        #expect(regex.matches(text) == expected, "\(pattern) on \(text.debugDescription)")
    }

    @Test(arguments: [#"(?<=a)b"#, #"(?<!a)b"#, #"("#, #"[a"#, #"\"#, #"\a"#, #"(?i)a"#])
    func refuses(pattern: String) {
        #expect(throws: ECMARegex.SyntaxError.self) { try ECMARegex(pattern) }
    }

    @Test func compiledOnce_matchesFromManyThreads() async throws {
        let regex = try ECMARegex(#"^[a-z]+\d*$"#)
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<16 { group.addTask { regex.matches("abc\(index)") } }
            for await matched in group { #expect(matched) }
        }
    }
}
