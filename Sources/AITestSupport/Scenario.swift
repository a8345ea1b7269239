import AIWire

/// A multi-request scenario from `index.json`: fixtures answered in order, and what the client should do.
package struct Scenario: Sendable {
    /// The scenario id (`openai_429_then_ok`).
    package let id: String
    /// The fixture ids answering requests 1, 2, … in order.
    package let responses: [String]
    /// The raw `expected` object (`requests`, `min_wait_seconds_before_request_2`, …).
    package let expected: JSON
    /// The whole scenario entry as it appears in `index.json`.
    package let raw: JSON

    /// Parses one `scenarios` entry.
    package init(json: JSON) throws(FixtureError) {
        guard let id = json["id"]?.stringValue else { throw FixtureError("a scenario has no string id") }
        guard let responses = json["responses"]?.arrayValue?.compactMap(\.stringValue), !responses.isEmpty else {
            throw FixtureError("scenario \(id): no responses")
        }
        self.id = id
        self.responses = responses
        expected = json["expected"] ?? .null
        raw = json
    }
}
