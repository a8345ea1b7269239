import AIWire
import Testing

@testable import AISchema

/// Parses JSON text written in a test.
func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
    try JSON.parse(text)
}

/// Compiles schema text written in a test.
func schema(
    _ text: String, draft: SchemaDraft = .draft2020_12, assertFormat: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Schema {
    try Schema(JSON.parse(text), assertFormat: assertFormat, draft: draft)
}

/// Checks that each instance is valid or not as given, and that `validate` and `isValid` agree.
func expect(
    _ schemaText: String, _ cases: [(String, Bool)], draft: SchemaDraft = .draft2020_12, assertFormat: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let compiled = try schema(schemaText, draft: draft, assertFormat: assertFormat)
    for (instanceText, valid) in cases {
        let instance = try JSON.parse(instanceText)
        let failures = compiled.validate(instance)
        #expect(failures.isEmpty == valid, "\(instanceText): \(failures)", sourceLocation: sourceLocation)
        #expect(compiled.isValid(instance) == valid, "\(instanceText) (isValid)", sourceLocation: sourceLocation)
    }
}

/// The failures of one instance, as `path: message` lines.
func failures(
    _ schemaText: String, _ instanceText: String, limit: Int = 10, assertFormat: Bool = false
) throws -> [String] {
    try schema(schemaText, assertFormat: assertFormat).validate(JSON.parse(instanceText), limit: limit).map(
        \.description)
}

/// The error compiling schema text, if any.
func compileError(_ text: String, draft: SchemaDraft = .draft2020_12) throws -> SchemaError? {
    let value = try JSON.parse(text)
    do {
        _ = try Schema(value, draft: draft)
        return nil
    } catch {
        return error
    }
}
