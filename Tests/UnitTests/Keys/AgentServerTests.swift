import AIBase
import AICommandLine
import AIKeys
import AIProviders
import Glibc
import Synchronization
import Testing

/// A clock the test moves.
final class FakeClock: Sendable {
    let value = Mutex<Double>(1000)
}

/// The agent in-process, on an injected clock: unlock, back-off, TTLs, lock, a changed or rolled-back vault.
@Suite(.serialized) struct AgentServerTests {
    /// A running agent on its own thread, with a clock the test moves.
    final class Harness: @unchecked Sendable {
        let directory = KeysTest.privateDirectory()
        let location: VaultLocation
        let socket: String
        let clock = FakeClock()
        let server: AgentServer
        let finished = Atomic<Bool>(false)

        init(idleTTL: Double? = 60, hardTTL: Double? = 600) throws {
            location = VaultLocation(path: directory + "/vault")
            socket = directory + "/run/agent.sock"
            try KeysTest.write(try KeysTest.fixture("v1-min.vault"), to: location.path)
            let configuration = AgentConfiguration(
                socketPath: socket, vault: location, idleTTL: idleTTL,
                hardTTL: hardTTL, audit: AuditLog(path: directory + "/audit.jsonl"))
            let clock = clock
            server = AgentServer(configuration: configuration, clock: { clock.value.withLock { $0 } })
            try server.bind()
            Threads.detach { [self] in
                server.serve()
                finished.store(true, ordering: .relaxed)
            }
        }

        func client() throws -> AgentClient {
            try #require(try AgentClient.connect(path: socket))
        }

        func advance(_ seconds: Double) {
            clock.value.withLock { $0 += seconds }
        }

        func unlock(_ passphrase: String = KeysTest.fixturePassphrase) throws {
            try client().unlock(passphrase: try KeysTest.secret(passphrase), idleTTL: 0, hardTTL: 0, tool: "test")
        }

        func stop() {
            try? client().shutdown()
            for _ in 0..<200 where !finished.load(ordering: .relaxed) { usleep(10_000) }
            KeysTest.removeTree(directory)
        }
    }

    @Test func socket_isPrivate_andASecondAgentIsRefused() throws {
        let harness = try Harness()
        defer { harness.stop() }
        var info = stat()
        lstat(harness.socket, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        lstat(KeysFileSystem.directory(of: harness.socket), &info)
        #expect(info.st_mode & 0o777 == 0o700)
        let second = AgentServer(
            configuration: AgentConfiguration(
                socketPath: harness.socket, vault: harness.location, idleTTL: nil, hardTTL: nil,
                audit: AuditLog(path: harness.directory + "/a2")))
        #expect(throws: KeysError.agentRunning(path: harness.socket)) { try second.bind() }
    }

    @Test func lockedAgent_refusesKeys_thenServesThemOnceUnlocked() throws {
        let harness = try Harness()
        defer { harness.stop() }
        #expect(try harness.client().status().locked)
        #expect(throws: KeysError.agentLocked) { _ = try harness.client().get("openai", tool: "t") }
        try harness.unlock()
        let status = try harness.client().status()
        #expect(!status.locked && status.generation == 3 && status.idleLeft == 60 && status.hardLeft == 600)
        #expect(try harness.client().get("openai", tool: "t")?.isEqual(to: Array("sk-fixture-openai".utf8)) == true)
        #expect(try harness.client().get("missing", tool: "t") == nil)
        #expect(try harness.client().list(tool: "t").map(\.name) == ["anthropic", "openai"])
        try harness.client().lock(tool: "t")
        #expect(throws: KeysError.agentLocked) { _ = try harness.client().get("openai", tool: "t") }
        let audit = try KeysTest.read(harness.directory + "/audit.jsonl")
        #expect(!String(decoding: audit, as: UTF8.self).contains("sk-fixture"))
        #expect(String(decoding: audit, as: UTF8.self).contains(#""action":"get","name":"openai","tool":"t""#))
    }

    @Test func ttls_lockOnTheInjectedClock() throws {
        let harness = try Harness(idleTTL: 2, hardTTL: 5)
        defer { harness.stop() }
        try harness.unlock()
        harness.advance(1.5)
        #expect(try harness.client().get("openai", tool: "t") != nil)
        harness.advance(1.5)
        #expect(try harness.client().get("openai", tool: "t") != nil)
        harness.advance(1.5)
        #expect(try harness.client().get("openai", tool: "t") != nil)
        harness.advance(1.0)
        #expect(throws: KeysError.agentLocked) { _ = try harness.client().get("openai", tool: "t") }
        try harness.unlock()
        harness.advance(2.5)
        #expect(try harness.client().status().locked)
    }

    @Test func failedUnlocks_backOff() throws {
        let harness = try Harness()
        defer { harness.stop() }
        var delays: [Double] = []
        for _ in 0..<3 {
            let started = Monotonic.now()
            #expect(throws: KeysError.incorrectPassphrase) { try harness.unlock("wrong passphrase") }
            delays.append(Monotonic.now() - started)
        }
        #expect(delays[0] >= 0.09 && delays[1] >= 0.19 && delays[2] >= 0.29, "\(delays)")
        #expect(try harness.client().status().locked)
        try harness.unlock()
        #expect(try !harness.client().status().locked)
    }

    @Test func aChangedPassphrase_locksTheAgent_andARollbackIsRefused() throws {
        let harness = try Harness()
        defer { harness.stop() }
        try harness.unlock()
        let old = try KeysTest.read(harness.location.path)
        let passphrase = try KeysTest.secret()
        try Vault.modify(harness.location, passphrase: passphrase) { (contents) throws(KeysError) in
            try contents.set("new", secret: try SecretBytes(utf8: "v"), time: 1)
        }
        #expect(try harness.client().get("new", tool: "t") != nil)
        try KeysTest.write(old, to: harness.location.path)
        #expect(throws: KeysError.self) { _ = try harness.client().get("openai", tool: "t") }
        #expect(try !harness.client().status().locked)
        let opened = try Vault.open(harness.location, passphrase: passphrase)
        try Vault.changePassphrase(
            harness.location, opened: opened, oldPassphrase: passphrase,
            to: try KeysTest.secret("another passphrase"),
            kdf: KDFParameters(operations: 1, memoryKiB: 8))
        #expect(throws: KeysError.self) { _ = try harness.client().get("openai", tool: "t") }
        #expect(try harness.client().status().locked)
    }

    /// Before: the key derivation ran on the agent's only loop, so a vault header at the highest cost it accepts
    /// stalled every request (and every TTL) for as long as it took.
    @Test func aCostlyKeyDerivation_runsOffTheLoop() throws {
        let harness = try Harness()
        defer { harness.stop() }
        var file = try KeysTest.fixture("v1-min.vault")
        file = KeysTest.storing(16, at: 16, in: file)
        file = KeysTest.storing(256 * 1024, at: 20, in: file)
        try KeysTest.write(KeysTest.rechecksummed(file), to: harness.location.path)
        let outcome = Mutex<KeysError?>(nil)
        let done = Atomic<Bool>(false)
        let socket = harness.socket
        Threads.detach {
            do throws(KeysError) {
                guard let client = try AgentClient.connect(path: socket) else { throw .noAgent(path: socket) }
                client.setTimeout(120)
                try client.unlock(
                    passphrase: try SecretBytes(utf8: KeysTest.fixturePassphrase), idleTTL: 0, hardTTL: 0, tool: "test")
            } catch {
                outcome.withLock { $0 = error }
            }
            done.store(true, ordering: .releasing)
        }
        let unlockStarted = Monotonic.now()
        usleep(200_000)
        let started = Monotonic.now()
        let status = try harness.client().status()
        let waited = Monotonic.now() - started
        #expect(status.locked && status.vault == harness.location.path)
        #expect(throws: KeysError.agentRefused("another unlock is running; try again when it ends")) {
            try harness.unlock()
        }
        let ended = done.load(ordering: .acquiring)
        #expect(!ended, "the key derivation ended too soon to tell")
        for _ in 0..<12_000 where !done.load(ordering: .acquiring) { usleep(10_000) }
        let derivation = Monotonic.now() - unlockStarted
        #expect(outcome.withLock { $0 } == .incorrectPassphrase)
        // On the loop, status would have waited for (nearly) the whole derivation; beside it, a small part of it.
        #expect(waited < derivation / 3, "status waited \(waited) s of a \(derivation) s derivation")
        #expect(try harness.client().status().locked)
    }

    @Test func shutdown_removesTheSocket() throws {
        let harness = try Harness()
        try harness.client().shutdown()
        for _ in 0..<200 where !harness.finished.load(ordering: .relaxed) { usleep(10_000) }
        let finished = harness.finished.load(ordering: .relaxed)
        #expect(finished)
        #expect(try KeysFileSystem.status(harness.socket) == nil)
        KeysTest.removeTree(harness.directory)
    }
}
