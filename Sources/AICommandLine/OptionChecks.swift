import ArgumentParser

/// Checks of option values more than one tool takes.

/// The longest timeout an option may give, in seconds: a year (longer means nothing, and libcurl takes
/// milliseconds in an integer).
let longestTimeout: Double = 365 * 24 * 3600

/// Refuses a timeout `option` that is not more than 0 seconds and at most a year (NaN and infinity included).
package func checkTimeout(_ seconds: Double?, _ option: String) throws {
    guard let seconds else { return }
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
