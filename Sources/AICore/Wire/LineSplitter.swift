/// Provisional LF line splitter.
package struct LineSplitter: Sendable {
    private var buffer: [UInt8] = []
    package init() {}
    package var bufferedCount: Int { buffer.count }
    package mutating func feed(_ bytes: [UInt8], _ line: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try feed($0, line) }
    }
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ line: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        for byte in bytes {
            if byte == 0x0A {
                if buffer.last == 0x0D { buffer.removeLast() }
                try buffer.withUnsafeBytes { try line($0) }
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.append(byte)
            }
        }
    }
    package mutating func finish() -> [UInt8]? {
        defer { buffer = [] }
        return buffer.isEmpty ? nil : buffer
    }
}
