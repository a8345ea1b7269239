import Synchronization

/// Secret bytes (a passphrase, a key, a decrypted vault) in guarded memory, wiped and released on deinit.
///
/// The block comes from `sodium_malloc`: it sits against a guard page, is locked in memory (`mlock`) and left out
/// of core dumps (`MADV_DONTDUMP`). `sodium_free` checks its canary, zeroes it and unmaps it. The type is
/// deliberately not `Codable`, not `CustomStringConvertible` and not `Equatable`: its bytes are reached only
/// through `withUnsafeBytes`, and a copy into a Swift `String` happens only where an API demands one (the
/// HTTP header at the transport boundary).
package final class SecretBytes {
    private let base: UnsafeMutableRawPointer
    /// How many bytes the secret holds.
    package let count: Int

    private static let live = Atomic<Int>(0)

    /// How many secrets are allocated and not yet released (tests check that they are released).
    package static var liveCount: Int { live.load(ordering: .relaxed) }

    /// `count` zero bytes of guarded memory.
    /// - Throws: `KeysError.cryptoUnavailable` when libsodium cannot start; `KeysError.outOfMemory` when
    ///   the allocation fails.
    package init(count: Int) throws(KeysError) {
        try Sodium.initialize()
        guard count >= 0, let pointer = Sodium.guardedAllocate(max(count, 1)) else { throw .outOfMemory }
        Sodium.memzero(pointer, count: max(count, 1))
        base = pointer
        self.count = count
        Self.live.add(1, ordering: .relaxed)
    }

    /// A guarded copy of `bytes`.
    /// - Throws: as `init(count:)`.
    package convenience init(copying bytes: UnsafeRawBufferPointer) throws(KeysError) {
        try self.init(count: bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 { base.copyMemory(from: source, byteCount: bytes.count) }
    }

    /// A guarded copy of the UTF-8 bytes of `text` (tests and fixtures; `text` itself stays in ordinary memory).
    /// - Throws: as `init(count:)`.
    package convenience init(utf8 text: String) throws(KeysError) {
        let bytes = Array(text.utf8)
        try self.init(count: bytes.count)
        bytes.withUnsafeBytes { if let source = $0.baseAddress { base.copyMemory(from: source, byteCount: $0.count) } }
    }

    deinit {
        Sodium.guardedFree(base)
        Self.live.subtract(1, ordering: .relaxed)
    }

    /// Calls `body` with the secret's bytes.
    /// - Throws: whatever `body` throws.
    package func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the secret's bytes, writable.
    /// - Throws: whatever `body` throws.
    package func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// A guarded copy of the bytes in `range`.
    /// - Throws: as `init(count:)`.
    package func slice(_ range: Range<Int>) throws(KeysError) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return try SecretBytes(copying: UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    /// Whether both secrets hold the same bytes (constant time for equal lengths).
    package func isEqual(to other: SecretBytes) -> Bool {
        withUnsafeBytes { mine in other.withUnsafeBytes { Sodium.constantTimeEqual(mine, $0) } }
    }

    /// Whether the secret equals `bytes` (tests).
    package func isEqual(to bytes: [UInt8]) -> Bool {
        withUnsafeBytes { mine in bytes.withUnsafeBytes { Sodium.constantTimeEqual(mine, $0) } }
    }

    /// Zeroes the bytes now (the block is still released on deinit).
    package func wipe() {
        Sodium.memzero(base, count: count)
    }

    /// Locks the pages again and reports whether the kernel agreed (`sodium_malloc` ignores a failed `mlock`).
    package func lockInMemory() -> Bool {
        Sodium.lockMemory(base, count: max(count, 1))
    }

    /// Makes the bytes unreadable until `unprotect()` (an idle agent's data key).
    package func protect() {
        Sodium.protect(base, noAccess: true)
    }

    /// Makes the bytes readable and writable again after `protect()`.
    package func unprotect() {
        Sodium.protect(base, noAccess: false)
    }

    /// The bytes as a Swift `String`: an unwipeable copy, made only where an API needs one (an HTTP header).
    package func unprotectedString() -> String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
