import AIBase
import AIWire

/// The map from the suite's request ids to the `custom_id`s a provider's batch API accepts, which must match
/// `^[a-zA-Z0-9_-]{1,64}$` (OpenAI and Anthropic alike).
///
/// The item at index `n` (input order, from 0) gets `r<n>`, then `_` and as much of its id as fits in 64 characters
/// with every character outside `[A-Za-z0-9_-]` replaced by `_`: unique by its index whatever the ids are, and still
/// readable in the provider's console. The way back is the job record's list of items, not the text.
package enum CustomIDs {
    /// The longest `custom_id` the providers accept.
    package static let maximumLength = 64

    /// The `custom_id` of the item at `index` whose id is `id`.
    package static func customID(index: Int, id: JSON) -> String {
        let head = "r\(index)"
        let text = id.stringValue ?? id.encodedString
        let room = maximumLength - head.utf8.count - 1
        guard room > 0 else { return head }
        var tail = ""
        for scalar in text.unicodeScalars {
            guard tail.utf8.count < room else { break }
            tail.append(isLegal(scalar) ? Character(scalar) : "_")
        }
        return tail.isEmpty ? head : head + "_" + tail
    }

    /// Whether `text` is a legal `custom_id`.
    package static func isLegal(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maximumLength && text.unicodeScalars.allSatisfy(isLegal)
    }

    /// Refuses ids that repeat: results are matched to requests by id, so two requests with one id could not be
    /// told apart downstream (`ai-complete --resume`, jq).
    /// - Throws: `AIError` (`input`) naming the first repeated id and both of its lines.
    package static func checkUnique(_ items: [(id: JSON, line: Int)]) throws(AIError) {
        var seen: [String: Int] = [:]
        for item in items {
            let key = item.id.encodedString
            if let first = seen[key] {
                throw AIError(
                    .input,
                    "duplicate id \(key) (lines \(first) and \(item.line)): every request of a job needs its own id",
                    hints: ["give each request a distinct \"id\", or leave ids out to use line numbers"])
            }
            seen[key] = item.line
        }
    }

    private static func isLegal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": true
        default: false
        }
    }
}
