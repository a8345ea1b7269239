import AIBase
import CSystem
import Glibc
import Synchronization

/// How an agent runs: its socket, the one vault it reads, its TTL ceilings and its audit log.
package struct AgentConfiguration: Sendable {
    /// Default idle TTL: 10 minutes (gpg `default-cache-ttl`).
    package static let defaultIdleTTL = 600.0
    /// Default hard TTL: 2 hours (gpg `max-cache-ttl`).
    package static let defaultHardTTL = 7200.0

    /// The socket path (fixed at start).
    package var socketPath: String
    /// The vault (fixed at start: requests never name a file, so the agent is no decryption oracle).
    package var vault: VaultLocation
    /// Seconds of disuse before locking; nil is forever.
    package var idleTTL: Double?
    /// Seconds after an unlock before locking; nil is forever.
    package var hardTTL: Double?
    /// Where key accesses are recorded.
    package var audit: AuditLog

    /// A configuration.
    package init(socketPath: String, vault: VaultLocation, idleTTL: Double?, hardTTL: Double?, audit: AuditLog) {
        self.socketPath = socketPath
        self.vault = vault
        self.idleTTL = idleTTL
        self.hardTTL = hardTTL
        self.audit = audit
    }
}

/// The write end of the agent's self-pipe, for its signal handler.
nonisolated(unsafe) private var agentWakeDescriptor: Int32 = -1

/// SIGUSR1 (lock) and SIGHUP (exit) become a byte on the self-pipe; `write` is async-signal-safe.
private let agentSignalHandler: @convention(c) (Int32) -> Void = { signal in
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(agentWakeDescriptor, &byte, 1)
}

/// The unlock agent: a single-threaded `poll` loop serving `AgentFrame` requests on a Unix socket (ssh-agent's
/// shape, easy to audit).
///
/// It holds at most the vault's data key, in guarded memory that is locked, excluded from dumps and made
/// inaccessible between requests; `lock`, SIGUSR1, a TTL or a changed vault wipe it. It re-reads the vault on
/// every `get`, so writes made with the passphrase are seen at once, and it never writes the vault. Connections
/// from another uid are closed before a byte is read; at most 32 connections, each closed after 10 s idle;
/// failed unlocks are answered after 0.1 s × failures (up to 10 s) and block further attempts meanwhile. It exits
/// on `shutdown`, SIGHUP, or when its socket file is removed or replaced.
package final class AgentServer {
    private static let connectionLimit = 32
    private static let connectionIdleSeconds = 10.0
    private static let socketCheckSeconds = 1.0

    private let configuration: AgentConfiguration
    private let clock: () -> Double
    private var listener: Int32 = -1
    private var lockDescriptor: Int32 = -1
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var pendingUnlock: PendingUnlock?
    private var socketIdentity: (device: UInt, inode: UInt)?
    private var connections: [Int32: Connection] = [:]
    private var session = AgentSession()
    private var dataKey: SecretBytes?
    private var headerPrefix: [UInt8]?
    private var highestGeneration: UInt64 = 0
    private var failedUnlocks = 0
    private var unlockBlockedUntil = 0.0
    private var running = true
    private var warnedAboutMemoryLock = false
    /// Where the agent reports refusals and state changes (stderr in the foreground).
    package var log: (String) -> Void = { _ in }

    /// An agent for `configuration`; `clock` gives the TTL time (CLOCK_BOOTTIME unless a test injects one).
    package init(configuration: AgentConfiguration, clock: @escaping () -> Double = BootClock.now) {
        self.configuration = configuration
        self.clock = clock
    }

    deinit {
        for descriptor in connections.keys { KeysFileSystem.closeQuietly(descriptor) }
        KeysFileSystem.closeQuietly(listener)
        KeysFileSystem.closeQuietly(wakeRead)
        KeysFileSystem.closeQuietly(lockDescriptor)
    }

    /// The process-wide hardening every agent applies first: not dumpable (no core, no ptrace, no same-uid
    /// `/proc/PID/mem` or `environ`) and RLIMIT_CORE 0/0 (`ProcessHardening.forbidCoreDumps`).
    /// - Returns: false when a setting was refused.
    @discardableResult
    package static func hardenProcess() -> Bool {
        ProcessHardening.forbidCoreDumps()
    }

    /// Creates the 0700 directory, takes the single-instance lock, replaces a stale socket and listens (0600).
    /// - Throws: `KeysError.agentRunning`, `.runtimeDirectory`, `.permissionsTooOpen`, `.notOwned`,
    ///   `.untrustedAgent`, `.io`.
    package func bind() throws(KeysError) {
        try Sodium.initialize()
        let path = configuration.socketPath
        let directory = KeysFileSystem.directory(of: path)
        if try KeysFileSystem.status(directory) == nil {
            let parent = KeysFileSystem.directory(of: directory)
            guard try KeysFileSystem.status(parent) != nil else {
                throw .runtimeDirectory(
                    "runtime directory \(parent) does not exist; set XDG_RUNTIME_DIR or AI_KEYS_SOCK")
            }
            if mkdir(directory, 0o700) != 0, errno != EEXIST {
                throw .io("cannot create \(directory): \(KeysFileSystem.describe())")
            }
        }
        try KeysFileSystem.checkDirectory(directory, allowGroupRead: false)
        lockDescriptor = KeysFileSystem.retrying {
            open(path + ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0o600)
        }
        guard lockDescriptor >= 0 else { throw .io("cannot open \(path).lock: \(KeysFileSystem.describe())") }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else { throw .agentRunning(path: path) }
        if let existing = try KeysFileSystem.status(path) {
            guard existing.st_mode & S_IFMT == S_IFSOCK else {
                throw .untrustedAgent("\(path) exists and is not a socket; refusing to replace it")
            }
            if Self.answers(path) { throw .agentRunning(path: path) }
            _ = unlink(path)
        }
        let descriptor = csystem_unix_socket()
        guard descriptor >= 0 else { throw .io("cannot create a socket: \(KeysFileSystem.describe())") }
        listener = descriptor
        _ = fchmod(descriptor, 0o600)
        if csystem_unix_bind(descriptor, path) != 0 {
            if errno == EADDRINUSE { throw .agentRunning(path: path) }
            if errno == ENAMETOOLONG { throw .runtimeDirectory("socket path too long (over 107 bytes): \(path)") }
            throw .io("cannot bind \(path): \(KeysFileSystem.describe())")
        }
        guard listen(descriptor, 64) == 0 else { throw .io("cannot listen on \(path): \(KeysFileSystem.describe())") }
        guard let info = try KeysFileSystem.status(path) else { throw .io("\(path) vanished after bind") }
        if info.st_mode & 0o777 != 0o600 { _ = chmod(path, 0o600) }
        socketIdentity = (UInt(info.st_dev), UInt(info.st_ino))
        AgentSocket.setNonBlocking(descriptor, true)
        var ends: [Int32] = [-1, -1]
        guard ends.withUnsafeMutableBufferPointer({ csystem_pipe_cloexec($0.baseAddress) }) == 0 else {
            throw .io("cannot create a pipe: \(KeysFileSystem.describe())")
        }
        wakeRead = ends[0]
        wakeWrite = ends[1]
        AgentSocket.setNonBlocking(ends[0], true)
        AgentSocket.setNonBlocking(ends[1], true)
        agentWakeDescriptor = ends[1]
        for signal in [SIGUSR1, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = agentSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            _ = sigaction(signal, &action, nil)
        }
    }

    /// Whether something accepts connections at `path`.
    private static func answers(_ path: String) -> Bool {
        let descriptor = csystem_unix_socket()
        guard descriptor >= 0 else { return false }
        defer { KeysFileSystem.closeQuietly(descriptor) }
        return csystem_unix_connect(descriptor, path) == 0
    }

    /// Serves until `shutdown`, SIGHUP or the loss of the socket file; then removes the socket and wipes the key.
    package func serve() {
        while running {
            expireIfDue()
            var entries = [
                pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            for (descriptor, connection) in connections {
                entries.append(
                    pollfd(
                        fd: descriptor,
                        events: connection.deferred == nil && !connection.waiting ? Int16(POLLIN) : 0,
                        revents: 0))
            }
            let ready = poll(&entries, nfds_t(entries.count), pollTimeoutMilliseconds())
            if ready < 0, errno != EINTR { break }
            if entries[1].revents != 0 { drainSignals() }
            finishUnlock()
            if entries[0].revents & Int16(POLLIN) != 0 { acceptConnections() }
            for entry in entries.dropFirst(2) where entry.revents != 0 {
                guard let connection = connections[entry.fd] else { continue }
                if entry.revents & Int16(POLLIN) != 0 {
                    if !receive(connection) { drop(connection) }
                } else if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                    drop(connection)
                }
            }
            sendDeferredReplies()
            closeIdleConnections()
            if !socketIsOurs() {
                log("the socket \(configuration.socketPath) was removed or replaced; exiting")
                running = false
                socketIdentity = nil
            }
        }
        shutdown()
    }

    /// Removes the socket (if it is still ours), closes every connection and wipes the key.
    package func shutdown() {
        for connection in connections.values { drop(connection) }
        wipe()
        if socketIsOurs() { _ = unlink(configuration.socketPath) }
        socketIdentity = nil
    }

    // MARK: - The loop's parts

    private func pollTimeoutMilliseconds() -> Int32 {
        let monotonic = Monotonic.now()
        var wait = Self.socketCheckSeconds
        if let deadline = session.deadline { wait = min(wait, deadline - clock()) }
        for connection in connections.values {
            if let deferred = connection.deferred { wait = min(wait, deferred.at - monotonic) }
            if !connection.waiting {
                wait = min(wait, connection.lastActivity + Self.connectionIdleSeconds - monotonic)
            }
        }
        return Int32(max(0, min(wait, Self.socketCheckSeconds)) * 1000) + 1
    }

    private func expireIfDue() {
        if dataKey != nil, session.isExpired(at: clock()) {
            wipe()
            log("locked: ttl expired")
        }
    }

    private func wipe() {
        dataKey?.unprotect()
        dataKey = nil
        headerPrefix = nil
        session.lock()
    }

    private func drainSignals() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(wakeRead, &bytes, bytes.count)
            if count <= 0 { return }
            for byte in bytes[0..<count] {
                if Int32(byte) == SIGUSR1 {
                    wipe()
                    log("locked: SIGUSR1")
                } else if Int32(byte) == SIGHUP {
                    running = false
                }
            }
        }
    }

    private func socketIsOurs() -> Bool {
        guard let identity = socketIdentity else { return false }
        var info = stat()
        guard lstat(configuration.socketPath, &info) == 0 else { return false }
        return UInt(info.st_dev) == identity.device && UInt(info.st_ino) == identity.inode
    }

    private func acceptConnections() {
        while true {
            let descriptor = csystem_accept_cloexec(listener)
            if descriptor < 0 { return }
            guard let peer = AgentSocket.peer(of: descriptor) else {
                KeysFileSystem.closeQuietly(descriptor)
                continue
            }
            guard peer.uid == geteuid() else {
                log("refused a connection from uid \(peer.uid) (pid \(peer.pid)): uid mismatch")
                KeysFileSystem.closeQuietly(descriptor)
                continue
            }
            guard connections.count < Self.connectionLimit else {
                log("refused a connection from pid \(peer.pid): too many connections")
                KeysFileSystem.closeQuietly(descriptor)
                continue
            }
            AgentSocket.setTimeout(descriptor, seconds: 2)
            connections[descriptor] = Connection(descriptor: descriptor, peer: peer, now: Monotonic.now())
        }
    }

    private func drop(_ connection: Connection) {
        connections[connection.descriptor] = nil
        KeysFileSystem.closeQuietly(connection.descriptor)
    }

    private func closeIdleConnections() {
        let now = Monotonic.now()
        for connection in connections.values
        where connection.deferred == nil && !connection.waiting
            && now - connection.lastActivity > Self.connectionIdleSeconds
        {
            drop(connection)
        }
    }

    private func sendDeferredReplies() {
        let now = Monotonic.now()
        for connection in connections.values {
            guard let deferred = connection.deferred, deferred.at <= now else { continue }
            connection.deferred = nil
            connection.lastActivity = now
            if (try? AgentSocket.send(deferred.frame, on: connection.descriptor)) == nil { drop(connection) }
        }
    }

    /// Reads what is available; handles a frame once complete. False closes the connection.
    private func receive(_ connection: Connection) -> Bool {
        connection.lastActivity = Monotonic.now()
        if let body = connection.body {
            let count = body.withUnsafeMutableBytes { buffer in
                recv(
                    connection.descriptor, buffer.baseAddress.map { $0 + connection.filled },
                    buffer.count - connection.filled, 0)
            }
            if count < 0 { return errno == EINTR || errno == EAGAIN }
            if count == 0 { return false }
            connection.filled += count
            guard connection.filled == body.count else { return true }
            connection.body = nil
            connection.prefix = []
            return handle(body, from: connection)
        }
        var bytes = [UInt8](repeating: 0, count: 4 - connection.prefix.count)
        let count = recv(connection.descriptor, &bytes, bytes.count, 0)
        if count < 0 { return errno == EINTR || errno == EAGAIN }
        if count == 0 { return false }
        connection.prefix += bytes[0..<count]
        guard connection.prefix.count == 4 else { return true }
        guard let length = AgentFrame.length(of: connection.prefix), let body = try? SecretBytes(count: length) else {
            log("closed a connection from pid \(connection.peer.pid): frame length out of bounds")
            return false
        }
        connection.body = body
        connection.filled = 0
        return true
    }

    // MARK: - Requests

    private func handle(_ body: SecretBytes, from connection: Connection) -> Bool {
        expireIfDue()
        let reply: Reply = body.withUnsafeBytes { buffer in
            var reader = AgentFrameReader(buffer)
            guard let raw = reader.u8() else { return .close }
            guard let type = AgentMessageType(rawValue: raw) else {
                return .now(error(.unsupported, "unsupported request type \(raw)"))
            }
            switch type {
            case .hello:
                guard let version = reader.u16(), reader.isAtEnd else { return .close }
                guard version == AgentFrame.version else {
                    return .now(error(.unsupported, "unsupported protocol version \(version)"))
                }
                return .now(frame(.helloReply, [.u16(AgentFrame.version), .u32(UInt32(bitPattern: getpid()))]))
            case .status:
                guard reader.isAtEnd else { return .close }
                return .now(statusReply())
            case .unlock:
                guard let passphrase = reader.secret(), let idle = reader.u32(), let hard = reader.u32(),
                    let tool = reader.string(), reader.isAtEnd
                else { return .close }
                return unlock(passphrase: passphrase, idle: idle, hard: hard, tool: tool, connection: connection)
            case .get:
                guard let name = reader.string(), let tool = reader.string(), reader.isAtEnd else { return .close }
                return .now(get(name, tool: tool, peer: connection.peer))
            case .list:
                guard reader.string() != nil, reader.isAtEnd else { return .close }
                return .now(list())
            case .lock:
                guard let tool = reader.string(), reader.isAtEnd else { return .close }
                let wasUnlocked = dataKey != nil
                wipe()
                if wasUnlocked { audit("lock", name: nil, tool: tool, pid: connection.peer.pid) }
                return .now(frame(.ok, []))
            case .shutdown:
                guard reader.isAtEnd else { return .close }
                running = false
                return .now(frame(.ok, []))
            default:
                return .now(error(.unsupported, "unsupported request type \(raw)"))
            }
        }
        switch reply {
        case .close:
            log("closed a connection from pid \(connection.peer.pid): malformed request")
            return false
        case .now(let frame):
            guard let frame else { return false }
            return (try? AgentSocket.send(frame, on: connection.descriptor)) != nil
        case .later(let frame, let at):
            guard let frame else { return false }
            connection.deferred = (at, frame)
            return true
        case .pending:
            connection.waiting = true
            return true
        }
    }

    private func statusReply() -> SecretBytes? {
        let now = clock()
        let unlocked = dataKey != nil && session.isUnlocked(at: now)
        func seconds(_ value: Double?) -> UInt32 {
            guard unlocked, let value else { return AgentFrame.noLimit }
            return UInt32(min(value.rounded(.up), Double(AgentFrame.noLimit - 1)))
        }
        return frame(
            .statusReply,
            [
                .u8(unlocked ? 0 : 1), .u32(seconds(session.idleLeft(at: now))),
                .u32(seconds(session.hardLeft(at: now))), .u64(highestGeneration),
                .u32(UInt32(bitPattern: getpid())), .string(configuration.vault.path),
            ])
    }

    /// Starts an unlock: the vault is read here, the key derivation (up to the header's cost, which may take
    /// minutes) runs on a thread of its own, so the loop keeps answering, expiring TTLs and locking meanwhile; the
    /// reply goes out when it ends (`finishUnlock`). One unlock runs at a time.
    private func unlock(
        passphrase: SecretBytes, idle: UInt32, hard: UInt32, tool: String, connection: Connection
    )
        -> Reply
    {
        let monotonic = Monotonic.now()
        guard monotonic >= unlockBlockedUntil else {
            let wait = Int((unlockBlockedUntil - monotonic).rounded(.up))
            return .now(error(.backoff, "too many failed unlocks; try again in \(wait)s"))
        }
        guard passphrase.count > 0 else { return .now(error(.emptyPassphrase, "empty passphrase")) }
        guard pendingUnlock == nil else {
            return .now(error(.backoff, "another unlock is running; try again when it ends"))
        }
        let work: UnlockWork
        do {
            guard let (file, header) = try Vault.read(configuration.vault) else {
                throw KeysError.noVault(path: configuration.vault.path)
            }
            work = UnlockWork(passphrase: passphrase, file: file, header: header)
        } catch {
            return .now(vaultError(error))
        }
        pendingUnlock = PendingUnlock(
            work: work, connection: connection, idle: idle, hard: hard, tool: tool, started: monotonic)
        let wake = wakeWrite
        let started = Threads.detach {
            work.run()
            var byte: UInt8 = 0
            _ = write(wake, &byte, 1)
        }
        if !started { work.run() }
        return .pending
    }

    /// Applies a finished key derivation and schedules its reply (for a wrong passphrase, after the back-off).
    private func finishUnlock() {
        guard let pending = pendingUnlock, let outcome = pending.work.outcome else { return }
        pendingUnlock = nil
        let now = Monotonic.now()
        let peer = pending.connection.peer
        var reply: SecretBytes?
        var at = now
        switch outcome {
        case .failed(let failure):
            reply = vaultError(failure)
        case .wrongPassphrase:
            failedUnlocks = min(failedUnlocks + 1, 100)
            let delay = min(0.1 * Double(failedUnlocks), 10)
            at = max(now, pending.started + delay)
            unlockBlockedUntil = at
            audit("unlock_failed", name: nil, tool: pending.tool, pid: peer.pid)
            log("failed unlock from pid \(peer.pid) (\(failedUnlocks) in a row)")
            reply = error(.badPassphrase, "incorrect passphrase")
        case .key(let key):
            let work = pending.work
            do {
                let vault = try Vault.open(configuration.vault, file: work.file, header: work.header, dataKey: key)
                wipe()
                if !key.lockInMemory(), !warnedAboutMemoryLock {
                    warnedAboutMemoryLock = true
                    log("the data key could not be locked in memory (RLIMIT_MEMLOCK); it may be swapped out")
                }
                key.protect()
                dataKey = key
                headerPrefix = Array(work.file[0..<VaultHeader.bodyNonceStart])
                highestGeneration = max(highestGeneration, vault.contents.generation)
                failedUnlocks = 0
                session.unlock(
                    at: clock(),
                    idleTTL: AgentSession.clamp(requested: pending.idle, ceiling: configuration.idleTTL),
                    hardTTL: AgentSession.clamp(requested: pending.hard, ceiling: configuration.hardTTL))
                audit("unlock", name: nil, tool: pending.tool, pid: peer.pid)
                log("unlocked by pid \(peer.pid)")
                reply = frame(.ok, [])
            } catch {
                reply = vaultError(error)
            }
        }
        let connection = pending.connection
        guard connections[connection.descriptor] === connection else { return }
        connection.waiting = false
        connection.lastActivity = now
        guard let reply else { return drop(connection) }
        connection.deferred = (at, reply)
    }

    /// Records an access in the audit log; a line that cannot be written is logged, never waited on.
    private func audit(_ action: String, name: String?, tool: String, pid: Int32) {
        if let problem = configuration.audit.record(action: action, name: name, tool: tool, pid: pid, via: "agent") {
            log(problem)
        }
    }

    /// The vault as the unlocked key opens it, or the error reply (locking when the vault changed under us).
    private func openVault() -> Opened {
        guard let key = dataKey, let prefix = headerPrefix, session.isUnlocked(at: clock()) else {
            return .failure(error(.locked, "the agent is locked"))
        }
        let file: [UInt8]
        let header: VaultHeader
        do {
            guard let read = try Vault.read(configuration.vault) else {
                throw KeysError.noVault(path: configuration.vault.path)
            }
            (file, header) = read
        } catch {
            return .failure(vaultError(error))
        }
        guard file[0..<VaultHeader.bodyNonceStart].elementsEqual(prefix) else {
            wipe()
            log("locked: the vault's passphrase or data key changed")
            return .failure(error(.vaultChanged, "the vault changed (new passphrase?); unlock again"))
        }
        key.unprotect()
        defer { key.protect() }
        guard let vault = try? Vault.open(configuration.vault, file: file, header: header, dataKey: key) else {
            wipe()
            log("locked: the vault no longer opens with the unlocked key")
            return .failure(error(.vaultChanged, "the vault no longer opens with the unlocked key"))
        }
        guard vault.contents.generation >= highestGeneration else {
            return .failure(
                error(
                    .rolledBack,
                    "the vault is older than one already seen "
                        + "(generation \(vault.contents.generation) < \(highestGeneration)): refusing a rollback"))
        }
        highestGeneration = vault.contents.generation
        return .vault(vault)
    }

    private func get(_ name: String, tool: String, peer: AgentSocket.Peer) -> SecretBytes? {
        switch openVault() {
        case .failure(let reply):
            return reply
        case .vault(let vault):
            guard let entry = vault.contents.entry(named: name) else { return error(.notFound, name) }
            session.touch(at: clock())
            audit("get", name: name, tool: tool, pid: peer.pid)
            return frame(.getReply, [.secret(entry.secret)])
        }
    }

    private func list() -> SecretBytes? {
        switch openVault() {
        case .failure(let reply):
            return reply
        case .vault(let vault):
            var fields: [AgentFrame.Field] = [.u32(UInt32(vault.contents.entries.count))]
            for entry in vault.contents.entries {
                fields += [
                    .string(entry.name), .string(entry.fingerprint), .u64(UInt64(bitPattern: entry.created)),
                    .u64(UInt64(bitPattern: entry.updated)),
                ]
            }
            return frame(.listReply, fields)
        }
    }

    // MARK: - Replies

    private enum Reply {
        case now(SecretBytes?)
        case later(SecretBytes?, at: Double)
        /// The reply waits for the key derivation running off the loop.
        case pending
        case close
    }

    private enum Opened {
        case vault(Vault)
        case failure(SecretBytes?)
    }

    private func frame(_ type: AgentMessageType, _ fields: [AgentFrame.Field]) -> SecretBytes? {
        try? AgentFrame.encode(type, fields)
    }

    private func error(_ code: AgentErrorCode, _ message: String) -> SecretBytes? {
        frame(.error, [.u8(code.rawValue), .string(message)])
    }

    private func vaultError(_ failure: any Error) -> SecretBytes? {
        let keys = failure as? KeysError ?? .io("\(failure)")
        let visible = AIError(keys)
        return frame(
            .error,
            [
                .u8(AgentErrorCode.vault.rawValue), .string(visible.message),
                .u8(UInt8(truncatingIfNeeded: visible.exitStatus.rawValue)),
            ])
    }
}

/// One client connection's state: the frame being read and a reply held back by the unlock back-off.
private final class Connection {
    let descriptor: Int32
    let peer: AgentSocket.Peer
    var prefix: [UInt8] = []
    var body: SecretBytes?
    var filled = 0
    var lastActivity: Double
    var deferred: (at: Double, frame: SecretBytes)?
    /// Its unlock's key derivation runs: no request is read from it meanwhile, and it is never idle.
    var waiting = false

    init(descriptor: Int32, peer: AgentSocket.Peer, now: Double) {
        self.descriptor = descriptor
        self.peer = peer
        self.lastActivity = now
    }
}

/// An unlock whose key derivation runs off the loop: who asked, and what for.
private struct PendingUnlock {
    let work: UnlockWork
    let connection: Connection
    let idle: UInt32
    let hard: UInt32
    let tool: String
    let started: Double
}

/// The key derivation and unwrap of one unlock, run on a thread of its own; `outcome` is read by the loop once
/// the thread has written its wake byte (the atomic flag orders the two).
private final class UnlockWork: @unchecked Sendable {
    enum Outcome {
        case key(SecretBytes)
        case wrongPassphrase
        case failed(KeysError)
    }

    let file: [UInt8]
    let header: VaultHeader
    private let passphrase: SecretBytes
    private var result: Outcome?
    private let done = Atomic<Bool>(false)

    init(passphrase: SecretBytes, file: [UInt8], header: VaultHeader) {
        self.passphrase = passphrase
        self.file = file
        self.header = header
    }

    /// The outcome, once `run` has finished.
    var outcome: Outcome? { done.load(ordering: .acquiring) ? result : nil }

    /// Derives the key-encryption key at the header's cost and unwraps the data key with it.
    func run() {
        do {
            let kek = try VaultCrypto.deriveKeyEncryptionKey(passphrase: passphrase, salt: header.salt, kdf: header.kdf)
            passphrase.wipe()
            do {
                result = .key(try VaultCrypto.unwrapDataKey(file: file, header: header, kek: kek))
            } catch {
                result = .wrongPassphrase
            }
        } catch {
            result = .failed(error)
        }
        done.store(true, ordering: .releasing)
    }
}
