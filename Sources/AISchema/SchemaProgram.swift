import AIWire

/// The dialect a schema resource is read in, chosen by `$schema`.
package enum SchemaDraft: String, Sendable, CaseIterable {
    /// JSON Schema draft 2020-12, the default.
    case draft2020_12 = "https://json-schema.org/draft/2020-12/schema"
    /// JSON Schema draft-07 (draft-06 is read as draft-07).
    case draft7 = "http://json-schema.org/draft-07/schema"

    /// The draft a `$schema` URI names, or `nil` for one not supported.
    init?(uri: String) {
        var text = uri
        if text.hasSuffix("#") { text.removeLast() }
        if text.hasPrefix("https://") { text = "http://" + text.dropFirst("https://".count) }
        switch text {
        case "http://json-schema.org/draft/2020-12/schema": self = .draft2020_12
        case "http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema": self = .draft7
        default: return nil
        }
    }
}

/// The JSON types a `type` keyword allows, as bits.
struct TypeSet: OptionSet, Sendable {
    /// The bits.
    let rawValue: UInt8
    /// `null`.
    static let null = TypeSet(rawValue: 1)
    /// `boolean`.
    static let boolean = TypeSet(rawValue: 2)
    /// `object`.
    static let object = TypeSet(rawValue: 4)
    /// `array`.
    static let array = TypeSet(rawValue: 8)
    /// `number` (integers too).
    static let number = TypeSet(rawValue: 16)
    /// `string`.
    static let string = TypeSet(rawValue: 32)
    /// `integer`: a number without a fractional part.
    static let integer = TypeSet(rawValue: 64)

    /// The type names in the order messages list them.
    static let names: [(String, TypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array), ("number", .number),
        ("string", .string), ("integer", .integer),
    ]

    /// The names of the members, joined with "or".
    var text: String {
        let names = Self.names.filter { contains($0.1) }.map(\.0)
        if names.count <= 2 { return names.joined(separator: " or ") }
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }
}

/// A compiled schema: its nodes (one per subschema reached) and its resources' dynamic anchors.
final class SchemaProgram: Sendable {
    /// Every compiled subschema; `Check`s refer to them by index. The root is node 0.
    let nodes: [SchemaNode]
    /// For each schema resource (by index), its `$dynamicAnchor` names and their nodes.
    let dynamicAnchors: [[String: Int]]

    /// A program from its parts.
    init(nodes: [SchemaNode], dynamicAnchors: [[String: Int]]) {
        self.nodes = nodes
        self.dynamicAnchors = dynamicAnchors
    }
}

/// One compiled subschema.
struct SchemaNode: Sendable {
    /// What the node is: `true`, `false`, or an object schema's checks.
    enum Kind: Sendable {
        /// `true` or `{}`: anything is valid.
        case anything
        /// `false`: nothing is valid.
        case nothing
        /// An object schema with keywords.
        case checks
    }

    /// The kind.
    var kind: Kind
    /// The checks, in evaluation order (`unevaluated*` last).
    var checks: [Check] = []
    /// The index of the schema resource the node belongs to (for `$dynamicRef`'s dynamic scope).
    var resource: Int = 0
    /// Whether the node has `unevaluatedItems` or `unevaluatedProperties`, so needs its applicators' annotations.
    var hasUnevaluated = false
}

/// The numeric keywords of one schema, checked with one parse of the instance.
struct NumberChecks: Sendable {
    /// `minimum`.
    var minimum: SchemaNumber?
    /// `maximum`.
    var maximum: SchemaNumber?
    /// `exclusiveMinimum`.
    var exclusiveMinimum: SchemaNumber?
    /// `exclusiveMaximum`.
    var exclusiveMaximum: SchemaNumber?
    /// `multipleOf`.
    var multipleOf: SchemaNumber?
}

/// The string keywords of one schema, checked with one count of the instance's code points.
struct StringChecks: Sendable {
    /// `minLength`, in code points.
    var minLength: Int?
    /// `maxLength`, in code points.
    var maxLength: Int?
    /// `pattern`.
    var pattern: ECMARegex?
    /// `format`, when asserted.
    var format: SchemaFormat?
}

/// `prefixItems` and `items` (draft-07: `items` as an array and `additionalItems`).
struct ItemsCheck: Sendable {
    /// The schemas for the first items.
    var prefix: [Int]
    /// The keyword naming `prefix` (`prefixItems`, or `items` in draft-07).
    var prefixKeyword: String
    /// The schema for the items after the prefix, if any.
    var rest: Int?
    /// The keyword naming `rest` (`items`, or `additionalItems` in draft-07).
    var restKeyword: String
}

/// `properties`, `patternProperties` and `additionalProperties`, which share one pass over the members.
struct PropertiesCheck: Sendable {
    /// The named properties and their schemas.
    var names: [String] = []
    /// The schemas of `names`, in the same order.
    var nodes: [Int] = []
    /// A lookup table when there are many names.
    var table: [String: Int]?
    /// The patterns and their schemas.
    var patterns: [(regex: ECMARegex, node: Int)] = []
    /// The schema for members matched by neither.
    var additional: Int?

    /// The schema of a named property.
    func node(named name: String) -> Int? {
        if let table { return table[name] }
        for index in names.indices where names[index] == name { return nodes[index] }
        return nil
    }
}

/// One check of a compiled schema, one keyword or a few that are evaluated together.
indirect enum Check: Sendable {
    /// `type`.
    case type(TypeSet)
    /// `const`.
    case const(JSON)
    /// `enum`.
    case enumeration([JSON])
    /// The numeric keywords.
    case number(NumberChecks)
    /// The string keywords.
    case string(StringChecks)
    /// `minItems`, `maxItems`, `uniqueItems`.
    case arrayBounds(minItems: Int?, maxItems: Int?, unique: Bool)
    /// `prefixItems` and `items`.
    case items(ItemsCheck)
    /// `contains`, `minContains`, `maxContains`.
    case contains(node: Int, minimum: Int, maximum: Int?, minimumKeyword: String)
    /// `minProperties`, `maxProperties`.
    case objectBounds(minProperties: Int?, maxProperties: Int?)
    /// `required`.
    case required([String])
    /// `dependentRequired` (draft-07: `dependencies` arrays).
    case dependentRequired([(property: String, required: [String])])
    /// `properties`, `patternProperties`, `additionalProperties`.
    case properties(PropertiesCheck)
    /// `propertyNames`.
    case propertyNames(Int)
    /// `dependentSchemas` (draft-07: `dependencies` schemas).
    case dependentSchemas([(property: String, node: Int)])
    /// `allOf`.
    case allOf([Int])
    /// `anyOf`.
    case anyOf([Int])
    /// `oneOf`.
    case oneOf([Int])
    /// `not`.
    case not(Int)
    /// `if`, `then`, `else`.
    case conditional(if: Int, then: Int?, else: Int?)
    /// `$ref`.
    case ref(Int)
    /// `$dynamicRef`: its static target, and the anchor name when it is dynamic.
    case dynamicRef(Int, anchor: String?)
    /// `unevaluatedItems`.
    case unevaluatedItems(Int)
    /// `unevaluatedProperties`.
    case unevaluatedProperties(Int)
}
