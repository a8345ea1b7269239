import AIBase

/// Every way the vault, the passphrase sources and the agent can fail, each with its message and exit status.
///
/// The library throws these; `AIError(_:)` turns one into what users see (`ai-keys: error: …`, DESIGN §4):
/// 65 for a damaged vault, 77 for a wrong passphrase or a locked vault with no way to unlock it here,
/// 78 for unsafe permissions and missing keys. Messages never contain secret bytes.
package enum KeysError: Error, Equatable, Sendable {
    /// `sodium_init` failed.
    case cryptoUnavailable
    /// A guarded allocation failed.
    case outOfMemory
    /// Argon2id could not get its memory.
    case kdfOutOfMemory(mebibytes: Int)

    /// No vault file at the path.
    case noVault(path: String)
    /// `init` found a vault already there.
    case vaultExists(path: String)
    /// The file does not start with the vault magic.
    case notAVault(path: String)
    /// The file ends before its header or body does.
    case truncated(path: String)
    /// Bytes follow the body.
    case trailingData(path: String)
    /// The file is larger than any vault may be.
    case tooLarge(path: String)
    /// A format version this build does not read.
    case unsupportedVersion(Int)
    /// Header flags this build does not know.
    case unsupportedFlags(Int)
    /// A KDF other than Argon2id.
    case unsupportedKDF(Int)
    /// Reserved header bytes are not zero.
    case reservedBytesSet
    /// The header checksum does not match: accidental damage.
    case headerCorrupted
    /// KDF parameters outside the accepted bounds (refused before the KDF runs).
    case kdfParametersOutOfBounds(String)
    /// The wrapped data key does not open: the passphrase is wrong.
    case incorrectPassphrase
    /// The body does not authenticate, or its plaintext is malformed.
    case corrupted(path: String)

    /// The file or directory is not a regular file / directory.
    case notARegularFile(path: String)
    /// A file, directory or socket belongs to another user.
    case notOwned(path: String, uid: UInt32)
    /// Group or other bits are set where they must not be.
    case permissionsTooOpen(path: String, mode: UInt32)
    /// A directory shared with other users (world-writable and sticky, as `/tmp`) holds a private file.
    case sharedDirectory(path: String, mode: UInt32)
    /// `init` found something that is not a vault where the vault would go: what it is.
    case occupied(path: String, what: String)
    /// A path is a symbolic link where one is refused.
    case symbolicLink(path: String)
    /// Another writer holds `vault.lock` for too long.
    case busy(path: String)
    /// A system call failed.
    case io(String)

    /// The entry is not in the vault.
    case entryNotFound(name: String)
    /// An entry name outside `[A-Za-z0-9._-]{1,64}`.
    case invalidName(String)
    /// An empty key.
    case emptySecret
    /// A key longer than `VaultContents.maximumSecretBytes`.
    case secretTooLong
    /// More than `VaultContents.maximumEntries` entries, or a vault over its size cap.
    case vaultFull(String)

    /// An empty passphrase.
    case emptyPassphrase
    /// A passphrase longer than `Passphrase.maximumBytes`.
    case passphraseTooLong
    /// The two new passphrases typed differ.
    case passphrasesDiffer
    /// No passphrase source and no terminal to ask on.
    case noTerminal
    /// `--passphrase-fd` names an unusable descriptor.
    case badPassphraseDescriptor(String)
    /// `AI_PASSPHRASE_FILE` names an unusable or unsafe file.
    case badPassphraseFile(String)
    /// The prompt was interrupted.
    case interrupted

    /// No agent answers at the socket path.
    case noAgent(path: String?)
    /// An agent is already running at the path.
    case agentRunning(path: String)
    /// The agent is locked.
    case agentLocked
    /// The agent or its socket cannot be trusted (another uid, a planted file, an unsafe directory).
    case untrustedAgent(String)
    /// The agent answered something this client does not understand, or closed the connection.
    case agentProtocol(String)
    /// The agent refused the request (`vault_changed`, `rolled_back`, back-off…).
    case agentRefused(String)
    /// The agent could not read the vault: its message and the exit status it maps to.
    case agentVault(String, status: Int32)
    /// The agent's runtime directory cannot be used.
    case runtimeDirectory(String)
}

extension AIError {
    /// The user-facing failure for a keys error.
    package init(_ error: KeysError) {
        let startAgent = "start an agent and unlock it: eval \"$(ai-keys agent)\" && ai-keys unlock"
        switch error {
        case .cryptoUnavailable:
            self.init(.internal, "libsodium failed to initialize")
        case .outOfMemory:
            self.init(.io, "cannot allocate locked memory for a secret")
        case .kdfOutOfMemory(let mebibytes):
            self.init(.io, "not enough memory for the kdf (needs \(mebibytes) MiB)")
        case .noVault(let path):
            self.init(
                .noInput, "no vault at \(path)",
                hints: ["create one with 'ai-keys init'"])
        case .vaultExists(let path):
            self.init(
                .config, "a vault already exists at \(path)",
                hints: ["change its passphrase with 'ai-keys passwd'"])
        case .notAVault(let path):
            self.init(.input, "\(path) is not an ai-keys vault")
        case .truncated(let path):
            self.init(.input, "vault \(path) is truncated")
        case .trailingData(let path):
            self.init(.input, "vault \(path) has trailing data after its end")
        case .tooLarge(let path):
            self.init(.input, "vault \(path) is larger than any vault can be")
        case .unsupportedVersion(let version):
            self.init(.input, "unsupported vault version \(version); upgrade ai-keys")
        case .unsupportedFlags(let flags):
            self.init(.input, "unsupported vault flags 0x\(String(flags, radix: 16)); upgrade ai-keys")
        case .unsupportedKDF(let identifier):
            self.init(.input, "unsupported vault kdf \(identifier)")
        case .reservedBytesSet:
            self.init(.input, "vault header has reserved bytes set")
        case .headerCorrupted:
            self.init(.input, "vault header is corrupted")
        case .kdfParametersOutOfBounds(let detail):
            self.init(.input, "vault kdf parameters out of bounds (\(detail))")
        case .incorrectPassphrase:
            self.init(
                .auth, "incorrect passphrase",
                hints: ["if you just changed the passphrase, try the previous one"])
        case .corrupted(let path):
            self.init(.input, "vault \(path) is corrupted or was tampered with")
        case .notARegularFile(let path):
            self.init(.config, "\(path) is not a regular file")
        case .notOwned(let path, let uid):
            self.init(.config, "\(path) belongs to uid \(uid), not to you")
        case .permissionsTooOpen(let path, let mode):
            self.init(
                .config, "permissions 0\(String(mode, radix: 8)) for '\(path)' are too open",
                hints: ["chmod go-rwx '\(path)'"])
        case .sharedDirectory(let path, let mode):
            self.init(
                .config, "'\(path)' is a directory shared with other users (mode \(String(mode, radix: 8)))",
                hints: [
                    "keep the vault and the agent's socket in a private directory of yours instead, such as the "
                        + "defaults (unset AI_VAULT or AI_KEYS_SOCK)"
                ])
        case .occupied(let path, let what):
            self.init(.config, "\(path) is \(what), not a vault; refusing to replace it")
        case .symbolicLink(let path):
            self.init(.config, "\(path) is a symbolic link; refusing it")
        case .busy(let path):
            self.init(.timeout, "vault is busy: another ai-keys holds \(path)")
        case .io(let detail):
            self.init(.io, detail)
        case .entryNotFound(let name):
            self.init(.noKey, "no key named '\(name)' in the vault", hints: ["store one with 'ai-keys set \(name)'"])
        case .invalidName(let name):
            self.init(.usage, "invalid key name '\(name)': use 1 to 64 of A-Z a-z 0-9 . _ -")
        case .emptySecret:
            self.init(.input, "empty key")
        case .secretTooLong:
            self.init(.input, "key too long (at most \(VaultContents.maximumSecretBytes) bytes)")
        case .vaultFull(let detail):
            self.init(.input, "vault full: \(detail)")
        case .emptyPassphrase:
            self.init(.auth, "empty passphrase")
        case .passphraseTooLong:
            self.init(.auth, "passphrase too long (at most \(Passphrase.maximumBytes) bytes)")
        case .passphrasesDiffer:
            self.init(.auth, "passphrases didn't match")
        case .noTerminal:
            self.init(
                .vaultLocked, "vault is locked and there is no terminal to ask for the passphrase",
                hints: [startAgent, "or give the passphrase with --passphrase-fd N or AI_PASSPHRASE_FILE"])
        case .badPassphraseDescriptor(let detail):
            self.init(.usage, detail)
        case .badPassphraseFile(let detail):
            self.init(.config, detail)
        case .interrupted:
            self.init(.cancelled, "interrupted")
        case .noAgent(let path):
            self.init(
                .unavailable, path.map { "no agent at \($0)" } ?? "no agent running",
                hints: ["start one: eval \"$(ai-keys agent)\""])
        case .agentRunning(let path):
            self.init(
                .config, "an agent is already running at \(path)",
                hints: ["stop it with 'ai-keys agent -k'"])
        case .agentLocked:
            self.init(.vaultLocked, "the agent is locked", hints: ["unlock it with 'ai-keys unlock'"])
        case .untrustedAgent(let detail):
            self.init(.config, detail)
        case .agentProtocol(let detail):
            self.init(.protocol, "agent: \(detail)")
        case .agentRefused(let detail):
            self.init(.vaultLocked, "agent: \(detail)", hints: ["unlock it again with 'ai-keys unlock'"])
        case .agentVault(let detail, let status):
            switch ExitStatus(rawValue: status) {
            case .dataError: self.init(.input, "agent: \(detail)")
            case .noInput: self.init(.noInput, "agent: \(detail)")
            case .config: self.init(.config, "agent: \(detail)")
            default: self.init(.io, "agent: \(detail)")
            }
        case .runtimeDirectory(let detail):
            self.init(.config, detail)
        }
    }
}
