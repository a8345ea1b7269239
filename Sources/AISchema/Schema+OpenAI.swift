import AIWire

extension Schema {
    /// Whether OpenAI accepts the schema with `strict: true` (structured outputs' supported subset).
    package var isOpenAIStrictCompatible: Bool { openAIStrictProblem == nil }

    /// The first reason the schema falls outside OpenAI's strict subset (`/properties/tags: uses minLength`),
    /// or `nil` when it is inside it.
    ///
    /// The subset: the root is an object schema; every subschema is an object with a `type` (or `anyOf` or
    /// `$ref`), using only `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
    /// `anyOf`, `$ref`, `$defs`, `description`, `title`, `pattern`, `format` (date-time, time, date,
    /// duration, email, hostname, ipv4, ipv6, uuid), `multipleOf`, `minimum`, `maximum`,
    /// `exclusiveMinimum`, `exclusiveMaximum`, `minItems` and `maxItems`; every object schema has
    /// `additionalProperties: false` and lists all its properties in `required`; objects nest at most 10
    /// deep, with at most 5,000 properties and 1,000 enum values in all.
    package var openAIStrictProblem: String? {
        var rules = OpenAIStrictRules()
        return rules.problem(root: json)
    }
}

/// The walk behind `Schema.openAIStrictProblem`.
struct OpenAIStrictRules {
    /// The keywords strict mode accepts.
    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "$ref", "$defs",
        "description", "title", "pattern", "format", "multipleOf", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minItems", "maxItems",
    ]
    /// The formats strict mode accepts.
    static let formats: Set<String> = [
        "date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid",
    ]
    /// Properties seen so far.
    var properties = 0
    /// Enum values seen so far.
    var enumValues = 0

    /// The first problem, walking from the root.
    mutating func problem(root: JSON) -> String? {
        guard case .object(let object) = root else { return "(root): the schema is not an object schema" }
        guard object["type"] == .string("object") else { return "(root): the root type is not object" }
        var keywords = object
        keywords["$schema"] = nil
        return problem(.object(keywords), path: "", depth: 0)
    }

    /// The first problem in a subschema at schema location `path`, objects nested `depth` deep above it.
    mutating func problem(_ schema: JSON, path: String, depth: Int) -> String? {
        let place = path.isEmpty ? "(root)" : path
        guard case .object(let object) = schema else { return "\(place): boolean schemas are not supported" }
        if let keyword = object.keys.first(where: { !Self.keywords.contains($0) }) {
            return "\(place): uses \(keyword)"
        }
        guard object["type"] != nil || object["anyOf"] != nil || object["$ref"] != nil else {
            return "\(place): has no type"
        }
        if case .string(let format)? = object["format"], !Self.formats.contains(format) {
            return "\(place): uses format \(format)"
        }
        if case .array(let values)? = object["enum"] {
            enumValues += values.count
            if enumValues > 1_000 { return "\(place): more than 1000 enum values in all" }
        }
        var types: [String] = []
        switch object["type"] {
        case .string(let name)?: types = [name]
        case .array(let names)?: types = names.compactMap(\.stringValue)
        default: break
        }
        if types.contains("object") || object["properties"] != nil {
            if let problem = objectProblem(object, place: place, path: path, depth: depth) { return problem }
        }
        if let items = object["items"] {
            if let problem = problem(items, path: path + "/items", depth: depth) { return problem }
        }
        if case .array(let branches)? = object["anyOf"] {
            for (index, branch) in branches.enumerated() {
                if let problem = problem(branch, path: path + "/anyOf/\(index)", depth: depth) { return problem }
            }
        }
        if case .object(let definitions)? = object["$defs"] {
            for member in definitions.members {
                let location = path + "/$defs/" + JSONPointer.escape(member.key)
                if let problem = problem(member.value, path: location, depth: depth) { return problem }
            }
        }
        return nil
    }

    /// The first problem of an object schema's own rules and its properties.
    mutating func objectProblem(_ object: JSONObject, place: String, path: String, depth: Int) -> String? {
        guard depth < 10 else { return "\(place): objects nest more than 10 deep" }
        guard object["additionalProperties"] == .bool(false) else {
            return "\(place): additionalProperties is not false"
        }
        let names = object["properties"]?.objectValue?.keys ?? []
        let required = Set(object["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        if let missing = names.first(where: { !required.contains($0) }) {
            return "\(place): property \(JSON.string(missing).encodedText) is not required"
        }
        properties += names.count
        if properties > 5_000 { return "\(place): more than 5000 properties in all" }
        for member in object["properties"]?.objectValue?.members ?? [] {
            let location = path + "/properties/" + JSONPointer.escape(member.key)
            if let problem = problem(member.value, path: location, depth: depth + 1) { return problem }
        }
        return nil
    }
}
