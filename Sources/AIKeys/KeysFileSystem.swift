import AIBase
import Glibc

/// The POSIX file operations the vault, the audit log and the agent share: EINTR-safe, close-on-exec, and
/// strict about ownership and modes (ssh's `sshkey_perm_ok` rule: owned by us, nothing for group or other).
package enum KeysFileSystem {
    /// `strerror(errno)` for messages, in lowercase (`MessageText.systemError`).
    package static func describe(_ code: Int32 = errno) -> String {
        MessageText.systemError(code)
    }

    /// Our effective uid.
    package static var effectiveUID: UInt32 { geteuid() }

    /// `lstat(2)`, or nil when the path does not exist.
    /// - Throws: `KeysError.io` for errors other than ENOENT/ENOTDIR.
    package static func status(_ path: String) throws(KeysError) -> stat? {
        var info = stat()
        if lstat(path, &info) == 0 { return info }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw .io("cannot stat \(path): \(describe())")
    }

    /// The directory part of a path ("." when there is none).
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// The last component of a path.
    package static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Creates `path` (and missing parents) as 0700 directories, then checks the last one is ours and not
    /// writable by group or other.
    /// - Throws: `KeysError.io`, `.notOwned`, `.permissionsTooOpen`, `.notARegularFile`.
    package static func ensurePrivateDirectory(_ path: String) throws(KeysError) {
        if try status(path) == nil {
            let parent = directory(of: path)
            if parent != path, parent != ".", parent != "/", try status(parent) == nil {
                try ensureDirectoryChain(parent)
            }
            if mkdir(path, 0o700) != 0, errno != EEXIST {
                throw .io("cannot create directory \(path): \(describe())")
            }
        }
        try checkDirectory(path, allowGroupRead: true)
    }

    private static func ensureDirectoryChain(_ path: String) throws(KeysError) {
        let parent = directory(of: path)
        if parent != path, parent != ".", parent != "/", try status(parent) == nil {
            try ensureDirectoryChain(parent)
        }
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw .io("cannot create directory \(path): \(describe())")
        }
    }

    /// Refuses a directory that is a symlink, not a directory, not ours, or writable by group or other (and,
    /// unless `allowGroupRead`, readable or searchable by them); a world-writable sticky directory such as `/tmp`
    /// is `sharedDirectory`, since no chmod makes it private.
    /// - Throws: `KeysError.notARegularFile`, `.notOwned`, `.permissionsTooOpen`, `.sharedDirectory`, `.io`.
    package static func checkDirectory(_ path: String, allowGroupRead: Bool) throws(KeysError) {
        guard let info = try status(path) else { throw .io("\(path) does not exist") }
        if info.st_mode & S_IFMT == S_IFLNK { throw .symbolicLink(path: path) }
        if info.st_mode & S_IFMT != S_IFDIR { throw .notARegularFile(path: path) }
        if info.st_uid != effectiveUID { throw .notOwned(path: path, uid: info.st_uid) }
        let forbidden: UInt32 = allowGroupRead ? 0o022 : 0o077
        guard info.st_mode & forbidden != 0 else { return }
        if info.st_mode & S_ISVTX != 0, info.st_mode & 0o002 != 0 {
            throw .sharedDirectory(path: path, mode: info.st_mode & 0o7777)
        }
        throw .permissionsTooOpen(path: path, mode: info.st_mode & 0o777)
    }

    /// Refuses an open file that is not a regular file of ours with no group or other bits.
    /// - Throws: `KeysError.notARegularFile`, `.notOwned`, `.permissionsTooOpen`.
    package static func checkPrivateFile(_ descriptor: Int32, path: String) throws(KeysError) -> stat {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io("cannot stat \(path): \(describe())") }
        if info.st_mode & S_IFMT != S_IFREG { throw .notARegularFile(path: path) }
        if info.st_uid != effectiveUID { throw .notOwned(path: path, uid: info.st_uid) }
        if info.st_mode & 0o077 != 0 { throw .permissionsTooOpen(path: path, mode: info.st_mode & 0o777) }
        return info
    }

    /// Opens an existing file for reading without following a final symlink.
    /// - Returns: the descriptor, or nil when the file does not exist.
    /// - Throws: `KeysError.symbolicLink`, `.io`.
    package static func openForReading(_ path: String) throws(KeysError) -> Int32? {
        let descriptor = retrying { open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) }
        if descriptor >= 0 { return descriptor }
        if errno == ENOENT { return nil }
        if errno == ELOOP { throw .symbolicLink(path: path) }
        throw .io("cannot open \(path): \(describe())")
    }

    /// Reads a descriptor to its end, refusing more than `limit` bytes (returns `limit + 1` bytes then).
    /// - Throws: `KeysError.io`.
    package static func readAll(_ descriptor: Int32, limit: Int, path: String) throws(KeysError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("cannot read \(path): \(describe())")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Writes all of `buffer`, looping over short writes and EINTR.
    /// - Returns: false with errno set on failure.
    @discardableResult
    package static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            if written == 0 { return false }
            offset += written
        }
        return true
    }

    /// Runs a system call again while it fails with EINTR.
    package static func retrying(_ call: () -> Int32) -> Int32 {
        var result: Int32
        repeat { result = call() } while result < 0 && errno == EINTR
        return result
    }

    /// Closes a descriptor, ignoring errors.
    package static func closeQuietly(_ descriptor: Int32) {
        if descriptor >= 0 { _ = close(descriptor) }
    }

    /// Lower-case hex of bytes.
    package static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
