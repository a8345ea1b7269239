/// Why a byte sequence is not one JSON value.
package struct JSONParseError: Error, Equatable, Sendable {
    /// What was wrong, in lowercase words (`unexpected end of input`).
    package var reason: String
    /// The byte offset where it went wrong.
    package var offset: Int
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
/// object's members with `members`, read the few values they need (`string`, `value`) and `skip` the
/// rest without allocating, one pass over the bytes. The buffer must outlive the cursor.
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
    package mutating func skipWhitespace() {
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
        if byte(at: index) == UInt8(ascii: "-") { index += 1 }
        guard index < end else { throw error("unexpected end of input") }
        if byte(at: index) == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(byte(at: index)) {
            while index < end, isDigit(byte(at: index)) { index += 1 }
        } else {
            throw error("invalid number")
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
        let text = String(decoding: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: index - start),
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

    /// The value at the cursor as a tree, or nil for `null`.
    package mutating func valueOrNull() throws(JSONParseError) -> JSON? {
        if try takeNull() { return nil }
        return try parseValue(depth: 0)
    }

    /// Steps over the value at the cursor without building it (strings are still checked for valid escapes).
    package mutating func skip(depth: Int = 0) throws(JSONParseError) {
        skipWhitespace()
        guard index < end else { throw error("unexpected end of input") }
        switch byte(at: index) {
        case UInt8(ascii: "{"):
            try members(depth: depth + 1) { _, cursor throws(JSONParseError) in try cursor.skip(depth: depth + 1) }
        case UInt8(ascii: "["):
            try elements(depth: depth + 1) { _, cursor throws(JSONParseError) in try cursor.skip(depth: depth + 1) }
        case UInt8(ascii: "\""):
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
                index += 2
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        default:
            _ = try parseValue(depth: depth)
        }
    }

    /// Steps over a number, checking its grammar, without making a string of it.
    private mutating func skipNumber() throws(JSONParseError) {
        if byte(at: index) == UInt8(ascii: "-") { index += 1 }
        guard index < end, isDigit(byte(at: index)) else { throw error("invalid number") }
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

    /// Walks the object at the cursor: `body` gets each member's key (raw bytes, valid only during the call)
    /// with the cursor at its value, and must consume that value (read or `skip` it).
    package mutating func members(
        depth: Int = 1,
        _ body: (_ key: JSONKey, _ cursor: inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard depth <= JSON.maximumDepth else { throw error("nesting too deep") }
        skipWhitespace()
        guard index < end, byte(at: index) == UInt8(ascii: "{") else { throw error("expected an object") }
        index += 1
        skipWhitespace()
        if index < end, byte(at: index) == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < end, byte(at: index) == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let start = index + 1
            let cursor = ByteScan.plainRun(base.unsafelyUnwrapped, from: start, to: end)
            let key: JSONKey
            if cursor < end, byte(at: cursor) != UInt8(ascii: "\"") {
                key = JSONKey(decoded: try parseString())
            } else {
                guard cursor < end else { throw error("unterminated string") }
                key = JSONKey(raw: UnsafeBufferPointer(start: base.unsafelyUnwrapped + start, count: cursor - start))
                index = cursor + 1
            }
            skipWhitespace()
            guard index < end, byte(at: index) == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            try body(key, &self)
            skipWhitespace()
            guard index < end else { throw error("unexpected end of input") }
            switch byte(at: index) {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw error("expected ',' or '}'")
            }
        }
    }

    /// Walks the array at the cursor: `body` gets each element's position with the cursor at it, and must
    /// consume it.
    package mutating func elements(
        depth: Int = 1,
        _ body: (_ position: Int, _ cursor: inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard depth <= JSON.maximumDepth else { throw error("nesting too deep") }
        skipWhitespace()
        guard index < end, byte(at: index) == UInt8(ascii: "[") else { throw error("expected an array") }
        index += 1
        skipWhitespace()
        if index < end, byte(at: index) == UInt8(ascii: "]") {
            index += 1
            return
        }
        var position = 0
        while true {
            skipWhitespace()
            try body(position, &self)
            position += 1
            skipWhitespace()
            guard index < end else { throw error("unexpected end of input") }
            switch byte(at: index) {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw error("expected ',' or ']'")
            }
        }
    }

    /// Whether only white space is left.
    package mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == end
    }
}

/// An object member's name as the cursor found it: raw bytes when it had no escapes, else decoded.
package struct JSONKey {
    private let raw: UnsafeBufferPointer<UInt8>?
    private let decoded: String?

    init(raw: UnsafeBufferPointer<UInt8>) {
        self.raw = raw
        self.decoded = nil
    }

    init(decoded: String) {
        self.raw = nil
        self.decoded = decoded
    }

    /// Whether the name is `name`, compared without allocating.
    @inline(__always)
    package func `is`(_ name: StaticString) -> Bool {
        if let raw {
            guard raw.count == name.utf8CodeUnitCount else { return false }
            let expected = name.utf8Start
            for offset in 0..<raw.count where raw[offset] != expected[offset] { return false }
            return true
        }
        return decoded == name.description
    }
}
