import AIBase
import Glibc

/// Where the vault and its lock file live (DESIGN §7): `AI_VAULT`, else `$XDG_DATA_HOME/ai/vault`, else
/// `~/.local/share/ai/vault`; the lock is the same path plus `.lock`.
package struct VaultLocation: Sendable, Equatable {
    /// The vault file.
    package var path: String

    /// A vault at `path`.
    package init(path: String) {
        self.path = path
    }

    /// The vault the environment names (or `override`, from `--vault`).
    package init(environment: Environment, override: String? = nil) {
        if let override, !override.isEmpty {
            path = override
        } else if let explicit = environment[.vault] {
            path = explicit
        } else {
            path = KeysPaths.dataHome(environment) + "/ai/vault"
        }
    }

    /// `vault.lock`, next to the vault; never replaced, so `flock` on it serializes writers.
    package var lockPath: String { path + ".lock" }
    /// The directory holding the vault.
    package var directory: String { KeysFileSystem.directory(of: path) }
    /// The vault's file name.
    package var fileName: String { KeysFileSystem.baseName(of: path) }
    /// The prefix of temporary files written next to the vault.
    package var temporaryPrefix: String { DurableFile.temporaryPrefix(of: fileName) }
}

/// An open vault: the file as read, its data key in locked memory and the decrypted entries.
///
/// Reads take no lock (a rename is atomic). Writes (`create`, `modify`, `changePassphrase`) take `flock` on
/// `vault.lock`, re-read the file under it, and replace the vault with a temporary file in the same directory
/// (O_EXCL, 0600), `fsync`, read-back check, `renameat` and `fsync` of the directory: after a crash the vault
/// is the old file or the new one, never a mix.
package final class Vault {
    /// Where the vault is.
    package let location: VaultLocation
    /// The validated header of the file as read.
    package let header: VaultHeader
    /// The file's bytes (ciphertext).
    package let file: [UInt8]
    /// The data key.
    package let dataKey: SecretBytes
    /// The entries.
    package let contents: VaultContents

    private init(
        location: VaultLocation, header: VaultHeader, file: [UInt8], dataKey: SecretBytes,
        contents: VaultContents
    ) {
        self.location = location
        self.header = header
        self.file = file
        self.dataKey = dataKey
        self.contents = contents
    }

    /// Whether a vault file exists at `location` (nothing else is checked).
    package static func exists(_ location: VaultLocation) -> Bool {
        var info = stat()
        return lstat(location.path, &info) == 0
    }

    /// What is at the vault's path, without following a symbolic link; nil when nothing is.
    /// - Throws: `KeysError.io` when the path cannot be examined.
    package static func occupant(_ location: VaultLocation) throws(KeysError) -> Occupant? {
        guard let info = try KeysFileSystem.status(location.path) else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        case S_IFREG: break
        default: return .special
        }
        guard let descriptor = try? KeysFileSystem.openForReading(location.path) else { return .vault }
        defer { KeysFileSystem.closeQuietly(descriptor) }
        var magic = [UInt8](repeating: 0, count: VaultHeader.magic.count)
        let count = magic.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        return count == magic.count && magic == VaultHeader.magic ? .vault : .otherFile
    }

    /// What `occupant` found at a vault's path.
    package enum Occupant: Sendable, Equatable, CustomStringConvertible {
        /// A file that starts as a vault does.
        case vault
        /// A regular file that is not a vault.
        case otherFile
        /// A directory.
        case directory
        /// A symbolic link.
        case symbolicLink
        /// A socket, a FIFO or a device.
        case special

        /// What it is, for messages: "a directory"…
        package var description: String {
            switch self {
            case .vault: "a vault"
            case .otherFile: "a file that is not an ai-keys vault"
            case .directory: "a directory"
            case .symbolicLink: "a symbolic link"
            case .special: "a socket, a fifo or a device"
            }
        }
    }

    /// Reads the file and checks everything that needs no passphrase; nil when there is no vault.
    /// - Throws: `KeysError` for unsafe permissions, I/O errors and every format check of `VaultHeader.validate`.
    package static func read(_ location: VaultLocation) throws(KeysError) -> (file: [UInt8], header: VaultHeader)? {
        guard try KeysFileSystem.status(location.directory) != nil else { return nil }
        try KeysFileSystem.checkDirectory(location.directory, allowGroupRead: true)
        guard let descriptor = try KeysFileSystem.openForReading(location.path) else { return nil }
        defer { KeysFileSystem.closeQuietly(descriptor) }
        let info = try KeysFileSystem.checkPrivateFile(descriptor, path: location.path)
        if Int(info.st_size) > VaultHeader.maximumFileSize { throw .tooLarge(path: location.path) }
        let file = try KeysFileSystem.readAll(descriptor, limit: VaultHeader.maximumFileSize, path: location.path)
        return (file, try VaultHeader.validate(file, path: location.path))
    }

    /// Opens the vault with `passphrase` (runs the KDF once).
    /// - Throws: `KeysError.noVault`, `.incorrectPassphrase`, `.corrupted`, and everything `read` throws.
    package static func open(_ location: VaultLocation, passphrase: SecretBytes) throws(KeysError) -> Vault {
        guard let (file, header) = try read(location) else { throw .noVault(path: location.path) }
        return try unlock(location, file: file, header: header, passphrase: passphrase)
    }

    /// Opens an already read file with its data key (the agent's path: no KDF).
    /// - Throws: `KeysError.corrupted`.
    package static func open(
        _ location: VaultLocation, file: [UInt8], header: VaultHeader, dataKey: SecretBytes
    )
        throws(KeysError) -> Vault
    {
        let payload = try VaultCrypto.openBody(file: file, header: header, dek: dataKey, path: location.path)
        let contents = try VaultContents.decode(payload, path: location.path)
        return Vault(location: location, header: header, file: file, dataKey: dataKey, contents: contents)
    }

    private static func unlock(
        _ location: VaultLocation, file: [UInt8], header: VaultHeader,
        passphrase: SecretBytes
    ) throws(KeysError) -> Vault {
        let kek = try VaultCrypto.deriveKeyEncryptionKey(passphrase: passphrase, salt: header.salt, kdf: header.kdf)
        let dataKey = try VaultCrypto.unwrapDataKey(file: file, header: header, kek: kek)
        return try open(location, file: file, header: header, dataKey: dataKey)
    }

    /// Creates an empty vault (generation 1) protected by `passphrase` at cost `kdf`.
    /// - Throws: `KeysError.vaultExists`, `.busy`, `.io`, and permission errors for the directory.
    package static func create(
        _ location: VaultLocation, passphrase: SecretBytes, kdf: KDFParameters
    )
        throws(KeysError)
    {
        try KeysFileSystem.ensurePrivateDirectory(location.directory)
        let lock = try VaultLock(path: location.lockPath)
        defer { lock.release() }
        if exists(location) { throw .vaultExists(path: location.path) }
        var contents = VaultContents()
        contents.generation = 1
        let file = try seal(contents, passphrase: passphrase, kdf: kdf)
        try AtomicFile.replace(location, with: file)
    }

    /// Opens the vault (the KDF runs before the lock is taken), then under the lock re-reads it, lets `change`
    /// edit the entries and writes the next generation with the same data key and a fresh body nonce.
    /// - Returns: the contents written.
    /// - Throws: what `change` throws, `KeysError.noVault`, `.incorrectPassphrase`, `.busy`, `.io`, format errors.
    @discardableResult
    package static func modify(
        _ location: VaultLocation,
        passphrase: SecretBytes,
        _ change: (inout VaultContents) throws(KeysError) -> Void
    ) throws(KeysError) -> VaultContents {
        let opened = try open(location, passphrase: passphrase)
        let lock = try VaultLock(path: location.lockPath)
        defer { lock.release() }
        let current = try reopen(location, like: opened, passphrase: passphrase)
        var contents = current.contents
        try change(&contents)
        contents.generation &+= 1
        let file = try VaultCrypto.seal(
            payload: try contents.encoded(), header: current.header,
            dek: current.dataKey)
        try AtomicFile.replace(location, with: file)
        return contents
    }

    /// Re-encrypts the vault under `newPassphrase` with a new salt and a new data key (A5: an old copy and an
    /// old passphrase never open newer files). `opened` is the vault as opened with `oldPassphrase` before the
    /// new passphrase was asked for.
    /// - Throws: `KeysError.incorrectPassphrase`, `.busy`, `.io`, format errors.
    package static func changePassphrase(
        _ location: VaultLocation,
        opened: Vault,
        oldPassphrase: SecretBytes,
        to newPassphrase: SecretBytes,
        kdf: KDFParameters
    ) throws(KeysError) {
        guard newPassphrase.count > 0 else { throw .emptyPassphrase }
        let lock = try VaultLock(path: location.lockPath)
        defer { lock.release() }
        let current = try reopen(location, like: opened, passphrase: oldPassphrase)
        var contents = current.contents
        contents.generation &+= 1
        let file = try seal(contents, passphrase: newPassphrase, kdf: kdf)
        let check = try VaultHeader.validate(file, path: location.path)
        _ = try unlock(location, file: file, header: check, passphrase: newPassphrase)
        try AtomicFile.replace(location, with: file)
    }

    /// Under the lock: the current file, opened with `opened`'s data key when its passphrase slot (bytes 0..<128)
    /// is unchanged, else with the passphrase again (someone ran `passwd` meanwhile).
    private static func reopen(
        _ location: VaultLocation, like opened: Vault, passphrase: SecretBytes
    )
        throws(KeysError) -> Vault
    {
        guard let (file, header) = try read(location) else { throw .noVault(path: location.path) }
        let slot = 0..<VaultHeader.bodyNonceStart
        if file[slot].elementsEqual(opened.file[slot]) {
            return try open(location, file: file, header: header, dataKey: opened.dataKey)
        }
        return try unlock(location, file: file, header: header, passphrase: passphrase)
    }

    /// A new file for `contents`: fresh salt, data key and nonces.
    private static func seal(
        _ contents: VaultContents, passphrase: SecretBytes, kdf: KDFParameters
    )
        throws(KeysError) -> [UInt8]
    {
        let salt = Sodium.randomBytes(count: PasswordHash.saltBytes)
        let kek = try VaultCrypto.deriveKeyEncryptionKey(passphrase: passphrase, salt: salt, kdf: kdf)
        let dataKey = try SecretBytes(count: VaultCrypto.keyBytes)
        dataKey.withUnsafeMutableBytes { Sodium.randomBytes($0) }
        let header = VaultCrypto.wrap(dek: dataKey, kek: kek, salt: salt, kdf: kdf)
        return try VaultCrypto.seal(payload: try contents.encoded(), header: header, dek: dataKey)
    }
}

/// An exclusive `flock` on `vault.lock`, waited for up to a timeout (released by the kernel if we die).
package final class VaultLock {
    private var descriptor: Int32

    /// Takes the lock, retrying every 10 ms for up to `timeout` seconds.
    /// - Throws: `KeysError.busy` after the timeout; `.io`, `.symbolicLink`.
    package init(path: String, timeout: Double = 30) throws(KeysError) {
        let opened = KeysFileSystem.retrying {
            open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0o600)
        }
        if opened < 0 {
            if errno == ELOOP { throw .symbolicLink(path: path) }
            throw .io("cannot open \(path): \(KeysFileSystem.describe())")
        }
        descriptor = opened
        let deadline = Monotonic.now() + timeout
        while flock(opened, LOCK_EX | LOCK_NB) != 0 {
            if errno != EWOULDBLOCK && errno != EINTR {
                let message = KeysFileSystem.describe()
                KeysFileSystem.closeQuietly(opened)
                throw .io("cannot lock \(path): \(message)")
            }
            if Monotonic.now() > deadline {
                KeysFileSystem.closeQuietly(opened)
                throw .busy(path: path)
            }
            usleep(10_000)
        }
    }

    /// Releases the lock now.
    package func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        KeysFileSystem.closeQuietly(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// Replaces a file atomically and durably: temp file in the same directory, fsync, read back, rename, fsync dir.
package enum AtomicFile {
    /// Writes `bytes` as the new vault, removing temp files a killed writer left behind (`DurableFile`).
    /// - Throws: `KeysError.io` (nothing is replaced then, and the temp file is removed).
    package static func replace(_ location: VaultLocation, with bytes: [UInt8]) throws(KeysError) {
        do {
            try DurableFile.replace(
                directory: location.directory, name: location.fileName, bytes: bytes, noun: "the new vault",
                readBackLimit: VaultHeader.maximumFileSize, removeStale: true, fault: Fault.active,
                renamed: { Fault.pause("renamed") })
        } catch {
            throw .io(error.message)
        }
    }
}

/// Debug-build fault injection for the atomic-write tests (`AI_KEYS_TEST_FAULT=write|fsync|rename`); compiled
/// out of release builds.
enum Fault {
    /// Whether the named fault is requested.
    static func active(_ name: String) -> Bool {
        #if DEBUG
        return Environment.current()["AI_KEYS_TEST_FAULT"] == name
        #else
        return false
        #endif
    }

    /// Sleeps 10 s at the named point when `AI_KEYS_TEST_FAULT=pause-<name>` (kill tests), debug builds only.
    static func pause(_ name: String) {
        #if DEBUG
        if active("pause-" + name) { sleep(10) }
        #endif
    }
}
