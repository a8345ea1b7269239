import AIBase

/// The agent protocol (version 1): length-prefixed frames on a Unix stream socket.
///
/// A frame is a big-endian `u32` length L (1 ≤ L ≤ 65,536) and L bytes; the first byte is the message type.
/// Strings are a `u32` length and bytes. A frame over the cap, a truncated frame or a malformed body closes the
/// connection; an unknown type gets `error(unsupported)`. Requests and replies:
///
/// | request | body | reply |
/// | --- | --- | --- |
/// | 0x01 hello | u16 version | 0x81: u16 version, u32 pid |
/// | 0x02 status | — | 0x82: u8 locked, u32 idle_left, u32 hard_left (0xFFFFFFFF: none), u64 generation, u32 pid |
/// | 0x03 unlock | string passphrase, u32 idle_ttl, u32 hard_ttl (0: the agent's), string tool | 0x80 ok |
/// | 0x04 get | string name, string tool | 0x84: string secret |
/// | 0x05 list | string tool | 0x85: u32 n, then n × (string name, string fingerprint, i64 created, i64 updated) |
/// | 0x06 lock | string tool | 0x80 ok |
/// | 0x07 shutdown | — | 0x80 ok, then the agent exits |
///
/// A status reply then ends with `string vault`, the path the agent serves; clients read it only when present.
/// Any request may instead get 0xFF error: u8 code (`AgentErrorCode`), string message. Frames are built and
/// read in `SecretBytes`, since some carry a passphrase or a key.
package enum AgentMessageType: UInt8, Sendable {
    case hello = 0x01
    case status = 0x02
    case unlock = 0x03
    case get = 0x04
    case list = 0x05
    case lock = 0x06
    case shutdown = 0x07
    case ok = 0x80
    case helloReply = 0x81
    case statusReply = 0x82
    case getReply = 0x84
    case listReply = 0x85
    case error = 0xFF
}

/// Why the agent refused a request.
package enum AgentErrorCode: UInt8, Sendable {
    case locked = 1
    case notFound = 2
    case badPassphrase = 3
    case vault = 4
    case vaultChanged = 5
    case rolledBack = 6
    case unsupported = 7
    case backoff = 8
    case emptyPassphrase = 9
}

/// Frame limits and encoding.
package enum AgentFrame {
    /// The protocol version this build speaks.
    package static let version: UInt16 = 1
    /// The largest frame body accepted.
    package static let maximumLength = 65_536
    /// "No limit" in a status reply's TTL fields.
    package static let noLimit = UInt32.max

    /// One field of a frame body.
    package enum Field {
        case u8(UInt8)
        case u16(UInt16)
        case u32(UInt32)
        case u64(UInt64)
        case string(String)
        case secret(SecretBytes)

        var size: Int {
            switch self {
            case .u8: 1
            case .u16: 2
            case .u32: 4
            case .u64: 8
            case .string(let text): 4 + text.utf8.count
            case .secret(let secret): 4 + secret.count
            }
        }
    }

    /// A whole frame (length prefix included) in locked memory.
    /// - Throws: `KeysError.outOfMemory`; `.agentProtocol` when the body exceeds the cap.
    package static func encode(_ type: AgentMessageType, _ fields: [Field]) throws(KeysError) -> SecretBytes {
        let bodyLength = 1 + fields.reduce(0) { $0 + $1.size }
        guard bodyLength <= maximumLength else { throw .agentProtocol("message too large") }
        let frame = try SecretBytes(count: 4 + bodyLength)
        frame.withUnsafeMutableBytes { buffer in
            var writer = BufferWriter(buffer)
            writer.put(UInt32(bodyLength))
            writer.put(type.rawValue)
            for field in fields {
                switch field {
                case .u8(let value): writer.put(value)
                case .u16(let value): writer.put(value)
                case .u32(let value): writer.put(value)
                case .u64(let value): writer.put(value)
                case .string(let text):
                    let bytes = Array(text.utf8)
                    writer.put(UInt32(bytes.count))
                    bytes.withUnsafeBytes { writer.put(bytes: $0) }
                case .secret(let secret):
                    writer.put(UInt32(secret.count))
                    secret.withUnsafeBytes { writer.put(bytes: $0) }
                }
            }
        }
        return frame
    }

    /// The body length a 4-byte prefix announces, or nil when it is outside 1…65,536.
    package static func length(of prefix: [UInt8]) -> Int? {
        guard prefix.count == 4 else { return nil }
        let length = Int(prefix.bigEndianUInt32(at: 0))
        return (1...maximumLength).contains(length) ? length : nil
    }
}

/// Reads the fields of one frame body, in order; every accessor returns nil when the body is too short.
package struct AgentFrameReader {
    private var reader: BufferReader

    /// A reader over a body (type byte included).
    package init(_ body: UnsafeRawBufferPointer) {
        reader = BufferReader(body)
    }

    /// Whether every byte was consumed.
    package var isAtEnd: Bool { reader.isAtEnd }

    /// The next byte.
    package mutating func u8() -> UInt8? { reader.uint8() }
    /// The next big-endian `UInt16`.
    package mutating func u16() -> UInt16? { reader.uint16() }
    /// The next big-endian `UInt32`.
    package mutating func u32() -> UInt32? { reader.uint32() }
    /// The next big-endian `UInt64`.
    package mutating func u64() -> UInt64? { reader.uint64() }

    /// The next string (not secret), UTF-8 decoded.
    package mutating func string() -> String? {
        guard let length = reader.uint32(), let bytes = reader.bytes(Int(length)) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The next string, copied into locked memory.
    package mutating func secret() -> SecretBytes? {
        guard let length = reader.uint32(), let bytes = reader.bytes(Int(length)) else { return nil }
        return try? SecretBytes(copying: bytes)
    }
}
