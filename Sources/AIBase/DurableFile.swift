import Glibc

/// Replaces a file atomically and durably: a temp file in the same directory (O_EXCL, 0600), fsync, an optional
/// read-back check, rename over the file, fsync of the directory. After a crash the file is the old one or the
/// new one, never a mix; the vault and the batch job records are written this way.
package enum DurableFile {
    /// Writes `bytes` as the new content of `directory/name`.
    ///
    /// - Parameters:
    ///   - noun: what the file is, for messages ("the new vault").
    ///   - readBackLimit: when given, the temp file is read back (up to this many bytes) and must equal `bytes`.
    ///   - removeStale: removes temp files a killed writer left behind (call it only when no other writer can be
    ///     using them, e.g. under a lock).
    ///   - fault: debug fault injection, asked for `write`, `fsync` and `rename`.
    ///   - renamed: called after the rename, before the directory is synced (kill tests pause there).
    /// - Throws: `AIError` (`io`); nothing is replaced then, and the temp file is removed.
    package static func replace(
        directory: String,
        name: String,
        bytes: [UInt8],
        noun: String = "the new file",
        readBackLimit: Int? = nil,
        removeStale: Bool = false,
        fault: (String) -> Bool = { _ in false },
        renamed: () -> Void = {}
    ) throws(AIError) {
        let directoryFD = retrying { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard directoryFD >= 0 else {
            throw AIError(.io, "cannot open directory \(directory): \(MessageText.systemError())")
        }
        defer { _ = close(directoryFD) }
        let prefix = temporaryPrefix(of: name)
        if removeStale { removeTemporaries(prefix: prefix, directoryFD: directoryFD) }
        let temporary = prefix + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let fileFD = retrying {
            openat(directoryFD, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        guard fileFD >= 0 else {
            throw AIError(.io, "cannot create a file in \(directory): \(MessageText.systemError())")
        }
        var failure: String?
        if fchmod(fileFD, 0o600) != 0 { failure = "cannot set the mode of \(noun)" }
        if failure == nil, fault("write") || !bytes.withUnsafeBytes({ writeAll(fileFD, $0) }) {
            failure = "cannot write \(noun): \(MessageText.systemError())"
        }
        if failure == nil, fault("fsync") || fsync(fileFD) != 0 {
            failure = "cannot sync \(noun) to disk: \(MessageText.systemError())"
        }
        if close(fileFD) != 0, failure == nil { failure = "cannot close \(noun): \(MessageText.systemError())" }
        if failure == nil, let readBackLimit,
            !readsBack(directoryFD: directoryFD, name: temporary, bytes: bytes, limit: readBackLimit)
        {
            failure = "\(noun) did not read back as written"
        }
        if failure == nil, fault("rename") || renameat(directoryFD, temporary, directoryFD, name) != 0 {
            failure = "cannot rename \(noun) into place: \(MessageText.systemError())"
        }
        if let failure {
            _ = unlinkat(directoryFD, temporary, 0)
            throw AIError(.io, failure)
        }
        renamed()
        if fsync(directoryFD) != 0 { throw AIError(.io, "cannot sync \(directory): \(MessageText.systemError())") }
    }

    /// The prefix of the temp files written for `name`: `.NAME.tmp.`.
    package static func temporaryPrefix(of name: String) -> String {
        "." + name + ".tmp."
    }

    /// Creates `path` and its missing parents as 0700 directories.
    /// - Throws: `AIError` (`io`) when one cannot be created.
    package static func makePrivateDirectory(_ path: String) throws(AIError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o700) != 0, errno != EEXIST {
                throw AIError(.io, "cannot create directory \(current): \(MessageText.systemError())")
            }
        }
    }

    private static func readsBack(directoryFD: Int32, name: String, bytes: [UInt8], limit: Int) -> Bool {
        let descriptor = retrying { openat(directoryFD, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard descriptor >= 0 else { return false }
        defer { _ = close(descriptor) }
        var read: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while read.count <= limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            read += chunk[0..<count]
        }
        return read == bytes
    }

    private static func removeTemporaries(prefix: String, directoryFD: Int32) {
        let duplicate = dup(directoryFD)
        guard duplicate >= 0, let stream = fdopendir(duplicate) else {
            if duplicate >= 0 { _ = close(duplicate) }
            return
        }
        defer { closedir(stream) }
        var stale: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(prefix) { stale.append(name) }
        }
        for name in stale { _ = unlinkat(directoryFD, name, 0) }
    }

    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if written < 0, errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    private static func retrying(_ call: () -> Int32) -> Int32 {
        var result: Int32
        repeat { result = call() } while result < 0 && errno == EINTR
        return result
    }
}
