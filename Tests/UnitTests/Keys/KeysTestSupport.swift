import AIBase
import AIKeys
import AIProviders
import Foundation
import Glibc

/// Test helpers for the keys code: private temp directories, the golden vaults, byte edits.
enum KeysTest {
    /// The package's root directory (from this file's path).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `Tests/Fixtures/vault`.
    static let fixtureDirectory = packageRoot + "/Tests/Fixtures/vault"

    /// The passphrase of every golden vault.
    static let fixturePassphrase = "correct horse battery staple"

    /// A new 0700 directory under the temp directory.
    static func privateDirectory() -> String {
        var template = Array((NSTemporaryDirectory() + "ai-keys-unit-XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return nil }
            return String(cString: made)
        }
        return path ?? NSTemporaryDirectory()
    }

    /// The bytes of a golden vault.
    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixtureDirectory + "/" + name)))
    }

    /// Writes `bytes` as a 0600 vault in a fresh private directory.
    static func vault(_ bytes: [UInt8]) throws -> VaultLocation {
        let location = VaultLocation(path: privateDirectory() + "/vault")
        try write(bytes, to: location.path)
        return location
    }

    /// Writes a 0600 file.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
    }

    /// The bytes of a file.
    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A passphrase in locked memory.
    static func secret(_ text: String = fixturePassphrase) throws -> SecretBytes {
        try SecretBytes(utf8: text)
    }

    /// `bytes` with the header checksum recomputed (a deliberate, not accidental, edit).
    static func rechecksummed(_ bytes: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(112..<128, with: VaultHeader.checksum(of: Array(copy[0..<112])))
        return copy
    }

    /// `bytes` with a big-endian UInt32 stored at `offset`.
    static func storing(_ value: UInt32, at offset: Int, in bytes: [UInt8]) -> [UInt8] {
        var copy = bytes
        for index in 0..<4 { copy[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(index))) }
        return copy
    }

    /// The error opening `bytes` with the fixture passphrase gives, or nil when it opens.
    static func openError(_ bytes: [UInt8], passphrase: String = fixturePassphrase) -> KeysError? {
        do {
            let location = try vault(bytes)
            defer { removeTree(location.directory) }
            _ = try Vault.open(location, passphrase: try secret(passphrase))
            return nil
        } catch let error as KeysError {
            return error
        } catch {
            return .io("\(error)")
        }
    }

    /// Removes a directory tree.
    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Whether an error is one of the "vault damaged" kinds (exit 65).
    static func isDamage(_ error: KeysError?) -> Bool {
        guard let error else { return false }
        return AIError(error).exitStatus == .dataError
    }
}

/// A reporter that keeps what it was told, for tests of the library's warnings.
final class CollectingReporter: Reporter, @unchecked Sendable {
    let tool: String
    private let lock = NSLock()
    private var collected: [String] = []

    init(tool: String = "ai-test") {
        self.tool = tool
    }

    /// The warnings and errors so far, in order.
    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }

    func warning(_ message: String) {
        lock.lock()
        collected.append(message)
        lock.unlock()
    }

    func error(_ message: String, hints: [String]) {
        lock.lock()
        collected.append(message)
        lock.unlock()
    }
}
