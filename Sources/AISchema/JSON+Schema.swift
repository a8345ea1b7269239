import AIWire

extension JSON {
    /// Whether two values are equal as JSON Schema defines it: numbers by value (`1` equals `1.0`), objects
    /// regardless of member order, arrays element by element.
    static func schemaEqual(_ lhs: JSON, _ rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let left), .bool(let right)): return left == right
        case (.string(let left), .string(let right)): return left == right
        case (.number(let left), .number(let right)):
            if left == right { return true }
            guard let left = NumberValue(literal: left), let right = NumberValue(literal: right) else { return false }
            return NumberValue.equal(left, right)
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            for (leftElement, rightElement) in zip(left, right) where !schemaEqual(leftElement, rightElement) {
                return false
            }
            return true
        case (.object(let left), .object(let right)):
            let leftKeys = Set(left.keys)
            guard leftKeys.count == Set(right.keys).count else { return false }
            for key in leftKeys {
                guard let leftValue = left[key], let rightValue = right[key], schemaEqual(leftValue, rightValue) else {
                    return false
                }
            }
            return true
        default: return false
        }
    }

    /// A hash consistent with `schemaEqual`: equal values hash alike.
    func schemaHash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value ? 1 : 2)
        case .string(let value):
            hasher.combine(3)
            hasher.combine(value)
        case .number(let text):
            hasher.combine(4)
            if let value = NumberValue(literal: text) { hasher.combine(value.exact) } else { hasher.combine(text) }
        case .array(let elements):
            hasher.combine(5)
            hasher.combine(elements.count)
            for element in elements { element.schemaHash(into: &hasher) }
        case .object(let object):
            hasher.combine(6)
            var sum = 0
            for key in Set(object.keys) {
                var member = Hasher()
                member.combine(key)
                object[key]?.schemaHash(into: &member)
                sum = sum &+ member.finalize()
            }
            hasher.combine(sum)
        }
    }

    /// The value as short text for a message: compact JSON, cut to about 40 characters.
    var excerpt: String {
        let text: String
        switch self {
        case .number(let literal): text = literal
        case .string(let value): text = JSON.string(String(value.prefix(41))).encodedText
        default: text = encodedText
        }
        guard text.count > 42 else { return text }
        return String(text.prefix(40)) + "…"
    }

    /// Compact JSON text.
    var encodedText: String { String(decoding: encoded(), as: UTF8.self) }
}

/// A value wrapped to hash and compare as `JSON.schemaEqual` does, for `uniqueItems` on long arrays.
struct SchemaEqualKey: Hashable {
    /// The value.
    let value: JSON

    /// Equal as `JSON.schemaEqual` says.
    static func == (lhs: SchemaEqualKey, rhs: SchemaEqualKey) -> Bool { JSON.schemaEqual(lhs.value, rhs.value) }

    /// Hashes as `JSON.schemaHash` does.
    func hash(into hasher: inout Hasher) { value.schemaHash(into: &hasher) }
}
