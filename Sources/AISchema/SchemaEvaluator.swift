import AIWire

/// What the keywords applied to one instance location have evaluated: the annotations that
/// `unevaluatedProperties` and `unevaluatedItems` read.
struct Evaluated {
    /// Every property has been evaluated.
    var allProperties = false
    /// The properties evaluated so far.
    var properties: Set<String> = []
    /// Items before this index have been evaluated.
    var itemPrefix = 0
    /// Every item has been evaluated.
    var allItems = false
    /// Items evaluated by `contains`.
    var items: Set<Int> = []

    /// Adds what `other` evaluated.
    mutating func merge(_ other: Evaluated) {
        allProperties = allProperties || other.allProperties
        if !allProperties, !other.properties.isEmpty { properties.formUnion(other.properties) }
        itemPrefix = max(itemPrefix, other.itemPrefix)
        allItems = allItems || other.allItems
        if !allItems, !other.items.isEmpty { items.formUnion(other.items) }
    }

    /// Whether the property has been evaluated.
    func hasEvaluated(property name: String) -> Bool { allProperties || properties.contains(name) }

    /// Whether the item has been evaluated.
    func hasEvaluated(item index: Int) -> Bool { allItems || index < itemPrefix || items.contains(index) }
}

/// One step of an instance location.
enum PathToken {
    /// An object member, by name.
    case key(String)
    /// An array element, by index.
    case index(Int)
}

/// Validates instances against a compiled program, collecting failures up to a limit.
///
/// A check runs in one of two modes. Reporting, it records each failure and goes on until the limit;
/// quiet (inside `anyOf`, `oneOf`, `not`, `if`, `contains`, `propertyNames`), it stops at the first
/// failure and records nothing. Annotations are gathered only where an `unevaluated*` keyword will read
/// them (`collect`), so schemas without those keywords pay nothing for them.
struct SchemaEvaluator {
    /// The compiled schema.
    let program: SchemaProgram
    /// How many failures to record before stopping.
    var limit: Int
    /// The failures recorded.
    var failures: [SchemaFailure] = []
    /// The instance location being evaluated.
    var path: [PathToken] = []
    /// The dynamic scope: the schema resources entered, outermost first.
    var scope: [Int] = []
    /// How deeply schemas are nested in the evaluation.
    var depth = 0

    /// The most schemas nested in one evaluation: a guard against references that loop in place, and
    /// against instances nested so deeply that evaluating them would exhaust a thread's stack.
    static let maximumDepth = 512

    /// An evaluator that stops after `limit` failures.
    init(program: SchemaProgram, limit: Int) {
        self.program = program
        self.limit = max(1, limit)
    }

    /// Whether no more failures are wanted.
    var isFull: Bool { failures.count >= limit }

    /// The current instance location as a JSON Pointer.
    var pointer: String {
        var text = ""
        for token in path {
            text += "/"
            switch token {
            case .key(let key): text += JSONPointer.escape(key)
            case .index(let index): text += String(index)
            }
        }
        return text
    }

    /// Records a failure at the current location.
    mutating func fail(_ keyword: String, _ message: String) {
        guard !isFull else { return }
        failures.append(SchemaFailure(path: pointer, keyword: keyword, message: message))
    }

    /// Evaluates node `index` against `instance`; `keyword` names the keyword that applied it (for `false`).
    ///
    /// With `collect` set, the node's annotations are merged into `evaluated` when it is valid (and, when
    /// reporting, even when it is not, so that one failure does not make its siblings' properties look
    /// unevaluated too).
    mutating func evaluate(
        _ index: Int, _ instance: JSON, _ keyword: String, report: Bool, collect: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        let node = program.nodes[index]
        switch node.kind {
        case .anything: return true
        case .nothing:
            if report { fail(keyword, "no value is allowed here") }
            return false
        case .checks: break
        }
        guard depth < Self.maximumDepth else {
            if report { fail(keyword, "the schema nests too deeply (a reference loops without consuming the value)") }
            return false
        }
        depth += 1
        let entered = scope.last != node.resource
        if entered { scope.append(node.resource) }
        let collectHere = collect || node.hasUnevaluated
        var local = Evaluated()
        var valid = true
        for check in node.checks {
            if !apply(check, instance, report: report, collect: collectHere, &local) {
                valid = false
                if !report || isFull { break }
            }
        }
        if entered { scope.removeLast() }
        depth -= 1
        if collect, valid || report { evaluated.merge(local) }
        return valid
    }

    /// Evaluates a child node at a child location.
    mutating func evaluateChild(
        _ index: Int, _ instance: JSON, _ token: PathToken, _ keyword: String, report: Bool
    )
        -> Bool
    {
        path.append(token)
        var ignored = Evaluated()
        let valid = evaluate(index, instance, keyword, report: report, collect: false, &ignored)
        path.removeLast()
        return valid
    }

    /// Whether a node is the `false` schema.
    func isNothing(_ index: Int) -> Bool {
        if case .nothing = program.nodes[index].kind { return true }
        return false
    }

    /// Applies one check.
    mutating func apply(
        _ check: Check, _ instance: JSON, report: Bool, collect: Bool, _ evaluated: inout Evaluated
    )
        -> Bool
    {
        switch check {
        case .type(let types):
            if Self.matches(types, instance) { return true }
            if report { fail("type", "expected \(types.text), got \(Self.typeName(instance))") }
            return false
        case .const(let value):
            if JSON.schemaEqual(instance, value) { return true }
            if report { fail("const", "\(instance.excerpt) is not the allowed value \(value.excerpt)") }
            return false
        case .enumeration(let values):
            for value in values where JSON.schemaEqual(instance, value) { return true }
            if report { fail("enum", "\(instance.excerpt) is not one of \(Self.list(values))") }
            return false
        case .number(let checks):
            guard case .number(let text) = instance else { return true }
            return checkNumber(text, checks, report: report)
        case .string(let checks):
            guard case .string(let text) = instance else { return true }
            return checkString(text, checks, report: report)
        case .arrayBounds(let minItems, let maxItems, let unique):
            guard case .array(let elements) = instance else { return true }
            return checkArray(elements, minItems: minItems, maxItems: maxItems, unique: unique, report: report)
        case .items(let items):
            guard case .array(let elements) = instance else { return true }
            return checkItems(elements, items, report: report, collect: collect, &evaluated)
        case .contains(let node, let minimum, let maximum, let minimumKeyword):
            guard case .array(let elements) = instance else { return true }
            return checkContains(
                elements, node, minimum: minimum, maximum: maximum, minimumKeyword: minimumKeyword, report: report,
                collect: collect, &evaluated)
        case .objectBounds(let minProperties, let maxProperties):
            guard case .object(let object) = instance else { return true }
            let count = object.members.count
            if let minProperties, count < minProperties {
                if report {
                    fail("minProperties", "object has \(Self.count(count, "property")), fewer than \(minProperties)")
                }
                return false
            }
            if let maxProperties, count > maxProperties {
                if report {
                    fail("maxProperties", "object has \(Self.count(count, "property")), more than \(maxProperties)")
                }
                return false
            }
            return true
        case .required(let names):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for name in names where object[name] == nil {
                valid = false
                guard report else { return false }
                fail("required", "missing required property \(JSON.string(name).excerpt)")
            }
            return valid
        case .dependentRequired(let dependencies):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for dependency in dependencies where object[dependency.property] != nil {
                for name in dependency.required where object[name] == nil {
                    valid = false
                    guard report else { return false }
                    fail(
                        "dependentRequired",
                        "property \(JSON.string(name).excerpt) is required when \(JSON.string(dependency.property).excerpt) is present"
                    )
                }
            }
            return valid
        case .properties(let properties):
            guard case .object(let object) = instance else { return true }
            return checkProperties(object, properties, report: report, collect: collect, &evaluated)
        case .propertyNames(let node):
            guard case .object(let object) = instance else { return true }
            return checkPropertyNames(object, node, report: report)
        case .dependentSchemas(let dependencies):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for dependency in dependencies where object[dependency.property] != nil {
                if !inPlace(dependency.node, instance, "dependentSchemas", report: report, collect: collect, &evaluated)
                {
                    valid = false
                    if !report || isFull { return false }
                }
            }
            return valid
        case .allOf(let nodes):
            var valid = true
            for node in nodes where !inPlace(node, instance, "allOf", report: report, collect: collect, &evaluated) {
                valid = false
                if !report || isFull { return false }
            }
            return valid
        case .anyOf(let nodes):
            return checkAnyOf(nodes, instance, report: report, collect: collect, &evaluated)
        case .oneOf(let nodes):
            return checkOneOf(nodes, instance, report: report, collect: collect, &evaluated)
        case .not(let node):
            var ignored = Evaluated()
            if !evaluate(node, instance, "not", report: false, collect: false, &ignored) { return true }
            if report { fail("not", "\(instance.excerpt) must not match the schema in not") }
            return false
        case .conditional(let condition, let then, let otherwise):
            if then == nil, otherwise == nil, !collect { return true }
            var conditionEvaluated = Evaluated()
            if evaluate(condition, instance, "if", report: false, collect: collect, &conditionEvaluated) {
                if collect { evaluated.merge(conditionEvaluated) }
                guard let then else { return true }
                return inPlace(then, instance, "then", report: report, collect: collect, &evaluated)
            }
            guard let otherwise else { return true }
            return inPlace(otherwise, instance, "else", report: report, collect: collect, &evaluated)
        case .ref(let node):
            return inPlace(node, instance, "$ref", report: report, collect: collect, &evaluated)
        case .dynamicRef(let node, let anchor):
            var target = node
            if let anchor {
                for resource in scope {
                    if let found = program.dynamicAnchors[resource][anchor] {
                        target = found
                        break
                    }
                }
            }
            return inPlace(target, instance, "$dynamicRef", report: report, collect: collect, &evaluated)
        case .unevaluatedItems(let node):
            guard case .array(let elements) = instance else { return true }
            return checkUnevaluatedItems(elements, node, report: report, &evaluated)
        case .unevaluatedProperties(let node):
            guard case .object(let object) = instance else { return true }
            return checkUnevaluatedProperties(object, node, report: report, &evaluated)
        }
    }

    /// Evaluates an in-place applicator's subschema at the same location, merging its annotations.
    mutating func inPlace(
        _ node: Int, _ instance: JSON, _ keyword: String, report: Bool, collect: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        if report || !collect { return evaluate(node, instance, keyword, report: report, collect: collect, &evaluated) }
        var child = Evaluated()
        guard evaluate(node, instance, keyword, report: false, collect: true, &child) else { return false }
        evaluated.merge(child)
        return true
    }

    // MARK: - Types and values

    /// Whether `instance` has one of `types` (an integral number is an integer).
    static func matches(_ types: TypeSet, _ instance: JSON) -> Bool {
        switch instance {
        case .null: return types.contains(.null)
        case .bool: return types.contains(.boolean)
        case .string: return types.contains(.string)
        case .array: return types.contains(.array)
        case .object: return types.contains(.object)
        case .number(let text):
            if types.contains(.number) { return true }
            guard types.contains(.integer) else { return false }
            return isInteger(text)
        }
    }

    /// Whether a number literal is an integer (`1.0` is).
    static func isInteger(_ text: String) -> Bool {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
        {
            return true
        }
        return ExactDecimal(literal: text)?.isInteger ?? false
    }

    /// The instance's type for messages (`integer` for integral numbers).
    static func typeName(_ instance: JSON) -> String {
        if case .number(let text) = instance { return isInteger(text) ? "integer \(text)" : "number \(text)" }
        return instance.typeName
    }

    /// `3 items`, `1 property`.
    static func count(_ count: Int, _ noun: String) -> String {
        if count == 1 { return "1 \(noun)" }
        return "\(count) " + (noun.hasSuffix("y") ? noun.dropLast() + "ies" : noun + "s")
    }

    /// Values listed for a message, the first few.
    static func list(_ values: [JSON]) -> String {
        let shown = values.prefix(6).map(\.excerpt).joined(separator: ", ")
        return values.count > 6 ? shown + ", … (\(values.count) values)" : shown
    }

    /// The numeric keywords against a number.
    mutating func checkNumber(_ text: String, _ checks: NumberChecks, report: Bool) -> Bool {
        guard let value = NumberValue(literal: text) else {
            if report { fail("type", "\(text) is not a number") }
            return false
        }
        var valid = true
        if let minimum = checks.minimum, minimum.isGreater(than: value) {
            guard report else { return false }
            valid = false
            fail("minimum", "\(text) is less than the minimum \(minimum.text)")
        }
        if let maximum = checks.maximum, maximum.isLess(than: value) {
            guard report else { return false }
            valid = false
            fail("maximum", "\(text) is greater than the maximum \(maximum.text)")
        }
        if let bound = checks.exclusiveMinimum, !bound.isLess(than: value) {
            guard report else { return false }
            valid = false
            fail("exclusiveMinimum", "\(text) is not greater than the exclusive minimum \(bound.text)")
        }
        if let bound = checks.exclusiveMaximum, !bound.isGreater(than: value) {
            guard report else { return false }
            valid = false
            fail("exclusiveMaximum", "\(text) is not less than the exclusive maximum \(bound.text)")
        }
        if let divisor = checks.multipleOf, !divisor.divides(value) {
            guard report else { return false }
            valid = false
            fail("multipleOf", "\(text) is not a multiple of \(divisor.text)")
        }
        return valid
    }

    /// The string keywords against a string; lengths count code points.
    mutating func checkString(_ text: String, _ checks: StringChecks, report: Bool) -> Bool {
        var valid = true
        if checks.minLength != nil || checks.maxLength != nil {
            let bytes = text.utf8.count
            var length: Int?
            func codePoints() -> Int {
                if let length { return length }
                let count = text.unicodeScalars.count
                length = count
                return count
            }
            if let minimum = checks.minLength, minimum > 0, bytes < minimum || codePoints() < minimum {
                guard report else { return false }
                valid = false
                fail(
                    "minLength",
                    "\(JSON.string(text).excerpt) has \(Self.count(codePoints(), "character")), fewer than the minimum length \(minimum)"
                )
            }
            if let maximum = checks.maxLength, bytes > maximum, codePoints() > maximum {
                guard report else { return false }
                valid = false
                fail(
                    "maxLength",
                    "\(JSON.string(text).excerpt) has \(Self.count(codePoints(), "character")), more than the maximum length \(maximum)"
                )
            }
        }
        if let pattern = checks.pattern, !pattern.matches(text) {
            guard report else { return false }
            valid = false
            fail("pattern", "\(JSON.string(text).excerpt) does not match the pattern \(pattern.source)")
        }
        if let format = checks.format, !format.accepts(text) {
            guard report else { return false }
            valid = false
            fail("format", "\(JSON.string(text).excerpt) is not a valid \(format.rawValue)")
        }
        return valid
    }

    // MARK: - Arrays

    /// `minItems`, `maxItems` and `uniqueItems`.
    mutating func checkArray(_ elements: [JSON], minItems: Int?, maxItems: Int?, unique: Bool, report: Bool) -> Bool {
        var valid = true
        if let minItems, elements.count < minItems {
            guard report else { return false }
            valid = false
            fail("minItems", "array has \(Self.count(elements.count, "item")), fewer than the minimum \(minItems)")
        }
        if let maxItems, elements.count > maxItems {
            guard report else { return false }
            valid = false
            fail("maxItems", "array has \(Self.count(elements.count, "item")), more than the maximum \(maxItems)")
        }
        if unique, let (first, second) = Self.duplicate(in: elements) {
            guard report else { return false }
            valid = false
            fail("uniqueItems", "items \(first) and \(second) are equal")
        }
        return valid
    }

    /// The indexes of the first two equal elements, if any.
    static func duplicate(in elements: [JSON]) -> (Int, Int)? {
        if elements.count <= 16 {
            for second in elements.indices {
                for first in 0..<second where JSON.schemaEqual(elements[first], elements[second]) {
                    return (first, second)
                }
            }
            return nil
        }
        var seen: [SchemaEqualKey: Int] = [:]
        for (index, element) in elements.enumerated() {
            if let first = seen.updateValue(index, forKey: SchemaEqualKey(value: element)) { return (first, index) }
        }
        return nil
    }

    /// `prefixItems` and `items` (draft-07: `items` and `additionalItems`), noting what they evaluated.
    mutating func checkItems(
        _ elements: [JSON], _ items: ItemsCheck, report: Bool, collect: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        var valid = true
        for (index, element) in elements.enumerated() {
            let node: Int
            let keyword: String
            if index < items.prefix.count {
                node = items.prefix[index]
                keyword = items.prefixKeyword
            } else if let rest = items.rest {
                if isNothing(rest) {
                    if report {
                        fail(
                            items.restKeyword,
                            "array has \(Self.count(elements.count, "item")), more than the \(items.prefix.count) allowed"
                        )
                    }
                    return false
                }
                node = rest
                keyword = items.restKeyword
            } else {
                break
            }
            if !evaluateChild(node, element, .index(index), keyword, report: report) {
                valid = false
                if !report || isFull { return false }
            }
        }
        if collect {
            evaluated.itemPrefix = max(evaluated.itemPrefix, min(elements.count, items.prefix.count))
            if items.rest != nil { evaluated.allItems = true }
        }
        return valid
    }

    /// `contains` with `minContains` and `maxContains`, noting the items it matched.
    mutating func checkContains(
        _ elements: [JSON], _ node: Int, minimum: Int, maximum: Int?, minimumKeyword: String, report: Bool,
        collect: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        var matched = 0
        var matches: Set<Int> = []
        for (index, element) in elements.enumerated() {
            guard evaluateChild(node, element, .index(index), "contains", report: false) else { continue }
            matched += 1
            if collect { matches.insert(index) }
            if !collect, maximum == nil, matched >= minimum { break }
        }
        if matched < minimum {
            if report {
                if matched == 0, minimum == 1 {
                    fail("contains", "no item matches the contains schema")
                } else {
                    fail(
                        minimumKeyword,
                        "\(Self.count(matched, "item")) match the contains schema, fewer than the minimum \(minimum)")
                }
            }
            return false
        }
        if let maximum, matched > maximum {
            if report {
                fail(
                    "maxContains",
                    "\(Self.count(matched, "item")) match the contains schema, more than the maximum \(maximum)")
            }
            return false
        }
        if collect { evaluated.items.formUnion(matches) }
        return true
    }

    /// `unevaluatedItems`: the items no sibling keyword or valid subschema evaluated.
    mutating func checkUnevaluatedItems(
        _ elements: [JSON], _ node: Int, report: Bool, _ evaluated: inout Evaluated
    )
        -> Bool
    {
        var valid = true
        for (index, element) in elements.enumerated() where !evaluated.hasEvaluated(item: index) {
            if isNothing(node) {
                guard report else { return false }
                valid = false
                fail("unevaluatedItems", "item \(index) is not allowed")
                if isFull { return false }
            } else if !evaluateChild(node, element, .index(index), "unevaluatedItems", report: report) {
                valid = false
                if !report || isFull { return false }
            }
        }
        evaluated.allItems = true
        return valid
    }

    // MARK: - Objects

    /// `properties`, `patternProperties` and `additionalProperties`, noting what they evaluated.
    mutating func checkProperties(
        _ object: JSONObject, _ properties: PropertiesCheck, report: Bool, collect: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        var valid = true
        for member in object.members {
            var matched = false
            if let node = properties.node(named: member.key) {
                matched = true
                if !propertyValue(member, node, "properties", report: report) {
                    valid = false
                    if !report || isFull { return false }
                }
            }
            for pattern in properties.patterns where pattern.regex.matches(member.key) {
                matched = true
                if !propertyValue(member, pattern.node, "patternProperties", report: report) {
                    valid = false
                    if !report || isFull { return false }
                }
            }
            if !matched, let additional = properties.additional {
                matched = true
                if !propertyValue(member, additional, "additionalProperties", report: report) {
                    valid = false
                    if !report || isFull { return false }
                }
            }
            if collect, matched { evaluated.properties.insert(member.key) }
        }
        return valid
    }

    /// Evaluates a member's value against `node`; a `false` schema reads as "property … is not allowed".
    mutating func propertyValue(
        _ member: (key: String, value: JSON), _ node: Int, _ keyword: String, report: Bool
    )
        -> Bool
    {
        if isNothing(node) {
            if report { fail(keyword, "property \(JSON.string(member.key).excerpt) is not allowed") }
            return false
        }
        return evaluateChild(node, member.value, .key(member.key), keyword, report: report)
    }

    /// `propertyNames`: each member name as a string instance.
    mutating func checkPropertyNames(_ object: JSONObject, _ node: Int, report: Bool) -> Bool {
        var valid = true
        for member in object.members {
            var ignored = Evaluated()
            let name = JSON.string(member.key)
            guard !evaluate(node, name, "propertyNames", report: false, collect: false, &ignored) else { continue }
            valid = false
            guard report else { return false }
            if isNothing(node) {
                fail("propertyNames", "property \(name.excerpt) is not allowed")
            } else {
                let reasons = firstFailures(node, name, "propertyNames", count: 1)
                fail("propertyNames", "property name \(name.excerpt) is invalid: " + reasons)
            }
            if isFull { return false }
        }
        return valid
    }

    /// `unevaluatedProperties`: the members no sibling keyword or valid subschema evaluated.
    mutating func checkUnevaluatedProperties(
        _ object: JSONObject, _ node: Int, report: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        var valid = true
        if !evaluated.allProperties {
            for member in object.members where !evaluated.properties.contains(member.key) {
                if !propertyValue(member, node, "unevaluatedProperties", report: report) {
                    valid = false
                    if !report || isFull { return false }
                }
            }
        }
        evaluated.allProperties = true
        return valid
    }

    // MARK: - Alternatives

    /// `anyOf`: every branch is tried when annotations are wanted, else up to the first match.
    mutating func checkAnyOf(
        _ nodes: [Int], _ instance: JSON, report: Bool, collect: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        var any = false
        for node in nodes {
            var child = Evaluated()
            guard evaluate(node, instance, "anyOf", report: false, collect: collect, &child) else { continue }
            any = true
            guard collect else { break }
            evaluated.merge(child)
        }
        if !any, report {
            fail("anyOf", "\(instance.excerpt) matches none of the schemas in anyOf: " + alternatives(nodes, instance))
        }
        return any
    }

    /// `oneOf`: exactly one branch must match.
    mutating func checkOneOf(
        _ nodes: [Int], _ instance: JSON, report: Bool, collect: Bool, _ evaluated: inout Evaluated
    ) -> Bool {
        var matching: [Int] = []
        var matched = Evaluated()
        for (offset, node) in nodes.enumerated() {
            var child = Evaluated()
            guard evaluate(node, instance, "oneOf", report: false, collect: collect, &child) else { continue }
            matching.append(offset)
            matched = child
            if matching.count > 1 { break }
        }
        if matching.count == 1 {
            if collect { evaluated.merge(matched) }
            return true
        }
        if report {
            if matching.isEmpty {
                fail(
                    "oneOf",
                    "\(instance.excerpt) matches none of the schemas in oneOf: " + alternatives(nodes, instance))
            } else {
                fail(
                    "oneOf",
                    "\(instance.excerpt) matches schemas \(matching[0]) and \(matching[1]) of oneOf, not exactly one")
            }
        }
        return false
    }

    /// Why each alternative failed, briefly: `0: expected string, got integer 5; 1: …`.
    mutating func alternatives(_ nodes: [Int], _ instance: JSON) -> String {
        var parts: [String] = []
        for (offset, node) in nodes.prefix(4).enumerated() {
            parts.append("\(offset): " + firstFailures(node, instance, "", count: 1))
        }
        if nodes.count > 4 { parts.append("…") }
        return parts.joined(separator: "; ")
    }

    /// The first failures of a node at the current location, as text relative to it.
    mutating func firstFailures(_ node: Int, _ instance: JSON, _ keyword: String, count: Int) -> String {
        let saved = (failures, limit)
        failures = []
        limit = count
        let base = pointer
        var ignored = Evaluated()
        _ = evaluate(node, instance, keyword, report: true, collect: false, &ignored)
        let found = failures
        (failures, limit) = saved
        if found.isEmpty { return "no value is allowed here" }
        return found.map { failure in
            let relative = failure.path.dropFirst(base.count)
            return relative.isEmpty ? failure.message : "\(relative): \(failure.message)"
        }.joined(separator: ", ")
    }
}
