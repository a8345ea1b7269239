import AIKeys
import AIProviders
import AITestSupport
import Foundation
import Glibc
import Testing

/// T8/T9/T10: writes are atomic and serialized: `kill -9` at random points of `set` and `passwd` leaves the old or
/// the new vault, never a broken one; injected write/fsync/rename failures change nothing; concurrent `set`s lose
/// no entry.
@Suite struct AIKeysDurabilityTests {
    /// The entry names and generation of the vault at `path`, opened in-process.
    static func contents(_ path: String, passphrase: String) throws -> (names: [String], generation: UInt64) {
        let vault = try Vault.open(VaultLocation(path: path), passphrase: try SecretBytes(utf8: passphrase))
        return (vault.contents.entries.map(\.name), vault.contents.generation)
    }

    @Test func killDuringSet_leavesTheOldOrTheNewVault() throws {
        let home = try KeysHome()
        let environment = home.environment(passphrase: true)
        let timed = try runTool(
            KeysHome.binary, arguments: ["set", "warmup"], stdin: .text("v"),
            environment: environment)
        #expect(timed.status == 0)
        let span = max(timed.elapsed * 1.3, 0.02)
        var names = try Self.contents(home.vaultPath, passphrase: KeysHome.passphrase).names
        var (old, new) = (0, 0)
        for index in 0..<80 {
            let process = try ToolProcess(
                KeysHome.binary, arguments: ["set", "k\(index)"],
                stdin: .text("value-\(index)"), environment: environment)
            usleep(UInt32(Double.random(in: 0...span) * 1_000_000))
            process.send(signal: SIGKILL)
            _ = try process.wait(timeout: 10)
            let now = try Self.contents(home.vaultPath, passphrase: KeysHome.passphrase)
            if now.names == names {
                old += 1
            } else {
                let expected = (names + ["k\(index)"]).sorted {
                    Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
                }
                #expect(now.names == expected, "kill \(index)")
                names = now.names
                new += 1
            }
        }
        #expect(old + new == 80)
        let final = try runTool(
            KeysHome.binary, arguments: ["set", "final"], stdin: .text("v"),
            environment: environment)
        #expect(final.status == 0)
        #expect(home.entries(of: home.root + "/data/ai") == ["vault", "vault.lock"])
        print("kill -9 during set: \(old) left the old vault, \(new) the new one")
    }

    @Test func killDuringPasswd_leavesAVaultThatOpensWithOneOfThePassphrases() throws {
        let home = try KeysHome()
        let passphrases = [KeysHome.passphrase, "the second passphrase of the test"]
        try home.write(Array((passphrases[0] + "\n").utf8), to: home.root + "/p0")
        try home.write(Array((passphrases[1] + "\n").utf8), to: home.root + "/p1")
        var current = 0
        let entries = try Self.contents(home.vaultPath, passphrase: passphrases[0]).names
        var span = 0.05
        var (old, new) = (0, 0)
        for index in 0..<40 {
            let script =
                #"exec "$KEYS" passwd -q --kdf-ops 1 --kdf-mem 8 --passphrase-fd 3 --new-passphrase-fd 4 "#
                + #"3<"$HOME_DIR/p\#(current)" 4<"$HOME_DIR/p\#(1 - current)""#
            var values = home.environment()
            values["KEYS"] = KeysHome.binary
            values["HOME_DIR"] = home.root
            let started = Date()
            let process = try ToolProcess("/bin/sh", arguments: ["-c", script], environment: values)
            if index == 0 {
                _ = try process.wait(timeout: 20)
                span = max(Date().timeIntervalSince(started) * 1.3, 0.02)
            } else {
                usleep(UInt32(Double.random(in: 0...span) * 1_000_000))
                process.send(signal: SIGKILL)
                _ = try process.wait(timeout: 10)
            }
            if let stayed = try? Self.contents(home.vaultPath, passphrase: passphrases[current]) {
                #expect(stayed.names == entries)
                old += 1
            } else {
                let changed = try Self.contents(home.vaultPath, passphrase: passphrases[1 - current])
                #expect(changed.names == entries, "kill \(index)")
                current = 1 - current
                new += 1
            }
        }
        #expect(old + new == 40 && new >= 1)
        print("kill -9 during passwd: \(old) left the old vault, \(new) the new one")
    }

    #if DEBUG
    @Test(arguments: ["write", "fsync", "rename"])
    func injectedWriteFailures_changeNothing(_ fault: String) throws {
        let home = try KeysHome()
        let before = FileSnapshot(home.vaultPath)
        let result = try home.keys(["set", "openai"], stdin: .text("sk-other"), ["AI_KEYS_TEST_FAULT": fault])
        #expect(result.status == 74 && result.hasOneErrorLine, "\(result.stderrText)")
        #expect(FileSnapshot(home.vaultPath) == before)
        #expect(home.entries(of: home.root + "/data/ai") == ["vault", "vault.lock"])
    }

    @Test func killAfterTheRename_leavesTheNewVault() throws {
        let home = try KeysHome()
        let environment = home.environment(passphrase: true, ["AI_KEYS_TEST_FAULT": "pause-renamed"])
        let process = try ToolProcess(
            KeysHome.binary, arguments: ["set", "late"], stdin: .text("v"),
            environment: environment)
        for _ in 0..<500 {
            let names = try? Self.contents(home.vaultPath, passphrase: KeysHome.passphrase).names
            if names?.contains("late") == true { break }
            usleep(10_000)
        }
        process.send(signal: SIGKILL)
        _ = try process.wait(timeout: 10)
        #expect(try Self.contents(home.vaultPath, passphrase: KeysHome.passphrase).names.contains("late"))
    }
    #endif

    @Test func twentyConcurrentSets_loseNoEntry() throws {
        let home = try KeysHome()
        let environment = home.environment(passphrase: true)
        let processes = try (0..<20).map { index in
            try ToolProcess(
                KeysHome.binary, arguments: ["set", "c\(index)"], stdin: .text("value-\(index)"),
                environment: environment)
        }
        for process in processes {
            let result = try process.wait(timeout: 60)
            #expect(result.status == 0, "\(result.stderrText)")
        }
        let after = try Self.contents(home.vaultPath, passphrase: KeysHome.passphrase)
        #expect(after.names.count == 22)
        #expect(after.generation == 3 + 20)
        let vault = try Vault.open(
            VaultLocation(path: home.vaultPath),
            passphrase: try SecretBytes(utf8: KeysHome.passphrase))
        for index in 0..<20 {
            #expect(vault.contents.entry(named: "c\(index)")?.secret.isEqual(to: Array("value-\(index)".utf8)) == true)
        }
    }
}
