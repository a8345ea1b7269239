import AIWire

/// One way an instance fails its schema: where, which keyword, and why.
package struct SchemaFailure: Sendable, Equatable, CustomStringConvertible {
    /// The JSON Pointer of the failing instance location: `""` for the root, `/age`, `/items/0/name`.
    package var path: String
    /// The keyword that failed (`minimum`, `required`, `additionalProperties`).
    package var keyword: String
    /// Why, one lowercase line without a final period: `17 is less than the minimum 18`.
    package var message: String

    /// A failure at `path`.
    package init(path: String, keyword: String, message: String) {
        self.path = path
        self.keyword = keyword
        self.message = message
    }

    /// `/age: 17 is less than the minimum 18`; the root reads `(root): …`.
    package var description: String { (path.isEmpty ? "(root)" : path) + ": " + message }

    /// The failure as the error record lists it: `{"path","keyword","message"}`.
    package var record: JSON {
        .object(["path": .string(path), "keyword": .string(keyword), "message": .string(message)])
    }
}
