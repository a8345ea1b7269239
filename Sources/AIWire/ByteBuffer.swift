#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where encoded JSON text goes: an array, or a `ByteBuffer`.
package protocol ByteSink {
    /// Appends one byte.
    mutating func append(_ byte: UInt8)
    /// Appends bytes.
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension [UInt8]: ByteSink {
    @inline(__always)
    package mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: bytes)
    }
}

/// A growable byte buffer for output lines.
///
/// Its state lives behind a pointer, so an append costs no uniqueness or exclusivity check (an array held by a
/// class pays both on every append). Not for sharing between threads. Public, with `@inlinable` appends: the layers
/// above write every streamed event through it, and only public inlinable code is inlined across modules.
public final class ByteBuffer: ByteSink {
    /// The buffer's state (inlinable into the layers that write lines, so appending costs no call).
    @usableFromInline
    struct Storage {
        @usableFromInline var base: UnsafeMutablePointer<UInt8>
        @usableFromInline var count: Int
        @usableFromInline var capacity: Int

        @usableFromInline
        init(base: UnsafeMutablePointer<UInt8>, count: Int, capacity: Int) {
            self.base = base
            self.count = count
            self.capacity = capacity
        }
    }

    @usableFromInline let storage: UnsafeMutablePointer<Storage>

    /// An empty buffer with room for `capacity` bytes before it grows.
    package init(capacity: Int = 4096) {
        let capacity = max(16, capacity)
        storage = .allocate(capacity: 1)
        storage.initialize(to: Storage(base: .allocate(capacity: capacity), count: 0, capacity: capacity))
    }

    deinit {
        storage.pointee.base.deallocate()
        storage.deallocate()
    }

    /// The number of bytes held.
    @inlinable
    public var count: Int { storage.pointee.count }

    /// Whether the buffer holds nothing.
    @inlinable
    public var isEmpty: Bool { storage.pointee.count == 0 }

    /// The bytes held, valid until the next change.
    @inlinable
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.pointee.base, count: storage.pointee.count)
    }

    /// The last byte, if any.
    @inlinable
    public var last: UInt8? {
        let count = storage.pointee.count
        return count == 0 ? nil : storage.pointee.base[count - 1]
    }

    /// Forgets the bytes, keeping the room.
    @inlinable
    public func removeAll() {
        storage.pointee.count = 0
    }

    @inlinable @inline(__always)
    public func append(_ byte: UInt8) {
        if storage.pointee.count == storage.pointee.capacity { grow(to: storage.pointee.count + 1) }
        storage.pointee.base[storage.pointee.count] = byte
        storage.pointee.count += 1
    }

    @inlinable @inline(__always)
    public func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        append(source, count: bytes.count)
    }

    /// Appends the text of `literal`.
    @inlinable @inline(__always)
    public func append(_ literal: StaticString) {
        append(literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// Appends `count` bytes from `source`.
    @inlinable @inline(__always)
    public func append(_ source: UnsafePointer<UInt8>, count: Int) {
        let total = storage.pointee.count + count
        if total > storage.pointee.capacity { grow(to: total) }
        (storage.pointee.base + storage.pointee.count).update(from: source, count: count)
        storage.pointee.count = total
    }

    /// Appends `count` bytes that `write` stores at the pointer it is given (all of them).
    @inlinable @inline(__always)
    public func append(count: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Void) {
        let total = storage.pointee.count + count
        if total > storage.pointee.capacity { grow(to: total) }
        write(storage.pointee.base + storage.pointee.count)
        storage.pointee.count = total
    }

    @usableFromInline
    func grow(to needed: Int) {
        var capacity = storage.pointee.capacity
        while capacity < needed { capacity *= 2 }
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        base.update(from: storage.pointee.base, count: storage.pointee.count)
        storage.pointee.base.deallocate()
        storage.pointee.base = base
        storage.pointee.capacity = capacity
    }
}
