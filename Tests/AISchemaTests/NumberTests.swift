import AIWire
import Testing

@testable import AISchema

/// Exact decimals read from number literals.
@Suite struct NumberTests {
    @Test(arguments: [
        ("0", false, [UInt8](), 0), ("-0.0", false, [], 0), ("12.50", false, [1, 2, 5], -1), ("1e2", false, [1], 2),
        ("-0.007", true, [7], -3), ("120", false, [1, 2], 1), ("1.5E-3", false, [1, 5], -4),
        ("0.0010e+2", false, [1], -1),
    ])
    func literal_normalises(text: String, negative: Bool, digits: [UInt8], exponent: Int) throws {
        let value = try #require(ExactDecimal(literal: text))
        #expect(value.negative == negative)
        #expect(value.digits == digits)
        #expect(value.exponent == exponent)
    }

    @Test(arguments: ["", "-", "1.", ".5", "1e", "1e+", "01x", "--1", "1.2.3", "abc", "1e5x"])
    func literal_rejectsWhatIsNotANumber(text: String) {
        #expect(ExactDecimal(literal: text) == nil)
    }

    @Test func compare_ordersByValue() throws {
        let ordered = [
            "-1e400", "-18446744073709551617", "-2", "-1.5", "-0.001", "0", "1e-400", "0.5", "1", "1.000001",
            "18446744073709551616", "1e400",
        ]
        let values = try ordered.map { try #require(ExactDecimal(literal: $0)) }
        for (index, left) in values.enumerated() {
            for (other, right) in values.enumerated() {
                #expect(ExactDecimal.compare(left, right) == (index < other ? -1 : index == other ? 0 : 1))
            }
        }
        #expect(ExactDecimal(literal: "1.0") == ExactDecimal(literal: "1"))
        #expect(ExactDecimal(literal: "100") == ExactDecimal(literal: "1e2"))
    }

    @Test func floorAndCeiling() throws {
        #expect(ExactDecimal(literal: "2.5")?.floor == 2)
        #expect(ExactDecimal(literal: "2.5")?.ceiling == 3)
        #expect(ExactDecimal(literal: "-2.5")?.floor == -3)
        #expect(ExactDecimal(literal: "-2.5")?.ceiling == -2)
        #expect(ExactDecimal(literal: "-0.5")?.ceiling == 0)
        #expect(ExactDecimal(literal: "7")?.floor == 7)
        #expect(ExactDecimal(literal: "1e30")?.floor == nil)
    }

    @Test(arguments: [
        ("0.07", "0.01", true), ("0.075", "0.01", false), ("10", "0.5", true), ("5", "2.5", true), ("7.5", "2.5", true),
        ("7.4", "2.5", false), ("1e308", "0.123456789", false), ("0", "7", true), ("-21", "7", true),
        ("22", "7", false),
        ("123456789012345678901234567890", "10", true), ("123456789012345678901234567890", "11", false),
        ("123456789012345678901234567890", "7", true),
        ("1e1000", "1e999", true), ("1e1000", "3", false), ("4.2e1", "2.1e1", true),
        ("340282366920938463463374607431768211456", "18446744073709551616", true),
        ("340282366920938463463374607431768211457", "18446744073709551616", false),
        ("30000000000000000000000000000", "10000000000000000000000000000", true),
        ("30000000000000000000000000001", "10000000000000000000000000000", false),
    ])
    func isMultiple(value: String, divisor: String, expected: Bool) throws {
        let number = try #require(ExactDecimal(literal: value))
        let by = try #require(ExactDecimal(literal: divisor))
        #expect(number.isMultiple(of: by) == expected)
    }

    @Test func numberValue_fastPathForPlainIntegers() {
        guard case .small(-42)? = NumberValue(literal: "-42") else {
            Issue.record("not small")
            return
        }
        guard case .exact? = NumberValue(literal: "1234567890123456789") else {
            Issue.record("19 digits should be exact")
            return
        }
        guard case .exact? = NumberValue(literal: "1.0") else {
            Issue.record("1.0 should be exact")
            return
        }
        #expect(NumberValue(literal: "x") == nil)
    }
}
