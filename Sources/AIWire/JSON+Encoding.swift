import AIBase

extension JSON {
    /// The compact JSON text of this value as UTF-8 bytes (no trailing newline).
    package func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(to: &out)
        return out
    }

    /// The compact JSON text of this value.
    package var encodedString: String {
        String(decoding: encoded(), as: UTF8.self)
    }

    /// Appends the compact JSON text of this value to `out`.
    package func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let text): JSON.writeString(text, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `text` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    package static func writeString<Sink: ByteSink>(_ text: String, to out: inout Sink) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var runStart = 0
            var position = 0
            while true {
                position = ByteScan.plainRun(base, from: position, to: bytes.count)
                if runStart < position { out.append(bytes: UnsafeBufferPointer(rebasing: bytes[runStart..<position])) }
                guard position < bytes.count else { return }
                let value = bytes[position]
                position += 1
                runStart = position
                out.append(0x5C)
                switch value {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(value)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    out.append(UInt8(ascii: "u"))
                    out.append(UInt8(ascii: "0"))
                    out.append(UInt8(ascii: "0"))
                    out.append(hex.utf8Start[Int(value >> 4)])
                    out.append(hex.utf8Start[Int(value & 0x0F)])
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
