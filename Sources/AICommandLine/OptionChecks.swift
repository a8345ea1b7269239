import ArgumentParser

/// Checks of option values more than one tool takes.

/// The longest timeout an option may give, in seconds: a year (longer means nothing, and libcurl takes
/// milliseconds in an integer).
let longestTimeout: Double = 365 * 24 * 3600

/// Refuses a timeout `option` that is not more than 0 seconds and at most a year (NaN and infinity included).
package func checkTimeout(_ seconds: Seconds?, _ option: String) throws {
    guard let seconds = seconds?.value else { return }
    guard seconds > 0, seconds <= longestTimeout else {
        throw ValidationError("\(option) must be more than 0 seconds and at most a year (31536000)")
    }
}

/// Refuses a passphrase descriptor `option` below 3: a passphrase is never read from stdin (nor from stdout or
/// stderr).
package func checkPassphraseFD(_ descriptor: Int32?, _ option: String = "--passphrase-fd") throws {
    if let descriptor, descriptor < 3 {
        throw ValidationError("\(option) must be 3 or more: the passphrase is never read from stdin")
    }
}

/// A number of seconds an option gives (`--connect-timeout 2.5`): read as a `Double` is, and shown in `--help`
/// the way it is usually written (`10`, not `10.0`).
package struct Seconds: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    /// The number of seconds.
    package var value: Double

    /// `value` seconds.
    package init(_ value: Double) {
        self.value = value
    }

    /// Reads the number as `Double` does.
    package init?(argument: String) {
        guard let value = Double(argument: argument) else { return nil }
        self.value = value
    }

    /// A whole number without its `.0`, else the number as `Double` prints it.
    package var description: String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// How `--help` shows a default.
    package var defaultValueDescription: String { description }
}
