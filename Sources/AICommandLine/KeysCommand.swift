import AIBase
import AIKeys
import AIProviders
import AIWire
import ArgumentParser
import Glibc

/// The bodies of the `ai-keys` commands (DESIGN §6); `KeysCommands.swift` declares their options.
///
/// Each body builds a `KeysService` from the options, calls it and formats what it returns; the service throws
/// the `AIError` users see, so `Tool.main` prints one `ai-keys: error: …` line and exits with the documented
/// status. Nothing secret reaches stdout except `get`'s key, and nothing secret ever reaches stderr, argv or the
/// environment (except the child's environment under `exec`, by design).
package enum KeysCommand {
    /// The service for a run with these options, reporting on stderr.
    static func service(_ options: KeysOptions) -> KeysService {
        KeysService(
            environment: Environment.current(), reporter: StandardErrorReporter(), vault: options.vault,
            passphraseDescriptor: options.passphraseFD)
    }

    /// `ai-keys init`: creates an empty vault with a new passphrase.
    /// - Throws: `AIError` (`config` when a vault exists, `auth` for an empty or mismatched passphrase…).
    package static func initialize(_ options: KeysOptions, kdf: KDFOptions) throws {
        try service(options).initialize(kdf: kdf.parameters)
    }

    /// `ai-keys set NAME`: stores the key read from stdin (when it is not a terminal) or typed at a prompt.
    /// - Throws: `AIError`.
    package static func set(_ name: String, options: KeysOptions) throws {
        try service(options).set(name)
    }

    /// `ai-keys rm NAME`.
    /// - Throws: `AIError` (`no_key` when there is no such entry).
    package static func remove(_ name: String, options: KeysOptions) throws {
        try service(options).remove(name)
    }

    /// `ai-keys get NAME`: prints the key and a newline, from the agent when it is unlocked, else the vault.
    /// - Throws: `AIError`; `usage` when stdout is a terminal and `reveal` is false.
    package static func get(_ name: String, reveal: Bool, options: KeysOptions) throws {
        let service = service(options)
        try service.checkName(name)
        if Terminal.isTerminal(1), !reveal {
            throw AIError(.usage, "refusing to print a key to a terminal", hints: ["pipe it, or add --reveal"])
        }
        try writeLine(try service.fetch(name, action: "get"))
    }

    /// `ai-keys exec NAME -- CMD…`: runs CMD with the key in its environment (the only place a key is put there).
    /// - Throws: `AIError`; `ExitCode` 126/127 when CMD cannot run.
    package static func exec(_ name: String, variable: String?, command: [String], options: KeysOptions) throws {
        switch try service(options).prepareExec(name, variable: variable, command: command) {
        case .commandNotFound(let program):
            Diagnostics.error("cannot run '\(program)': command not found")
            throw ExitCode(127)
        case .ready(let prepared):
            let code = prepared.replaceProcess()
            Diagnostics.error("cannot run '\(prepared.path)': \(KeysFileSystem.describe(code))")
            throw ExitCode(code == ENOENT ? 127 : 126)
        }
    }

    /// `ai-keys list`: one JSON line per key: name, fingerprint, created, updated; never the key.
    /// - Throws: `AIError`.
    package static func list(_ options: KeysOptions) throws {
        for row in try service(options).list() {
            try JSONLWriter.standardOutput.write(
                .object([
                    "name": .string(row.name), "fingerprint": .string(row.fingerprint),
                    "created": .string(WallClock.format(row.created)),
                    "updated": .string(WallClock.format(row.updated)),
                ]))
        }
    }

    /// `ai-keys passwd`: checks the current passphrase, then re-encrypts under a new one with a new data key.
    /// - Throws: `AIError` (`auth` for a wrong current passphrase or mismatched new ones).
    package static func changePassphrase(_ options: KeysOptions, newPassphraseFD: Int32?, kdf: KDFOptions) throws {
        try service(options).changePassphrase(newPassphraseDescriptor: newPassphraseFD, kdf: kdf.parameters)
    }

    /// `ai-keys unlock`: sends the passphrase to the running agent, which keeps the data key for its TTLs.
    /// - Throws: `AIError` (`unavailable` without an agent, `auth` for a wrong passphrase, `vault_locked` without
    ///   a passphrase source).
    package static func unlock(_ options: KeysOptions, ttl: KeysDuration?, idleTTL: KeysDuration?) throws {
        try service(options).unlock(idleTTL: idleTTL?.seconds ?? 0, hardTTL: ttl?.seconds ?? 0)
    }

    /// `ai-keys lock`: makes the agent forget its data key.
    /// - Throws: `AIError` (`unavailable` without an agent).
    package static func lock() throws {
        try KeysService(environment: Environment.current(), reporter: StandardErrorReporter()).lock()
    }

    /// `ai-keys status`: one JSON line about the agent; exits 1 when there is no unlocked agent.
    /// - Throws: `ExitCode(1)` when locked; `AIError` for an untrusted socket.
    package static func status(_ options: KeysOptions) throws {
        let service = service(options)
        var line: JSONObject = [
            "agent": .string("absent"), "socket": .string(service.agentSocket), "locked": .bool(true),
        ]
        if let status = try service.agentStatus() {
            line["agent"] = .string("running")
            line["pid"] = .int(Int(status.pid))
            line["locked"] = .bool(status.locked)
            if !status.locked {
                line["idle_left"] = status.idleLeft.map { .int(Int($0)) } ?? .null
                line["ttl_left"] = status.hardLeft.map { .int(Int($0)) } ?? .null
            }
        }
        line["vault"] = .string(service.location.path)
        try JSONLWriter.standardOutput.write(.object(line))
        if line["locked"] == .bool(true) { throw ExitCode(ExitStatus.predicateFalse.rawValue) }
    }

    /// `ai-keys audit`: prints the audit log (optionally one entry's lines, or the last N).
    /// - Throws: `AIError` (`io`).
    package static func audit(name: String?, last: Int?) throws {
        let service = KeysService(environment: Environment.current(), reporter: StandardErrorReporter())
        for line in try service.auditLines(name: name, last: last) {
            try JSONLWriter.standardOutput.write(bytes: Array(line) + [0x0A])
        }
    }

    /// Writes a secret and a newline to stdout in one `write`, from locked memory.
    private static func writeLine(_ secret: SecretBytes) throws {
        let line = try KeysService.keys { () throws(KeysError) in try SecretBytes(count: secret.count + 1) }
        line.withUnsafeMutableBytes { buffer in
            secret.withUnsafeBytes { source in
                if let to = buffer.baseAddress, let from = source.baseAddress {
                    to.copyMemory(from: from, byteCount: source.count)
                }
            }
            buffer[secret.count] = 0x0A
        }
        let written = line.withUnsafeBytes { KeysFileSystem.writeAll(1, $0) }
        if !written {
            if errno == EPIPE { throw OutputClosed() }
            throw AIError(.io, "cannot write output: \(KeysFileSystem.describe())")
        }
    }
}
