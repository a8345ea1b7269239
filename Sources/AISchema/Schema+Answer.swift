import AIWire

extension Schema {
    /// Parses a model's answer as JSON; a markdown code fence around otherwise valid JSON is stripped.
    ///
    /// The whole text must be one JSON value, or one fenced block (```` ```json ```` … ```` ``` ````, or
    /// with `~~~`) holding one, with only white space around the fence.
    /// - Throws: `JSONParseError` from parsing the text (the unfenced text when there is no fence).
    package static func parseAnswer(_ text: String) throws(JSONParseError) -> JSON {
        do {
            return try JSON.parse(text)
        } catch {
            guard let inner = unfenced(text) else { throw error }
            return try JSON.parse(inner)
        }
    }

    /// The text inside a markdown code fence that is all of `text` (bar surrounding white space), if any.
    package static func unfenced(_ text: String) -> String? {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        guard lines.count >= 2, let opening = lines.first, let closing = lines.last else { return nil }
        let open = opening.drop(while: { $0 == " " })
        let fence: Character = open.hasPrefix("```") ? "`" : "~"
        let fenceLength = open.prefix(while: { $0 == fence }).count
        guard fenceLength >= 3 else { return nil }
        let info = open.dropFirst(fenceLength).trimmingSpaces
        guard !info.contains(fence), info.allSatisfy({ !$0.isWhitespace }) else { return nil }
        let close = closing.trimmingSpaces
        guard close.count >= fenceLength, close.allSatisfy({ $0 == fence }) else { return nil }
        return lines.dropFirst().dropLast().joined(separator: "\n")
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let start = firstIndex(where: { $0 != " " && $0 != "\t" }) ?? endIndex
        let end = lastIndex(where: { $0 != " " && $0 != "\t" }).map(index(after:)) ?? start
        return self[start..<Swift.max(start, end)]
    }
}

/// A model's answer checked against a schema: the parsed value and what is wrong with it.
package enum SchemaAnswer: Sendable, Equatable {
    /// The answer is JSON (perhaps fenced) and meets the schema.
    case valid(JSON)
    /// The answer is JSON that fails the schema, in these ways (at most the limit asked for).
    case invalid(JSON, [SchemaFailure])
    /// The answer is not JSON, even without a code fence.
    case notJSON(JSONParseError)

    /// The parsed answer, when it is JSON.
    package var value: JSON? {
        switch self {
        case .valid(let value), .invalid(let value, _): value
        case .notJSON: nil
        }
    }

    /// One line for an error record, naming the first failure (`/age: 17 is less than the minimum 18`),
    /// or `nil` when the answer is valid.
    package var message: String? {
        switch self {
        case .valid: nil
        case .invalid(_, let failures): failures.first?.description ?? "the answer does not match the schema"
        case .notJSON(let error): "the answer is not JSON: \(error.reason) at byte \(error.offset)"
        }
    }
}

extension Schema {
    /// Parses a model's answer (stripping a markdown code fence) and validates it.
    package func check(answer text: String, limit: Int = 10) -> SchemaAnswer {
        let value: JSON
        do {
            value = try Self.parseAnswer(text)
        } catch {
            return .notJSON(error)
        }
        let failures = validate(value, limit: limit)
        return failures.isEmpty ? .valid(value) : .invalid(value, failures)
    }
}
