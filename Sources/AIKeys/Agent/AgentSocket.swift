import CSystem
import Glibc

/// Unix-socket plumbing shared by the agent and its clients: peer credentials, timeouts, whole-frame I/O.
package enum AgentSocket {
    /// The credentials the kernel recorded for the other end of a connected socket.
    package struct Peer: Sendable, Equatable {
        /// Its process id.
        package var pid: Int32
        /// Its user id.
        package var uid: UInt32
    }

    /// SO_PEERCRED of `descriptor`.
    ///
    /// The corresponding C function is `getsockopt(SO_PEERCRED)`.
    package static func peer(of descriptor: Int32) -> Peer? {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        guard csystem_peer_credentials(descriptor, &pid, &uid, &gid) == 0 else { return nil }
        return Peer(pid: pid, uid: uid)
    }

    /// Sets SO_RCVTIMEO and SO_SNDTIMEO.
    package static func setTimeout(_ descriptor: Int32, seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    /// Sets or clears O_NONBLOCK.
    package static func setNonBlocking(_ descriptor: Int32, _ enabled: Bool) {
        let flags = fcntl(descriptor, F_GETFL, 0)
        guard flags >= 0 else { return }
        _ = fcntl(descriptor, F_SETFL, enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Sends a whole frame.
    /// - Throws: `KeysError.agentProtocol` when the peer went away or the write timed out.
    package static func send(_ frame: SecretBytes, on descriptor: Int32) throws(KeysError) {
        let sent = frame.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(
                    descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset,
                    Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        if !sent { throw .agentProtocol("cannot send to the agent: \(KeysFileSystem.describe())") }
    }

    /// Receives one whole frame body (type byte first) into locked memory.
    /// - Throws: `KeysError.agentProtocol` on a closed connection, a timeout or a frame over the cap.
    package static func receive(on descriptor: Int32) throws(KeysError) -> SecretBytes {
        var prefix = [UInt8](repeating: 0, count: 4)
        if let failure = prefix.withUnsafeMutableBytes({ receiveExactly($0, descriptor) }) { throw failure }
        guard let length = AgentFrame.length(of: prefix) else { throw .agentProtocol("frame length out of bounds") }
        let body = try SecretBytes(count: length)
        if let failure = body.withUnsafeMutableBytes({ receiveExactly($0, descriptor) }) { throw failure }
        return body
    }

    /// Fills `buffer`; nil, or why it could not.
    private static func receiveExactly(_ buffer: UnsafeMutableRawBufferPointer, _ descriptor: Int32) -> KeysError? {
        var offset = 0
        while offset < buffer.count {
            let count = recv(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, 0)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .agentProtocol("the agent did not answer in time") }
                return .agentProtocol("cannot read from the agent: \(KeysFileSystem.describe())")
            }
            if count == 0 { return .agentProtocol("the agent closed the connection") }
            offset += count
        }
        return nil
    }
}
