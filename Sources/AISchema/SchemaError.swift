/// Why a schema cannot be compiled: it is not a schema, uses an unsupported feature, or refers to a
/// document that is not fetched.
package struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON Pointer of the offending place in the schema (`/properties/age/minimum`), `""` for the root.
    package var location: String
    /// What is wrong, one lowercase line without a final period.
    package var reason: String

    /// An error at a schema location.
    package init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }

    /// The whole message: `invalid schema at /properties/age/minimum: must be a number, not a string`.
    package var message: String {
        location.isEmpty ? "invalid schema: \(reason)" : "invalid schema at \(location): \(reason)"
    }

    /// The message.
    package var description: String { message }
}
