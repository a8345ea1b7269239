import AIWire

/// Compiles a schema document into a `SchemaProgram`.
///
/// Two passes. `scan` walks every subschema in a keyword position that holds schemas, registering schema
/// resources (`$id`, resolved against the enclosing base URI), `$anchor`s and `$dynamicAnchor`s. Then
/// `node(at:)` compiles the root and everything it reaches, each subschema once, keyed by its JSON
/// Pointer from the document root, so recursive references become cycles between node indexes. A
/// reference that resolves to no resource of the document is remote and refused.
struct SchemaCompiler {
    /// The whole schema document.
    let root: JSON
    /// Whether `format` is asserted.
    let assertFormat: Bool
    /// The root's draft (from its `$schema`, else the default given).
    let rootDraft: SchemaDraft
    /// The compiled nodes.
    var nodes: [SchemaNode] = []
    /// Document pointer → node index.
    var nodeIndex: [String: Int] = [:]
    /// Schema resource URI (no fragment) → the document tokens of its root.
    var resources: [String: [String]] = [:]
    /// Schema resource URI → resource index.
    var resourceIndex: [String: Int] = [:]
    /// `uri#name` → the document tokens of the schema with that anchor.
    var anchors: [String: [String]] = [:]
    /// Resource URI → dynamic anchor name → document tokens.
    var dynamicAnchorTokens: [String: [String: [String]]] = [:]

    /// The pattern an `$anchor` or `$dynamicAnchor` name must match.
    static func isAnchorName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    /// A compiler for a document.
    /// - Throws: `SchemaError` when the root's `$schema` names an unsupported draft.
    init(root: JSON, assertFormat: Bool, defaultDraft: SchemaDraft) throws(SchemaError) {
        self.root = root
        self.assertFormat = assertFormat
        if case .string(let uri)? = root["$schema"] {
            guard let draft = SchemaDraft(uri: uri) else { throw Self.unsupportedDraft(uri, at: ["$schema"]) }
            rootDraft = draft
        } else {
            rootDraft = defaultDraft
        }
    }

    /// The error for a `$schema` that names no supported draft.
    static func unsupportedDraft(_ uri: String, at tokens: [String]) -> SchemaError {
        SchemaError(
            location: JSONPointer.text(tokens),
            reason: "unsupported $schema \(JSON.string(uri).encodedText) (supported: draft 2020-12 and draft-07)")
    }

    /// Compiles the document.
    /// - Throws: `SchemaError` for anything that is not a schema, an unresolvable or remote reference, or an
    ///   invalid pattern.
    mutating func compile() throws(SchemaError) -> SchemaProgram {
        try scan(root, [], base: URIReference(""), draft: rootDraft)
        _ = try node(at: [])
        var dynamicAnchors: [[String: Int]] = []
        for (uri, names) in dynamicAnchorTokens {
            var table: [String: Int] = [:]
            for (name, tokens) in names { table[name] = try node(at: tokens) }
            let index = resourceNumber(uri)
            while dynamicAnchors.count <= index { dynamicAnchors.append([:]) }
            dynamicAnchors[index] = table
        }
        while dynamicAnchors.count < resourceIndex.count { dynamicAnchors.append([:]) }
        return SchemaProgram(nodes: nodes, dynamicAnchors: dynamicAnchors)
    }

    /// The index of a schema resource, numbered on first use.
    mutating func resourceNumber(_ uri: String) -> Int {
        if let index = resourceIndex[uri] { return index }
        let index = resourceIndex.count
        resourceIndex[uri] = index
        return index
    }

    // MARK: - Identifiers

    /// Applies an object's `$schema` and `$id` to the draft and base URI in force, registering its resource
    /// and anchors when `register` is set.
    mutating func identify(
        _ object: JSONObject, _ tokens: [String], base: URIReference, draft: SchemaDraft, register: Bool
    ) throws(SchemaError) -> (URIReference, SchemaDraft) {
        var draft = draft
        if case .string(let uri)? = object["$schema"], tokens.isEmpty || object["$id"] != nil {
            guard let named = SchemaDraft(uri: uri) else { throw Self.unsupportedDraft(uri, at: tokens + ["$schema"]) }
            draft = named
        }
        var base = base
        if case .string(let id)? = object["$id"], !(draft == .draft7 && object["$ref"] != nil) {
            let resolved = URIReference(id).resolved(against: base)
            if let fragment = resolved.fragment, !fragment.isEmpty {
                guard draft == .draft7 else {
                    throw SchemaError(
                        location: JSONPointer.text(tokens + ["$id"]),
                        reason: "$id must not have a fragment (use $anchor)")
                }
                if register { anchors[resolved.withoutFragment.text + "#" + fragment] = tokens }
            }
            base = resolved.withoutFragment
            if register, !URIReference(id).withoutFragment.text.isEmpty {
                if let existing = resources[base.text], existing != tokens {
                    throw SchemaError(
                        location: JSONPointer.text(tokens + ["$id"]),
                        reason: "$id \(JSON.string(base.text).encodedText) identifies two schemas")
                }
                resources[base.text] = tokens
            }
        }
        if register, draft == .draft2020_12 {
            for keyword in ["$anchor", "$dynamicAnchor"] {
                guard case .string(let name)? = object[keyword] else { continue }
                guard Self.isAnchorName(name) else {
                    throw SchemaError(
                        location: JSONPointer.text(tokens + [keyword]),
                        reason: "\(JSON.string(name).encodedText) is not a valid anchor name")
                }
                anchors[base.text + "#" + name] = tokens
                if keyword == "$dynamicAnchor" { dynamicAnchorTokens[base.text, default: [:]][name] = tokens }
            }
        }
        return (base, draft)
    }

    /// Registers the resources and anchors of `value` and every subschema in it.
    mutating func scan(_ value: JSON, _ tokens: [String], base: URIReference, draft: SchemaDraft) throws(SchemaError) {
        guard case .object(let object) = value else { return }
        if tokens.isEmpty { resources[base.text] = [] }
        let (base, draft) = try identify(object, tokens, base: base, draft: draft, register: true)
        for member in object.members {
            switch Self.position(of: member.key, in: draft) {
            case .single:
                if case .array(let elements) = member.value, draft == .draft7, member.key == "items" {
                    for (offset, element) in elements.enumerated() {
                        try scan(element, tokens + [member.key, String(offset)], base: base, draft: draft)
                    }
                } else {
                    try scan(member.value, tokens + [member.key], base: base, draft: draft)
                }
            case .map:
                guard case .object(let map) = member.value else { continue }
                for entry in map.members {
                    try scan(entry.value, tokens + [member.key, entry.key], base: base, draft: draft)
                }
            case .list:
                guard case .array(let elements) = member.value else { continue }
                for (offset, element) in elements.enumerated() {
                    try scan(element, tokens + [member.key, String(offset)], base: base, draft: draft)
                }
            case nil: continue
            }
        }
    }

    /// How a keyword holds subschemas.
    enum Position {
        /// One schema.
        case single
        /// An object whose values are schemas.
        case map
        /// An array of schemas.
        case list
    }

    /// How `keyword` holds subschemas in `draft`, or `nil` when it holds none.
    static func position(of keyword: String, in draft: SchemaDraft) -> Position? {
        switch keyword {
        case "additionalProperties", "propertyNames", "contains", "not", "if", "then", "else", "items": .single
        case "properties", "patternProperties": .map
        case "allOf", "anyOf", "oneOf": .list
        default:
            switch draft {
            case .draft2020_12:
                switch keyword {
                case "unevaluatedItems", "unevaluatedProperties", "contentSchema": .single
                case "$defs", "dependentSchemas", "dependencies": .map
                case "prefixItems": .list
                default: nil
                }
            case .draft7:
                switch keyword {
                case "additionalItems": .single
                case "definitions", "dependencies": .map
                default: nil
                }
            }
        }
    }

    /// The value at document tokens, with the base URI and draft in force there.
    /// - Throws: `SchemaError` for an unsupported `$schema` on the way.
    mutating func locate(_ tokens: [String]) throws(SchemaError) -> (JSON, URIReference, SchemaDraft)? {
        var value = root
        var base = URIReference("")
        var draft = rootDraft
        if case .object(let object) = value {
            (base, draft) = try identify(object, [], base: base, draft: draft, register: false)
        }
        for (offset, token) in tokens.enumerated() {
            switch value {
            case .object(let object):
                guard let member = object[token] else { return nil }
                value = member
            case .array(let elements):
                guard token.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }), let position = Int(token),
                    elements.indices.contains(position)
                else { return nil }
                value = elements[position]
            default: return nil
            }
            if case .object(let object) = value {
                (base, draft) = try identify(
                    object, Array(tokens[...offset]), base: base, draft: draft, register: false)
            }
        }
        return (value, base, draft)
    }

    /// The node for a reference written at `tokens` (`$ref` or `$dynamicRef`), resolved against `base`.
    /// - Throws: `SchemaError` when it points nowhere in the document or to another document.
    mutating func resolve(_ reference: String, base: URIReference, at tokens: [String]) throws(SchemaError) -> Int {
        let uri = URIReference(reference).resolved(against: base)
        let resource = uri.withoutFragment.text
        let location = JSONPointer.text(tokens)
        guard let rootTokens = resources[resource] else {
            throw SchemaError(
                location: location,
                reason: "reference \(JSON.string(uri.text).encodedText) is to another document, which is not fetched")
        }
        guard let fragment = JSONPointer.percentDecoded(uri.fragment ?? "") else {
            throw SchemaError(
                location: location, reason: "bad percent-encoding in \(JSON.string(reference).encodedText)")
        }
        if fragment.isEmpty || fragment.hasPrefix("/") {
            guard let pointer = JSONPointer.tokens(fragment) else {
                throw SchemaError(
                    location: location, reason: "bad JSON Pointer in \(JSON.string(reference).encodedText)")
            }
            guard try locate(rootTokens + pointer) != nil else {
                throw SchemaError(
                    location: location, reason: "reference \(JSON.string(reference).encodedText) points to nothing")
            }
            return try node(at: rootTokens + pointer)
        }
        guard let target = anchors[resource + "#" + fragment] else {
            throw SchemaError(
                location: location, reason: "reference \(JSON.string(reference).encodedText) names no anchor")
        }
        return try node(at: target)
    }

    // MARK: - Nodes

    /// The node of the subschema at document tokens, compiling it (and what it reaches) the first time.
    /// - Throws: `SchemaError`.
    mutating func node(at tokens: [String]) throws(SchemaError) -> Int {
        let key = JSONPointer.text(tokens)
        if let index = nodeIndex[key] { return index }
        guard let (value, base, draft) = try locate(tokens) else {
            throw SchemaError(location: key, reason: "no schema at this location")
        }
        let index = nodes.count
        nodes.append(SchemaNode(kind: .anything))
        nodeIndex[key] = index
        nodes[index] = try compileNode(value, tokens, base: base, draft: draft)
        return index
    }

    /// Compiles one subschema.
    mutating func compileNode(
        _ value: JSON, _ tokens: [String], base: URIReference, draft: SchemaDraft
    )
        throws(SchemaError) -> SchemaNode
    {
        let resource = resourceNumber(base.text)
        let object: JSONObject
        switch value {
        case .bool(let allowed): return SchemaNode(kind: allowed ? .anything : .nothing, resource: resource)
        case .object(let members): object = members
        default:
            throw SchemaError(
                location: JSONPointer.text(tokens),
                reason: "a schema must be an object or a boolean, not \(Self.article(value.typeName))")
        }
        var reader = KeywordReader(object: object, tokens: tokens)
        try reader.annotations(draft: draft)
        for keyword in draft == .draft7 ? ["definitions"] : ["$defs"] {
            for name in try reader.map(keyword) { _ = try node(at: tokens + [keyword, name]) }
        }
        if case .draft7 = draft, let reference = try reader.string("$ref") {
            let target = try resolve(reference, base: base, at: tokens + ["$ref"])
            return SchemaNode(kind: .checks, checks: [.ref(target)], resource: resource)
        }
        var checks: [Check] = []
        try compileAssertions(&reader, draft: draft, into: &checks)
        try compileArrayApplicators(&reader, draft: draft, into: &checks)
        try compileObjectApplicators(&reader, draft: draft, into: &checks)
        try compileInPlaceApplicators(&reader, base: base, draft: draft, into: &checks)
        var hasUnevaluated = false
        if draft == .draft2020_12 {
            if let schema = try reader.schema("contentSchema") { _ = try node(at: schema) }
            if let schema = try reader.schema("unevaluatedItems") {
                checks.append(.unevaluatedItems(try node(at: schema)))
                hasUnevaluated = true
            }
            if let schema = try reader.schema("unevaluatedProperties") {
                checks.append(.unevaluatedProperties(try node(at: schema)))
                hasUnevaluated = true
            }
        }
        if checks.isEmpty { return SchemaNode(kind: .anything, resource: resource) }
        return SchemaNode(kind: .checks, checks: checks, resource: resource, hasUnevaluated: hasUnevaluated)
    }

    /// `a string`, `an object`.
    static func article(_ noun: String) -> String {
        (["a", "e", "i", "o", "u"].contains(noun.first.map(String.init) ?? "") ? "an " : "a ") + noun
    }

    /// The validation vocabulary's assertions: type, const, enum, numbers, strings, counts, required.
    mutating func compileAssertions(
        _ reader: inout KeywordReader, draft: SchemaDraft, into checks: inout [Check]
    )
        throws(SchemaError)
    {
        if let types = try reader.types() { checks.append(.type(types)) }
        if let value = reader.object["const"] { checks.append(.const(value)) }
        if let values = try reader.array("enum") { checks.append(.enumeration(values)) }
        var numbers = NumberChecks()
        numbers.minimum = try reader.number("minimum")
        numbers.maximum = try reader.number("maximum")
        numbers.exclusiveMinimum = try reader.number("exclusiveMinimum")
        numbers.exclusiveMaximum = try reader.number("exclusiveMaximum")
        numbers.multipleOf = try reader.number("multipleOf")
        if let divisor = numbers.multipleOf, divisor.exact.negative || divisor.exact.isZero {
            throw reader.error("multipleOf", "must be greater than 0")
        }
        if numbers.minimum != nil || numbers.maximum != nil || numbers.exclusiveMinimum != nil
            || numbers.exclusiveMaximum != nil || numbers.multipleOf != nil
        {
            checks.append(.number(numbers))
        }
        var strings = StringChecks()
        strings.minLength = try reader.count("minLength")
        strings.maxLength = try reader.count("maxLength")
        if let pattern = try reader.string("pattern") { strings.pattern = try reader.regex(pattern, at: ["pattern"]) }
        if let name = try reader.string("format"), assertFormat { strings.format = SchemaFormat(rawValue: name) }
        if strings.minLength != nil || strings.maxLength != nil || strings.pattern != nil || strings.format != nil {
            checks.append(.string(strings))
        }
        let minItems = try reader.count("minItems")
        let maxItems = try reader.count("maxItems")
        let unique = try reader.bool("uniqueItems") ?? false
        if minItems != nil || maxItems != nil || unique {
            checks.append(.arrayBounds(minItems: minItems, maxItems: maxItems, unique: unique))
        }
        let minProperties = try reader.count("minProperties")
        let maxProperties = try reader.count("maxProperties")
        if minProperties != nil || maxProperties != nil {
            checks.append(.objectBounds(minProperties: minProperties, maxProperties: maxProperties))
        }
        if let names = try reader.strings("required"), !names.isEmpty { checks.append(.required(names)) }
        if draft == .draft2020_12 {
            var dependencies: [(property: String, required: [String])] = []
            for name in try reader.map("dependentRequired", schemasOnly: false) {
                guard let names = try reader.strings(name, in: "dependentRequired") else { continue }
                dependencies.append((property: name, required: names))
            }
            if !dependencies.isEmpty { checks.append(.dependentRequired(dependencies)) }
        }
    }

    /// `prefixItems`, `items`, `contains` (draft-07: `items`, `additionalItems`, `contains`).
    mutating func compileArrayApplicators(
        _ reader: inout KeywordReader, draft: SchemaDraft, into checks: inout [Check]
    ) throws(SchemaError) {
        var items: ItemsCheck?
        switch draft {
        case .draft2020_12:
            var prefix: [Int] = []
            for tokens in try reader.schemaList("prefixItems") { prefix.append(try node(at: tokens)) }
            if case .array? = reader.object["items"] {
                throw reader.error("items", "must be a schema in draft 2020-12 (an array of schemas is prefixItems)")
            }
            let rest = try reader.schema("items").map { (tokens) throws(SchemaError) in try node(at: tokens) }
            if !prefix.isEmpty || rest != nil {
                items = ItemsCheck(prefix: prefix, prefixKeyword: "prefixItems", rest: rest, restKeyword: "items")
            }
        case .draft7:
            if case .array? = reader.object["items"] {
                var prefix: [Int] = []
                for tokens in try reader.schemaList("items", allowEmpty: true) { prefix.append(try node(at: tokens)) }
                let rest = try reader.schema("additionalItems").map { (tokens) throws(SchemaError) in
                    try node(at: tokens)
                }
                items = ItemsCheck(prefix: prefix, prefixKeyword: "items", rest: rest, restKeyword: "additionalItems")
            } else {
                if let tokens = try reader.schema("additionalItems") { _ = try node(at: tokens) }
                if let tokens = try reader.schema("items") {
                    items = ItemsCheck(
                        prefix: [], prefixKeyword: "items", rest: try node(at: tokens), restKeyword: "items")
                }
            }
        }
        if let items { checks.append(.items(items)) }
        if let tokens = try reader.schema("contains") {
            let target = try node(at: tokens)
            if draft == .draft2020_12 {
                let minimum = try reader.count("minContains") ?? 1
                let maximum = try reader.count("maxContains")
                checks.append(
                    .contains(node: target, minimum: minimum, maximum: maximum, minimumKeyword: "minContains"))
            } else {
                checks.append(.contains(node: target, minimum: 1, maximum: nil, minimumKeyword: "contains"))
            }
        } else if draft == .draft2020_12 {
            _ = try reader.count("minContains")
            _ = try reader.count("maxContains")
        }
    }

    /// `properties`, `patternProperties`, `additionalProperties`, `propertyNames`, `dependentSchemas`
    /// (draft-07: `dependencies`).
    mutating func compileObjectApplicators(
        _ reader: inout KeywordReader, draft: SchemaDraft, into checks: inout [Check]
    ) throws(SchemaError) {
        var properties = PropertiesCheck()
        for name in try reader.map("properties") {
            properties.names.append(name)
            properties.nodes.append(try node(at: reader.tokens + ["properties", name]))
        }
        if properties.names.count > 16 {
            properties.table = Dictionary(zip(properties.names, properties.nodes), uniquingKeysWith: { $1 })
        }
        for source in try reader.map("patternProperties") {
            let regex = try reader.regex(source, at: ["patternProperties", source])
            properties.patterns.append(
                (regex: regex, node: try node(at: reader.tokens + ["patternProperties", source])))
        }
        if let tokens = try reader.schema("additionalProperties") { properties.additional = try node(at: tokens) }
        if !properties.names.isEmpty || !properties.patterns.isEmpty || properties.additional != nil {
            checks.append(.properties(properties))
        }
        if let tokens = try reader.schema("propertyNames") { checks.append(.propertyNames(try node(at: tokens))) }
        var dependentSchemas: [(property: String, node: Int)] = []
        var dependentRequired: [(property: String, required: [String])] = []
        if draft == .draft2020_12 {
            for name in try reader.map("dependentSchemas") {
                dependentSchemas.append(
                    (property: name, node: try node(at: reader.tokens + ["dependentSchemas", name])))
            }
        }
        // draft-07's `dependencies`, also read in 2020-12 (which split it in two) for schemas written the old way.
        do {
            for name in try reader.map("dependencies", schemasOnly: false) {
                if case .array? = reader.object["dependencies"]?[name] {
                    guard let names = try reader.strings(name, in: "dependencies") else { continue }
                    dependentRequired.append((property: name, required: names))
                } else {
                    let target = try node(at: reader.tokens + ["dependencies", name])
                    dependentSchemas.append((property: name, node: target))
                }
            }
        }
        if !dependentRequired.isEmpty { checks.append(.dependentRequired(dependentRequired)) }
        if !dependentSchemas.isEmpty { checks.append(.dependentSchemas(dependentSchemas)) }
    }

    /// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `$ref`, `$dynamicRef`.
    mutating func compileInPlaceApplicators(
        _ reader: inout KeywordReader, base: URIReference, draft: SchemaDraft, into checks: inout [Check]
    ) throws(SchemaError) {
        for keyword in ["allOf", "anyOf", "oneOf"] {
            var targets: [Int] = []
            for tokens in try reader.schemaList(keyword) { targets.append(try node(at: tokens)) }
            guard !targets.isEmpty else { continue }
            switch keyword {
            case "allOf": checks.append(.allOf(targets))
            case "anyOf": checks.append(.anyOf(targets))
            default: checks.append(.oneOf(targets))
            }
        }
        if let tokens = try reader.schema("not") { checks.append(.not(try node(at: tokens))) }
        let condition = try reader.schema("if").map { (tokens) throws(SchemaError) in try node(at: tokens) }
        let then = try reader.schema("then").map { (tokens) throws(SchemaError) in try node(at: tokens) }
        let otherwise = try reader.schema("else").map { (tokens) throws(SchemaError) in try node(at: tokens) }
        if let condition {
            checks.append(.conditional(if: condition, then: then, else: otherwise))
        }
        if let reference = try reader.string("$ref") {
            checks.append(.ref(try resolve(reference, base: base, at: reader.tokens + ["$ref"])))
        }
        if draft == .draft2020_12, let reference = try reader.string("$dynamicRef") {
            let target = try resolve(reference, base: base, at: reader.tokens + ["$dynamicRef"])
            let uri = URIReference(reference).resolved(against: base)
            var anchor: String?
            if let fragment = uri.fragment, !fragment.isEmpty, !fragment.hasPrefix("/"),
                dynamicAnchorTokens[uri.withoutFragment.text]?[fragment] != nil
            {
                anchor = fragment
            }
            checks.append(.dynamicRef(target, anchor: anchor))
        }
    }
}
