import AIBase

/// A JSON value that keeps what a round trip must not change.
///
/// Object members keep their order and numbers keep their literal text, so a request's `metadata`
/// is echoed back byte for byte and `extra` reaches the provider as the user wrote it. The parser
/// (`JSON.parse`) works on UTF-8 bytes and rejects invalid UTF-8; the encoder (`JSON.encoded()`,
/// `JSON.write(to:)`) writes compact JSON with non-ASCII characters left as UTF-8.
package enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, as its literal text (`12`, `-0.5`, `1e9`).
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// A number value from an integer.
    package static func int(_ value: Int) -> JSON { .number(String(value)) }

    /// A number value from a floating-point value; integral values print without a fraction.
    package static func double(_ value: Double) -> JSON {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return .number(String(Int(value))) }
        return value.isFinite ? .number(String(value)) : .null
    }

    /// The member named `key` when this is an object.
    package subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, when this is a string.
    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, when this is a number written as an integer (or an integral float).
    package var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let value = Int(text) { return value }
        if let value = Double(text), value == value.rounded(), abs(value) < 9e15 { return Int(value) }
        return nil
    }

    /// The number as a `Double`, when this is a number.
    package var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The Boolean, when this is `true` or `false`.
    package var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    package var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, when this is an object.
    package var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's type for error messages (`string`, `object`, …).
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object's members in their original order.
///
/// Lookup is linear, which beats hashing for the handful of keys provider payloads carry. When a
/// key repeats, lookup finds the last one, as most JSON parsers do.
package struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members, in order.
    package var members: [(key: String, value: JSON)]

    /// An object with the given members, in order.
    package init(_ members: [(key: String, value: JSON)] = []) {
        self.members = members
    }

    /// An object literal, in the order written.
    package init(dictionaryLiteral elements: (String, JSON)...) {
        self.members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The value of the last member named `key`; setting replaces it in place or appends; `nil` removes it.
    package subscript(key: String) -> JSON? {
        get {
            var index = members.count
            while index > 0 {
                index -= 1
                if members[index].key == key { return members[index].value }
            }
            return nil
        }
        set {
            if let index = members.lastIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.removeAll { $0.key == key } }
            } else if let newValue {
                members.append((key: key, value: newValue))
            }
        }
    }

    /// The member names, in order.
    package var keys: [String] { members.map(\.key) }

    /// Whether the object has no members.
    package var isEmpty: Bool { members.isEmpty }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
