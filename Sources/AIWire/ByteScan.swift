/// Word-at-a-time scanning for the bytes that end a plain run inside a JSON string.
package enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` (in memory order, little-endian) that is a quote, a backslash or a
    /// control character (< 0x20). Above the lowest flagged byte a borrow may flag more, so only the lowest set
    /// bit is exact.
    @inline(__always)
    package static func specialMask(_ word: UInt64) -> UInt64 {
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quotes = (quote &- ones) & ~quote & highs
        let backslashes = (backslash &- ones) & ~backslash & highs
        return control | quotes | backslashes
    }

    /// The offset of the first quote, backslash or control byte in `base[start..<end]`, or `end`.
    @inline(__always)
    package static func plainRun(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        while index &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let mask = specialMask(word)
            if mask != 0 { return index &+ mask.trailingZeroBitCount &>> 3 }
            index &+= 8
        }
        while index < end {
            let value = base[index]
            if value == 0x22 || value == 0x5C || value < 0x20 { return index }
            index &+= 1
        }
        return end
    }
}
