import AIBase
import CSodium
import Synchronization

/// libsodium's set-up and memory helpers; with `AEAD` and `PasswordHash`, the only code that calls libsodium.
///
/// `sodium_init` runs once, before the first guarded allocation (`sodium_malloc` before `sodium_init`
/// aborts the process). Every wrapper's doc comment names the C function it calls.
package enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Makes sure libsodium is initialized (thread-safe, idempotent).
    /// - Throws: `KeysError.cryptoUnavailable` when `sodium_init` fails.
    package static func initialize() throws(KeysError) {
        guard initialized else { throw .cryptoUnavailable }
    }

    /// Overwrites `count` bytes at `pointer` with zeros in a way the compiler cannot drop.
    ///
    /// The corresponding C function is `sodium_memzero`.
    package static func memzero(_ pointer: UnsafeMutableRawPointer, count: Int) {
        guard count > 0 else { return }
        sodium_memzero(pointer, count)
    }

    /// Fills `buffer` with unpredictable bytes.
    ///
    /// The corresponding C function is `randombytes_buf`.
    package static func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }

    /// `count` random bytes (nonces, salts: nothing secret).
    package static func randomBytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randomBytes($0) }
        return bytes
    }

    /// Guarded memory: the block ends at a guard page, is mlocked (the result is ignored), excluded from core
    /// dumps and filled with 0xdb. Call `initialize()` first.
    ///
    /// The corresponding C function is `sodium_malloc`.
    static func guardedAllocate(_ count: Int) -> UnsafeMutableRawPointer? {
        sodium_malloc(count)
    }

    /// Checks the canary, zeroes, unlocks and unmaps a block from `guardedAllocate`.
    ///
    /// The corresponding C function is `sodium_free`.
    static func guardedFree(_ pointer: UnsafeMutableRawPointer) {
        sodium_free(pointer)
    }

    /// Locks pages in memory and excludes them from core dumps; false when RLIMIT_MEMLOCK refuses.
    ///
    /// The corresponding C function is `sodium_mlock`.
    static func lockMemory(_ pointer: UnsafeMutableRawPointer, count: Int) -> Bool {
        sodium_mlock(pointer, count) == 0
    }

    /// Makes a guarded block unreadable (true) or readable and writable again (false).
    ///
    /// The corresponding C functions are `sodium_mprotect_noaccess` and `sodium_mprotect_readwrite`.
    static func protect(_ pointer: UnsafeMutableRawPointer, noAccess: Bool) {
        if noAccess {
            _ = sodium_mprotect_noaccess(pointer)
        } else {
            _ = sodium_mprotect_readwrite(pointer)
        }
    }

    /// Whether two buffers of the same length hold the same bytes, in time independent of the contents.
    ///
    /// The corresponding C function is `sodium_memcmp`.
    package static func constantTimeEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress, lhs.count > 0 else { return true }
        return sodium_memcmp(left, right, lhs.count) == 0
    }

    /// The BLAKE2b hash of `bytes`, `length` (16…64) bytes long, keyed when `key` (16…64 bytes) is given.
    ///
    /// The corresponding C function is `crypto_generichash`.
    package static func hash(_ bytes: UnsafeRawBufferPointer, length: Int, key: [UInt8] = []) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        output.withUnsafeMutableBufferPointer { out in
            key.withUnsafeBufferPointer { keyBuffer in
                _ = crypto_generichash(
                    out.baseAddress.unsafelyUnwrapped, length,
                    bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count),
                    key.isEmpty ? nil : keyBuffer.baseAddress, key.count
                )
            }
        }
        return output
    }

    /// The BLAKE2b hash of a byte array.
    package static func hash(_ bytes: [UInt8], length: Int, key: [UInt8] = []) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0, length: length, key: key) }
    }

    /// Pads the first `length` bytes of `buffer` to a multiple of `blockSize` (ISO/IEC 7816-4); the padded
    /// length, or nil when `buffer` is too small.
    ///
    /// The corresponding C function is `sodium_pad`.
    static func pad(_ buffer: UnsafeMutableRawBufferPointer, length: Int, blockSize: Int) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        var padded = 0
        let result = sodium_pad(&padded, base.assumingMemoryBound(to: UInt8.self), length, blockSize, buffer.count)
        return result == 0 ? padded : nil
    }

    /// The length before padding of `buffer`, or nil when the padding is malformed.
    ///
    /// The corresponding C function is `sodium_unpad`.
    static func unpad(_ buffer: UnsafeRawBufferPointer, blockSize: Int) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        var unpadded = 0
        let result = sodium_unpad(&unpadded, base.assumingMemoryBound(to: UInt8.self), buffer.count, blockSize)
        return result == 0 ? unpadded : nil
    }
}
