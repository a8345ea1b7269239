#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a byte stream into JSON values, any chunking, before any of them is parsed (DESIGN §2).
///
/// The framer follows the grammar's structure (objects, arrays, strings, where a member name or a value may
/// stand) without building anything, so a value ends where its JSON ends, not where a line ends: an object
/// pretty-printed over many lines is one frame, and a fragment of a value is never handed out as a value.
/// Scalars are only delimited here; `JSON.parse` checks each value in full once it is whole.
///
/// A line that begins inside an unfinished value is part of it. When such a line's first token cannot continue
/// the value, the value is malformed (it stopped before that line) and the line is read again as the start of a
/// new value, so one unfinished line never swallows the next. Any other fault makes the value malformed where it
/// shows, and reading starts again at the next line. A string cannot hold a line end, so a line that ends inside a
/// string is malformed at its end. Memory is bounded by the longest value.
package struct JSONFramer {
    /// Where values may start and end.
    package enum Framing: Sendable {
        /// JSON Lines, with pretty-printing: a value starts a line and ends its last line (only white space may
        /// follow it there).
        case lines
        /// Values one after another, with or without white space between them, as jq reads them.
        case concatenated
    }

    /// Where a frame starts: its line, and its place among the frames starting on that line (1 for the first).
    package struct Position: Sendable, Equatable {
        /// The 1-based line of the frame's first byte.
        package var line: Int
        /// 1 for the first frame starting on the line, 2 for the next, and so on.
        package var ordinal: Int

        /// A position.
        package init(line: Int, ordinal: Int) {
            self.line = line
            self.ordinal = ordinal
        }
    }

    /// What the framer found.
    package enum Frame {
        /// A whole value, still to be parsed: its bytes (valid only during the call; white space may follow).
        case value(UnsafeRawBufferPointer, Position)
        /// Bytes that are no value: where they started, the line where the fault showed, and why.
        case malformed(Position, faultLine: Int, reason: String)
    }

    private enum Expect {
        case value, valueOrClose, key, keyOrClose, colon, commaOrClose, done
    }

    private let framing: Framing
    /// Bytes of the frame under way that came in earlier chunks.
    private var held: [UInt8] = []
    /// The line of the next byte.
    private var line = 1
    /// The line of the last byte that was not white space.
    private var tokenLine = 1
    /// Where the frame under way started; nil between frames.
    private var start: Position?
    private var lastStart = Position(line: 0, ordinal: 0)
    /// The open objects (`{`) and arrays (`[`), innermost last.
    private var containers: [UInt8] = []
    private var expect = Expect.value
    private var inString = false
    private var stringIsKey = false
    private var escaped = false
    private var inScalar = false
    /// Whether the current line has had a byte other than white space.
    private var lineHasToken = false
    /// After a fault: the rest of the line is dropped.
    private var skippingLine = false

    /// The chunk being fed, and where the frame under way starts in it.
    private var chunk: UnsafePointer<UInt8>?
    private var frameStart = 0

    private static let scalarBytes: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    /// A framer at the start of a stream.
    package init(framing: Framing) {
        self.framing = framing
    }

    /// Reads one chunk, calling `frame` for every frame that ends in it.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ frame: (Frame) -> Void) {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let end = bytes.count
        chunk = base
        frameStart = 0
        defer { chunk = nil }
        var index = 0
        while index < end {
            if skippingLine {
                guard let hit = memchr(base + index, 0x0A, end - index) else { return }
                index = raw.distance(to: UnsafeRawPointer(hit))
                skippingLine = false
            }
            if inString {
                index = scanString(base, from: index, to: end, frame)
                continue
            }
            let byte = base[index]
            if inScalar {
                if Self.scalarBytes[Int(byte)] {
                    index += 1
                    continue
                }
                inScalar = false
                valueEnded(at: index, frame)
            }
            switch byte {
            case 0x0A:
                if start != nil, expect == .done { emitValue(end: index, frame) }
                line += 1
                lineHasToken = false
                index += 1
                continue
            case 0x20, 0x09, 0x0D:
                index += 1
                continue
            default:
                break
            }
            if start == nil { begin(at: index) }
            if structural(byte, at: index, frame) { index += 1 }
        }
        if start != nil {
            held.append(contentsOf: UnsafeBufferPointer(start: base + frameStart, count: end - frameStart))
        }
    }

    /// Ends the stream: hands out the frame under way, whole or malformed, and makes the framer ready for another.
    package mutating func finish(_ frame: (Frame) -> Void) {
        if inScalar {
            inScalar = false
            valueEnded(at: 0, frame)
        }
        if let start {
            if expect == .done {
                emitValue(end: 0, frame)
            } else {
                let reason = inString ? "unterminated string" : "unexpected end of input"
                frame(.malformed(start, faultLine: tokenLine, reason: reason))
            }
        }
        self = JSONFramer(framing: framing)
    }

    /// Starts a frame at a byte that is not white space.
    private mutating func begin(at index: Int) {
        let ordinal = lastStart.line == line ? lastStart.ordinal + 1 : 1
        let position = Position(line: line, ordinal: ordinal)
        start = position
        lastStart = position
        frameStart = index
        expect = .value
        held.removeAll(keepingCapacity: held.capacity <= 1 << 20)
    }

    /// Steps over the string bytes from `index`; returns where to go on.
    private mutating func scanString(
        _ base: UnsafePointer<UInt8>, from index: Int, to end: Int, _ frame: (Frame) -> Void
    ) -> Int {
        var index = index
        if escaped {
            guard base[index] >= 0x20 else { return fault(at: base[index], index, frame) }
            escaped = false
            index += 1
        }
        index = ByteScan.plainRun(base, from: index, to: end)
        guard index < end else { return end }
        let byte = base[index]
        switch byte {
        case UInt8(ascii: "\""):
            inString = false
            if stringIsKey {
                expect = .colon
            } else {
                valueEnded(at: index + 1, frame)
            }
        case UInt8(ascii: "\\"):
            escaped = true
        default:
            return fault(at: byte, index, frame)
        }
        return index + 1
    }

    /// A control byte inside a string: the frame is malformed there.
    private mutating func fault(at byte: UInt8, _ index: Int, _ frame: (Frame) -> Void) -> Int {
        _ = fail(byte == 0x0A ? "unterminated string" : "control character in string", frame)
        return index
    }

    /// Takes one byte that is not white space, outside strings and scalars.
    /// - Returns: whether the byte was used (false: read it again, as the start of a new frame).
    private mutating func structural(_ byte: UInt8, at index: Int, _ frame: (Frame) -> Void) -> Bool {
        switch expect {
        case .value, .valueOrClose:
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard containers.count < JSON.maximumDepth else { return fail("nesting too deep", frame) }
                containers.append(byte)
                expect = byte == UInt8(ascii: "{") ? .keyOrClose : .valueOrClose
            case UInt8(ascii: "\""):
                inString = true
                stringIsKey = false
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"),
                UInt8(ascii: "n"):
                inScalar = true
            case UInt8(ascii: "]") where expect == .valueOrClose:
                containers.removeLast()
                valueEnded(at: index + 1, frame)
            default:
                return fail("unexpected character", frame)
            }
        case .key, .keyOrClose:
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                stringIsKey = true
            case UInt8(ascii: "}") where expect == .keyOrClose:
                containers.removeLast()
                valueEnded(at: index + 1, frame)
            default:
                return fail("expected a member name", frame)
            }
        case .colon:
            guard byte == UInt8(ascii: ":") else { return fail("expected ':'", frame) }
            expect = .value
        case .commaOrClose:
            let inObject = containers.last == UInt8(ascii: "{")
            switch byte {
            case UInt8(ascii: ","):
                expect = inObject ? .key : .value
            case UInt8(ascii: "}") where inObject, UInt8(ascii: "]") where !inObject:
                containers.removeLast()
                valueEnded(at: index + 1, frame)
            default:
                return fail(inObject ? "expected ',' or '}'" : "expected ',' or ']'", frame)
            }
        case .done:
            return fail("unexpected bytes after the value", frame)
        }
        lineHasToken = true
        tokenLine = line
        return true
    }

    /// A value just ended before `end` (an offset in the chunk being fed, or 0 at the end of the stream).
    private mutating func valueEnded(at end: Int, _ frame: (Frame) -> Void) {
        guard containers.isEmpty else {
            expect = .commaOrClose
            return
        }
        expect = .done
        if framing == .concatenated { emitValue(end: end, frame) }
    }

    /// Hands out the frame under way as a value, its bytes ending before `end` in the chunk being fed.
    private mutating func emitValue(end: Int, _ frame: (Frame) -> Void) {
        guard let start else { return }
        if let chunk, held.isEmpty {
            frame(.value(UnsafeRawBufferPointer(start: chunk + frameStart, count: end - frameStart), start))
        } else {
            if let chunk {
                held.append(contentsOf: UnsafeBufferPointer(start: chunk + frameStart, count: end - frameStart))
            }
            held.withUnsafeBytes { frame(.value($0, start)) }
        }
        reset()
    }

    /// The frame under way is malformed at the current byte.
    ///
    /// When that byte is the first token of a line after the one the frame started on, the frame stopped before
    /// this line, and the byte is read again as the start of a new frame; otherwise the rest of the line is dropped.
    /// - Returns: false when the byte must be read again.
    private mutating func fail(_ reason: String, _ frame: (Frame) -> Void) -> Bool {
        guard let start else { return true }
        let continuation = start.line < line && !lineHasToken
        if continuation {
            frame(
                .malformed(start, faultLine: tokenLine, reason: "unfinished value (line \(line) does not continue it)"))
        } else {
            frame(.malformed(start, faultLine: line, reason: reason))
        }
        reset()
        skippingLine = !continuation
        return !continuation
    }

    /// Back between frames.
    private mutating func reset() {
        start = nil
        containers.removeAll(keepingCapacity: true)
        expect = .value
        inString = false
        escaped = false
        inScalar = false
    }
}
