import AIWire
import Testing

@testable import AISchema

/// `format`: an annotation by default, checked when asked for.
@Suite struct FormatTests {
    @Test func format_isAnAnnotationByDefault() throws {
        try expect(#"{"format":"email"}"#, [(#""not an email""#, true)])
        try expect(#"{"format":"email"}"#, [(#""not an email""#, false), ("1", true)], assertFormat: true)
        try expect(#"{"format":"x-unknown"}"#, [(#""anything""#, true)], assertFormat: true)
    }

    @Test(arguments: [
        ("date-time", "1963-06-19T08:30:06.283185Z", true), ("date-time", "1963-06-19t08:30:06z", true),
        ("date-time", "1963-06-19T08:30:06+01:00", true), ("date-time", "1998-12-31T23:59:60Z", true),
        ("date-time", "1998-12-31T23:59:60+01:00", false), ("date-time", "1998-12-31T15:59:60.123-08:00", true),
        ("date-time", "1963-06-19 08:30:06Z", false), ("date-time", "1963-06-19T08:30:06", false),
        ("date-time", "2013-350T01:01:01", false), ("date-time", "1963-06-1T08:30:06Z", false),
        ("date", "2020-02-29", true), ("date", "2021-02-29", false), ("date", "1900-02-29", false),
        ("date", "2000-02-29", true), ("date", "2020-13-01", false), ("date", "2020-04-31", false),
        ("date", "2020-1-01", false), ("date", "١٩٦٣-06-19", false),
        ("time", "08:30:06Z", true), ("time", "08:30:06.5+05:30", true), ("time", "08:30:06", false),
        ("time", "24:00:00Z", false), ("time", "08:60:00Z", false), ("time", "23:59:60Z", true),
        ("time", "22:59:60Z", false), ("time", "08:30:06+24:00", false),
        ("duration", "P4DT12H30M5S", true), ("duration", "P2W", true), ("duration", "PT1M", true),
        ("duration", "P1M", true), ("duration", "P", false), ("duration", "PT", false), ("duration", "P1D2H", false),
        ("duration", "P2S", false), ("duration", "P1Y2W", false), ("duration", "PT1D", false),
        ("email", "joe.bloggs@example.com", true), ("email", "\"joe bloggs\"@example.com", true),
        ("email", "te~st@example.com", true), ("email", "joe@[127.0.0.1]", true), ("email", "joe@[IPv6:::1]", true),
        ("email", "2962", false), ("email", ".test@example.com", false), ("email", "te..st@example.com", false),
        ("email", "test.@example.com", false), ("email", "joe@-example.com", false),
        ("hostname", "www.example.com", true), ("hostname", "xn--4gbwdl.xn--wgbh1c", true),
        ("hostname", "-a-host-name-that-starts-with--", false), ("hostname", "not_a_valid_host_name", false),
        ("hostname", String(repeating: "a", count: 64) + ".com", false), ("hostname", "", false),
        ("hostname", "ab--cd.com", false), ("hostname", "localhost", true),
        ("ipv4", "192.168.0.1", true), ("ipv4", "256.0.0.1", false), ("ipv4", "127.0", false),
        ("ipv4", "087.10.0.1", false), ("ipv4", "1.2.3.4.5", false), ("ipv4", "১২৭.0.0.1", false),
        ("ipv6", "::1", true), ("ipv6", "::", true), ("ipv6", "1:2:3:4:5:6:7:8", true), ("ipv6", "1::", true),
        ("ipv6", "::ffff:192.168.0.1", true), ("ipv6", "12345::", false), ("ipv6", "1:2:3:4:5:6:7:8:9", false),
        ("ipv6", "1::2::3", false), ("ipv6", ":1:2", false), ("ipv6", "1:2:3:4:5:6:7:", false),
        ("ipv6", "fe80::a%eth1", false), ("ipv6", "1:2:3:4:5:6:1.2.3.4", true), ("ipv6", "::ffff:256.0.0.1", false),
        ("uri", "http://foo.bar/?baz=qux#quux", true), ("uri", "urn:isbn:0451450523", true),
        ("uri", "mailto:John.Doe@example.com", true), ("uri", "//foo.bar/?baz=qux#quux", false),
        ("uri", "/abc", false), ("uri", "http:// shouldfail.com", false), ("uri", "http://[::1]:8080/x", true),
        ("uri", "http://example.com:80a/", false), ("uri", "1http://x", false), ("uri", "http://ex%ample.com", false),
        ("uri-reference", "/abc", true), ("uri-reference", "#frag", true), ("uri-reference", "a b", false),
        ("iri", "http://ƒøø.ßår/?∂éœ=πîx#πîüx", true), ("iri", "/relative", false),
        ("uri-template", "http://example.com/dictionary/{term:1}/{term}", true),
        ("uri-template", "http://example.com/dictionary/{term:1}/{term", false),
        ("uuid", "2EB8AA08-AA98-11EA-B4AA-73B441D16380", true), ("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638", false),
        ("uuid", "2eb8aa08aa9811eab4aa73b441d16380", false), ("uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638g", false),
        ("json-pointer", "/foo/bar~0/baz~1/%a", true), ("json-pointer", "", true), ("json-pointer", "/foo/~2", false),
        ("json-pointer", "foo", false), ("relative-json-pointer", "1/0", true), ("relative-json-pointer", "0#", true),
        ("relative-json-pointer", "01/a", false), ("relative-json-pointer", "/a", false),
        ("regex", "([abc])+\\s+$", true), ("regex", "^(abc]", false),
    ])
    func format_asserted(format: String, value: String, valid: Bool) throws {
        let compiled = try Schema(.object(["format": .string(format)]), assertFormat: true)
        #expect(compiled.isValid(.string(value)) == valid, "\(format) \(value)")
    }
}
