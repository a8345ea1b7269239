import AIBase

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a byte sequence is not one JSON value.
package struct JSONParseError: Error, Equatable, Sendable {
    /// What was wrong, in lowercase words (`unexpected end of input`).
    package var reason: String
    /// The byte offset where it went wrong.
    package var offset: Int

    /// A parse error at `offset`.
    package init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }
}

extension JSON {
    /// How deeply arrays and objects may nest before the input is refused (hostile input guard).
    package static let maximumDepth = 512

    /// Parses exactly one JSON value from UTF-8 bytes; white space may surround it.
    /// - Throws: `JSONParseError` for malformed JSON, invalid UTF-8, trailing bytes or too deep nesting.
    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSON {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != parser.end { throw parser.error("unexpected bytes after the value") }
        return value
    }

    /// Parses exactly one JSON value from UTF-8 bytes.
    /// - Throws: `JSONParseError`.
    package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        let result: Result<JSON, JSONParseError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSON in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses exactly one JSON value from a string.
    /// - Throws: `JSONParseError`.
    package static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8))
    }
}

/// A recursive-descent JSON parser over a byte buffer (RFC 8259, strict), usable as a cursor.
///
/// `JSON.parse` builds a whole value with it. Stream decoders use it as a cursor instead: they walk an
/// object with `beginObject`, `memberKey` and `nextMember`, read the few values they need (`stringOrNull`,
/// `valueOrNull`) and `skip` the rest without allocating, one pass over the bytes and no closures. The
/// buffer must outlive the cursor.
package struct JSONParser {
    let base: UnsafePointer<UInt8>?
    /// The offset of the next byte to read.
    package var index = 0
    /// The number of bytes.
    package let end: Int
    var scratch: [UInt8] = []

    /// A cursor at the start of `bytes`.
    package init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        end = bytes.count
    }

    func error(_ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: index)
    }

    @inline(__always) func byte(at position: Int) -> UInt8 {
        base.unsafelyUnwrapped[position]
    }

    /// Steps over JSON white space.
    @inline(__always)
    package mutating func skipWhitespace() {
        if index < end && byte(at: index) > 0x20 { return }
        skipWhitespaceRun()
    }

    private mutating func skipWhitespaceRun() {
        while index < end {
            switch byte(at: index) {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Parses the value at the cursor into a `JSON` tree.
    package mutating func parseValue(depth: Int) throws(JSONParseError) -> JSON {
        guard index < end else { throw error("unexpected end of input") }
        switch byte(at: index) {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard end - index >= count else { throw error("unexpected end of input") }
        let start = literal.utf8Start
        for offset in 0..<count where byte(at: index + offset) != start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSON {
        guard depth <= JSON.maximumDepth else { throw error("nesting too deep") }
        index += 1
        var members: [(key: String, value: JSON)] = []
        skipWhitespace()
        if index < end, byte(at: index) == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject(members))
        }
        while true {
            skipWhitespace()
            guard index < end else { throw error("unexpected end of input") }
            guard byte(at: index) == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < end else { throw error("unexpected end of input") }
            guard byte(at: index) == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key: key, value: value))
            skipWhitespace()
            guard index < end else { throw error("unexpected end of input") }
            switch byte(at: index) {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(JSONObject(members))
            default: throw error("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSON {
        guard depth <= JSON.maximumDepth else { throw error("nesting too deep") }
        index += 1
        var elements: [JSON] = []
        skipWhitespace()
        if index < end, byte(at: index) == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < end else { throw error("unexpected end of input") }
            switch byte(at: index) {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = index
        try skipNumber()
        let text = String(
            decoding: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: index - start),
            as: UTF8.self)
        return .number(text)
    }

    @inline(__always) func isDigit(_ value: UInt8) -> Bool {
        value &- UInt8(ascii: "0") < 10
    }

    /// Parses a string at a `"`; the fast path copies an escape-free run once.
    package mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        index = ByteScan.plainRun(base.unsafelyUnwrapped, from: index, to: end)
        if index < end {
            let value = byte(at: index)
            if value == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: index - start)
                index += 1
                return try makeString(run, at: start)
            }
            if value < 0x20 { throw error("control character in string") }
        }
        guard index < end else { throw error("unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: index - start))
        while index < end {
            let value = byte(at: index)
            switch value {
            case UInt8(ascii: "\""):
                index += 1
                let bytes = scratch
                return try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) -> String in
                    try makeString(buffer, at: start)
                }
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape()
            case 0..<0x20:
                throw error("control character in string")
            default:
                scratch.append(value)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    func makeString(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONParseError) -> String {
        guard let text = UTF8Validation.string(bytes) else {
            throw JSONParseError(reason: "invalid UTF-8 in string", offset: start)
        }
        return text
    }

    mutating func parseEscape() throws(JSONParseError) {
        guard index < end else { throw error("unterminated string") }
        let escape = byte(at: index)
        index += 1
        switch escape {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by \u and a low surrogate; a lone one becomes U+FFFD.
                if end - index >= 6, byte(at: index) == UInt8(ascii: "\\"), byte(at: index + 1) == UInt8(ascii: "u") {
                    let saved = index
                    index += 2
                    let low = try parseHex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = saved
                        scalar = 0xFFFD
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                scalar = 0xFFFD
            }
            appendUTF8(scalar)
        default:
            index -= 1
            throw error("invalid escape")
        }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard end - index >= 4 else { throw error("unterminated string") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let digit = byte(at: index)
            let nibble: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(nibble)
            index += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}

extension JSONParser {
    /// Whether the value at the cursor is `null` (consumed if so).
    @inline(__always)
    package mutating func takeNull() throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < end, byte(at: index) == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    /// The string at the cursor, or nil for `null`.
    /// - Throws: `JSONParseError` when it is neither.
    package mutating func stringOrNull() throws(JSONParseError) -> String? {
        if try takeNull() { return nil }
        guard index < end, byte(at: index) == UInt8(ascii: "\"") else { throw error("expected a string") }
        return try parseString()
    }

    /// The string at the cursor (nil for `null`) and where the value lay, for an `EventShape`.
    package mutating func spannedStringOrNull() throws(JSONParseError) -> (value: String?, span: JSONSpan) {
        skipWhitespace()
        let start = index
        let value = try stringOrNull()
        return (value, JSONSpan(start: start, end: index))
    }

    /// The value at the cursor as a tree, or nil for `null`.
    package mutating func valueOrNull() throws(JSONParseError) -> JSON? {
        if try takeNull() { return nil }
        return try parseValue(depth: 0)
    }

    /// Steps over the value at the cursor without building it: the grammar is checked (escapes, numbers,
    /// literals, nesting), the UTF-8 inside skipped strings is not (none of it is ever output).
    package mutating func skip(depth: Int = 0) throws(JSONParseError) {
        skipWhitespace()
        guard index < end else { throw error("unexpected end of input") }
        switch byte(at: index) {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        case UInt8(ascii: "{"):
            guard try beginObject(depth: depth + 1) else { return }
            repeat {
                _ = try memberKey()
                try skip(depth: depth + 1)
            } while try nextMember()
        case UInt8(ascii: "["):
            guard try beginArray(depth: depth + 1) else { return }
            repeat {
                try skip(depth: depth + 1)
            } while try nextElement()
        default:
            _ = try parseValue(depth: depth)
        }
    }

    /// Steps over the value at the cursor like `skip`, and says where it lay, to be decoded later only if needed.
    @inline(__always)
    package mutating func skipSpan(depth: Int = 0) throws(JSONParseError) -> JSONSpan {
        skipWhitespace()
        let start = index
        try skip(depth: depth)
        return JSONSpan(start: start, end: index)
    }

    /// Steps over the string at a `"`, checking that it ends, its escapes and that it has no raw control
    /// characters.
    @inline(__always)
    private mutating func skipString() throws(JSONParseError) {
        index += 1
        while true {
            index = ByteScan.plainRun(base.unsafelyUnwrapped, from: index, to: end)
            guard index < end else { throw error("unterminated string") }
            let value = byte(at: index)
            if value == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if value < 0x20 { throw error("control character in string") }
            try skipEscape()
        }
    }

    /// Steps over the escape at a backslash.
    private mutating func skipEscape() throws(JSONParseError) {
        index += 1
        guard index < end else { throw error("unterminated string") }
        switch byte(at: index) {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            index += 1
            _ = try parseHex4()
        default:
            throw error("invalid escape")
        }
    }

    /// Steps over a number, checking its grammar (`parseNumber` keeps its text).
    mutating func skipNumber() throws(JSONParseError) {
        if byte(at: index) == UInt8(ascii: "-") { index += 1 }
        guard index < end else { throw error("unexpected end of input") }
        guard isDigit(byte(at: index)) else { throw error("invalid number") }
        if byte(at: index) == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < end, isDigit(byte(at: index)) { index += 1 }
        }
        if index < end, byte(at: index) == UInt8(ascii: ".") {
            index += 1
            guard index < end, isDigit(byte(at: index)) else { throw error("invalid number") }
            while index < end, isDigit(byte(at: index)) { index += 1 }
        }
        if index < end, byte(at: index) | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < end, byte(at: index) == UInt8(ascii: "+") || byte(at: index) == UInt8(ascii: "-") { index += 1 }
            guard index < end, isDigit(byte(at: index)) else { throw error("invalid number") }
            while index < end, isDigit(byte(at: index)) { index += 1 }
        }
    }

    // MARK: - Walking objects and arrays
    //
    //     if try cursor.beginObject() {
    //         repeat {
    //             let key = try cursor.memberKey()
    //             … read or skip the value …
    //         } while try cursor.nextMember()
    //     }

    /// Enters the object at the cursor: true if it has members (then read each with `memberKey` and its
    /// value, and move on with `nextMember`), false if it was `{}` (consumed).
    /// - Throws: `JSONParseError` if the value there is not an object, or nests deeper than allowed.
    package mutating func beginObject(depth: Int = 1) throws(JSONParseError) -> Bool {
        try begin(UInt8(ascii: "{"), UInt8(ascii: "}"), depth: depth, what: "expected an object")
    }

    /// The next member's name, with the cursor moved to its value (which the caller must read or skip).
    package mutating func memberKey() throws(JSONParseError) -> JSONKey {
        skipWhitespace()
        guard index < end, byte(at: index) == UInt8(ascii: "\"") else { throw error("expected a member name") }
        let key = try stringToken()
        skipWhitespace()
        guard index < end, byte(at: index) == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
        skipWhitespace()
        return key
    }

    /// The string at the cursor as bytes to compare, without making a `String` of it.
    /// - Throws: `JSONParseError` when the value there is not a string.
    package mutating func stringToken() throws(JSONParseError) -> JSONKey {
        skipWhitespace()
        guard index < end, byte(at: index) == UInt8(ascii: "\"") else { throw error("expected a string") }
        let quote = index
        let close = ByteScan.plainRun(base.unsafelyUnwrapped, from: quote + 1, to: end)
        guard close < end else { throw error("unterminated string") }
        if byte(at: close) == UInt8(ascii: "\"") {
            index = close + 1
            return JSONKey(
                UnsafeBufferPointer(start: base.unsafelyUnwrapped + quote + 1, count: close - quote - 1),
                escaped: false)
        }
        try skipString()
        return JSONKey(UnsafeBufferPointer(start: base.unsafelyUnwrapped + quote, count: index - quote), escaped: true)
    }

    /// The boolean at the cursor, or nil for `null`.
    /// - Throws: `JSONParseError` when it is neither.
    package mutating func boolOrNull() throws(JSONParseError) -> Bool? {
        skipWhitespace()
        guard index < end else { throw error("unexpected end of input") }
        switch byte(at: index) {
        case UInt8(ascii: "t"): try expectLiteral("true"); return true
        case UInt8(ascii: "f"): try expectLiteral("false"); return false
        case UInt8(ascii: "n"): try expectLiteral("null"); return nil
        default: throw error("expected a boolean")
        }
    }

    /// After a member's value: true if another member follows (`,` consumed), false at the object's end
    /// (`}` consumed).
    package mutating func nextMember() throws(JSONParseError) -> Bool {
        try next(UInt8(ascii: "}"), what: "expected ',' or '}'")
    }

    /// Enters the array at the cursor: true if it has elements (the cursor is at the first; move on with
    /// `nextElement` after each), false if it was `[]` (consumed).
    /// - Throws: `JSONParseError` if the value there is not an array, or nests deeper than allowed.
    package mutating func beginArray(depth: Int = 1) throws(JSONParseError) -> Bool {
        try begin(UInt8(ascii: "["), UInt8(ascii: "]"), depth: depth, what: "expected an array")
    }

    /// After an element: true if another follows (`,` consumed), false at the array's end (`]` consumed).
    package mutating func nextElement() throws(JSONParseError) -> Bool {
        try next(UInt8(ascii: "]"), what: "expected ',' or ']'")
    }

    @inline(__always)
    private mutating func begin(
        _ open: UInt8, _ close: UInt8, depth: Int, what: String
    ) throws(JSONParseError) -> Bool {
        guard depth <= JSON.maximumDepth else { throw error("nesting too deep") }
        skipWhitespace()
        guard index < end, byte(at: index) == open else { throw error(what) }
        index += 1
        skipWhitespace()
        guard index < end else { throw error("unexpected end of input") }
        if byte(at: index) == close {
            index += 1
            return false
        }
        return true
    }

    @inline(__always)
    private mutating func next(_ close: UInt8, what: String) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < end else { throw error("unexpected end of input") }
        switch byte(at: index) {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            return true
        case close:
            index += 1
            return false
        default:
            throw error(what)
        }
    }

    /// Whether only white space is left.
    package mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == end
    }
}

/// Where a value lies in a buffer a cursor walked (`skipSpan`); `absent` stands for a member that was not there.
package struct JSONSpan {
    let start: Int
    let end: Int

    /// No value.
    package static let absent = JSONSpan(start: 0, end: 0)

    /// Whether there was a value.
    package var isPresent: Bool { end > start }

    /// The string there, or nil when absent or `null`.
    /// - Throws: `JSONParseError` when the value is something else, or not valid UTF-8.
    package func stringOrNull(in bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> String? {
        guard isPresent else { return nil }
        var cursor = JSONParser(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        return try cursor.stringOrNull()
    }

    /// The value there as a tree, or nil when absent or `null`.
    /// - Throws: `JSONParseError` (only for invalid UTF-8: the cursor checked the grammar).
    package func valueOrNull(in bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSON? {
        guard isPresent else { return nil }
        var cursor = JSONParser(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        return try cursor.valueOrNull()
    }
}

/// An object member's name (or a string value) as the cursor found it, valid as long as the cursor's buffer.
package struct JSONKey {
    /// The name's bytes between its quotes, or the whole literal (quotes included) when it has escapes.
    private let bytes: UnsafeBufferPointer<UInt8>
    private let escaped: Bool

    init(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool) {
        self.bytes = bytes
        self.escaped = escaped
    }

    /// Whether the name is `name`, compared without allocating (a name written with escapes is decoded first).
    @inline(__always)
    package func `is`(_ name: StaticString) -> Bool {
        if escaped { return decoded == name.description }
        return bytes.count == name.utf8CodeUnitCount
            && memcmp(bytes.baseAddress.unsafelyUnwrapped, name.utf8Start, bytes.count) == 0
    }

    /// The name with its escapes decoded (the cursor checked them already).
    private var decoded: String? {
        var parser = JSONParser(UnsafeRawBufferPointer(bytes))
        return try? parser.parseString()
    }
}
