/// A number read exactly from a JSON literal: `(-1)^negative × digits × 10^exponent`.
///
/// Schema keywords compare numbers as numbers (`1.0` equals `1`, `0.07` is a multiple of `0.01`,
/// integers past 2^64 keep every digit), which `Double` cannot do; this form can. The digits carry
/// no leading or trailing zeros, so equal values have equal representations.
struct ExactDecimal: Sendable, Hashable {
    /// Whether the value is below zero (never for zero).
    var negative: Bool
    /// The significant decimal digits, most significant first; empty for zero.
    var digits: [UInt8]
    /// The power of ten the digits are multiplied by.
    var exponent: Int

    /// Zero.
    static let zero = ExactDecimal(negative: false, digits: [], exponent: 0)

    /// The largest exponent magnitude kept; larger ones saturate (their values are beyond any use).
    static let exponentLimit = 1 << 40

    /// A value from its parts, normalised.
    init(negative: Bool, digits: [UInt8], exponent: Int) {
        var digits = digits
        var exponent = exponent
        var leading = 0
        while leading < digits.count, digits[leading] == 0 { leading += 1 }
        if leading > 0 { digits.removeFirst(leading) }
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        self.negative = negative && !digits.isEmpty
        self.digits = digits
        self.exponent = digits.isEmpty ? 0 : exponent
    }

    /// The value of an integer.
    init(_ value: Int) {
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        while magnitude > 0 {
            digits.append(UInt8(magnitude % 10))
            magnitude /= 10
        }
        self.init(negative: value < 0, digits: digits.reversed(), exponent: 0)
    }

    /// The value of a JSON number literal (`-12.5e3`), or `nil` when `text` is not one.
    init?(literal text: String) {
        var negative = false
        var digits: [UInt8] = []
        var fractionDigits = 0
        var sawDigit = false
        var iterator = text.utf8.makeIterator()
        var byte = iterator.next()
        if byte == UInt8(ascii: "-") {
            negative = true
            byte = iterator.next()
        }
        while let current = byte, current &- UInt8(ascii: "0") < 10 {
            sawDigit = true
            if !digits.isEmpty || current != UInt8(ascii: "0") { digits.append(current &- UInt8(ascii: "0")) }
            byte = iterator.next()
        }
        guard sawDigit else { return nil }
        if byte == UInt8(ascii: ".") {
            byte = iterator.next()
            var sawFraction = false
            while let current = byte, current &- UInt8(ascii: "0") < 10 {
                sawFraction = true
                fractionDigits += 1
                if !digits.isEmpty || current != UInt8(ascii: "0") { digits.append(current &- UInt8(ascii: "0")) }
                byte = iterator.next()
            }
            guard sawFraction else { return nil }
        }
        var exponent = 0
        if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            byte = iterator.next()
            var exponentNegative = false
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                exponentNegative = byte == UInt8(ascii: "-")
                byte = iterator.next()
            }
            var sawExponent = false
            while let current = byte, current &- UInt8(ascii: "0") < 10 {
                sawExponent = true
                exponent = min(exponent * 10 + Int(current &- UInt8(ascii: "0")), Self.exponentLimit)
                byte = iterator.next()
            }
            guard sawExponent else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard byte == nil else { return nil }
        self.init(negative: negative, digits: digits, exponent: exponent - fractionDigits)
    }

    /// Whether the value is zero.
    var isZero: Bool { digits.isEmpty }

    /// Whether the value has no fractional part (`1.0` and `1e2` do).
    var isInteger: Bool { digits.isEmpty || exponent >= 0 }

    /// The value as an `Int` when it is an integer that fits.
    var intValue: Int? {
        guard isInteger, digits.count + exponent <= 18 else { return nil }
        var value = 0
        for digit in digits { value = value * 10 + Int(digit) }
        for _ in 0..<exponent { value *= 10 }
        return negative ? -value : value
    }

    /// The integer part, rounded toward negative infinity, when it fits in an `Int`.
    var floor: Int? {
        if isInteger { return intValue }
        let integerDigits = max(0, digits.count + exponent)
        guard integerDigits <= 18 else { return nil }
        var value = 0
        for digit in digits.prefix(integerDigits) { value = value * 10 + Int(digit) }
        return negative ? -value - 1 : value
    }

    /// The integer part, rounded toward positive infinity, when it fits in an `Int`.
    var ceiling: Int? {
        if isInteger { return intValue }
        guard let floor else { return nil }
        return floor + 1
    }

    /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
    static func compare(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> Int {
        if lhs.negative != rhs.negative { return lhs.negative ? -1 : 1 }
        let magnitude = compareMagnitudes(lhs, rhs)
        return lhs.negative ? -magnitude : magnitude
    }

    /// -1, 0 or 1 comparing absolute values.
    static func compareMagnitudes(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> Int {
        if lhs.isZero || rhs.isZero { return lhs.isZero ? (rhs.isZero ? 0 : -1) : 1 }
        let lhsOrder = lhs.digits.count + lhs.exponent
        let rhsOrder = rhs.digits.count + rhs.exponent
        if lhsOrder != rhsOrder { return lhsOrder < rhsOrder ? -1 : 1 }
        for (left, right) in zip(lhs.digits, rhs.digits) where left != right { return left < right ? -1 : 1 }
        if lhs.digits.count == rhs.digits.count { return 0 }
        return lhs.digits.count < rhs.digits.count ? -1 : 1
    }

    /// Whether `self` divided by `divisor` (positive) is an integer, computed exactly.
    ///
    /// With `self = A × 10^p` and `divisor = B × 10^q` (A, B integers without trailing zeros), the quotient
    /// is an integer exactly when `e = p - q ≥ 0` and `B` divides `A × 10^e` (for `e < 0`, `A` would need
    /// `-e` trailing zeros, which it has not).
    func isMultiple(of divisor: ExactDecimal) -> Bool {
        if isZero { return true }
        guard !divisor.isZero else { return false }
        let shift = exponent - divisor.exponent
        guard shift >= 0 else { return false }
        if let modulus = Self.uint64(divisor.digits) {
            var remainder: UInt64 = 0
            for digit in digits { remainder = Self.multiplyAdd(remainder, 10, UInt64(digit), modulo: modulus) }
            guard remainder != 0 else { return true }
            return Self.multiplyAdd(remainder, Self.power(10, shift, modulo: modulus), 0, modulo: modulus) == 0
        }
        // A divisor of more than 19 digits: long division in base 10, shifting at most a bounded number of zeros.
        guard shift <= 10_000 else { return false }
        var remainder: [UInt8] = []
        for digit in digits + [UInt8](repeating: 0, count: shift) {
            remainder.append(digit)
            Self.trimLeadingZeros(&remainder)
            while Self.compareDigits(remainder, divisor.digits) >= 0 { Self.subtract(&remainder, divisor.digits) }
        }
        return remainder.isEmpty
    }

    /// The digits as a `UInt64`, when they fit.
    static func uint64(_ digits: [UInt8]) -> UInt64? {
        guard digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for digit in digits { value = value * 10 + UInt64(digit) }
        return value
    }

    /// `(value × factor + addend) mod modulus` without overflow.
    static func multiplyAdd(_ value: UInt64, _ factor: UInt64, _ addend: UInt64, modulo modulus: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: factor)
        let (low, carry) = product.low.addingReportingOverflow(addend)
        let high = product.high + (carry ? 1 : 0)
        return modulus.dividingFullWidth((high: high % modulus, low: low)).remainder
    }

    /// `base^exponent mod modulus` by squaring.
    static func power(_ base: UInt64, _ exponent: Int, modulo modulus: UInt64) -> UInt64 {
        var result: UInt64 = 1 % modulus
        var square = base % modulus
        var exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiplyAdd(result, square, 0, modulo: modulus) }
            square = multiplyAdd(square, square, 0, modulo: modulus)
            exponent >>= 1
        }
        return result
    }

    /// Drops leading zero digits.
    static func trimLeadingZeros(_ digits: inout [UInt8]) {
        var count = 0
        while count < digits.count, digits[count] == 0 { count += 1 }
        if count > 0 { digits.removeFirst(count) }
    }

    /// Compares two digit strings without leading zeros as integers.
    static func compareDigits(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        if lhs.count != rhs.count { return lhs.count < rhs.count ? -1 : 1 }
        for (left, right) in zip(lhs, rhs) where left != right { return left < right ? -1 : 1 }
        return 0
    }

    /// `lhs -= rhs` on digit strings, `lhs ≥ rhs`.
    static func subtract(_ lhs: inout [UInt8], _ rhs: [UInt8]) {
        var borrow: UInt8 = 0
        var index = lhs.count - 1
        var other = rhs.count - 1
        while index >= 0 {
            let subtrahend = (other >= 0 ? rhs[other] : 0) + borrow
            if lhs[index] >= subtrahend {
                lhs[index] -= subtrahend
                borrow = 0
            } else {
                lhs[index] = lhs[index] + 10 - subtrahend
                borrow = 1
            }
            index -= 1
            other -= 1
        }
        trimLeadingZeros(&lhs)
    }
}

/// An instance number as validation reads it: an `Int` when the literal is a plain integer of at most
/// 18 digits (no allocation), else the exact decimal.
enum NumberValue {
    /// A plain integer literal.
    case small(Int)
    /// Any other number.
    case exact(ExactDecimal)

    /// The value of a number literal, or `nil` when it is not one.
    init?(literal text: String) {
        var value = 0
        var count = 0
        var negative = false
        var plain = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-"), count == 0, !negative {
                negative = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, count < 18 else {
                plain = false
                break
            }
            value = value * 10 + Int(digit)
            count += 1
        }
        if plain, count > 0 {
            self = .small(negative ? -value : value)
        } else if let exact = ExactDecimal(literal: text) {
            self = .exact(exact)
        } else {
            return nil
        }
    }

    /// The exact form.
    var exact: ExactDecimal {
        switch self {
        case .small(let value): ExactDecimal(value)
        case .exact(let value): value
        }
    }

    /// Whether the value has no fractional part.
    var isInteger: Bool {
        switch self {
        case .small: true
        case .exact(let value): value.isInteger
        }
    }

    /// Whether two numbers are equal as numbers.
    static func equal(_ lhs: NumberValue, _ rhs: NumberValue) -> Bool {
        if case .small(let left) = lhs, case .small(let right) = rhs { return left == right }
        return lhs.exact == rhs.exact
    }
}

/// A schema's numeric bound or divisor, read once when the schema is compiled.
struct SchemaNumber: Sendable {
    /// The literal as written in the schema, for messages.
    let text: String
    /// The exact value.
    let exact: ExactDecimal
    /// The value rounded down, when it fits an `Int` (equal to the value for integers).
    let floor: Int?
    /// The value rounded up, when it fits an `Int`.
    let ceiling: Int?

    /// The number of a literal, or `nil` when `text` is not a number literal.
    init?(literal text: String) {
        guard let exact = ExactDecimal(literal: text) else { return nil }
        self.text = text
        self.exact = exact
        self.floor = exact.floor
        self.ceiling = exact.ceiling
    }

    /// Whether `value < self`.
    func isGreater(than value: NumberValue) -> Bool {
        if case .small(let integer) = value, let ceiling { return integer < ceiling }
        return ExactDecimal.compare(value.exact, exact) < 0
    }

    /// Whether `value > self`.
    func isLess(than value: NumberValue) -> Bool {
        if case .small(let integer) = value, let floor { return integer > floor }
        return ExactDecimal.compare(value.exact, exact) > 0
    }

    /// Whether `value / self` is an integer.
    func divides(_ value: NumberValue) -> Bool {
        if case .small(let integer) = value, exact.isInteger, let divisor = floor, divisor > 0 {
            return integer % divisor == 0
        }
        return value.exact.isMultiple(of: exact)
    }
}
