import AIBase

/// The texts one input line asks to embed (DESIGN §13).
package struct EmbeddingInput: Sendable, Equatable {
    /// The texts, in order (one unless the line gave an `"input"` array).
    package var texts: [String]
    /// Whether the line gave an array, which is answered with `"embeddings"` rather than `"embedding"`.
    package var isArray: Bool

    /// An input of the given texts.
    package init(texts: [String], isArray: Bool) {
        self.texts = texts
        self.isArray = isArray
    }
}

/// Turns parsed JSON input objects into embedding inputs (DESIGN §13).
package enum EmbeddingDecoding {
    /// The top-level fields an embedding line may have.
    package static let fields: Set<String> = ["id", "input", "text", "metadata"]

    /// Decodes `{"input": "…" | ["…", …]}` or `{"text": "…"}`; a null member is absent, its name still checked.
    /// - Throws: `AIError` (`input`) naming the offending field.
    package static func input(from given: JSONObject) throws(AIError) -> EmbeddingInput {
        for key in given.keys where !fields.contains(key) {
            throw AIError(.input, "unknown field '\(key)'")
        }
        let object = RequestDecoding.present(given)
        if object["input"] != nil, object["text"] != nil {
            throw AIError(.input, "fields 'input' and 'text' cannot both be given")
        }
        if let id = object["id"], id.stringValue == nil, id.doubleValue == nil {
            throw AIError(.input, "field 'id' must be a string or a number")
        }
        if let text = object["text"] {
            guard let value = text.stringValue else { throw AIError(.input, "field 'text' must be a string") }
            return EmbeddingInput(texts: [value], isArray: false)
        }
        switch object["input"] {
        case .some(.string(let value)):
            return EmbeddingInput(texts: [value], isArray: false)
        case .some(.array(let elements)):
            guard !elements.isEmpty else { throw AIError(.input, "field 'input' must not be an empty array") }
            var texts: [String] = []
            texts.reserveCapacity(elements.count)
            for element in elements {
                guard let value = element.stringValue else {
                    throw AIError(.input, "field 'input' must be a string or an array of strings")
                }
                texts.append(value)
            }
            return EmbeddingInput(texts: texts, isArray: true)
        case .some:
            throw AIError(.input, "field 'input' must be a string or an array of strings")
        case nil:
            throw AIError(.input, "missing field 'input' (or 'text')")
        }
    }
}

/// Writes embedding result lines byte by byte, without building a `JSON` value for the vectors.
package enum EmbeddingRecord {
    /// Appends `{"id","provider","model","embedding"|"embeddings","dimensions","usage","metadata"}` and a newline.
    ///
    /// `usage` is the line's input tokens, when the provider said. Numbers are written as the shortest decimal that
    /// reads back to the same `Float`.
    /// - Throws: `AIError` (`protocol`) when a vector holds a value that is not finite, or vectors differ in size.
    package static func write(
        id: JSON,
        provider: String,
        model: String,
        vectors: [[Float]],
        isArray: Bool,
        usage: Int?,
        metadata: JSON?,
        to out: inout [UInt8]
    ) throws(AIError) {
        let dimensions = vectors.first?.count ?? 0
        out.reserveCapacity(out.count + 160 + vectors.count * dimensions * 12)
        out.append(contentsOf: #"{"id":"#.utf8)
        id.write(to: &out)
        out.append(contentsOf: #","provider":"#.utf8)
        JSON.writeString(provider, to: &out)
        out.append(contentsOf: #","model":"#.utf8)
        JSON.writeString(model, to: &out)
        out.append(contentsOf: (isArray ? #","embeddings":["# : #","embedding":"#).utf8)
        for (position, vector) in vectors.enumerated() {
            guard vector.count == dimensions else {
                throw AIError(.protocol, "\(provider) sent vectors of different sizes")
            }
            if position > 0 { out.append(UInt8(ascii: ",")) }
            try writeVector(vector, provider: provider, to: &out)
            if !isArray { break }
        }
        if isArray { out.append(UInt8(ascii: "]")) }
        out.append(contentsOf: #","dimensions":"#.utf8)
        out.append(contentsOf: String(dimensions).utf8)
        if let usage {
            out.append(contentsOf: #","usage":{"prompt_tokens":"#.utf8)
            out.append(contentsOf: String(usage).utf8)
            out.append(contentsOf: #","total_tokens":"#.utf8)
            out.append(contentsOf: String(usage).utf8)
            out.append(UInt8(ascii: "}"))
        }
        if let metadata {
            out.append(contentsOf: #","metadata":"#.utf8)
            metadata.write(to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
    }

    /// Appends `[x,…]`, each number the shortest decimal that reads back to the same `Float`.
    /// - Throws: `AIError` (`protocol`) for a value that is not finite.
    package static func writeVector(_ vector: [Float], provider: String, to out: inout [UInt8]) throws(AIError) {
        out.append(UInt8(ascii: "["))
        for (position, value) in vector.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            try writeNumber(value, provider: provider, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Appends one number: the shortest decimal that reads back to `value` (`Float.description`, which is exact).
    /// - Throws: `AIError` (`protocol`) for a value that is not finite.
    package static func writeNumber(_ value: Float, provider: String, to out: inout [UInt8]) throws(AIError) {
        guard value.isFinite else { throw AIError(.protocol, "\(provider) sent a vector holding \(value)") }
        if value == 0 {
            out.append(contentsOf: (value.sign == .minus ? "-0" : "0").utf8)
            return
        }
        // Swift writes integral values as "2.0": the bytes are checked, not the characters (a hot loop).
        var text = value.description
        text.withUTF8 { bytes in
            let count = bytes.count
            if count > 2, bytes[count - 1] == UInt8(ascii: "0"), bytes[count - 2] == UInt8(ascii: ".") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<(count - 2)]))
            } else {
                out.append(contentsOf: bytes)
            }
        }
    }
}
