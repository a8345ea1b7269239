import AIBase
import AIKeys
import Foundation
import Glibc
import Testing

/// The keys layer's refusals in-process: descriptors closed on exec, variables `exec` never sets, an audit log
/// that is not a private regular file, what stands where a vault would go, shared directories, no core dumps.
@Suite struct KeysSafetyTests {
    @Test func aPassphraseDescriptor_isCloseOnExecOnceRead() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        _ = Array("pass phrase\n".utf8).withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        #expect(fcntl(ends[0], F_GETFD) & FD_CLOEXEC == 0)
        let passphrase = try Passphrase.read(descriptor: ends[0])
        #expect(passphrase.isEqual(to: Array("pass phrase".utf8)))
        #expect(fcntl(ends[0], F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test func exec_refusesTheLoadersAndTheShellsVariables() {
        for name in [
            "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_ANYTHING", "LC_ALL", "LANG", "PATH", "HOME", "IFS",
            "BASH_ENV", "ENV", "SHELLOPTS", "PS4", "BASH_FUNC_f", "GLIBC_TUNABLES", "GCONV_PATH", "TMPDIR",
        ] {
            #expect(KeysService.isRefusedVariable(name), "\(name)")
        }
        for name in ["OPENAI_API_KEY", "GH_TOKEN", "TOKEN", "PATHNAME", "MY_PATH", "ld_preload", "HOMEBREW_TOKEN"] {
            #expect(!KeysService.isRefusedVariable(name), "\(name)")
        }
    }

    @Test func theAuditLog_isWrittenOnlyWhenItIsAPrivateRegularFile() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        let path = directory + "/ai/audit.jsonl"
        let log = AuditLog(path: path)
        #expect(log.record(action: "get", name: "n", tool: "t", pid: 1, via: "vault") == nil)
        #expect(try KeysTest.read(path).count > 0)
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)
        let started = Monotonic.now()
        let fifo = log.record(action: "get", name: "n", tool: "t", pid: 1, via: "vault")
        #expect(fifo == "not writing the audit log \(path): it is not a regular file")
        #expect(Monotonic.now() - started < 1)
        #expect(throws: KeysError.notARegularFile(path: path)) { _ = try log.contents() }
        unlink(path)
        try KeysTest.write([], to: path, mode: 0o666)
        let open = log.record(action: "get", name: "n", tool: "t", pid: 1, via: "vault")
        #expect(open == "not writing the audit log: permissions 0666 for '\(path)' are too open")
        #expect(try KeysTest.read(path).isEmpty)
        chmod(path, 0o600)
        chown(path, 65534, 65534)
        #expect(log.record(action: "get", name: "n", tool: "t", pid: 1, via: "vault")?.contains("uid 65534") == true)
        #expect(try KeysTest.read(path).isEmpty)
        unlink(path)
        symlink(directory + "/elsewhere", path)
        #expect(
            log.record(action: "get", name: "n", tool: "t", pid: 1, via: "vault")?.contains("symbolic link") == true)
        #expect(!FileManager.default.fileExists(atPath: directory + "/elsewhere"))
    }

    @Test func theVaultsPath_saysWhatStandsThere() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        let location = VaultLocation(path: directory + "/vault")
        #expect(try Vault.occupant(location) == nil)
        mkdir(location.path, 0o700)
        #expect(try Vault.occupant(location) == .directory)
        rmdir(location.path)
        try KeysTest.write(Array("text".utf8), to: location.path)
        #expect(try Vault.occupant(location) == .otherFile)
        try KeysTest.write(try KeysTest.fixture("v1-min.vault"), to: location.path)
        #expect(try Vault.occupant(location) == .vault)
        unlink(location.path)
        symlink("/etc/passwd", location.path)
        #expect(try Vault.occupant(location) == .symbolicLink)
        #expect(
            AIError(.occupied(path: "/v", what: "a directory")).message
                == "/v is a directory, not a vault; refusing to replace it")
    }

    @Test func aSharedDirectory_isNotToldToChmod() throws {
        let directory = KeysTest.privateDirectory()
        defer { KeysTest.removeTree(directory) }
        chmod(directory, 0o1777)
        #expect(throws: KeysError.sharedDirectory(path: directory, mode: 0o1777)) {
            try KeysFileSystem.checkDirectory(directory, allowGroupRead: true)
        }
        let error = AIError(.sharedDirectory(path: "/tmp", mode: 0o1777))
        #expect(error.code == .config && error.message == "'/tmp' is a directory shared with other users (mode 1777)")
        #expect(error.hints.allSatisfy { !$0.contains("chmod") })
        chmod(directory, 0o777)
        #expect(throws: KeysError.permissionsTooOpen(path: directory, mode: 0o777)) {
            try KeysFileSystem.checkDirectory(directory, allowGroupRead: true)
        }
    }

    @Test func aProcessHoldingAKey_isNotDumpable() throws {
        let resolver = KeyResolver(environment: Environment(["SOME_KEY": "sk-held"]), reporter: SilentReporter())
        #expect(resolver.key(named: "SOME_KEY")?.key == "sk-held")
        #expect(!ProcessHardening.isDumpable)
        #expect(ProcessHardening.coreLimit == (0, 0))
    }
}
