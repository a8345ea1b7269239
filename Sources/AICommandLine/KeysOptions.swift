import AIBase
import AIKeys
import AIProviders
import ArgumentParser

/// The options every `ai-keys` command that opens the vault shares.
package struct KeysOptions: ParsableArguments {
    /// `--vault PATH`: the vault file instead of `$AI_VAULT` or the default.
    @Option(
        name: .customLong("vault"),
        help: ArgumentHelp(
            "The vault file (default: $AI_VAULT, else "
                + "$XDG_DATA_HOME/ai/vault).", valueName: "path"))
    package var vault: String?

    /// `--passphrase-fd N`: the descriptor the passphrase is read from.
    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp(
            "Read the passphrase's first line from this descriptor (3 or more; never stdin), e.g. 3<file.",
            valueName: "n"))
    package var passphraseFD: Int32?

    /// `-q`: no warnings.
    @Flag(name: .shortAndLong, help: "Silence warnings (never errors).")
    package var quiet = false

    /// Options with their defaults.
    package init() {}

    /// Refuses values outside the documented ranges.
    /// - Throws: `ValidationError` (exit 64).
    package func validate() throws {
        Diagnostics.setQuiet(quiet)
        try checkPassphraseFD(passphraseFD)
    }
}

/// The Argon2id cost of a new vault or passphrase (`init`, `passwd`), capped to documented bounds.
package struct KDFOptions: ParsableArguments {
    /// `--kdf-ops N`: Argon2id passes.
    @Option(
        name: .customLong("kdf-ops"),
        help: ArgumentHelp(
            "Argon2id passes, 1 to 16.", valueName: "n"))
    package var operations: UInt32 = KDFParameters.moderate.operations

    /// `--kdf-mem MIB`: Argon2id memory.
    @Option(
        name: .customLong("kdf-mem"),
        help: ArgumentHelp(
            "Argon2id memory in MiB, 8 to 4096.", valueName: "mib"))
    package var memoryMiB: UInt32 = KDFParameters.moderate.memoryKiB / 1024

    /// Options with their defaults.
    package init() {}

    /// Refuses values outside the documented ranges.
    /// - Throws: `ValidationError` (exit 64).
    package func validate() throws {
        guard KDFParameters.writableOperations.contains(operations) else {
            throw ValidationError("--kdf-ops must be from 1 to 16")
        }
        guard KDFParameters.writableMemoryMiB.contains(memoryMiB) else {
            throw ValidationError("--kdf-mem must be from 8 to 4096 (MiB)")
        }
    }

    /// The cost as stored in the header.
    package var parameters: KDFParameters {
        KDFParameters(operations: operations, memoryKiB: memoryMiB * 1024)
    }
}

/// A duration flag: seconds, or a number with `s`, `m`, `h` or `d`; `0` means no limit.
package struct KeysDuration: ExpressibleByArgument, Sendable, Equatable {
    /// The duration in seconds (0: no limit).
    package var seconds: UInt32

    /// A duration of `seconds`.
    package init(seconds: UInt32) {
        self.seconds = seconds
    }

    /// Parses `90`, `90s`, `15m`, `2h`, `1d`.
    package init?(argument: String) {
        var digits = argument
        var scale: UInt32 = 1
        switch argument.last {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        default: digits = argument + "s"
        }
        digits.removeLast()
        guard let value = UInt32(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: scale)
        guard !overflow, product < AgentFrame.noLimit else { return nil }
        seconds = product
    }

    /// The TTL this gives an agent: nil for 0 (no limit).
    package var ttl: Double? { seconds == 0 ? nil : Double(seconds) }

    /// The text `init(argument:)` reads back, in the largest whole unit (`2h`, `10m`, `90s`).
    package var argument: String {
        if seconds > 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// How `--help` shows a default.
    package var defaultValueDescription: String { argument }
}
