import AIBase
import AICommandLine
import AIKeys
import AIProviders
import AITestSupport
import Foundation
import Glibc
import Testing

/// `ai-keys` through the built binary: commands, passphrase sources, refusals and exit statuses (DESIGN §4, §6).
@Suite struct AIKeysTests {
    @Test func initSetGetListRm_roundTrip() throws {
        let home = try KeysHome(vault: nil)
        let created = try home.keys(["init", "--kdf-ops", "1", "--kdf-mem", "8"])
        #expect(created.status == 0, "\(created.stderrText)")
        #expect(created.stdout.isEmpty)
        let set = try home.keys(["set", "openai"], stdin: .text("sk-round-trip\n"))
        #expect(set.status == 0, "\(set.stderrText)")
        let got = try home.keys(["get", "openai"])
        #expect(got.status == 0 && got.stdoutText == "sk-round-trip\n")
        let listed = try home.keys(["list"])
        #expect(listed.status == 0)
        let line = try #require(try listed.stdoutLines.first)
        #expect(line.objectValue?.keys == ["name", "fingerprint", "created", "updated"])
        #expect(line["name"] == "openai")
        #expect(!listed.stdoutText.contains("sk-round-trip"))
        #expect(try home.keys(["rm", "openai"]).status == 0)
        let gone = try home.keys(["get", "openai"])
        #expect(gone.status == 78 && gone.stdout.isEmpty && gone.hasOneErrorLine)
        #expect(gone.stderrText.contains("ai-keys set openai"))
        let actions = home.auditLines().map { $0["action"]?.stringValue ?? "" }
        #expect(actions == ["init", "set", "get", "rm"])
        for line in home.auditLines() {
            #expect(line.objectValue?.keys == ["time", "action", "name", "tool", "pid", "via"])
        }
        #expect(!String(decoding: home.read(home.auditPath), as: UTF8.self).contains("sk-round"))
    }

    @Test func initUnderUmask000_makesA0600VaultInA0700Directory() throws {
        let home = try KeysHome(vault: nil)
        rmdir(home.root + "/data/ai")
        let result = try home.shell(
            #"umask 000; exec "$KEYS" init --kdf-ops 1 --kdf-mem 8 --passphrase-fd 3 3<"$PASS""#)
        #expect(result.status == 0, "\(result.stderrText)")
        var info = stat()
        stat(home.vaultPath, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        stat(home.root + "/data/ai", &info)
        #expect(info.st_mode & 0o777 == 0o700)
        let again = try home.keys(["init", "--kdf-ops", "1", "--kdf-mem", "8"])
        #expect(again.status == 78 && again.firstErrorLine.contains("already exists"))
    }

    /// T1: a wrong passphrase is 77 and leaves the vault byte-identical (contents, inode, mtime), no temp file.
    @Test func wrongPassphrase_is77AndTheVaultIsUntouched() throws {
        let home = try KeysHome()
        try home.write(Array("not the passphrase\n".utf8), to: home.passphraseFile)
        let before = FileSnapshot(home.vaultPath)
        for arguments in [["get", "openai"], ["set", "x"], ["rm", "openai"], ["list"], ["passwd"]] {
            let result = try home.keys(arguments, stdin: .text("sk-new\n"))
            #expect(result.status == 77, "\(arguments)")
            #expect(result.stdout.isEmpty)
            #expect(result.hasOneErrorLine && result.firstErrorLine == "ai-keys: error: incorrect passphrase")
        }
        let viaDescriptor = try home.shell(#"exec "$KEYS" get openai --passphrase-fd 3 3<"$PASS""#)
        #expect(viaDescriptor.status == 77)
        #expect(FileSnapshot(home.vaultPath) == before)
        #expect(home.entries(of: home.root + "/data/ai").allSatisfy { $0 == "vault" || $0 == "vault.lock" })
    }

    @Test func passphraseDescriptor_readsTheFirstLine() throws {
        let home = try KeysHome()
        let result = try home.shell(
            #"printf 'correct horse battery staple\nignored\n' | "#
                + #""$KEYS" get anthropic --passphrase-fd 3 3<&0 </dev/null"#)
        #expect(result.status == 0 && result.stdoutText == "sk-ant-fixture-anthropic\n", "\(result.stderrText)")
        let stdinFD = try home.keys(["get", "openai", "--passphrase-fd", "0"], passphrase: false)
        #expect(stdinFD.status == 64 && stdinFD.firstErrorLine.contains("never read from stdin"))
        let closed = try home.keys(["get", "openai", "--passphrase-fd", "9"], passphrase: false)
        #expect(closed.status == 64 && closed.firstErrorLine.contains("not an open descriptor"))
    }

    /// T26: the right passphrase on stdin, no terminal: no unlock, 77 with a hint to start the agent.
    @Test func passphraseOnStdinWithoutATerminal_doesNotUnlock() throws {
        let home = try KeysHome()
        let started = Date()
        let result = try home.keys(["get", "openai"], stdin: .text(KeysHome.passphrase + "\n"), passphrase: false)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.status == 77 && result.stdout.isEmpty && result.hasOneErrorLine)
        #expect(result.firstErrorLine.contains("no terminal"))
        #expect(result.stderrText.contains("ai-keys: hint: start an agent"))
        #expect(home.auditLines().isEmpty)
    }

    /// T11: a passphrase file must be ours, a regular file, not a symlink, and 0600.
    @Test func unsafePassphraseFiles_areRefused() throws {
        let home = try KeysHome()
        chmod(home.passphraseFile, 0o644)
        let open = try home.keys(["get", "openai"])
        #expect(open.status == 78 && open.firstErrorLine.contains("too open") && open.stdout.isEmpty)
        chmod(home.passphraseFile, 0o600)
        symlink(home.passphraseFile, home.root + "/link")
        let link = try home.keys(["get", "openai"], passphrase: false, ["AI_PASSPHRASE_FILE": home.root + "/link"])
        #expect(link.status == 78 && link.firstErrorLine.contains("symbolic link"))
        chown(home.passphraseFile, 65534, 65534)
        let foreign = try home.keys(["get", "openai"])
        #expect(foreign.status == 78 && foreign.firstErrorLine.contains("owned by uid 65534"))
        chown(home.passphraseFile, 0, 0)
        #expect(try home.keys(["get", "openai"]).status == 0)
    }

    @Test func unsafeVaultPermissions_areRefusedWith78() throws {
        let home = try KeysHome()
        chmod(home.vaultPath, 0o644)
        let file = try home.keys(["get", "openai"])
        #expect(file.status == 78 && file.firstErrorLine.contains("permissions 0644") && file.stdout.isEmpty)
        chmod(home.vaultPath, 0o600)
        chmod(home.root + "/data/ai", 0o777)
        let directory = try home.keys(["get", "openai"])
        #expect(directory.status == 78 && directory.firstErrorLine.contains("permissions 0777"))
    }

    @Test func trailingBytes_are65() throws {
        let home = try KeysHome()
        for count in [1, 16, 4096] {
            try home.write(
                try KeysHome.fixture("v1-min.vault") + [UInt8](repeating: 0x2A, count: count),
                to: home.vaultPath)
            let result = try home.keys(["get", "openai"])
            #expect(result.status == 65 && result.stdout.isEmpty && result.hasOneErrorLine, "\(count)")
            #expect(result.firstErrorLine.contains("trailing data"))
        }
    }

    /// T5: hostile KDF parameters (checksum recomputed) are refused before the KDF, well under a second.
    @Test func hostileKDFParameters_areRefusedFast() throws {
        let home = try KeysHome()
        let original = try KeysHome.fixture("v1-min.vault")
        for (operations, memoryKiB) in [(UInt32(0), UInt32(8)), (UInt32.max, 8), (1, 67_108_864), (1, 4)] {
            var file = original
            file.replaceSubrange(16..<20, with: withUnsafeBytes(of: operations.bigEndian) { Array($0) })
            file.replaceSubrange(20..<24, with: withUnsafeBytes(of: memoryKiB.bigEndian) { Array($0) })
            file.replaceSubrange(112..<128, with: VaultHeader.checksum(of: Array(file[0..<112])))
            try home.write(file, to: home.vaultPath)
            let result = try home.keys(["get", "openai"])
            #expect(result.status == 65 && result.stdout.isEmpty && result.hasOneErrorLine)
            #expect(result.firstErrorLine.contains("kdf parameters out of bounds"))
            #expect(result.elapsed < 0.5, "\(result.elapsed) s")
        }
    }

    @Test func unsupportedVersion_is65WithItsMessage() throws {
        let home = try KeysHome()
        var file = try KeysHome.fixture("v1-min.vault")
        file[9] = 2
        try home.write(file, to: home.vaultPath)
        let result = try home.keys(["get", "openai"])
        #expect(result.status == 65)
        #expect(result.firstErrorLine == "ai-keys: error: unsupported vault version 2; upgrade ai-keys")
    }

    /// T7/T34: every committed golden vault opens through the binary.
    @Test(arguments: ["v1-min.vault", "v1-test.vault", "v1-interactive.vault"])
    func goldenVaults_open(_ name: String) throws {
        let home = try KeysHome(vault: name)
        let result = try home.keys(["get", "openai"])
        #expect(result.status == 0 && result.stdoutText == "sk-fixture-openai\n", "\(result.stderrText)")
    }

    /// T12/T14: `passwd` refuses an empty or mismatched new passphrase, then rotates: old 77, new works.
    @Test func passwd_rotatesThePassphrase() throws {
        let home = try KeysHome()
        let before = FileSnapshot(home.vaultPath)
        let empty = try home.shell(
            #"exec "$KEYS" passwd --passphrase-fd 3 --new-passphrase-fd 4 3<"$PASS" 4</dev/null"#)
        #expect(empty.status == 77 && empty.firstErrorLine.contains("empty passphrase"))
        #expect(FileSnapshot(home.vaultPath) == before)
        try home.write(Array("a brand new passphrase\n".utf8), to: home.root + "/new")
        let changed = try home.shell(
            #"exec "$KEYS" passwd --kdf-ops 1 --kdf-mem 8 -q --passphrase-fd 3 "#
                + #"--new-passphrase-fd 4 3<"$PASS" 4<"$HOME_DIR/new""#)
        #expect(changed.status == 0 && changed.stderr.isEmpty, "\(changed.stderrText)")
        #expect(try home.keys(["get", "openai"]).status == 77)
        let viaNew = try home.keys(["get", "openai"], passphrase: false, ["AI_PASSPHRASE_FILE": home.root + "/new"])
        #expect(viaNew.status == 0 && viaNew.stdoutText == "sk-fixture-openai\n")
        #expect(Array(FileSnapshot(home.vaultPath).bytes[0..<112]) != Array(before.bytes[0..<112]))
    }

    @Test func emptyInitPassphraseAndEmptyKey_areRefusedAndNothingIsWritten() throws {
        let home = try KeysHome(vault: nil)
        let created = try home.shell(#"exec "$KEYS" init --kdf-ops 1 --kdf-mem 8 --passphrase-fd 3 3</dev/null"#)
        #expect(created.status == 77 && created.firstErrorLine.contains("empty passphrase"))
        #expect(!FileManager.default.fileExists(atPath: home.vaultPath))
        try home.install("v1-min.vault")
        let before = FileSnapshot(home.vaultPath)
        let key = try home.keys(["set", "openai"], stdin: .text("\n"))
        #expect(key.status == 65 && key.firstErrorLine.contains("empty key"))
        let name = try home.keys(["set", "bad name"], stdin: .text("k"))
        #expect(name.status == 64)
        #expect(FileSnapshot(home.vaultPath) == before)
    }

    @Test func missingVault_is66WithAHint() throws {
        let home = try KeysHome(vault: nil)
        let result = try home.keys(["get", "openai"])
        #expect(result.status == 66 && result.stderrText.contains("ai-keys init"))
    }

    @Test func exec_putsTheKeyInTheChildsEnvironmentOnly() throws {
        let home = try KeysHome()
        let result = try home.keys(["exec", "openai", "--", "/bin/sh", "-c", #"printf '%s' "$OPENAI_API_KEY""#])
        #expect(result.status == 0 && result.stdoutText == "sk-fixture-openai", "\(result.stderrText)")
        let named = try home.keys(["exec", "anthropic", "--env", "TOKEN", "--", "sh", "-c", #"printf '%s' "$TOKEN""#])
        #expect(named.stdoutText == "sk-ant-fixture-anthropic")
        let status = try home.keys(["exec", "openai", "--", "sh", "-c", "exit 7"])
        #expect(status.status == 7)
        let missing = try home.keys(["exec", "openai", "--", "no-such-program-here"])
        #expect(missing.status == 127)
        #expect(home.auditLines().last?["action"] == "exec")
    }

    @Test func audit_printsTheLogAndFilters() throws {
        let home = try KeysHome()
        _ = try home.keys(["get", "openai"])
        _ = try home.keys(["get", "anthropic"])
        let all = try home.keys(["audit"])
        #expect(try all.stdoutLines.count == 2)
        let one = try home.keys(["audit", "--name", "anthropic"])
        #expect(try one.stdoutLines.map { $0["name"] } == ["anthropic"])
        let line = try #require(try one.stdoutLines.first)
        #expect(line["tool"] == "ai-keys" && line["via"] == "vault" && line["pid"]?.intValue != nil)
    }

    @Test func status_exits1WithoutAnUnlockedAgent() throws {
        let home = try KeysHome()
        let result = try home.keys(["status"])
        #expect(result.status == 1 && result.stderr.isEmpty)
        #expect(try result.stdoutLines.first?["agent"] == "absent")
    }

    @Test func badFlags_are64() throws {
        let home = try KeysHome()
        #expect(try home.keys(["init", "--kdf-ops", "0"]).status == 64)
        #expect(try home.keys(["init", "--kdf-mem", "4"]).status == 64)
        #expect(try home.keys(["init", "--kdf-mem", "8192"]).status == 64)
        #expect(try home.keys(["nope"]).status == 64)
    }
}
