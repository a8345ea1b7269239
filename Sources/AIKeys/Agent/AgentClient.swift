import AIBase
import CSystem
import Glibc

/// What `status` reports about an agent.
package struct AgentStatus: Sendable, Equatable {
    /// Whether it holds no data key.
    package var locked: Bool
    /// Seconds before the idle TTL locks it (nil: none, or locked).
    package var idleLeft: UInt32?
    /// Seconds before the hard TTL locks it (nil: none, or locked).
    package var hardLeft: UInt32?
    /// The highest vault generation it has seen.
    package var generation: UInt64
    /// Its process id.
    package var pid: Int32
    /// The vault it serves (nil from an agent that does not say).
    package var vault: String? = nil
}

/// One key's metadata as the agent lists it (never the key).
package struct AgentListEntry: Sendable, Equatable {
    /// The entry name.
    package var name: String
    /// `VaultEntry.fingerprint`.
    package var fingerprint: String
    /// Unix seconds.
    package var created: Int64
    /// Unix seconds.
    package var updated: Int64

    /// A value with the given parts.
    package init(name: String, fingerprint: String, created: Int64, updated: Int64) {
        self.name = name
        self.fingerprint = fingerprint
        self.created = created
        self.updated = updated
    }
}

/// A connection to the agent, made only after checking that the socket and the process behind it are ours.
///
/// Before a byte is sent: the path must be a socket owned by our uid, and SO_PEERCRED must show the listening
/// process runs as our uid (a socket planted by another user, or a listener of another uid behind a socket we own,
/// is refused: the passphrase never reaches a fake agent).
package final class AgentClient {
    /// The socket path.
    package let path: String
    /// The agent's process id (SO_PEERCRED).
    package let agentPID: Int32
    private let descriptor: Int32

    private init(path: String, descriptor: Int32, agentPID: Int32) {
        self.path = path
        self.descriptor = descriptor
        self.agentPID = agentPID
    }

    deinit { KeysFileSystem.closeQuietly(descriptor) }

    /// Connects to the agent at `path`; nil when nothing listens there (no socket, or a stale one).
    /// - Throws: `KeysError.untrustedAgent` when the socket or the agent is not ours; `.io`.
    package static func connect(path: String, timeout: Double = 10) throws(KeysError) -> AgentClient? {
        guard let info = try KeysFileSystem.status(path) else { return nil }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw .untrustedAgent("refusing the agent socket \(path): not a socket")
        }
        guard info.st_uid == geteuid() else {
            throw .untrustedAgent("refusing the agent socket \(path): it belongs to uid \(info.st_uid), not to you")
        }
        let descriptor = csystem_unix_socket()
        guard descriptor >= 0 else { throw .io("cannot create a socket: \(KeysFileSystem.describe())") }
        AgentSocket.setTimeout(descriptor, seconds: timeout)
        if csystem_unix_connect(descriptor, path) != 0 {
            let code = errno
            KeysFileSystem.closeQuietly(descriptor)
            if code == ECONNREFUSED || code == ENOENT { return nil }
            throw .io("cannot connect to the agent at \(path): \(KeysFileSystem.describe(code))")
        }
        guard let peer = AgentSocket.peer(of: descriptor) else {
            KeysFileSystem.closeQuietly(descriptor)
            throw .untrustedAgent("refusing the agent at \(path): its credentials cannot be read")
        }
        guard peer.uid == geteuid() else {
            KeysFileSystem.closeQuietly(descriptor)
            throw .untrustedAgent("refusing the agent at \(path): it runs as uid \(peer.uid), not as you")
        }
        return AgentClient(path: path, descriptor: descriptor, agentPID: peer.pid)
    }

    /// Sets how long a request may wait for its reply.
    package func setTimeout(_ seconds: Double) {
        AgentSocket.setTimeout(descriptor, seconds: seconds)
    }

    /// The agent's protocol version and pid.
    /// - Throws: `KeysError.agentProtocol`.
    package func hello() throws(KeysError) -> (version: UInt16, pid: Int32) {
        let body = try request(.hello, [.u16(AgentFrame.version)], expecting: .helloReply)
        return try body.withUnsafeBytes { (buffer) throws(KeysError) in
            var reader = AgentFrameReader(buffer)
            _ = reader.u8()
            guard let version = reader.u16(), let pid = reader.u32() else { throw .agentProtocol("malformed reply") }
            return (version, Int32(bitPattern: pid))
        }
    }

    /// Whether the agent is locked, its TTLs and generation, and the vault it serves.
    /// - Throws: `KeysError.agentProtocol`.
    package func status() throws(KeysError) -> AgentStatus {
        let body = try request(.status, [], expecting: .statusReply)
        return try body.withUnsafeBytes { (buffer) throws(KeysError) in
            var reader = AgentFrameReader(buffer)
            _ = reader.u8()
            guard let locked = reader.u8(), let idle = reader.u32(), let hard = reader.u32(),
                let generation = reader.u64(), let pid = reader.u32()
            else { throw .agentProtocol("malformed reply") }
            return AgentStatus(
                locked: locked != 0, idleLeft: idle == AgentFrame.noLimit ? nil : idle,
                hardLeft: hard == AgentFrame.noLimit ? nil : hard, generation: generation,
                pid: Int32(bitPattern: pid), vault: reader.string())
        }
    }

    /// Sends the passphrase; the agent derives the key, opens the vault and keeps the data key.
    /// - Throws: `KeysError.incorrectPassphrase`, `.agentRefused` (back-off), the vault's errors as the agent saw them.
    package func unlock(passphrase: SecretBytes, idleTTL: UInt32, hardTTL: UInt32, tool: String) throws(KeysError) {
        _ = try request(.unlock, [.secret(passphrase), .u32(idleTTL), .u32(hardTTL), .string(tool)], expecting: .ok)
    }

    /// The key named `name`; nil when the vault has no such entry.
    /// - Throws: `KeysError.agentLocked`, `.agentRefused`, `.agentProtocol`.
    package func get(_ name: String, tool: String) throws(KeysError) -> SecretBytes? {
        let body: SecretBytes
        do throws(KeysError) {
            body = try request(.get, [.string(name), .string(tool)], expecting: .getReply)
        } catch .entryNotFound {
            return nil
        }
        return try body.withUnsafeBytes { (buffer) throws(KeysError) in
            var reader = AgentFrameReader(buffer)
            _ = reader.u8()
            guard let secret = reader.secret(), reader.isAtEnd else { throw .agentProtocol("malformed reply") }
            return secret
        }
    }

    /// The entries' names, fingerprints and dates.
    /// - Throws: `KeysError.agentLocked`, `.agentRefused`, `.agentProtocol`.
    package func list(tool: String) throws(KeysError) -> [AgentListEntry] {
        let body = try request(.list, [.string(tool)], expecting: .listReply)
        return try body.withUnsafeBytes { (buffer) throws(KeysError) in
            var reader = AgentFrameReader(buffer)
            _ = reader.u8()
            guard let count = reader.u32() else { throw .agentProtocol("malformed reply") }
            var entries: [AgentListEntry] = []
            for _ in 0..<min(count, UInt32(VaultContents.maximumEntries)) {
                guard let name = reader.string(), let fingerprint = reader.string(), let created = reader.u64(),
                    let updated = reader.u64()
                else { throw .agentProtocol("malformed reply") }
                entries.append(
                    AgentListEntry(
                        name: name, fingerprint: fingerprint,
                        created: Int64(bitPattern: created), updated: Int64(bitPattern: updated)))
            }
            return entries
        }
    }

    /// Makes the agent forget its data key.
    /// - Throws: `KeysError.agentProtocol`.
    package func lock(tool: String) throws(KeysError) {
        _ = try request(.lock, [.string(tool)], expecting: .ok)
    }

    /// Asks the agent to exit.
    /// - Throws: `KeysError.agentProtocol`.
    package func shutdown() throws(KeysError) {
        _ = try request(.shutdown, [], expecting: .ok)
    }

    private func request(
        _ type: AgentMessageType, _ fields: [AgentFrame.Field], expecting reply: AgentMessageType
    )
        throws(KeysError) -> SecretBytes
    {
        try AgentSocket.send(try AgentFrame.encode(type, fields), on: descriptor)
        let body = try AgentSocket.receive(on: descriptor)
        let kind = body.withUnsafeBytes { $0.first ?? 0 }
        if kind == reply.rawValue { return body }
        guard kind == AgentMessageType.error.rawValue else { throw .agentProtocol("unexpected reply type \(kind)") }
        let (code, message, status) = body.withUnsafeBytes { buffer -> (UInt8?, String?, UInt8?) in
            var reader = AgentFrameReader(buffer)
            _ = reader.u8()
            return (reader.u8(), reader.string(), reader.u8())
        }
        let text = message ?? "refused"
        switch code.flatMap(AgentErrorCode.init(rawValue:)) {
        case .locked: throw .agentLocked
        case .notFound: throw .entryNotFound(name: text)
        case .badPassphrase: throw .incorrectPassphrase
        case .emptyPassphrase: throw .emptyPassphrase
        case .vault: throw .agentVault(text, status: Int32(status ?? UInt8(ExitStatus.ioError.rawValue)))
        case .vaultChanged, .rolledBack, .backoff: throw .agentRefused(text)
        case .unsupported, nil: throw .agentProtocol(text)
        }
    }
}
