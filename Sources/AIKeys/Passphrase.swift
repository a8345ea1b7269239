import AIBase
import Glibc

/// Where a passphrase may come from (DESIGN §6): `--passphrase-fd N`, then `AI_PASSPHRASE_FILE`, then a prompt on
/// `/dev/tty` with echo off. Never stdin, argv or an environment value: `AI_PASSPHRASE_FILE` carries a path.
package struct PassphraseSources: Sendable {
    /// `--passphrase-fd N`.
    package var descriptor: Int32?
    /// `AI_PASSPHRASE_FILE`.
    package var file: String?
    /// Whether a `/dev/tty` prompt may be tried after them.
    package var allowsPrompt: Bool

    /// Sources from the flag and the environment.
    package init(descriptor: Int32?, environment: Environment, allowsPrompt: Bool = true) {
        self.descriptor = descriptor
        self.file = environment[.passphraseFile]
        self.allowsPrompt = allowsPrompt
    }

    /// The passphrase of an existing vault.
    /// - Throws: `KeysError.noTerminal` when no source is available; the source's own errors.
    package func read(prompt: String) throws(KeysError) -> SecretBytes {
        if let descriptor { return try Passphrase.read(descriptor: descriptor) }
        if let file { return try Passphrase.read(file: file) }
        guard allowsPrompt else { throw .noTerminal }
        return try TerminalPrompt.read(prompt)
    }

    /// A new passphrase: from the descriptor or file as is, or typed twice on the terminal.
    /// - Throws: `KeysError.passphrasesDiffer`, `.emptyPassphrase`, and what `read` throws.
    package func readNew(prompt: String, confirmation: String) throws(KeysError) -> SecretBytes {
        let first: SecretBytes
        if let descriptor {
            first = try Passphrase.read(descriptor: descriptor)
        } else if let file {
            first = try Passphrase.read(file: file)
        } else {
            guard allowsPrompt else { throw .noTerminal }
            first = try TerminalPrompt.read(prompt)
            guard first.count > 0 else { throw .emptyPassphrase }
            let second = try TerminalPrompt.read(confirmation)
            guard first.isEqual(to: second) else { throw .passphrasesDiffer }
        }
        guard first.count > 0 else { throw .emptyPassphrase }
        return first
    }
}

/// Reading one passphrase line from a descriptor or a file into locked memory.
package enum Passphrase {
    /// The longest passphrase accepted, in bytes.
    package static let maximumBytes = 1024
    /// The largest passphrase file accepted, in bytes.
    package static let maximumFileBytes = 4096

    /// The first line of descriptor `descriptor` (one trailing `\r` dropped), read byte by byte so nothing after
    /// the line is consumed. A descriptor that is a regular file must pass the passphrase-file checks. The
    /// descriptor is made close-on-exec first, so no program this process runs inherits it.
    /// - Throws: `KeysError.badPassphraseDescriptor`, `.badPassphraseFile`, `.passphraseTooLong`.
    package static func read(descriptor: Int32) throws(KeysError) -> SecretBytes {
        guard descriptor > 2 else {
            throw .badPassphraseDescriptor(
                "--passphrase-fd \(descriptor) is a standard stream; the passphrase is never read from stdin "
                    + "(use another descriptor, e.g. --passphrase-fd 3 3<file)")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .badPassphraseDescriptor("--passphrase-fd \(descriptor) is not an open descriptor")
        }
        closeOnExec(descriptor)
        if info.st_mode & S_IFMT == S_IFREG {
            try checkFile(info, path: "--passphrase-fd \(descriptor)")
        }
        return try readLine(descriptor, source: "--passphrase-fd \(descriptor)")
    }

    /// The first line of the file at `path`, which must be a regular file (not a symlink) owned by us with no
    /// group or other permissions, at most 4 KiB (ssh's `sshkey_perm_ok` rule).
    /// - Throws: `KeysError.badPassphraseFile`, `.passphraseTooLong`.
    package static func read(file path: String) throws(KeysError) -> SecretBytes {
        let descriptor = KeysFileSystem.retrying {
            open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        }
        if descriptor < 0 {
            if errno == ELOOP { throw .badPassphraseFile("refusing passphrase file '\(path)': it is a symbolic link") }
            throw .badPassphraseFile("cannot open passphrase file '\(path)': \(KeysFileSystem.describe())")
        }
        defer { KeysFileSystem.closeQuietly(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .badPassphraseFile("cannot stat passphrase file '\(path)': \(KeysFileSystem.describe())")
        }
        try checkFile(info, path: "passphrase file '\(path)'")
        return try readLine(descriptor, source: "passphrase file '\(path)'")
    }

    /// Marks a passphrase descriptor (3 or more) close-on-exec: a command `exec` runs never inherits it, whether
    /// or not the passphrase was read. The corresponding C call is `fcntl(F_SETFD, FD_CLOEXEC)`.
    package static func closeOnExec(_ descriptor: Int32) {
        guard descriptor > 2 else { return }
        let flags = fcntl(descriptor, F_GETFD)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    }

    private static func checkFile(_ info: stat, path: String) throws(KeysError) {
        if info.st_mode & S_IFMT != S_IFREG { throw .badPassphraseFile("refusing \(path): not a regular file") }
        if info.st_uid != geteuid() {
            throw .badPassphraseFile("refusing \(path): owned by uid \(info.st_uid), not by you")
        }
        if info.st_mode & 0o077 != 0 {
            throw .badPassphraseFile(
                "refusing \(path): permissions 0\(String(info.st_mode & 0o777, radix: 8)) "
                    + "are too open (chmod 600)")
        }
        if Int(info.st_size) > maximumFileBytes { throw .badPassphraseFile("refusing \(path): larger than 4 KiB") }
    }

    /// Reads up to the first `\n` (or the end), dropping one `\r` before it.
    private static func readLine(_ descriptor: Int32, source: String) throws(KeysError) -> SecretBytes {
        try readLine(descriptor, endsAtCR: false) {
            .badPassphraseDescriptor("cannot read \(source): \(KeysFileSystem.describe())")
        }
    }

    /// Reads one line of at most `maximumBytes` into locked memory, a byte at a time so that nothing after the
    /// line is consumed: up to `\n` (or `\r` too when `endsAtCR`, as a terminal sends), or the end; one `\r`
    /// before the `\n` is dropped. `readFailure` is the error a failed read means.
    static func readLine(
        _ descriptor: Int32, endsAtCR: Bool, readFailure: () -> KeysError
    ) throws(KeysError) -> SecretBytes {
        let buffer = try SecretBytes(count: maximumBytes + 1)
        var length = 0
        var failure: KeysError?
        buffer.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            while true {
                var byte: UInt8 = 0
                let count = Glibc.read(descriptor, &byte, 1)
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                        _ = poll(&entry, 1, -1)
                        continue
                    }
                    failure = readFailure()
                    return
                }
                if count == 0 || byte == 0x0A || (endsAtCR && byte == 0x0D) { break }
                guard length < maximumBytes else {
                    failure = .passphraseTooLong
                    return
                }
                base.storeBytes(of: byte, toByteOffset: length, as: UInt8.self)
                length += 1
                byte = 0
            }
            if length > 0, base.load(fromByteOffset: length - 1, as: UInt8.self) == 0x0D { length -= 1 }
        }
        if let failure { throw failure }
        return try buffer.slice(0..<length)
    }
}
