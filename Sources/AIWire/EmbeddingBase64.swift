import AIBase

/// Vectors sent as base64 little-endian float32s (OpenAI's `encoding_format: base64`).
package enum EmbeddingBase64 {
    /// Decodes `text` into floats, bit for bit.
    /// - Throws: `AIError` (`protocol`) when `text` is not base64 of a whole number of float32s.
    package static func decode(_ text: String, provider: String) throws(AIError) -> [Float] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for byte in text.utf8 {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default:
                throw AIError(.protocol, "\(provider) sent an embedding that is not base64")
            }
            guard padding == 0 else { throw AIError(.protocol, "\(provider) sent an embedding that is not base64") }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard bytes.count % 4 == 0, padding <= 2 else {
            throw AIError(.protocol, "\(provider) sent an embedding that is not a whole number of float32s")
        }
        var floats: [Float] = []
        floats.reserveCapacity(bytes.count / 4)
        var index = 0
        while index < bytes.count {
            let pattern =
                UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
                | UInt32(bytes[index + 3]) << 24
            floats.append(Float(bitPattern: pattern))
            index += 4
        }
        return floats
    }

    /// Encodes floats as base64 little-endian float32s (what servers send; tests use it).
    package static func encode(_ floats: [Float]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(floats.count * 4)
        for value in floats {
            let pattern = value.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: pattern >> shift)) }
        }
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 { group = group << 8 | UInt32(offset < count ? bytes[index + offset] : 0) }
            for position in 0..<4 {
                out.append(
                    position <= count ? alphabet[Int((group >> UInt32(18 - 6 * position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Floats given as a JSON array of numbers, each read as the nearest float32.
    /// - Throws: `AIError` (`protocol`) for an element that is not a number.
    package static func floats(_ values: [JSON], provider: String) throws(AIError) -> [Float] {
        var floats: [Float] = []
        floats.reserveCapacity(values.count)
        for value in values {
            guard case .number(let text) = value, let number = Float(text) else {
                throw AIError(.protocol, "\(provider) sent an embedding holding something other than numbers")
            }
            floats.append(number)
        }
        return floats
    }
}
