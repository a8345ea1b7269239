/// The suite's version.
package enum Version {
    /// The version every tool's `--version` prints.
    package static let string = "0.1.0"
}
