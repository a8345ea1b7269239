import AIBase

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One dispatched server-sent event.
package struct SSEEvent: Equatable, Sendable {
    /// The event type: the last `event:` value, or "message" when there was none (or it was empty).
    package var type: String
    /// The raw UTF-8 bytes of the data buffer, without its trailing LF.
    package var data: [UInt8]
    /// The last event ID in effect when the event was dispatched.
    package var lastEventID: String

    /// The data decoded as UTF-8 (ill-formed sequences become U+FFFD).
    package var text: String { String(decoding: data, as: UTF8.self) }

    /// Creates an event from its parts.
    package init(type: String = "message", data: [UInt8], lastEventID: String = "") {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// A dispatched event as bytes borrowed from the parser, valid only during the dispatch call: what the stream
/// decoders read, with no copy or allocation per event.
package struct SSEEventView {
    /// The `event:` value's bytes; empty means "message".
    package let typeBytes: UnsafeRawBufferPointer
    /// The data buffer's bytes, without its trailing LF.
    package let data: UnsafeRawBufferPointer
    /// The last event ID in effect.
    package let lastEventID: String

    /// Whether the event type is `name` (an event without `event:` is "message").
    @inline(__always)
    package func typeIs(_ name: StaticString) -> Bool {
        if typeBytes.isEmpty { return name.utf8CodeUnitCount == 7 && memcmp(name.utf8Start, "message", 7) == 0 }
        return typeBytes.count == name.utf8CodeUnitCount
            && memcmp(typeBytes.baseAddress.unsafelyUnwrapped, name.utf8Start, typeBytes.count) == 0
    }

    /// Whether the data starts with `prefix`.
    @inline(__always)
    package func dataStarts(with prefix: StaticString) -> Bool {
        data.count >= prefix.utf8CodeUnitCount
            && memcmp(data.baseAddress.unsafelyUnwrapped, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// The data decoded as UTF-8 (ill-formed sequences become U+FFFD).
    package var text: String { String(decoding: data, as: UTF8.self) }

    /// The event type as a string.
    package var type: String { typeBytes.isEmpty ? "message" : String(decoding: typeBytes, as: UTF8.self) }

    /// An owned copy of the event.
    package var event: SSEEvent { SSEEvent(type: type, data: Array(data), lastEventID: lastEventID) }
}

/// An incremental WHATWG server-sent events parser (HTML §9.2.5–9.2.6) fed with arbitrary byte chunks.
///
/// Lines end at CRLF, lone CR or lone LF, found on bytes; only complete lines are interpreted, so a chunk may end
/// anywhere (inside a UTF-8 sequence, between CR and LF, inside a leading BOM). Complete lines are read in place from
/// the chunk; only a line that straddles chunks is copied. Memory stays bounded by the longest line (plus the data of
/// the event being assembled).
package struct SSEParser: @unchecked Sendable {  // `pendingData` is only ever set during a `scan` call
    /// The last valid `retry:` value in milliseconds, or nil if none was seen.
    package private(set) var retry: Int?
    /// The last event ID string: updated from the `id:` buffer at every blank line, so it persists across events.
    ///
    /// As in the spec, an `id:` field takes effect here when its block ends with a blank line (dispatched or not);
    /// the `id:` of an unterminated block discarded by `finish()` never shows up.
    package private(set) var lastEventID: String = ""

    private let legacyErrorField: Bool
    /// Bytes of a line that started in an earlier chunk and has not ended yet.
    private var lineBuffer: [UInt8] = []
    /// Data lines of the event being assembled, each followed by LF.
    private var dataBuffer: [UInt8] = []
    /// The event's only data line so far, still in the chunk being scanned (not copied unless a second data
    /// line comes or the chunk ends first). Always nil between `scan` calls.
    private var pendingData: UnsafeBufferPointer<UInt8>?
    /// The `event:` value of the event being assembled (empty means "message").
    private var typeBuffer: [UInt8] = []
    /// The last event ID buffer (spec term): set by `id:`, copied to `lastEventID` at each blank line.
    private var lastEventIDBuffer: String = ""
    /// The value of a legacy `error:` field in the current block (only with `legacyErrorField`).
    private var errorBuffer: [UInt8] = []
    private var sawErrorField = false
    /// The previous chunk ended with CR: an LF at the start of the next chunk belongs to that line end.
    private var skipLF = false
    /// Bytes of the leading BOM matched so far; `bomDone` once the stream start has been decided.
    private var bomState: UInt8 = 0
    /// The last line interpreted was blank: nothing of an event is pending, so a new event starts here.
    private var atEventStart = false

    private static let bomDone: UInt8 = 3
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20

    /// Creates a parser; `legacyErrorField` turns a non-standard `error:` field (old llama.cpp) into an "error" event.
    package init(legacyErrorField: Bool = false) {
        self.legacyErrorField = legacyErrorField
    }

    /// Parses one chunk, calling `dispatch` with an owned copy of every event it completes.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ dispatch: (SSEEvent) throws -> Void) rethrows {
        try scan(bytes) { view in try dispatch(view.event) }
    }

    /// Parses one chunk, calling `dispatch` for every event it completes, with the event's bytes borrowed for the
    /// call; a partial last line is kept for later.
    ///
    /// If `dispatch` throws, the error propagates and the rest of the chunk is dropped; the parser stays consistent.
    package mutating func scan(_ bytes: UnsafeRawBufferPointer, _ dispatch: (SSEEventView) throws -> Void) rethrows {
        try scan(bytes, shortcut: { _, position, _ in position }, dispatch)
    }

    /// Parses one chunk like `scan(_:_:)`, first offering each stretch of the chunk that starts a new event (after a
    /// blank line, with nothing pending) to `shortcut`.
    ///
    /// `shortcut(base, position, end)` may read whole events of its own at `base[position..<end]` and returns where
    /// it stopped; those bytes must be events without `id:` or `retry:` fields, which leave the parser where it was.
    package mutating func scan(
        _ bytes: UnsafeRawBufferPointer,
        shortcut: (UnsafePointer<UInt8>, Int, Int) throws -> Int,
        _ dispatch: (SSEEventView) throws -> Void
    ) rethrows {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        defer { keepPendingData() }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let end = bytes.count
        var position = 0

        if bomState != Self.bomDone {
            position = consumeBOM(base, end)
            if position == end { return }
        }
        if skipLF {
            skipLF = false
            if base[position] == Self.lf {
                position += 1
            }
        }

        // Next LF / CR at or after `position`, or `end` when there is none left in this chunk. Each is searched again
        // only once `position` has passed it, so every byte is scanned at most once per terminator kind.
        var nextLF = -1
        var nextCR = -1
        var offer = atEventStart && lineBuffer.isEmpty
        while position < end {
            if offer {
                offer = false
                position = try shortcut(base, position, end)
                if position == end { return }
            }
            if nextLF < position {
                nextLF = Self.find(Self.lf, base, from: position, end: end)
            }
            if nextCR < position {
                nextCR = Self.find(Self.cr, base, from: position, end: end)
            }
            let lineEnd = min(nextLF, nextCR)
            if lineEnd == end {
                lineBuffer.append(contentsOf: UnsafeBufferPointer(start: base + position, count: end - position))
                return
            }
            var next = lineEnd + 1
            if lineEnd == nextCR {
                if next < end {
                    if base[next] == Self.lf {
                        next += 1
                    }
                } else {
                    skipLF = true
                }
            }
            let piece = UnsafeBufferPointer(start: base + position, count: lineEnd - position)
            position = next
            if lineBuffer.isEmpty {
                atEventStart = piece.isEmpty
                offer = atEventStart
                try processLine(piece, inChunk: true, dispatch)
            } else {
                atEventStart = false
                lineBuffer.append(contentsOf: piece)
                try processBufferedLine(dispatch)
            }
        }
    }

    /// Parses one chunk held in an array; see `feed(_:_:)` for raw buffers.
    package mutating func feed(_ bytes: [UInt8], _ dispatch: (SSEEvent) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try feed($0, dispatch) }
    }

    /// End of stream: an unterminated event is discarded (spec); returns true if anything was discarded.
    ///
    /// "Anything" is a partial line (including a partial BOM) or an undispatched event (data lines, or with
    /// `legacyErrorField` an `error:` field, not yet followed by a blank line). The parser is then reset for a new
    /// stream (a reconnection); `retry` and `lastEventID` are kept.
    package mutating func finish() -> Bool {
        let partialBOM = bomState != 0 && bomState != Self.bomDone
        let discarded = !lineBuffer.isEmpty || partialBOM || !dataBuffer.isEmpty || sawErrorField
        lineBuffer = []
        dataBuffer = []
        typeBuffer = []
        errorBuffer = []
        sawErrorField = false
        skipLF = false
        bomState = 0
        atEventStart = false
        lastEventIDBuffer = lastEventID
        return discarded
    }

    // MARK: - Lines

    /// Strips one leading UTF-8 BOM, even split across chunks; returns the first position after it.
    private mutating func consumeBOM(_ base: UnsafePointer<UInt8>, _ end: Int) -> Int {
        var position = 0
        while bomState != Self.bomDone && position < end {
            if base[position] == Self.bomByte(bomState) {
                bomState += 1
                position += 1
            } else {
                // Not a BOM after all: the bytes matched so far start the first line.
                for index in 0..<bomState {
                    lineBuffer.append(Self.bomByte(index))
                }
                bomState = Self.bomDone
            }
        }
        return position
    }

    private static func bomByte(_ index: UInt8) -> UInt8 {
        switch index {
        case 0: return 0xEF
        case 1: return 0xBB
        default: return 0xBF
        }
    }

    /// Index of the first `byte` in `base[from..<end]`, or `end`.
    @inline(__always)
    private static func find(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return end }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// Interprets the completed line held in `lineBuffer`, then empties it (keeping its capacity).
    private mutating func processBufferedLine(_ dispatch: (SSEEventView) throws -> Void) rethrows {
        var line: [UInt8] = []
        swap(&line, &lineBuffer)
        defer {
            line.removeAll(keepingCapacity: true)
            swap(&line, &lineBuffer)
        }
        try line.withUnsafeBufferPointer { try processLine($0, inChunk: false, dispatch) }
    }

    /// Interprets one complete line (without its line end); `inChunk` when it lies in the chunk being scanned.
    private mutating func processLine(
        _ line: UnsafeBufferPointer<UInt8>,
        inChunk: Bool,
        _ dispatch: (SSEEventView) throws -> Void
    ) rethrows {
        guard let start = line.baseAddress, line.count > 0 else {
            try dispatchEvent(dispatch)
            return
        }
        let count = line.count
        if start[0] == Self.colon { return }

        let nameCount = Self.find(Self.colon, start, from: 0, end: count)
        var valueStart = nameCount
        if nameCount < count {
            valueStart += 1
            if valueStart < count && start[valueStart] == Self.space {
                valueStart += 1
            }
        }
        let value = UnsafeBufferPointer(start: start + valueStart, count: count - valueStart)

        switch nameCount {
        case 4 where Self.equals(start, "data"):
            if inChunk && pendingData == nil && dataBuffer.isEmpty {
                pendingData = value
            } else {
                keepPendingData()
                dataBuffer.append(contentsOf: value)
                dataBuffer.append(Self.lf)
            }
        case 5 where Self.equals(start, "event"):
            typeBuffer.removeAll(keepingCapacity: true)
            typeBuffer.append(contentsOf: value)
        case 2 where Self.equals(start, "id"):
            if Self.find(0, start + valueStart, from: 0, end: value.count) == value.count {
                lastEventIDBuffer = String(decoding: value, as: UTF8.self)
            }
        case 5 where Self.equals(start, "retry"):
            if let milliseconds = Self.parseDigits(value) {
                retry = milliseconds
            }
        case 5 where legacyErrorField && Self.equals(start, "error"):
            sawErrorField = true
            errorBuffer.removeAll(keepingCapacity: true)
            errorBuffer.append(contentsOf: value)
        default:
            break
        }
    }

    /// True if the `literal.utf8CodeUnitCount` bytes at `start` spell `literal` (the caller checked the length).
    @inline(__always)
    private static func equals(_ start: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
        memcmp(start, literal.utf8Start, literal.utf8CodeUnitCount) == 0
    }

    /// The value as a base-10 integer if it is non-empty, ASCII digits only and fits in an Int.
    private static func parseDigits(_ value: UnsafeBufferPointer<UInt8>) -> Int? {
        if value.isEmpty { return nil }
        var result = 0
        for byte in value {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte &- 0x30))
            if overflow1 || overflow2 { return nil }
            result = sum
        }
        return result
    }

    // MARK: - Events

    /// Copies a pending data line into `dataBuffer` (its chunk is going away, or more data lines follow).
    private mutating func keepPendingData() {
        guard let line = pendingData else { return }
        pendingData = nil
        dataBuffer.append(contentsOf: line)
        dataBuffer.append(Self.lf)
    }

    /// The blank-line step: dispatches the assembled event, if any, and resets the per-event buffers.
    private mutating func dispatchEvent(_ dispatch: (SSEEventView) throws -> Void) rethrows {
        lastEventID = lastEventIDBuffer
        if let line = pendingData, !sawErrorField {
            pendingData = nil
            defer { if !typeBuffer.isEmpty { typeBuffer.removeAll(keepingCapacity: true) } }
            let id = lastEventID
            try typeBuffer.withUnsafeBytes { type in
                try dispatch(SSEEventView(typeBytes: type, data: UnsafeRawBufferPointer(line), lastEventID: id))
            }
            return
        }
        keepPendingData()
        if !sawErrorField && dataBuffer.isEmpty {
            typeBuffer.removeAll(keepingCapacity: true)
            return
        }
        defer { resetEventBuffers() }
        let id = lastEventID
        if sawErrorField {
            let errorType: StaticString = "error"
            let type = UnsafeRawBufferPointer(start: errorType.utf8Start, count: errorType.utf8CodeUnitCount)
            let source = dataBuffer.isEmpty ? errorBuffer : dataBuffer
            let count = dataBuffer.isEmpty ? source.count : source.count - 1
            try source.withUnsafeBytes { bytes in
                try dispatch(
                    SSEEventView(
                        typeBytes: type, data: UnsafeRawBufferPointer(rebasing: bytes[..<count]),
                        lastEventID: id))
            }
            return
        }
        try dataBuffer.withUnsafeBytes { data in
            try typeBuffer.withUnsafeBytes { type in
                try dispatch(
                    SSEEventView(
                        typeBytes: type, data: UnsafeRawBufferPointer(rebasing: data.dropLast()),
                        lastEventID: id))
            }
        }
    }

    private mutating func resetEventBuffers() {
        dataBuffer.removeAll(keepingCapacity: true)
        typeBuffer.removeAll(keepingCapacity: true)
        if sawErrorField {
            errorBuffer.removeAll(keepingCapacity: true)
            sawErrorField = false
        }
    }
}
