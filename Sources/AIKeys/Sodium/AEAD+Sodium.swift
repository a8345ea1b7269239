import AIBase
import CSodium

/// XChaCha20-Poly1305 (IETF) authenticated encryption with associated data: 32-byte key, 24-byte nonce,
/// 16-byte tag appended to the ciphertext.
package enum AEAD {
    /// Key length in bytes.
    package static let keyBytes = Int(crypto_aead_xchacha20poly1305_ietf_keybytes())
    /// Nonce length in bytes.
    package static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    /// Tag length in bytes.
    package static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_abytes())

    /// Encrypts `message` into `output` (exactly `message.count + tagBytes` bytes).
    ///
    /// The corresponding C function is `crypto_aead_xchacha20poly1305_ietf_encrypt`.
    static func seal(
        _ message: UnsafeRawBufferPointer,
        additionalData: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        precondition(output.count == message.count + tagBytes && nonce.count == nonceBytes && key.count == keyBytes)
        var written: UInt64 = 0
        _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
            output.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), &written,
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
            additionalData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData.count),
            nil,
            nonce.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self),
            key.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
        )
    }

    /// Decrypts and authenticates `ciphertext` into `output` (exactly `ciphertext.count - tagBytes` bytes);
    /// false, with `output` zeroed, when the tag does not verify.
    ///
    /// The corresponding C function is `crypto_aead_xchacha20poly1305_ietf_decrypt`.
    static func open(
        _ ciphertext: UnsafeRawBufferPointer,
        additionalData: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard ciphertext.count >= tagBytes, output.count == ciphertext.count - tagBytes,
            nonce.count == nonceBytes, key.count == keyBytes
        else { return false }
        var written: UInt64 = 0
        let result = crypto_aead_xchacha20poly1305_ietf_decrypt(
            output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written,
            nil,
            ciphertext.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
            additionalData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData.count),
            nonce.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self),
            key.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
        )
        if result != 0, let base = output.baseAddress { Sodium.memzero(base, count: output.count) }
        return result == 0
    }
}
