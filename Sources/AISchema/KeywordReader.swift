import AIWire

/// Reads one schema object's keywords, checking that each value has the type its keyword requires.
struct KeywordReader {
    /// The schema object.
    let object: JSONObject
    /// Its document tokens.
    let tokens: [String]

    /// An error at `keyword` (and any further tokens) of this schema.
    func error(_ keyword: String, _ reason: String, _ more: [String] = []) -> SchemaError {
        SchemaError(location: JSONPointer.text(tokens + [keyword] + more), reason: reason)
    }

    /// An error saying a value has the wrong type.
    func typeError(_ keyword: String, _ expected: String, _ value: JSON, _ more: [String] = []) -> SchemaError {
        error(keyword, "must be \(expected), not \(SchemaCompiler.article(value.typeName))", more)
    }

    /// The string value of `keyword`.
    /// - Throws: `SchemaError` when present and not a string.
    func string(_ keyword: String) throws(SchemaError) -> String? {
        guard let value = object[keyword] else { return nil }
        guard case .string(let text) = value else { throw typeError(keyword, "a string", value) }
        return text
    }

    /// The Boolean value of `keyword`.
    /// - Throws: `SchemaError` when present and not a Boolean.
    func bool(_ keyword: String) throws(SchemaError) -> Bool? {
        guard let value = object[keyword] else { return nil }
        guard case .bool(let flag) = value else { throw typeError(keyword, "a boolean", value) }
        return flag
    }

    /// The array value of `keyword`.
    /// - Throws: `SchemaError` when present and not an array.
    func array(_ keyword: String) throws(SchemaError) -> [JSON]? {
        guard let value = object[keyword] else { return nil }
        guard case .array(let elements) = value else { throw typeError(keyword, "an array", value) }
        return elements
    }

    /// The number value of `keyword`.
    /// - Throws: `SchemaError` when present and not a number.
    func number(_ keyword: String) throws(SchemaError) -> SchemaNumber? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let text) = value, let number = SchemaNumber(literal: text) else {
            throw typeError(keyword, "a number", value)
        }
        return number
    }

    /// The non-negative integer value of `keyword` (`2.0` counts; huge values saturate).
    /// - Throws: `SchemaError` when present and not a non-negative integer.
    func count(_ keyword: String) throws(SchemaError) -> Int? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let text) = value, let number = ExactDecimal(literal: text), number.isInteger,
            !number.negative
        else { throw error(keyword, "must be a non-negative integer, not \(value.excerpt)") }
        return number.intValue ?? Int.max
    }

    /// The names of `keyword`'s members when it is an object of schemas (or, with `schemasOnly` off, of anything).
    /// - Throws: `SchemaError` when present and not an object, or a member is not a schema.
    func map(_ keyword: String, schemasOnly: Bool = true) throws(SchemaError) -> [String] {
        guard let value = object[keyword] else { return [] }
        guard case .object(let members) = value else { throw typeError(keyword, "an object", value) }
        if schemasOnly {
            for member in members.members {
                switch member.value {
                case .object, .bool: continue
                default: throw typeError(keyword, "a schema (an object or a boolean)", member.value, [member.key])
                }
            }
        }
        return members.keys
    }

    /// The document tokens of `keyword`'s schema.
    /// - Throws: `SchemaError` when present and not an object or a Boolean.
    func schema(_ keyword: String) throws(SchemaError) -> [String]? {
        guard let value = object[keyword] else { return nil }
        switch value {
        case .object, .bool: return tokens + [keyword]
        default: throw typeError(keyword, "a schema (an object or a boolean)", value)
        }
    }

    /// The document tokens of each schema in `keyword`'s array.
    /// - Throws: `SchemaError` when present and not a non-empty array of schemas.
    func schemaList(_ keyword: String, allowEmpty: Bool = false) throws(SchemaError) -> [[String]] {
        guard let elements = try array(keyword) else { return [] }
        if elements.isEmpty, !allowEmpty { throw error(keyword, "must not be empty") }
        var result: [[String]] = []
        for (offset, element) in elements.enumerated() {
            switch element {
            case .object, .bool: result.append(tokens + [keyword, String(offset)])
            default: throw typeError(keyword, "a schema (an object or a boolean)", element, [String(offset)])
            }
        }
        return result
    }

    /// The strings of `keyword`'s array (or of member `keyword` of the object `parent`), all different.
    /// - Throws: `SchemaError` when present and not an array of unique strings.
    func strings(_ keyword: String, in parent: String? = nil) throws(SchemaError) -> [String]? {
        let value: JSON?
        if let parent { value = object[parent]?[keyword] } else { value = object[keyword] }
        guard let value else { return nil }
        let place = parent.map { [$0, keyword] } ?? [keyword]
        let location = Array(place.dropFirst())
        guard case .array(let elements) = value else {
            throw typeError(place[0], "an array of strings", value, location)
        }
        var names: [String] = []
        for element in elements {
            guard case .string(let name) = element else {
                throw typeError(place[0], "an array of strings", element, location)
            }
            guard !names.contains(name) else {
                throw error(place[0], "lists \(JSON.string(name).encodedText) twice", location)
            }
            names.append(name)
        }
        return names
    }

    /// The `type` keyword's set of types.
    /// - Throws: `SchemaError` for a value that is not a type name or a non-empty array of different ones.
    func types() throws(SchemaError) -> TypeSet? {
        guard let value = object["type"] else { return nil }
        func member(_ element: JSON) throws(SchemaError) -> TypeSet {
            guard case .string(let name) = element else {
                throw typeError("type", "a type name or an array of them", element)
            }
            guard let type = TypeSet.names.first(where: { $0.0 == name })?.1 else {
                throw error(
                    "type",
                    "\(JSON.string(name).encodedText) is not a type (null, boolean, object, array, number, string, "
                        + "integer)")
            }
            return type
        }
        if case .array(let elements) = value {
            guard !elements.isEmpty else { throw error("type", "must not be an empty array") }
            var types: TypeSet = []
            for element in elements {
                let type = try member(element)
                guard !types.contains(type) else { throw error("type", "lists \(element.excerpt) twice") }
                types.insert(type)
            }
            return types
        }
        return try member(value)
    }

    /// A compiled pattern.
    /// - Throws: `SchemaError` when it is not a valid ECMA-262 regular expression.
    func regex(_ source: String, at place: [String]) throws(SchemaError) -> ECMARegex {
        do {
            return try ECMARegex(source)
        } catch {
            throw self.error(
                place[0], "\(JSON.string(source).encodedText) is not a valid regular expression: \(error.reason)",
                Array(place.dropFirst()))
        }
    }

    /// The core and meta-data keywords that only annotate, checked for their types.
    /// - Throws: `SchemaError` for a value of the wrong type.
    func annotations(draft: SchemaDraft) throws(SchemaError) {
        for keyword in ["$schema", "$id", "$comment", "title", "description", "contentEncoding", "contentMediaType"] {
            _ = try string(keyword)
        }
        for keyword in ["readOnly", "writeOnly"] { _ = try bool(keyword) }
        _ = try array("examples")
        if draft == .draft2020_12 {
            for keyword in ["$anchor", "$dynamicAnchor"] { _ = try string(keyword) }
            _ = try bool("deprecated")
            if let value = object["$vocabulary"] {
                guard case .object(let vocabularies) = value,
                    vocabularies.members.allSatisfy({ if case .bool = $0.value { true } else { false } })
                else { throw typeError("$vocabulary", "an object of booleans", value) }
            }
        }
        _ = try string("format")
    }
}
