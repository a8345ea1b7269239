import AIBase
import AICommandLine
import AITestSupport
import Foundation
import Glibc
import Testing

/// The agent through the built binaries (T16–T25, T28, T29): socket modes, peer checks on both ends, TTLs, lock,
/// back-off, framing limits, single instance, hardening, and no secret in argv or any environment.
@Suite struct AIKeysAgentTests {
    /// Runs `command` as uid/gid 65534 (tests run as root).
    static func asNobody(
        _ command: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"],
        timeout: Double = 20
    ) throws -> ToolResult {
        try runTool(
            "/usr/bin/setpriv", arguments: ["--reuid=65534", "--regid=65534", "--clear-groups"] + command,
            environment: environment, timeout: timeout)
    }

    static let perlClient = #"""
        use IO::Socket::UNIX;
        $SIG{PIPE} = "IGNORE"; $| = 1;
        my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or do { print "noconnect $!\n"; exit 0 };
        print $s pack("H*", $ARGV[1]) or do { print "read 0 closed before the request\n"; exit 0 };
        $SIG{ALRM} = sub { print "timeout\n"; exit 0 }; alarm 15;
        my $n = sysread($s, my $buf, 70000);
        print "read ", (defined $n ? $n : "0 reset"), " ", unpack("H*", substr($buf // "", 0, 8)), "\n";
        """#

    @Test func agent_socketIs0600InA0700Directory_evenUnderUmask000() throws {
        let home = try KeysHome()
        var values = home.environment()
        values["KEYS"] = KeysHome.binary
        let agent = try ToolProcess(
            "/bin/sh", arguments: ["-c", #"umask 000; exec "$KEYS" agent -D"#],
            environment: values)
        try agent.waitForStdout(containing: "AI_KEYS_AGENT_PID=\(agent.pid);", timeout: 20)
        #expect(agent.stdoutSoFar == Array(KeysAgent.exports(socket: home.socket, pid: agent.pid).utf8))
        var info = stat()
        lstat(home.socket, &info)
        #expect(info.st_mode & 0o777 == 0o600 && info.st_mode & S_IFMT == S_IFSOCK && info.st_uid == geteuid())
        lstat(home.root + "/run/ai-keys", &info)
        #expect(info.st_mode & 0o777 == 0o700)
        agent.send(signal: SIGTERM)
        _ = try agent.wait(timeout: 10)
        #expect(!FileManager.default.fileExists(atPath: home.socket))
    }

    @Test func agent_refusesAnUnsafeSocketDirectory() throws {
        let home = try KeysHome()
        mkdir(home.root + "/run/ai-keys", 0o755)
        chmod(home.root + "/run/ai-keys", 0o755)
        let open = try home.keys(["agent", "-D"])
        #expect(open.status == 78 && open.firstErrorLine.contains("permissions 0755"))
        chmod(home.root + "/run/ai-keys", 0o700)
        chown(home.root + "/run/ai-keys", 65534, 65534)
        let foreign = try home.keys(["agent", "-D"])
        #expect(foreign.status == 78 && foreign.firstErrorLine.contains("belongs to uid 65534"))
        let missing = try home.keys(["agent", "-D"], passphrase: false, ["XDG_RUNTIME_DIR": home.root + "/nowhere"])
        #expect(missing.status == 78 && missing.firstErrorLine.contains("does not exist"))
    }

    /// T17: another uid is refused by the agent itself, even with the directory 0755 and the socket 0666.
    @Test func agent_refusesAnotherUid_evenThroughA0666Socket() throws {
        let home = try KeysHome()
        let agent = try home.startAgent()
        #expect(try home.unlock().status == 0)
        for path in [home.root, home.root + "/run", home.root + "/run/ai-keys"] { chmod(path, 0o755) }
        chmod(home.socket, 0o666)
        let probe = try Self.asNobody(["/usr/bin/perl", "-e", Self.perlClient, home.socket, "000000050400000000"])
        #expect(probe.stdoutText.hasPrefix("read 0 "), "\(probe.status): \(probe.stdoutText) \(probe.stderrText)")
        let nobody = ["PATH": "/usr/bin:/bin", "AI_KEYS_SOCK": home.socket, "HOME": "/"]
        let viaTool = try Self.asNobody([KeysHome.binary, "get", "openai"], environment: nobody)
        #expect(viaTool.status == 78 && viaTool.stdout.isEmpty)
        try agent.waitForStderr(containing: "refused a connection from uid 65534", timeout: 10)
        let owner = try home.keys(["get", "openai"], passphrase: false)
        #expect(owner.status == 0 && owner.stdoutText == "sk-fixture-openai\n")
    }

    /// T18: a listener run by another uid is refused before a byte is sent, whoever owns the socket file.
    @Test func client_refusesAFakeAgent() throws {
        let home = try KeysHome()
        let directory = home.root + "/fake"
        mkdir(directory, 0o755)
        chown(directory, 65534, 65534)
        chmod(home.root, 0o755)
        let socket = directory + "/agent.sock"
        let server = #"""
            use IO::Socket::UNIX;
            my $l = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 5) or die "listen $!";
            chmod 0777, $ARGV[0]; print "listening\n"; STDOUT->flush;
            $SIG{ALRM} = sub { exit 0 }; alarm 20;
            while (my $c = $l->accept) {
                my $n = sysread($c, my $buf, 100); print "received ", ($n // -1), "\n"; STDOUT->flush;
            }
            """#
        let fake = try ToolProcess(
            "/usr/bin/setpriv",
            arguments: [
                "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/perl", "-e", server, socket,
            ],
            environment: ["PATH": "/usr/bin:/bin"])
        try fake.waitForStdout(containing: "listening", timeout: 10)
        let planted = try home.keys(["unlock"], ["AI_KEYS_SOCK": socket])
        #expect(planted.status == 78 && planted.firstErrorLine.contains("belongs to uid 65534"))
        chown(socket, 0, 0)
        let behind = try home.keys(["unlock"], ["AI_KEYS_SOCK": socket])
        #expect(behind.status == 78 && behind.firstErrorLine.contains("runs as uid 65534"))
        try fake.waitForStdout(containing: "received", timeout: 10)
        fake.send(signal: SIGKILL)
        let seen = String(decoding: fake.stdoutSoFar, as: UTF8.self)
        #expect(seen.contains("received 0") && !seen.contains("received 1") && !seen.contains("received -1"), "\(seen)")
    }

    /// T19: the idle TTL is reset by use; the hard TTL (or a shorter one asked at unlock) is not.
    @Test func ttls_lockTheAgent() throws {
        let home = try KeysHome()
        try home.startAgent(["--idle-ttl", "2", "--ttl", "1h"])
        #expect(try home.unlock().status == 0)
        #expect(try home.keys(["get", "openai"], passphrase: false).status == 0)
        sleep(1)
        #expect(try home.keys(["get", "openai"], passphrase: false).status == 0)
        usleep(3_200_000)
        let idle = try home.keys(["get", "openai"], passphrase: false)
        #expect(idle.status == 77 && idle.stdout.isEmpty)
        #expect(try home.keys(["status"]).status == 1)
        #expect(try home.unlock(["--ttl", "3", "--idle-ttl", "1h"]).status == 0)
        let unlocked = Date()
        for _ in 0..<2 {
            usleep(700_000)
            #expect(try home.keys(["get", "openai"], passphrase: false).status == 0)
        }
        usleep(UInt32(max(0, 4.2 - Date().timeIntervalSince(unlocked)) * 1_000_000))
        #expect(try home.keys(["get", "openai"], passphrase: false).status == 77)
    }

    /// T20/T22: `lock` and SIGUSR1 forget the key; failed unlocks back off; status works while locked.
    @Test func lockSigusr1AndBackOff() throws {
        let home = try KeysHome()
        let agent = try home.startAgent()
        #expect(try home.unlock().status == 0)
        let status = try home.keys(["status"])
        let statusLine = try status.stdoutLines.first
        #expect(status.status == 0 && statusLine?["locked"] == .bool(false))
        #expect(try home.keys(["lock"]).status == 0)
        #expect(try home.keys(["get", "openai"], passphrase: false).status == 77)
        #expect(try home.keys(["status"]).status == 1)
        #expect(try home.unlock().status == 0)
        agent.send(signal: SIGUSR1)
        try agent.waitForStderr(containing: "locked: SIGUSR1", timeout: 10)
        #expect(try home.keys(["status"]).status == 1)
        try home.write(Array("wrong passphrase\n".utf8), to: home.root + "/wrong")
        var elapsed: [Double] = []
        for _ in 0..<3 {
            let result = try home.keys(["unlock"], passphrase: false, ["AI_PASSPHRASE_FILE": home.root + "/wrong"])
            #expect(result.status == 77 && result.firstErrorLine == "ai-keys: error: incorrect passphrase")
            elapsed.append(result.elapsed)
        }
        #expect(elapsed[2] >= 0.3, "\(elapsed)")
        #expect(try home.unlock().status == 0)
        #expect(home.auditLines().contains { $0["action"] == "unlock_failed" && $0["via"] == "agent" })
    }

    /// T21: frames over 64 KiB close the connection; an unknown type gets an error reply; the agent keeps serving.
    @Test func framing_limits() throws {
        let home = try KeysHome()
        try home.startAgent()
        let huge = try runTool(
            "/usr/bin/perl", arguments: ["-e", Self.perlClient, home.socket, "ffffffff02"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(huge.stdoutText.hasPrefix("read 0 "), "\(huge.stdoutText)")
        let over = try runTool(
            "/usr/bin/perl", arguments: ["-e", Self.perlClient, home.socket, "0001000102"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(over.stdoutText.hasPrefix("read 0 "), "\(over.stdoutText)")
        let unknown = try runTool(
            "/usr/bin/perl", arguments: ["-e", Self.perlClient, home.socket, "0000000142"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(unknown.stdoutText.contains(" 00") && unknown.stdoutText.contains("ff07"), "\(unknown.stdoutText)")
        let malformed = try runTool(
            "/usr/bin/perl", arguments: ["-e", Self.perlClient, home.socket, "000000020400"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(malformed.stdoutText.hasPrefix("read 0 "), "\(malformed.stdoutText)")
        #expect(try home.keys(["status"]).stdoutLines.first?["agent"] == "running")
    }

    /// T23/T24: one agent per socket; a killed agent's stale socket is replaced; removing the socket stops it.
    @Test func singleInstance_staleSocket_andSocketRemoval() throws {
        let home = try KeysHome()
        let first = try home.startAgent()
        let second = try home.keys(["agent", "-D"])
        #expect(second.status == 78 && second.firstErrorLine.contains("already running"))
        first.send(signal: SIGKILL)
        _ = try first.wait(timeout: 10)
        #expect(FileManager.default.fileExists(atPath: home.socket))
        let replacement = try home.startAgent()
        #expect(try home.keys(["status"]).stdoutLines.first?["pid"]?.intValue == Int(replacement.pid))
        unlink(home.socket)
        let result = try replacement.wait(timeout: 5)
        #expect(result.status == 0)
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("removed or replaced"))
    }

    /// The ssh-agent interface: `ai-keys agent` backgrounds itself and prints the variables; `-k` stops it.
    @Test func daemon_printsExports_andMinusKStopsIt() throws {
        let home = try KeysHome()
        let started = try home.keys(["agent", "--ttl", "10m"])
        #expect(started.status == 0, "\(started.stderrText)")
        let lines = started.stdoutTextLines
        #expect(lines.count == 2 && lines[0] == "AI_KEYS_SOCK=\(home.socket); export AI_KEYS_SOCK;")
        let pidText = try #require(lines.last?.split(separator: "=").last?.split(separator: ";").first)
        let pid = try #require(Int32(pidText))
        #expect(kill(pid, 0) == 0)
        #expect(try home.keys(["status"]).stdoutLines.first?["pid"]?.intValue == Int(pid))
        let limits = String(decoding: home.read("/proc/\(pid)/limits"), as: UTF8.self)
        #expect(
            limits.contains { _ in true }
                && limits.split(separator: "\n").contains {
                    $0.hasPrefix("Max core file size") && $0.split(separator: " ").filter { $0 == "0" }.count == 2
                })
        let stopped = try home.keys(["agent", "-k"], ["AI_KEYS_AGENT_PID": String(pid)])
        #expect(stopped.status == 0 && stopped.stdoutText.hasPrefix("unset AI_KEYS_SOCK;\nunset AI_KEYS_AGENT_PID;"))
        var gone = false
        for _ in 0..<200 {
            if kill(pid, 0) != 0 { gone = true; break }
            usleep(10_000)
        }
        #expect(gone)
        #expect(try home.keys(["agent", "-k"], ["AI_KEYS_AGENT_PID": "1"]).status == 64)
    }

    /// T25: the agent is not dumpable: a same-uid process cannot read its environ or memory or attach a debugger,
    /// while it can for an ordinary process of that uid; core dumps are off.
    @Test func agent_isNotDumpable() throws {
        let home = try KeysHome()
        let nobody = home.root + "/nobody"
        for directory in ["", "/run", "/data", "/data/ai", "/state"] {
            mkdir(nobody + directory, 0o700)
            chown(nobody + directory, 65534, 65534)
        }
        chmod(home.root, 0o755)
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": nobody, "XDG_RUNTIME_DIR": nobody + "/run",
            "XDG_DATA_HOME": nobody + "/data", "XDG_STATE_HOME": nobody + "/state",
            "SECRET_MARKER": "visible-marker",
        ]
        let agent = try ToolProcess(
            "/usr/bin/setpriv",
            arguments: [
                "--reuid=65534", "--regid=65534", "--clear-groups",
                KeysHome.binary, "agent", "-D",
            ],
            environment: environment)
        defer { agent.send(signal: SIGKILL) }
        try agent.waitForStdout(containing: "AI_KEYS_AGENT_PID=", timeout: 20)
        let drop = ["--reuid=65534", "--regid=65534", "--clear-groups"]
        let control = try ToolProcess(
            "/usr/bin/setpriv", arguments: drop + ["/bin/sleep", "20"],
            environment: environment)
        defer { control.send(signal: SIGKILL) }
        usleep(200_000)
        let readable = try Self.asNobody(["/bin/cat", "/proc/\(control.pid)/environ"])
        #expect(readable.status == 0 && readable.stdoutText.contains("visible-marker"))
        let environ = try Self.asNobody(["/bin/cat", "/proc/\(agent.pid)/environ"])
        #expect(environ.status != 0 && environ.stdout.isEmpty && environ.stderrText.contains("Permission denied"))
        let memory = try Self.asNobody(["/usr/bin/head", "-c", "1", "/proc/\(agent.pid)/mem"])
        #expect(memory.status != 0 && memory.stdout.isEmpty)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb") {
            let gdb = try Self.asNobody(["/usr/bin/gdb", "-nx", "-batch", "-p", "\(agent.pid)"], timeout: 60)
            #expect(
                gdb.stdoutText.contains("not permitted") || gdb.stderrText.contains("not permitted"),
                "\(gdb.stderrText.suffix(300))")
        }
        let limits = String(decoding: home.read("/proc/\(agent.pid)/limits"), as: UTF8.self)
        #expect(
            limits.split(separator: "\n").contains {
                $0.hasPrefix("Max core file size") && $0.split(separator: " ").filter { $0 == "0" }.count == 2
            })
    }

    /// T32: when RLIMIT_MEMLOCK refuses `mlock` (which `sodium_malloc` ignores), the agent says so and still runs.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")))
    func agent_warnsWhenMemoryCannotBeLocked() throws {
        let home = try KeysHome()
        let nobody = home.root + "/nobody"
        for directory in ["", "/run"] {
            mkdir(nobody + directory, 0o700)
            chown(nobody + directory, 65534, 65534)
        }
        chmod(home.root, 0o755)
        let agent = try ToolProcess(
            "/usr/bin/setpriv",
            arguments: [
                "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/prlimit",
                "--memlock=0:0", KeysHome.binary, "agent", "-D",
            ],
            environment: [
                "PATH": "/usr/bin:/bin", "HOME": nobody,
                "XDG_RUNTIME_DIR": nobody + "/run",
            ])
        defer { agent.send(signal: SIGKILL) }
        try agent.waitForStdout(containing: "AI_KEYS_AGENT_PID=", timeout: 20)
        try agent.waitForStderr(containing: "memory could not be locked", timeout: 10)
    }

    /// T28: a cron-style job (no terminal, no XDG_RUNTIME_DIR, a new session) gets its key from the agent, or from
    /// --passphrase-fd; with neither it fails fast with 77.
    @Test func cronJobs_getTheirKey() throws {
        let home = try KeysHome()
        try home.startAgent()
        #expect(try home.unlock().status == 0)
        let cron = ["PATH": "/usr/bin:/bin", "HOME": home.root, "AI_VAULT": home.vaultPath]
        let viaAgent = try runTool(
            "/usr/bin/setsid", arguments: ["-w", KeysHome.binary, "get", "openai"],
            stdin: .devNull, environment: cron.merging(["AI_KEYS_SOCK": home.socket]) { $1 })
        #expect(viaAgent.status == 0 && viaAgent.stdoutText == "sk-fixture-openai\n", "\(viaAgent.stderrText)")
        let script = #"exec "$0" get anthropic --passphrase-fd 3 3<"$1""#
        let viaDescriptor = try runTool(
            "/usr/bin/setsid",
            arguments: [
                "-w", "/bin/sh", "-c", script, KeysHome.binary,
                home.passphraseFile,
            ],
            stdin: .devNull, environment: cron)
        #expect(viaDescriptor.status == 0 && viaDescriptor.stdoutText == "sk-ant-fixture-anthropic\n")
        let neither = try runTool(
            "/usr/bin/setsid", arguments: ["-w", KeysHome.binary, "get", "openai"],
            stdin: .text(KeysHome.passphrase + "\n"), environment: cron)
        #expect(neither.status == 77 && neither.stdout.isEmpty && neither.elapsed < 5)
    }

    /// T14: after `passwd` the agent's key no longer opens the vault: it locks itself.
    @Test func passwd_locksTheAgent() throws {
        let home = try KeysHome()
        try home.startAgent()
        #expect(try home.unlock().status == 0)
        try home.write(Array("the next passphrase\n".utf8), to: home.root + "/next")
        let changed = try home.shell(
            #"exec "$KEYS" passwd -q --kdf-ops 1 --kdf-mem 8 --passphrase-fd 3 "#
                + #"--new-passphrase-fd 4 3<"$PASS" 4<"$HOME_DIR/next""#)
        #expect(changed.status == 0, "\(changed.stderrText)")
        #expect(try home.keys(["status"]).status == 1)
        #expect(try home.keys(["get", "openai"], passphrase: false).status == 77)
    }

    /// T29: neither the key nor the passphrase ever shows in any process's argv or environment, while an agent is
    /// unlocked, a `set` holds a key and an `unlock` holds a passphrase.
    @Test func secrets_neverAppearInArgvOrEnvironments() throws {
        let home = try KeysHome()
        let key = "sk-scan-" + UUID().uuidString
        let passphrase = KeysHome.passphrase
        try home.startAgent()
        #expect(try home.unlock().status == 0)
        let setter = try ToolProcess(
            KeysHome.binary, arguments: ["set", "scanned"], stdin: .pipe,
            environment: home.environment(passphrase: true))
        try setter.writeStdin(Array(key.utf8))
        let fifo = home.root + "/fifo"
        mkfifo(fifo, 0o600)
        let writer = open(fifo, O_RDWR)
        defer { close(writer) }
        _ = Array(passphrase.utf8).withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        var values = home.environment()
        values["KEYS"] = KeysHome.binary
        values["FIFO"] = fifo
        let unlock = #"exec "$KEYS" unlock --passphrase-fd 3 3<"$FIFO""#
        let unlocker = try ToolProcess("/bin/sh", arguments: ["-c", unlock], environment: values)
        usleep(500_000)
        var hits: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
            for file in ["cmdline", "environ"] {
                let text = String(decoding: home.read("/proc/\(entry)/\(file)"), as: UTF8.self)
                if text.contains(key) || text.contains(passphrase) { hits.append("\(entry)/\(file)") }
            }
        }
        let ps = try runTool("/bin/ps", arguments: ["-eo", "pid,args"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(!ps.stdoutText.contains(key) && !ps.stdoutText.contains(passphrase))
        #expect(hits.isEmpty, "\(hits)")
        setter.closeStdin()
        #expect(try setter.wait(timeout: 20).status == 0)
        _ = Array("\n".utf8).withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        #expect(try unlocker.wait(timeout: 20).status == 0)
        let got = try home.keys(["get", "scanned"], passphrase: false)
        #expect(got.stdoutText == key + "\n")
        let grep = try runTool(
            "/bin/grep", arguments: ["-rl", "--", key, home.root, "/dev/shm"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(grep.stdout.isEmpty, "\(grep.stdoutText)")
    }
}
