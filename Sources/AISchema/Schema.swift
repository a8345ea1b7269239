import AIWire

/// A JSON Schema, compiled once and then checked against any number of instances.
///
/// Draft 2020-12 in full (core, applicator, validation and unevaluated vocabularies), and draft-07 when
/// `$schema` names it. References resolve inside the schema document only: one to another document
/// is refused when compiling. Numbers compare exactly from their literal text. `format` is an
/// annotation unless `assertFormat` is set. The compiled form is immutable and `Sendable`, so one
/// schema serves every worker of a batch.
///
/// ```swift
/// let schema = try Schema(JSON.parse(#"{"type":"object","required":["age"]}"#))
/// let failures = schema.validate(answer)   // [] when valid
/// ```
package struct Schema: Sendable {
    /// The schema document as given.
    package let json: JSON
    /// The draft of the root resource.
    package let draft: SchemaDraft
    /// Whether `format` is asserted.
    package let assertsFormat: Bool
    /// The compiled nodes.
    let program: SchemaProgram

    /// Compiles a schema.
    /// - Parameters:
    ///   - json: The schema: an object or a Boolean.
    ///   - assertFormat: Check `format` (date-time, date, time, duration, email, hostname, ipv4, ipv6, uri,
    ///     uri-reference, iri, iri-reference, uri-template, uuid, json-pointer, relative-json-pointer, regex) rather than
    ///     treat it as an annotation. Formats not in that list are never checked.
    ///   - draft: The draft to read the schema in when its `$schema` names none.
    /// - Throws: `SchemaError` when `json` is not a schema (a keyword's value of the wrong type, an unknown
    ///   type name, an invalid pattern, an unsupported `$schema`), or a reference does not resolve inside it.
    package init(_ json: JSON, assertFormat: Bool = false, draft: SchemaDraft = .draft2020_12) throws(SchemaError) {
        var compiler = try SchemaCompiler(root: json, assertFormat: assertFormat, defaultDraft: draft)
        program = try compiler.compile()
        self.json = json
        self.draft = compiler.rootDraft
        assertsFormat = assertFormat
    }

    /// Parses schema text (JSON) and compiles it.
    /// - Throws: `SchemaError` when the text is not JSON or not a schema.
    package init(
        parsing text: String, assertFormat: Bool = false, draft: SchemaDraft = .draft2020_12
    )
        throws(SchemaError)
    {
        let json: JSON
        do {
            json = try JSON.parse(text)
        } catch {
            throw SchemaError(location: "", reason: "not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        try self.init(json, assertFormat: assertFormat, draft: draft)
    }

    /// The ways `instance` fails the schema, in evaluation order, at most `limit`; empty when it is valid.
    package func validate(_ instance: JSON, limit: Int = 10) -> [SchemaFailure] {
        var evaluator = SchemaEvaluator(program: program, limit: limit)
        var ignored = Evaluated()
        _ = evaluator.evaluate(0, instance, "false", report: true, collect: false, &ignored)
        return evaluator.failures
    }

    /// Whether `instance` is valid; faster than `validate` for an invalid one, as it stops at the first failure.
    package func isValid(_ instance: JSON) -> Bool {
        var evaluator = SchemaEvaluator(program: program, limit: 1)
        var ignored = Evaluated()
        return evaluator.evaluate(0, instance, "false", report: false, collect: false, &ignored)
    }
}
