import AIWire
import Testing

@testable import AISchema

/// The validation vocabulary (draft 2020-12 §6), one test per keyword.
@Suite struct ValidationKeywordTests {
    @Test func type_singleNames() throws {
        try expect(#"{"type":"string"}"#, [(#""a""#, true), ("1", false), ("null", false)])
        try expect(#"{"type":"null"}"#, [("null", true), ("false", false), ("0", false)])
        try expect(#"{"type":"boolean"}"#, [("true", true), ("false", true), ("0", false), (#""true""#, false)])
        try expect(#"{"type":"object"}"#, [("{}", true), ("[]", false)])
        try expect(#"{"type":"array"}"#, [("[]", true), ("{}", false)])
        try expect(#"{"type":"number"}"#, [("1", true), ("1.5", true), ("-1e300", true), (#""1""#, false)])
    }

    @Test func type_integerIsAnyNumberWithoutAFraction() throws {
        try expect(
            #"{"type":"integer"}"#,
            [
                ("1", true), ("1.0", true), ("-0", true), ("1e2", true), ("1.5e1", true), ("12.50e1", true),
                ("1.5", false), ("1e-2", false), ("123456789012345678901234567890", true), ("0.0000", true),
                (#""1""#, false),
            ])
    }

    @Test func type_arrayOfNames() throws {
        try expect(#"{"type":["string","null"]}"#, [(#""a""#, true), ("null", true), ("1", false)])
        try expect(#"{"type":["integer","boolean"]}"#, [("2", true), ("2.5", false), ("true", true)])
    }

    @Test func enum_comparesAsJSONValues() throws {
        try expect(
            #"{"enum":[1,"a",null,[1,2],{"b":1.0,"a":[true]}]}"#,
            [
                ("1", true), ("1.0", true), ("1e0", true), (#""a""#, true), ("null", true), ("[1,2]", true),
                ("[1.0,2]", true), ("[2,1]", false), (#"{"a":[true],"b":1}"#, true), (#"{"a":[true]}"#, false),
                ("false", false), ("0", false), (#""b""#, false),
            ])
        try expect(#"{"enum":[false]}"#, [("false", true), ("0", false)])
        try expect(#"{"enum":[0]}"#, [("0", true), ("-0.0", true), ("false", false)])
    }

    @Test func const_comparesAsJSONValues() throws {
        try expect(
            #"{"const":{"a":[1,{"b":2}]}}"#,
            [(#"{"a":[1,{"b":2}]}"#, true), (#"{"a":[1.0,{"b":2e0}]}"#, true), (#"{"a":[1,{"b":3}]}"#, false)])
        try expect(#"{"const":null}"#, [("null", true), ("0", false), ("false", false)])
        try expect(#"{"const":9007199254740993}"#, [("9007199254740993", true), ("9007199254740992", false)])
    }

    @Test func minimumAndMaximum_areInclusive() throws {
        try expect(
            #"{"minimum":18,"maximum":65}"#,
            [
                ("18", true), ("65", true), ("17", false), ("66", false), ("17.999", false), ("18.0", true),
                (#""x""#, true),
            ])
        try expect(#"{"minimum":-2.5}"#, [("-2.5", true), ("-2", true), ("-3", false), ("-2.500001", false)])
        try expect(#"{"maximum":0.5}"#, [("0", true), ("1", false), ("0.5", true), ("5e-1", true), ("0.50001", false)])
    }

    @Test func exclusiveBounds_excludeTheBound() throws {
        try expect(#"{"exclusiveMinimum":1.1}"#, [("1.2", true), ("1.1", false), ("1", false), ("2", true)])
        try expect(#"{"exclusiveMaximum":3}"#, [("2.9999", true), ("3", false), ("3.0", false), ("-4", true)])
        try expect(#"{"exclusiveMinimum":-1}"#, [("0", true), ("-1", false), ("-0.9", true)])
    }

    @Test func multipleOf_isExactForDecimals() throws {
        try expect(
            #"{"multipleOf":0.01}"#, [("0.07", true), ("19.99", true), ("0.075", false), ("1", true), ("1e-3", false)])
        try expect(#"{"multipleOf":2}"#, [("10", true), ("7", false), ("4.0", true), ("4.5", false), ("-6", true)])
        try expect(#"{"multipleOf":1.5}"#, [("4.5", true), ("35", false), ("0", true)])
        try expect(#"{"multipleOf":0.0001}"#, [("0.0075", true), ("0.00751", false)])
        try expect(#"{"multipleOf":1e-8}"#, [("12391239123", true)])
        try expect(#"{"type":"integer","multipleOf":0.123456789}"#, [("1e308", false)])
        try expect(
            #"{"multipleOf":3}"#, [("1e400", false), ("3e400", true), ("123456789012345678901234567891", false)])
    }

    @Test func bigIntegers_compareExactly() throws {
        try expect(
            #"{"maximum":18446744073709551615}"#,
            [("18446744073709551615", true), ("18446744073709551616", false), ("-18446744073709551616", true)])
        try expect(
            #"{"minimum":-18446744073709551616}"#,
            [("-18446744073709551616", true), ("-18446744073709551617", false)])
        try expect(
            #"{"exclusiveMaximum":972783798187987123879878123.18878137}"#,
            [("972783798187987123879878123.188781371", false), ("972783798187987123879878123.18878136", true)])
        try expect(#"{"multipleOf":100000000000000000000001}"#, [("200000000000000000000002", true), ("2e23", false)])
    }

    @Test func lengths_countCodePoints() throws {
        try expect(
            #"{"maxLength":2}"#,
            [(#""ab""#, true), (#""abc""#, false), (#""\ud83d\udca9\ud83d\udca9""#, true), ("100", true)])
        try expect(
            #"{"minLength":2}"#,
            [(#""a""#, false), (#""\ud83d\udca9""#, false), (#""é""#, false), (#""e\u0301""#, true)])
        // One grapheme cluster (👨‍👩‍👧: three emoji joined by two U+200D) is five code points.
        let family = #""\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67""#
        #expect(try json(family).stringValue?.count == 1)
        try expect(#"{"maxLength":4}"#, [(family, false)])
        try expect(#"{"minLength":5,"maxLength":5}"#, [(family, true)])
        // UTF-16 would count a character outside the BMP twice.
        try expect(#"{"maxLength":1}"#, [(#""\ud83d\udca9""#, true)])
    }

    @Test func pattern_isUnanchoredECMA262() throws {
        try expect(
            #"{"pattern":"^a*$"}"#, [(#""aaa""#, true), (#""abc""#, false), (#""""#, true), ("1", true)])
        try expect(#"{"pattern":"a+"}"#, [(#""xxaxx""#, true), (#""xx""#, false)])
        try expect(#"{"pattern":"^\\d{3}-\\d{4}$"}"#, [(#""555-1234""#, true), (#""٥٥٥-١٢٣٤""#, false)])
        try expect(#"{"pattern":"^\\p{Letter}+$"}"#, [(#""héllo""#, true), (#""h3llo""#, false)])
        try expect(#"{"pattern":"^.$"}"#, [(#""\ud83d\udca9""#, true), (#""\n""#, false), (#""e\u0301""#, false)])
    }

    @Test func items_countsAndUniqueness() throws {
        try expect(#"{"minItems":1,"maxItems":2}"#, [("[1]", true), ("[]", false), ("[1,2,3]", false), ("{}", true)])
        try expect(
            #"{"uniqueItems":true}"#,
            [
                ("[1,2]", true), ("[1,1.0]", false), ("[1,true]", true), ("[0,false]", true), (#"["a","a"]"#, false),
                (#"[{"a":1,"b":2},{"b":2,"a":1}]"#, false), (#"[{"a":1},{"a":2}]"#, true), ("[[1],[1.0]]", false),
                ("[[1],[true]]", true), ("[null,null]", false), ("[]", true),
            ])
        try expect(#"{"uniqueItems":false}"#, [("[1,1]", true)])
    }

    @Test func uniqueItems_longArraysHashBySchemaEquality() throws {
        let numbers = (0..<40).map(String.init).joined(separator: ",")
        try expect(
            #"{"uniqueItems":true}"#,
            [
                ("[\(numbers)]", true), ("[\(numbers),39.0]", false),
                ("[\(numbers),{\"a\":1,\"b\":2},{\"b\":2,\"a\":1e0}]", false),
                ("[\(numbers),\"39\"]", true),
            ])
    }

    @Test func propertyCounts() throws {
        try expect(
            #"{"minProperties":1,"maxProperties":2}"#,
            [(#"{"a":1}"#, true), ("{}", false), (#"{"a":1,"b":2,"c":3}"#, false), ("[]", true)])
    }

    @Test func required_namesEveryMissingProperty() throws {
        try expect(#"{"required":["a","b"]}"#, [(#"{"a":1,"b":null}"#, true), (#"{"a":1}"#, false), ("[]", true)])
        #expect(
            try failures(#"{"required":["name","age"]}"#, "{}")
                == [#"(root): missing required property "name""#, #"(root): missing required property "age""#])
    }

    @Test func dependentRequired() throws {
        try expect(
            #"{"dependentRequired":{"card":["billing"],"a":[]}}"#,
            [
                (#"{"card":1,"billing":2}"#, true), (#"{"card":1}"#, false), (#"{"billing":1}"#, true),
                (#"{"a":1}"#, true),
            ])
    }
}
