import AIBase

/// Cuts a job's requests into provider jobs that fit the provider's limits, keeping input order.
package enum JobParts {
    /// The ranges of entries (by index) of each part: at most `maximumRequests` entries, and at most `maximumBytes`
    /// bytes counting each entry's size and `overhead(count)` for the part's framing.
    /// - Throws: `AIError` (`input`) when one entry alone exceeds `maximumBytes`.
    package static func split(
        sizes: [Int], maximumRequests: Int, maximumBytes: Int, overhead: (Int) -> Int
    ) throws(AIError) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = 0
        var bytes = 0
        for (index, size) in sizes.enumerated() {
            guard size + overhead(1) <= maximumBytes else {
                throw AIError(
                    .input,
                    "request \(index + 1) takes \(size) bytes, more than a provider job takes (\(maximumBytes) bytes)")
            }
            let count = index - start + 1
            if count > maximumRequests || bytes + size + overhead(count) > maximumBytes {
                parts.append(start..<index)
                start = index
                bytes = 0
            }
            bytes += size
        }
        if start < sizes.count { parts.append(start..<sizes.count) }
        return parts
    }
}
