import AIBase
import Glibc
import Synchronization

/// The reader of stdout went away (EPIPE): the tool ends quietly with status 0 (DESIGN §9).
package struct OutputClosed: Error, Sendable {
    /// The reader went away.
    package init() {}
}

/// Writes whole lines to a file descriptor, one `write` per line, flushed at once.
///
/// Lines from several threads never interleave. After the reader closes the pipe every write throws
/// `OutputClosed`; after `seal()` (used when the process is being interrupted) writes are dropped, so the
/// last line written stays the last line.
package final class JSONLWriter: Sendable {
    /// The process's stdout.
    package static let standardOutput = JSONLWriter(descriptor: 1)

    private let descriptor: Int32
    private let state = Mutex<Bool>(false)

    /// A writer of `descriptor`.
    package init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes `value` as one line.
    /// - Throws: `OutputClosed` on EPIPE, `AIError` (`io`) on other write errors.
    package func write(_ value: JSON) throws {
        var line = value.encoded()
        line.append(0x0A)
        try write(bytes: line)
    }

    /// Writes bytes as they are (a prepared line, or raw text).
    /// - Throws: `OutputClosed` on EPIPE, `AIError` (`io`) on other write errors.
    package func write(bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(raw: $0) }
    }

    /// Writes the bytes of a buffer as they are.
    /// - Throws: `OutputClosed` on EPIPE, `AIError` (`io`) on other write errors.
    package func write(raw bytes: UnsafeRawBufferPointer) throws {
        let failure: Int32 = state.withLock { sealed in
            if sealed { return 0 }
            return JSONLWriter.writeAll(descriptor, bytes)
        }
        if failure == EPIPE { throw OutputClosed() }
        if failure != 0 { throw AIError(.io, "cannot write output: \(MessageText.systemError(failure))") }
    }

    /// Writes `value` as the last line; nothing written after it gets through.
    package func writeFinal(_ value: JSON?) {
        writeFinal(bytes: value.map { $0.encoded() + [0x0A] } ?? [])
    }

    /// Writes `bytes` as the last output; nothing written after them gets through.
    package func writeFinal(bytes: [UInt8]) {
        state.withLock { sealed in
            guard !sealed else { return }
            sealed = true
            _ = bytes.withUnsafeBytes { JSONLWriter.writeAll(descriptor, $0) }
        }
    }

    /// Writes all of `buffer` to `descriptor`, retrying after EINTR and short writes.
    /// - Returns: 0, or the `errno` of the write that failed.
    package static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
}
