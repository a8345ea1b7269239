#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a stream event that a decoder read in full, with the string values in which the next events of
/// the same kind may differ: the delta's text, and strings the decoder ignores (ids, timestamps, OpenAI's
/// `obfuscation` padding).
///
/// A stream repeats one kind of event thousands of times with only those strings changed. An event whose bytes
/// equal the shape's everywhere outside those strings, each of which is a well-formed JSON string, is the same JSON
/// with other strings in the same places, framed the same way, so it means what the shape's event meant with
/// another text. Reading it is a byte comparison and a check of the strings; an event that differs anywhere else,
/// or is not whole in the buffer, is left to the general parser (which then usually makes the next shape).
///
/// Most streams repeat even the ignored strings (ids, model names), so each event is first compared with the
/// shape's own bytes around the text, in two stretches; only when that fails are the ignored strings checked one
/// by one.
package struct EventShape {
    /// The event with only the text as a hole.
    private let exact: Pattern
    /// The event with the text and the ignored strings as holes; nil when there are no ignored strings.
    private let general: Pattern?
    /// How many bytes of framing come before the JSON, and after it.
    private let headCount: Int
    private let tailCount: Int
    /// The server-sent event's `event:` value (empty for "message", and for lines).
    private var type: [UInt8] = []

    /// The most holes kept besides the text; further ignored strings stay part of the literal.
    static let maxIgnored = 6

    /// A shape from one event: `head`, then the JSON `json` with the text at `text` and ignored strings at
    /// `ignored` (spans in `json`, quotes included), then `tail`.
    ///
    /// Nil when a span is not a string, or when `json` holds a line end (the framing would not be one line).
    package init?(
        head: UnsafeRawBufferPointer, json: UnsafeRawBufferPointer, text: JSONSpan, ignored: [JSONSpan],
        tail: StaticString
    ) {
        guard let base = json.baseAddress, json.count > 0,
            memchr(base, 0x0A, json.count) == nil, memchr(base, 0x0D, json.count) == nil,
            let exact = Pattern(head: head, json: json, text: text, ignored: [], tail: tail)
        else { return nil }
        self.exact = exact
        headCount = head.count
        tailCount = tail.utf8CodeUnitCount
        if ignored.isEmpty {
            general = nil
        } else {
            guard let general = Pattern(head: head, json: json, text: text, ignored: ignored, tail: tail) else {
                return nil
            }
            self.general = general
        }
    }

    /// The shape of a server-sent event read from one data line (`[event: type LF] data: JSON LF LF`).
    package init?(_ event: SSEEventView, text: JSONSpan, ignored: [JSONSpan]) {
        var head: [UInt8] = []
        if !event.typeBytes.isEmpty {
            head.append(contentsOf: "event: ".utf8)
            head.append(contentsOf: event.typeBytes)
            head.append(0x0A)
        }
        head.append(contentsOf: "data: ".utf8)
        guard
            let shape = head.withUnsafeBytes({ head in
                EventShape(head: head, json: event.data, text: text, ignored: ignored, tail: "\n\n")
            })
        else { return nil }
        self = shape
        type = Array(event.typeBytes)
    }

    /// The text of an event that reached the general parser anyway (it came in pieces, say) when it is of this
    /// shape: its JSON `json` (the SSE data, or the line) and, for a server-sent event, its type.
    package func text(ofJSON json: UnsafeRawBufferPointer, type: UnsafeRawBufferPointer? = nil) -> JSONStringBody? {
        if let type, !type.elementsEqual(self.type) { return nil }
        guard let raw = json.baseAddress, json.count > 0 else { return nil }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let end = json.count
        func whole(_ pattern: Pattern.Bytes) -> JSONStringBody? {
            let json = headCount..<pattern.literal.count - tailCount
            guard let event = pattern.match(base, from: 0, to: end, literal: json), event.end == end else { return nil }
            return JSONStringBody(
                bytes: UnsafeBufferPointer(
                    start: base + event.text.lowerBound,
                    count: event.text.count),
                escaped: event.escaped)
        }
        if let body = exact.withBytes(whole) { return body }
        return general?.withBytes(whole)
    }

    /// Reads events of this shape one after another from `base[start..<end]`, calling `text` with the text of
    /// each; returns where the first event that is not of this shape (or not whole in the buffer) begins.
    @inline(__always)
    package func read(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, _ text: (JSONStringBody) throws -> Void
    ) rethrows -> Int {
        try exact.withBytes { exact in
            guard let general else {
                return try Self.read(base, from: start, to: end, exact, nil, text)
            }
            return try general.withBytes { general in try Self.read(base, from: start, to: end, exact, general, text) }
        }
    }

    @inline(__always)
    private static func read(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, _ exact: Pattern.Bytes, _ general: Pattern.Bytes?,
        _ text: (JSONStringBody) throws -> Void
    ) rethrows -> Int {
        var position = start
        while let event = exact.match(base, from: position, to: end) ?? general?.match(base, from: position, to: end) {
            try text(
                JSONStringBody(
                    bytes: UnsafeBufferPointer(
                        start: base + event.text.lowerBound,
                        count: event.text.count),
                    escaped: event.escaped))
            position = event.end
        }
        return position
    }

    /// An event's bytes with holes where string bodies may differ.
    private struct Pattern {
        /// The event's bytes (framing included) with the body of each hole's string removed.
        let literal: [UInt8]
        /// Where each hole's string body goes in `literal` (just after its opening quote), ascending.
        let holes: [Int]
        /// Which hole holds the text.
        let textHole: Int

        init?(
            head: UnsafeRawBufferPointer, json: UnsafeRawBufferPointer, text: JSONSpan, ignored: [JSONSpan],
            tail: StaticString
        ) {
            let spans = (ignored + [text]).sorted { $0.start < $1.start }
            var literal: [UInt8] = []
            literal.reserveCapacity(head.count + json.count + tail.utf8CodeUnitCount)
            literal.append(contentsOf: head)
            var holes: [Int] = []
            var textHole = -1
            var copied = 0
            for span in spans {
                guard span.start >= copied, span.end - span.start >= 2, span.end <= json.count,
                    json[span.start] == 0x22, json[span.end - 1] == 0x22
                else { return nil }
                literal.append(contentsOf: UnsafeRawBufferPointer(rebasing: json[copied...span.start]))
                if span.start == text.start { textHole = holes.count }
                holes.append(literal.count)
                copied = span.end - 1
            }
            literal.append(contentsOf: UnsafeRawBufferPointer(rebasing: json[copied...]))
            literal.append(contentsOf: UnsafeRawBufferPointer(start: tail.utf8Start, count: tail.utf8CodeUnitCount))
            guard textHole >= 0 else { return nil }
            self.literal = literal
            self.holes = holes
            self.textHole = textHole
        }

        /// The pattern's storage, borrowed for matching.
        struct Bytes {
            let literal: UnsafeBufferPointer<UInt8>
            let holes: UnsafeBufferPointer<Int>
            let textHole: Int

            /// The end of the event of this pattern at `start` and its text's string body, or nil.
            @inline(__always)
            func match(
                _ base: UnsafePointer<UInt8>, from start: Int, to end: Int
            ) -> (end: Int, text: Range<Int>, escaped: Bool)? {
                match(base, from: start, to: end, literal: 0..<literal.count)
            }

            /// The end of the event of the stretch `literal` of this pattern at `start` and its text's string
            /// body, or nil.
            @inline(__always)
            func match(
                _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, literal stretch: Range<Int>
            ) -> (end: Int, text: Range<Int>, escaped: Bool)? {
                let pattern = literal.baseAddress.unsafelyUnwrapped
                var position = start
                var copied = stretch.lowerBound
                var text = 0..<0
                var escaped = false
                for hole in 0..<holes.count {
                    let count = holes[hole] - copied
                    guard end - position >= count, EventShape.equal(base + position, pattern + copied, count) else {
                        return nil
                    }
                    position += count
                    copied += count
                    guard let body = EventShape.stringBody(base, from: position, to: end) else { return nil }
                    if hole == textHole {
                        text = position..<body.end
                        escaped = body.escaped
                    }
                    position = body.end
                }
                let count = stretch.upperBound - copied
                guard end - position >= count, EventShape.equal(base + position, pattern + copied, count) else {
                    return nil
                }
                return (position + count, text, escaped)
            }
        }

        @inline(__always)
        func withBytes<Result>(_ body: (Bytes) throws -> Result) rethrows -> Result {
            try literal.withUnsafeBufferPointer { literal in
                try holes.withUnsafeBufferPointer { holes in
                    try body(Bytes(literal: literal, holes: holes, textHole: textHole))
                }
            }
        }
    }

    /// Whether the `count` bytes at `left` and `right` are equal: a word at a time, the last word overlapping, with
    /// no call for the short stretches most holes are apart.
    @inline(__always)
    static func equal(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        func load<Word: FixedWidthInteger>(_ pointer: UnsafePointer<UInt8>, _ offset: Int, as _: Word.Type) -> Word {
            UnsafeRawPointer(pointer + offset).loadUnaligned(as: Word.self)
        }
        if count > 32 { return memcmp(left, right, count) == 0 }
        if count >= 8 {
            var offset = 0
            while offset &+ 8 < count {
                if load(left, offset, as: UInt64.self) != load(right, offset, as: UInt64.self) { return false }
                offset &+= 8
            }
            return load(left, count &- 8, as: UInt64.self) == load(right, count &- 8, as: UInt64.self)
        }
        if count >= 4 {
            return load(left, 0, as: UInt32.self) == load(right, 0, as: UInt32.self)
                && load(left, count &- 4, as: UInt32.self) == load(right, count &- 4, as: UInt32.self)
        }
        if count >= 2 {
            return load(left, 0, as: UInt16.self) == load(right, 0, as: UInt16.self)
                && load(left, count &- 2, as: UInt16.self) == load(right, count &- 2, as: UInt16.self)
        }
        return count == 0 || left[0] == right[0]
    }

    /// The end (the closing quote) of a well-formed JSON string body at `start`, and whether it has escapes; nil
    /// when it is not well-formed (or not whole in the buffer).
    ///
    /// One pass, a word at a time: the scan for the bytes that end a plain run also notes whether any byte before
    /// them is not ASCII; only then is the body's UTF-8 checked.
    @inline(__always)
    static func stringBody(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> (end: Int, escaped: Bool)? {
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        var high: UInt64 = 0
        var escaped = false
        while true {
            // The next quote, backslash or control byte.
            var found = false
            while index &+ 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let special = ByteScan.specialMask(word)
                if special != 0 {
                    let bits = special.trailingZeroBitCount & ~7
                    high |= word & highs & ((1 &<< UInt64(bits)) &- 1)
                    index &+= bits &>> 3
                    found = true
                    break
                }
                high |= word & highs
                index &+= 8
            }
            if !found {
                while index < end {
                    let value = base[index]
                    if value == 0x22 || value == 0x5C || value < 0x20 { break }
                    high |= UInt64(value & 0x80)
                    index &+= 1
                }
                guard index < end else { return nil }
            }
            let value = base[index]
            if value == 0x22 { break }
            if value < 0x20 { return nil }
            escaped = true
            guard end - index >= 2 else { return nil }
            switch base[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 2
            case UInt8(ascii: "u"):
                guard end - index >= 6 else { return nil }
                for offset in 2..<6 where !isHexDigit(base[index + offset]) { return nil }
                index += 6
            default:
                return nil
            }
        }
        if high != 0, !UTF8Validation.isValid(UnsafeBufferPointer(start: base + start, count: index - start)) {
            return nil
        }
        return (index, escaped)
    }

    @inline(__always)
    private static func isHexDigit(_ value: UInt8) -> Bool {
        value &- UInt8(ascii: "0") < 10 || (value | 0x20) &- UInt8(ascii: "a") < 6
    }
}

/// What a stream decoder keeps to read events by shape: the shape of the last text event it read in full, and
/// how many events it read by shape.
package struct ShapeReader {
    private let enabled: Bool
    private var shape: EventShape?
    /// How many events were read by shape.
    package private(set) var count = 0

    /// A reader; a disabled one never learns a shape (every event goes to the general parser).
    package init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Takes the shape of a text event just read in full as the one to compare the next events with.
    package mutating func learn(_ shape: @autoclosure () -> EventShape?) {
        if enabled { self.shape = shape() }
    }

    /// Reads the events of the shape at `base[start..<end]`, handing their texts (when not empty) to `text`;
    /// returns where it stopped (see `EventShape.read`).
    @inline(__always)
    package mutating func read(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, _ text: (JSONStringBody) throws -> Void
    ) rethrows -> Int {
        guard let shape else { return start }
        var read = 0
        defer { count += read }
        return try shape.read(base, from: start, to: end) { body in
            read += 1
            if !body.isEmpty { try text(body) }
        }
    }

    /// Hands the text of an event that reached the general parser (see `EventShape.text(ofJSON:type:)`) to
    /// `text` when the event is of the shape; returns whether it was.
    package mutating func take(
        json: UnsafeRawBufferPointer, type: UnsafeRawBufferPointer? = nil, _ text: (JSONStringBody) throws -> Void
    ) rethrows -> Bool {
        guard let body = shape?.text(ofJSON: json, type: type) else { return false }
        count += 1
        if !body.isEmpty { try text(body) }
        return true
    }
}

/// Text as a provider wrote it inside a JSON string: the checked bytes between the quotes, borrowed from the
/// network buffer for the duration of one call.
///
/// Public (not `package`) with `@inlinable` members, like `ByteBuffer` and `Record.appendDelta`: they are on the
/// streaming hot path from the layers above, and only public inlinable code is inlined across modules.
public struct JSONStringBody {
    /// The bytes between the quotes: well-formed UTF-8, valid escapes, no raw control characters.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Whether the bytes hold escapes (without any they are the text itself).
    public let escaped: Bool

    /// Whether the text is empty.
    package var isEmpty: Bool { bytes.isEmpty }

    /// The text, escapes decoded.
    @usableFromInline package var text: String {
        guard escaped else { return String(decoding: bytes, as: UTF8.self) }
        // With its quotes around it (they are there in the buffer), the body is a string token.
        var parser = JSONParser(
            UnsafeRawBufferPointer(
                start: bytes.baseAddress.unsafelyUnwrapped - 1,
                count: bytes.count + 2))
        return (try? parser.parseString()) ?? ""
    }
}

extension JSONParser {
    /// Steps over a value its reader ignores, like `skip`; when it is a string, notes where it lies in `holes`
    /// (for an `EventShape`, up to `EventShape.maxIgnored` of them).
    @inline(__always)
    package mutating func skipIgnored(depth: Int, noting holes: inout [JSONSpan]) throws(JSONParseError) {
        skipWhitespace()
        guard index < end, byte(at: index) == 0x22, holes.count < EventShape.maxIgnored else {
            try skip(depth: depth)
            return
        }
        let start = index
        try skip(depth: depth)
        holes.append(JSONSpan(start: start, end: index))
    }
}
