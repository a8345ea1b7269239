/// A problem loading or looking up fixtures.
package struct FixtureError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    package var message: String

    /// An error with `message`.
    package init(_ message: String) {
        self.message = message
    }

    /// The message.
    package var description: String { message }
}
