#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into LF-terminated lines, any chunking.
///
/// Lines that end inside the chunk being fed are handed out as views into that chunk, without copying; only a line
/// that straddles chunks is buffered. There is no line-length cap; memory stays bounded by the longest line.
package struct LineSplitter: Sendable {
    /// Bytes of a line that started in an earlier chunk and has not ended yet.
    private var buffer: [UInt8] = []

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D

    /// Creates a splitter with nothing buffered.
    package init() {}

    /// Calls `line` for each complete line, without its LF and without one trailing CR.
    ///
    /// The buffer is only valid during the call. If `line` throws, the error propagates and the rest of the chunk is
    /// dropped.
    package mutating func feed(
        _ bytes: UnsafeRawBufferPointer,
        _ line: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        try feed(bytes, shortcut: { _, position, _ in position }, line)
    }

    /// Splits one chunk like `feed(_:_:)`, first offering each stretch of the chunk that starts a new line to
    /// `shortcut(base, position, end)`, which may read whole lines of its own and returns where it stopped.
    package mutating func feed(
        _ bytes: UnsafeRawBufferPointer,
        shortcut: (UnsafePointer<UInt8>, Int, Int) throws -> Int,
        _ line: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let end = bytes.count
        var position = 0
        while position < end {
            if buffer.isEmpty {
                position = try shortcut(base, position, end)
                if position == end { return }
            }
            guard let hit = memchr(base + position, Int32(Self.lf), end - position) else {
                buffer.append(contentsOf: UnsafeRawBufferPointer(start: base + position, count: end - position))
                return
            }
            let lineEnd = raw.distance(to: UnsafeRawPointer(hit))
            let piece = UnsafeRawBufferPointer(start: base + position, count: lineEnd - position)
            position = lineEnd + 1
            if buffer.isEmpty {
                try line(Self.droppingCR(piece))
            } else {
                buffer.append(contentsOf: piece)
                defer { buffer.removeAll(keepingCapacity: true) }
                try buffer.withUnsafeBytes { try line(Self.droppingCR($0)) }
            }
        }
    }

    /// Splits one chunk held in an array; see `feed(_:_:)` for raw buffers.
    package mutating func feed(_ bytes: [UInt8], _ line: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try feed($0, line) }
    }

    /// The bytes after the last LF at end of stream (an unterminated last line), or nil if none.
    ///
    /// The bytes are returned as received (a trailing CR is kept). The splitter is then empty and can start a new
    /// stream.
    package mutating func finish() -> [UInt8]? {
        if buffer.isEmpty { return nil }
        let rest = buffer
        buffer = []
        return rest
    }

    /// The number of bytes held for a partial line.
    package var bufferedCount: Int { buffer.count }

    /// `bytes` without one trailing CR.
    @inline(__always)
    private static func droppingCR(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let last = bytes.last, last == cr else { return bytes }
        return UnsafeRawBufferPointer(rebasing: bytes.dropLast())
    }
}
