import AIBase
import AIWire

/// The `request` rule of a fixture: the minimum a correct client sends.
///
/// Checks, in order: method; path (without the query); `query` parameters (subset); `headers` (names
/// case-insensitive, values exact except `content-type`, whose media type is compared case-insensitively and
/// whose parameters are ignored); then the JSON body: `body_must_include` (recursive subset: objects by key,
/// arrays element by element with equal length, numbers by value), `body_must_have_keys` (top-level keys
/// present), `body_must_not_include` (top-level keys absent) and the `body_rules` this type knows (no message
/// with role `system`; `max_tokens` a positive integer; `<name> header is exactly <value>`). Unknown
/// `body_rules` are ignored.
package struct FixtureRequestRule: Sendable {
    /// The required method, if any.
    package var method: String?
    /// The required path (without query), if any.
    package var path: String?
    /// Query parameters that must be present with these values.
    package var query: [(String, String)]
    /// Headers that must be present with these values.
    package var headers: [(String, String)]
    /// A JSON value the body must contain (subset match), if any.
    package var bodyMustInclude: JSON?
    /// Top-level keys the body must have.
    package var bodyMustHaveKeys: [String]
    /// Top-level keys the body must not have.
    package var bodyMustNotInclude: [String]
    /// Rules in prose; the known ones are enforced (see the type's notes).
    package var bodyRules: [String]
    /// The rule's `notes`, if any.
    package var notes: String?

    /// Parses a fixture's `request` object.
    package init(json: JSON, fixtureID: String) throws(FixtureError) {
        func strings(_ key: String) -> [(String, String)] {
            (json[key]?.objectValue?.members ?? []).map { ($0.key, $0.value.stringValue ?? $0.value.encodedString) }
        }
        method = json["method"]?.stringValue
        path = json["path"]?.stringValue
        query = strings("query")
        headers = strings("headers")
        bodyMustInclude = json["body_must_include"].flatMap { $0.isNull ? nil : $0 }
        bodyMustHaveKeys = json["body_must_have_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        bodyMustNotInclude = json["body_must_not_include"]?.arrayValue?.compactMap(\.stringValue) ?? []
        bodyRules = json["body_rules"]?.arrayValue?.compactMap(\.stringValue) ?? []
        notes = json["notes"]?.stringValue
        if let bodyMustInclude, bodyMustInclude.objectValue == nil {
            throw FixtureError("fixture \(fixtureID): body_must_include is not an object")
        }
    }

    /// Why `request` violates the rule, or nil when it complies.
    package func violation(
        by request: RecordedRequest,
        checkPath: Bool = true,
        skippingHeaders: Set<String> = []
    ) -> String? {
        if let method, request.method.uppercased() != method.uppercased() {
            return "method is \(request.method), expected \(method)"
        }
        if checkPath, let path, request.pathWithoutQuery != path {
            return "path is \(request.pathWithoutQuery), expected \(path)"
        }
        for (name, value) in query {
            guard let actual = request.queryValue(name) else { return "query parameter \(name) is missing" }
            if actual != value { return "query parameter \(name) is '\(actual)', expected '\(value)'" }
        }
        for (name, value) in headers where !skippingHeaders.contains(name.lowercased()) {
            if let why = headerViolation(request, name: name, value: value) { return why }
        }
        let needsBody =
            bodyMustInclude != nil || !bodyMustHaveKeys.isEmpty || !bodyMustNotInclude.isEmpty || !bodyRules.isEmpty
        guard needsBody else { return nil }
        let body: JSON
        do {
            body = try JSON.parse(request.body)
        } catch {
            return request.body.isEmpty ? "body is empty, expected a JSON object" : "body is not JSON: \(error.reason)"
        }
        guard let object = body.objectValue else { return "body is a JSON \(body.typeName), expected an object" }
        if let bodyMustInclude, let why = FixtureRequestRule.subsetViolation(bodyMustInclude, body, at: "body") {
            return why
        }
        for key in bodyMustHaveKeys where object[key] == nil {
            return "body has no '\(key)' key"
        }
        for key in bodyMustNotInclude where object[key] != nil {
            return "body must not include '\(key)'"
        }
        for rule in bodyRules {
            if let why = bodyRuleViolation(rule, request: request, body: object, skippingHeaders: skippingHeaders) {
                return why
            }
        }
        return nil
    }

    /// Whether a header is a credential whose value must not be echoed back in messages.
    private static func isCredential(_ name: String) -> Bool {
        let name = name.lowercased()
        return name == "authorization" || name.contains("key") || name.contains("token")
    }

    private func headerViolation(_ request: RecordedRequest, name: String, value: String) -> String? {
        guard let actual = request.header(name) else { return "header \(name) is missing" }
        if name.lowercased() == "content-type" {
            func mediaType(_ text: String) -> String {
                String(text.split(separator: ";", maxSplits: 1).first ?? "").filter { $0 != " " && $0 != "\t" }
                    .lowercased()
            }
            if mediaType(actual) == mediaType(value) { return nil }
        } else if actual == value {
            return nil
        }
        if FixtureRequestRule.isCredential(name) { return "header \(name) does not carry the fixture test value" }
        return "header \(name) is '\(actual)', expected '\(value)'"
    }

    /// Whether `violation(by:)` enforces this `body_rules` entry (the others are prose it ignores).
    package static func isKnown(_ rule: String) -> Bool {
        rule.hasPrefix("no message has role 'system'") || rule.hasPrefix("max_tokens is a positive integer")
            || rule.contains(" header is exactly ")
    }

    private func bodyRuleViolation(
        _ rule: String,
        request: RecordedRequest,
        body: JSONObject,
        skippingHeaders: Set<String>
    ) -> String? {
        if rule.hasPrefix("no message has role 'system'") {
            let roles = body["messages"]?.arrayValue?.compactMap { $0["role"]?.stringValue } ?? []
            return roles.contains("system") ? "a message has role 'system' (use the top-level 'system')" : nil
        }
        if rule.hasPrefix("max_tokens is a positive integer") {
            guard let value = body["max_tokens"] else { return "body has no 'max_tokens' key" }
            guard case .number(let text) = value, let number = Int(text), number > 0 else {
                return "max_tokens is \(value.encodedString), expected a positive integer"
            }
            return nil
        }
        if let range = rule.range(of: " header is exactly ") {
            let name = String(rule[..<range.lowerBound])
            let value = String(rule[range.upperBound...])
            guard !skippingHeaders.contains(name.lowercased()) else { return nil }
            guard let actual = request.header(name) else { return "header \(name) is missing" }
            return actual == value ? nil : "header \(name) is '\(actual)', expected exactly '\(value)'"
        }
        return nil
    }

    /// Why `actual` does not contain `expected` (recursive subset match), or nil.
    package static func subsetViolation(_ expected: JSON, _ actual: JSON?, at path: String) -> String? {
        guard let actual else { return "\(path) is missing" }
        switch expected {
        case .object(let members):
            guard let actualMembers = actual.objectValue else {
                return "\(path) is a JSON \(actual.typeName), expected an object"
            }
            for member in members.members {
                if let why = subsetViolation(member.value, actualMembers[member.key], at: "\(path).\(member.key)") {
                    return why
                }
            }
            return nil
        case .array(let elements):
            guard let actualElements = actual.arrayValue else {
                return "\(path) is a JSON \(actual.typeName), expected an array"
            }
            guard actualElements.count == elements.count else {
                return "\(path) has \(actualElements.count) elements, expected \(elements.count)"
            }
            for (position, element) in elements.enumerated() {
                if let why = subsetViolation(element, actualElements[position], at: "\(path)[\(position)]") {
                    return why
                }
            }
            return nil
        case .number(let text):
            if let actualValue = actual.doubleValue, let expectedValue = Double(text), actualValue == expectedValue {
                return nil
            }
            return "\(path) is \(actual.encodedString), expected \(text)"
        default:
            return actual == expected ? nil : "\(path) is \(actual.encodedString), expected \(expected.encodedString)"
        }
    }
}
