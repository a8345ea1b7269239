import AIWire
import PropertyBased
import Testing

@testable import AISchema

/// Random JSON values, built from random bytes (each byte picks the next choice).
struct ValueBuilder {
    static let numbers = [
        "0", "-0", "1", "-17", "42", "18446744073709551616", "-99999999999999999999", "1.0", "12.50", "0.07",
        "-3.25e2", "1e-5", "4E2", "123456789.123456789", "9007199254740993",
    ]
    static let strings = [
        "", "a", "é", "e\u{301}", "\u{1F4A9}", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "a/b", "~", "\"", "\n",
        "Ünïcödé", "[x](y)", "1.5", "^$.*+?", "\\",
    ]
    static let keys = ["a", "b", "a/b", "~0", "", "é", "$ref", "x y", "type"]

    var bytes: [UInt8]
    var index = 0

    mutating func next() -> Int {
        defer { index += 1 }
        return index < bytes.count ? Int(bytes[index]) : 0
    }

    mutating func value(depth: Int = 0) -> JSON {
        switch next() % (depth >= 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(next() % 2 == 0)
        case 2, 3: return .number(Self.numbers[next() % Self.numbers.count])
        case 4: return .string(Self.strings[next() % Self.strings.count])
        case 5: return .array((0..<(next() % 4)).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<(next() % 4) {
                let key = Self.keys[next() % Self.keys.count]
                if object[key] == nil { object[key] = value(depth: depth + 1) }
            }
            return .object(object)
        }
    }
}

/// A schema that the value meets, tight enough to use most keywords: types, const and enum, bounds,
/// lengths and patterns, tuples, required properties and no others.
func schema(accepting value: JSON) -> JSON {
    switch value {
    case .null: return .object(["type": "null"])
    case .bool: return .object(["type": "boolean", "enum": .array([.null, value])])
    case .number(let text):
        let integer = ExactDecimal(literal: text)?.isInteger ?? false
        var schema: JSONObject = [
            "type": .string(integer ? "integer" : "number"), "minimum": value, "maximum": value, "const": value,
        ]
        let magnitude = text.hasPrefix("-") ? String(text.dropFirst()) : text
        if ExactDecimal(literal: magnitude)?.isZero == false { schema["multipleOf"] = .number(magnitude) }
        return .object(schema)
    case .string(let text):
        var pattern = "^"
        for scalar in text.unicodeScalars {
            if scalar.isASCIILetter || scalar.isASCIIDigit || scalar == " " {
                pattern.unicodeScalars.append(scalar)
            } else if scalar.isASCII && scalar.value >= 0x20 {
                pattern += "\\" + String(scalar)
            } else {
                pattern += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        let length = JSON.int(text.unicodeScalars.count)
        return .object([
            "type": "string", "minLength": length, "maxLength": length, "pattern": .string(pattern + "$"),
            "enum": .array([value, "not this"]),
        ])
    case .array(let elements):
        var schema: JSONObject = [
            "type": "array", "minItems": .int(elements.count), "maxItems": .int(elements.count), "items": .bool(false),
        ]
        if !elements.isEmpty {
            schema["prefixItems"] = .array(elements.map(schema(accepting:)))
            schema["contains"] = AISchemaTests.schema(accepting: elements[0])
        }
        return .object(schema)
    case .object(let object):
        var properties = JSONObject()
        for member in object.members { properties[member.key] = schema(accepting: member.value) }
        return .object([
            "type": "object", "properties": .object(properties), "required": .array(object.keys.map(JSON.string)),
            "additionalProperties": .bool(false), "minProperties": .int(object.members.count),
            "maxProperties": .int(object.members.count),
            "propertyNames": .object(["enum": .array(object.keys.map(JSON.string))]),
        ])
    }
}

@Suite struct SchemaPropertyTests {
    static let values = Gen<UInt8>.value(in: 0...255).array(of: 1...120).map { bytes in
        var builder = ValueBuilder(bytes: bytes)
        return builder.value()
    }

    @Test func schemaBuiltFromAValue_acceptsIt() async {
        await propertyCheck(count: 500, input: Self.values) { value in
            let text = schema(accepting: value)
            guard let compiled = try? Schema(text) else {
                Issue.record("does not compile: \(text.encodedText)")
                return
            }
            #expect(compiled.validate(value).isEmpty, "\(value.encodedText) against \(text.encodedText)")
            #expect(compiled.isValid(value))
        }
    }

    @Test func schemaBuiltFromAValue_acceptsItThroughReferences() async {
        await propertyCheck(count: 300, input: Self.values) { value in
            let wrapped: JSON = .object([
                "$defs": .object(["s": schema(accepting: value)]), "allOf": .array([.object(["$ref": "#/$defs/s"])]),
                "unevaluatedProperties": .bool(false), "unevaluatedItems": .bool(false),
            ])
            let compiled = try? Schema(wrapped)
            #expect(compiled?.validate(value).isEmpty == true, "\(value.encodedText)")
        }
    }

    @Test func constAcceptsExactlyTheEqualValues() async {
        await propertyCheck(count: 500, input: Self.values, Self.values) { first, second in
            guard let compiled = try? Schema(.object(["const": first])) else {
                Issue.record("const does not compile")
                return
            }
            #expect(compiled.isValid(first))
            #expect(compiled.isValid(second) == JSON.schemaEqual(first, second))
            #expect(compiled.validate(second).isEmpty == JSON.schemaEqual(first, second))
        }
    }

    @Test func schemaEqualValues_hashAlike() async {
        await propertyCheck(count: 300, input: Self.values) { value in
            let twin = try? JSON.parse(value.encoded())
            #expect(twin.map { SchemaEqualKey(value: $0).hashValue } == SchemaEqualKey(value: value).hashValue)
        }
    }
}
