/// The rules a request's parameters follow, whether a JSON field or a flag gives them (DESIGN §2).
///
/// Each rule says what is wrong in words that follow the field's or the flag's name (`--max-tokens must be more
/// than 0`, `field 'max_tokens' must be more than 0`), or nil when the value is fine.
package enum RequestChecks {
    /// What is wrong with a cap on generated tokens: it must be more than 0.
    package static func maxTokensProblem(_ value: Int) -> String? {
        value > 0 ? nil : "must be more than 0"
    }

    /// What is wrong with a sampling number (temperature, top_p, a penalty): it must be finite.
    package static func samplingProblem(_ value: Double) -> String? {
        value.isFinite ? nil : "must be a finite number"
    }

    /// What is wrong with a seed beyond 64 bits: providers take signed 64-bit seeds at most.
    package static let seedProblem =
        "must fit in 64 bits: an integer from \(Int.min) to \(Int.max), the range providers take"
}
