import AIBase

/// One stored key: its name (metadata, not secret), the secret, and when it was created and last replaced.
package struct VaultEntry {
    /// `[A-Za-z0-9._-]{1,64}`.
    package var name: String
    /// The key.
    package var secret: SecretBytes
    /// Unix seconds when the name was first set.
    package var created: Int64
    /// Unix seconds when the secret was last set.
    package var updated: Int64

    /// An entry.
    package init(name: String, secret: SecretBytes, created: Int64, updated: Int64) {
        self.name = name
        self.secret = secret
        self.created = created
        self.updated = updated
    }

    /// A short, stable, non-reversible tag of the secret: `b2:` and 16 hex digits of a keyed BLAKE2b.
    package var fingerprint: String {
        let digest = secret.withUnsafeBytes { Sodium.hash($0, length: 16, key: Array("ai-keys fingerprint v1".utf8)) }
        return "b2:" + digest.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// The decrypted payload of a vault: a generation counter and the entries, sorted by name.
///
/// Binary layout (big-endian), parsed in place from locked memory so secrets never pass through Swift strings:
/// `u8 payload_version = 1`, `u64 generation`, `u32 count`, then per entry `u16 name_len`, the name,
/// `u32 secret_len`, the secret, `i64 created`, `i64 updated`. Names are unique and in ascending byte order.
package struct VaultContents {
    /// The payload format this build reads and writes.
    package static let payloadVersion: UInt8 = 1
    /// The most entries a vault holds.
    package static let maximumEntries = 256
    /// The longest key, in bytes.
    package static let maximumSecretBytes = 8192
    /// The longest name, in bytes.
    package static let maximumNameBytes = 64

    /// Incremented by every write; the agent refuses a vault older than one it has seen.
    package var generation: UInt64
    /// The entries, sorted by name.
    package private(set) var entries: [VaultEntry]

    /// An empty vault at generation 0.
    package init() {
        generation = 0
        entries = []
    }

    /// The entry named `name`.
    package func entry(named name: String) -> VaultEntry? {
        entries.first { $0.name == name }
    }

    /// Stores `secret` under `name` at `time`, keeping the creation time of an existing entry.
    /// - Throws: `KeysError.invalidName`, `.emptySecret`, `.secretTooLong`, `.vaultFull`.
    package mutating func set(_ name: String, secret: SecretBytes, time: Int64) throws(KeysError) {
        try Self.checkName(name)
        guard secret.count > 0 else { throw .emptySecret }
        guard secret.count <= Self.maximumSecretBytes else { throw .secretTooLong }
        if let index = entries.firstIndex(where: { $0.name == name }) {
            entries[index].secret = secret
            entries[index].updated = time
            return
        }
        guard entries.count < Self.maximumEntries else { throw .vaultFull("at most \(Self.maximumEntries) keys") }
        entries.append(VaultEntry(name: name, secret: secret, created: time, updated: time))
        entries.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// Removes the entry named `name`.
    /// - Throws: `KeysError.entryNotFound`.
    package mutating func remove(_ name: String) throws(KeysError) {
        guard let index = entries.firstIndex(where: { $0.name == name }) else { throw .entryNotFound(name: name) }
        entries.remove(at: index)
    }

    /// Refuses a name outside `[A-Za-z0-9._-]{1,64}`.
    /// - Throws: `KeysError.invalidName`.
    package static func checkName(_ name: String) throws(KeysError) {
        let bytes = Array(name.utf8)
        let allowed = bytes.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D
        }
        guard !bytes.isEmpty, bytes.count <= maximumNameBytes, allowed else { throw .invalidName(name) }
    }

    /// The payload bytes, in locked memory.
    /// - Throws: `KeysError.outOfMemory`.
    package func encoded() throws(KeysError) -> SecretBytes {
        let size = 1 + 8 + 4 + entries.reduce(0) { $0 + 2 + $1.name.utf8.count + 4 + $1.secret.count + 16 }
        let output = try SecretBytes(count: size)
        output.withUnsafeMutableBytes { buffer in
            var writer = BufferWriter(buffer)
            writer.put(Self.payloadVersion)
            writer.put(generation)
            writer.put(UInt32(entries.count))
            for entry in entries {
                let name = Array(entry.name.utf8)
                writer.put(UInt16(name.count))
                name.withUnsafeBytes { writer.put(bytes: $0) }
                writer.put(UInt32(entry.secret.count))
                entry.secret.withUnsafeBytes { writer.put(bytes: $0) }
                writer.put(UInt64(bitPattern: entry.created))
                writer.put(UInt64(bitPattern: entry.updated))
            }
        }
        return output
    }

    /// Parses a payload; anything malformed is reported as a corrupted vault at `path`.
    /// - Throws: `KeysError.corrupted`, `.outOfMemory`.
    package static func decode(_ payload: SecretBytes, path: String) throws(KeysError) -> VaultContents {
        try payload.withUnsafeBytes { (buffer) throws(KeysError) -> VaultContents in
            var reader = BufferReader(buffer)
            let corrupted = KeysError.corrupted(path: path)
            guard let version = reader.uint8(), version == payloadVersion,
                let generation = reader.uint64(), let count = reader.uint32(), count <= maximumEntries
            else { throw corrupted }
            var contents = VaultContents()
            contents.generation = generation
            var previous: [UInt8]?
            for _ in 0..<count {
                guard let nameLength = reader.uint16(), let nameBytes = reader.bytes(Int(nameLength)) else {
                    throw corrupted
                }
                let name = Array(nameBytes)
                if let previous, !previous.lexicographicallyPrecedes(name) { throw corrupted }
                previous = name
                let text = String(decoding: name, as: UTF8.self)
                guard (try? checkName(text)) != nil, let secretLength = reader.uint32(),
                    secretLength > 0, secretLength <= maximumSecretBytes,
                    let secretBytes = reader.bytes(Int(secretLength)),
                    let created = reader.uint64(), let updated = reader.uint64()
                else { throw corrupted }
                let secret = try SecretBytes(copying: secretBytes)
                contents.entries.append(
                    VaultEntry(
                        name: text, secret: secret, created: Int64(bitPattern: created),
                        updated: Int64(bitPattern: updated)))
            }
            guard reader.isAtEnd else { throw corrupted }
            return contents
        }
    }
}

/// Writes big-endian fields into a buffer sized in advance.
struct BufferWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    mutating func put<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.bigEndian) { put(bytes: $0) }
    }

    mutating func put(bytes: UnsafeRawBufferPointer) {
        precondition(offset + bytes.count <= buffer.count)
        if let source = bytes.baseAddress, let base = buffer.baseAddress, bytes.count > 0 {
            (base + offset).copyMemory(from: source, byteCount: bytes.count)
        }
        offset += bytes.count
    }
}

/// Reads big-endian fields from a buffer, bounds-checked: every read returns nil past the end.
struct BufferReader {
    private let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    var isAtEnd: Bool { offset == buffer.count }

    var remaining: Int { buffer.count - offset }

    mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, count <= buffer.count - offset else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }

    mutating func integer<Integer: FixedWidthInteger>(_ type: Integer.Type) -> Integer? {
        guard let raw = bytes(MemoryLayout<Integer>.size) else { return nil }
        return raw.reduce(Integer(0)) { $0 << 8 | Integer($1) }
    }

    mutating func uint8() -> UInt8? { integer(UInt8.self) }
    mutating func uint16() -> UInt16? { integer(UInt16.self) }
    mutating func uint32() -> UInt32? { integer(UInt32.self) }
    mutating func uint64() -> UInt64? { integer(UInt64.self) }
}
