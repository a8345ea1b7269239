import AIBase

/// Vectors sent as base64 little-endian float32s (OpenAI's `encoding_format: base64`).
package enum EmbeddingBase64 {
    /// Decodes `text` into floats, bit for bit.
    /// - Throws: `AIError` (`protocol`) when `text` is not base64 of a whole number of float32s.
    package static func decode(_ text: String, provider: String) throws(AIError) -> [Float] {
        var text = text
        // One pass over the UTF-8 bytes with a table, straight into the floats' storage (little-endian float32s).
        let decoded: Result<[Float], AIError> = text.withUTF8 { input in
            var end = input.count
            while end > 0, input[end - 1] == UInt8(ascii: "=") { end -= 1 }
            guard input.count - end <= 2 else {
                return .failure(AIError(.protocol, "\(provider) sent an embedding that is not base64"))
            }
            let byteCount = end * 6 / 8
            guard byteCount % 4 == 0 else {
                return .failure(
                    AIError(.protocol, "\(provider) sent an embedding that is not a whole number of float32s"))
            }
            var floats = [Float](repeating: 0, count: byteCount / 4)
            let valid = floats.withUnsafeMutableBytes { out in
                table.withUnsafeBufferPointer { table in
                    var accumulator: UInt32 = 0
                    var bits = 0
                    var written = 0
                    for index in 0..<end {
                        let value = table[Int(input[index])]
                        if value == 0xFF { return false }
                        accumulator = (accumulator << 6) | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            if written < byteCount {
                                out[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                            }
                            written += 1
                        }
                    }
                    return true
                }
            }
            guard valid else { return .failure(AIError(.protocol, "\(provider) sent an embedding that is not base64")) }
            #if _endian(big)
            for index in floats.indices {
                floats[index] = Float(bitPattern: UInt32(littleEndian: floats[index].bitPattern))
            }
            #endif
            return .success(floats)
        }
        return try decoded.get()
    }

    /// Each byte's base64 value (both alphabets: `+/` and `-_`), 0xFF for a byte that is none.
    private static let table: [UInt8] = (0..<256).map { byte -> UInt8 in
        switch UInt8(byte) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt8(byte) - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt8(byte) - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: 0xFF
        }
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
