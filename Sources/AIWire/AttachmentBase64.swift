/// Standard base64 (RFC 4648, with padding) for attachments: bytes to text, and text given in a request back to
/// bytes.
package enum AttachmentBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The value of each byte of the alphabet, 0xFF for a byte outside it.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// The length of the base64 text of `count` bytes.
    package static func encodedCount(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// The base64 text of `bytes`, written straight into the string's storage: three bytes, four characters.
    package static func encode(_ bytes: [UInt8]) -> String {
        let length = encodedCount(bytes.count)
        guard length > 0 else { return "" }
        return bytes.withUnsafeBufferPointer { input in
            alphabet.withUnsafeBufferPointer { table in
                String(unsafeUninitializedCapacity: length) { out in
                    var read = 0
                    var written = 0
                    let whole = input.count - input.count % 3
                    while read < whole {
                        let value = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
                        out[written] = table[Int(value >> 18)]
                        out[written + 1] = table[Int(value >> 12 & 0x3F)]
                        out[written + 2] = table[Int(value >> 6 & 0x3F)]
                        out[written + 3] = table[Int(value & 0x3F)]
                        read += 3
                        written += 4
                    }
                    let rest = input.count - whole
                    if rest > 0 {
                        let second = rest == 2 ? UInt32(input[read + 1]) : 0
                        let value = UInt32(input[read]) << 16 | second << 8
                        out[written] = table[Int(value >> 18)]
                        out[written + 1] = table[Int(value >> 12 & 0x3F)]
                        out[written + 2] = rest == 2 ? table[Int(value >> 6 & 0x3F)] : UInt8(ascii: "=")
                        out[written + 3] = UInt8(ascii: "=")
                        written += 4
                    }
                    return written
                }
            }
        }
    }

    /// The bytes `text` encodes (padding optional), or nil when it is not base64.
    package static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { input -> [UInt8]? in
            var end = input.count
            while end > 0, input[end - 1] == UInt8(ascii: "=") { end -= 1 }
            guard input.count - end <= 2, end % 4 != 1 else { return nil }
            if input.count != end, input.count % 4 != 0 { return nil }
            var bytes = [UInt8]()
            bytes.reserveCapacity(end * 3 / 4)
            let valid = values.withUnsafeBufferPointer { table -> Bool in
                var accumulator: UInt32 = 0
                var bits = 0
                for index in 0..<end {
                    let value = table[Int(input[index])]
                    if value == 0xFF { return false }
                    accumulator = (accumulator << 6) | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                    }
                }
                // Bits left over must be zero (one encoding per byte string).
                return accumulator & ((1 << UInt32(bits)) - 1) == 0
            }
            return valid ? bytes : nil
        }
    }
}
