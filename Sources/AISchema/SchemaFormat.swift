/// The `format` values checked when format assertion is asked for; other names stay annotations.
enum SchemaFormat: String, Sendable, CaseIterable {
    /// RFC 3339 `date-time`.
    case dateTime = "date-time"
    /// RFC 3339 `full-date`.
    case date
    /// RFC 3339 `full-time`.
    case time
    /// ISO 8601 duration (RFC 3339 appendix A).
    case duration
    /// An email address (RFC 5321).
    case email
    /// An email address with non-ASCII local part and domain (RFC 6531).
    case idnEmail = "idn-email"
    /// A host name (RFC 1123).
    case hostname
    /// An IPv4 address.
    case ipv4
    /// An IPv6 address (RFC 4291).
    case ipv6
    /// An absolute URI (RFC 3986).
    case uri
    /// A URI reference (RFC 3986).
    case uriReference = "uri-reference"
    /// An absolute IRI (RFC 3987).
    case iri
    /// An IRI reference (RFC 3987).
    case iriReference = "iri-reference"
    /// A URI template (RFC 6570), as far as its braces go.
    case uriTemplate = "uri-template"
    /// A UUID (RFC 4122).
    case uuid
    /// A JSON Pointer (RFC 6901).
    case jsonPointer = "json-pointer"
    /// A relative JSON Pointer.
    case relativeJSONPointer = "relative-json-pointer"
    /// An ECMA-262 regular expression.
    case regex

    /// Whether `text` is in this format.
    func accepts(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        switch self {
        case .dateTime: return Self.isDateTime(bytes)
        case .date: return Self.isDate(bytes[...])
        case .time: return Self.isTime(bytes[...])
        case .duration: return Self.isDuration(bytes)
        case .email: return Self.isEmail(text, international: false)
        case .idnEmail: return Self.isEmail(text, international: true)
        case .hostname: return Self.isHostname(bytes)
        case .ipv4: return Self.isIPv4(bytes[...])
        case .ipv6: return Self.isIPv6(bytes[...])
        case .uri: return Self.isURI(text, absolute: true, international: false)
        case .uriReference: return Self.isURI(text, absolute: false, international: false)
        case .iri: return Self.isURI(text, absolute: true, international: true)
        case .iriReference: return Self.isURI(text, absolute: false, international: true)
        case .uriTemplate: return Self.isURITemplate(bytes)
        case .uuid: return Self.isUUID(bytes)
        case .jsonPointer: return JSONPointer.tokens(text) != nil
        case .relativeJSONPointer: return Self.isRelativeJSONPointer(text)
        case .regex: return (try? ECMARegex(text)) != nil
        }
    }

    /// The value of a run of ASCII digits, or `nil` when any byte is not a digit.
    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// RFC 3339 `full-date`: `YYYY-MM-DD` with a day that exists.
    static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10 else { return false }
        let start = bytes.startIndex
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
            let year = digits(bytes[start..<start + 4]), let month = digits(bytes[start + 5..<start + 7]),
            let day = digits(bytes[start + 8..<start + 10])
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && day >= 1 && day <= days[month - 1]
    }

    /// RFC 3339 `full-time`: `HH:MM:SS[.frac](Z|±HH:MM)`; second 60 only at 23:59 UTC.
    static func isTime(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 9 else { return false }
        let start = bytes.startIndex
        guard bytes[start + 2] == UInt8(ascii: ":"), bytes[start + 5] == UInt8(ascii: ":"),
            let hour = digits(bytes[start..<start + 2]), let minute = digits(bytes[start + 3..<start + 5]),
            let second = digits(bytes[start + 6..<start + 8]), hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = start + 8
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fraction = index
            while index < bytes.endIndex, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > fraction else { return false }
        }
        guard index < bytes.endIndex else { return false }
        var offsetMinutes = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.endIndex else { return false }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard bytes.endIndex - index == 6, bytes[index + 3] == UInt8(ascii: ":"),
                let offsetHour = digits(bytes[index + 1..<index + 3]),
                let offsetMinute = digits(bytes[index + 4..<index + 6]), offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default: return false
        }
        if second == 60 {
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    /// RFC 3339 `date-time`: a date, `T`, a time.
    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > 11, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") else { return false }
        return isDate(bytes[0..<10]) && isTime(bytes[11...])
    }

    /// ISO 8601 duration as RFC 3339 appendix A writes it: `P1Y2M3DT4H5M6S`, `P2W`.
    static func isDuration(_ bytes: [UInt8]) -> Bool {
        guard bytes.first == UInt8(ascii: "P"), bytes.count > 1 else { return false }
        let text = bytes.dropFirst()
        if text.last == UInt8(ascii: "W") { return digits(text.dropLast()) != nil }
        var inTime = false
        var units = Array("YMD".utf8)[...]
        var sawUnit = false
        var sawTimeUnit = false
        var number = 0
        for byte in text {
            if byte == UInt8(ascii: "T") {
                guard !inTime, number == 0 else { return false }
                inTime = true
                units = Array("HMS".utf8)[...]
                continue
            }
            if byte &- UInt8(ascii: "0") < 10 {
                number += 1
                continue
            }
            guard number > 0, let position = units.firstIndex(of: byte) else { return false }
            units = units[(position + 1)...]
            number = 0
            sawUnit = true
            if inTime { sawTimeUnit = true }
        }
        return number == 0 && sawUnit && (!inTime || sawTimeUnit)
    }

    /// A dotted-quad IPv4 address without leading zeros.
    static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard part.count <= 3, let value = digits(part), value <= 255 else { return false }
            return part.count == 1 || part.first != UInt8(ascii: "0")
        }
    }

    /// An IPv6 address (RFC 4291 text forms, with `::` and a trailing IPv4 part; no zone).
    static func isIPv6(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        var groups = 0
        var compressed = false
        var parts = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)[...]
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            compressed = true
            parts = parts.dropFirst(2)
            if parts.count == 1, parts.first?.isEmpty == true { return true }
        } else if bytes.first == UInt8(ascii: ":") {
            return false
        }
        if bytes.count >= 2, bytes.suffix(2).elementsEqual([UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            guard !compressed else { return false }
            compressed = true
            parts = parts.dropLast(2)
        } else if bytes.last == UInt8(ascii: ":") {
            return false
        }
        for (offset, part) in parts.enumerated() {
            if part.isEmpty {
                guard !compressed else { return false }
                compressed = true
                continue
            }
            if offset == parts.count - 1, part.contains(UInt8(ascii: ".")) {
                guard isIPv4(part) else { return false }
                groups += 2
                continue
            }
            guard part.count <= 4, part.allSatisfy({ JSONPointer.hexValue($0) != nil }) else { return false }
            groups += 1
        }
        return compressed ? groups < 8 : groups == 8
    }

    /// A host name (RFC 1123): dot-separated labels of letters, digits and inner hyphens, 1–63 bytes each,
    /// 253 in all.
    static func isHostname(_ bytes: [UInt8]) -> Bool {
        var name = bytes[...]
        if name.last == UInt8(ascii: ".") { name = name.dropLast() }
        guard !name.isEmpty, name.count <= 253 else { return false }
        for label in name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                label.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else { return false }
            let start = label.startIndex
            if label.count >= 4, label[start + 2] == UInt8(ascii: "-"), label[start + 3] == UInt8(ascii: "-"),
                !(label[start...start + 1].map { $0 | 0x20 } == Array("xn".utf8))
            {
                return false
            }
        }
        return true
    }

    /// Whether a byte is an ASCII letter or digit.
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 26
    }

    /// An email address: a dot-atom or quoted local part, `@`, a host name or an address literal.
    static func isEmail(_ text: String, international: Bool) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { return false }
        if local.hasPrefix("\""), local.hasSuffix("\""), local.count >= 2 {
            var escaped = false
            for scalar in local.unicodeScalars.dropFirst().dropLast() {
                if escaped {
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "\"" || (scalar.value < 0x20 && scalar != "\t") {
                    return false
                }
            }
            if escaped { return false }
        } else {
            let atext = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)
            guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return false }
            for scalar in local.unicodeScalars where scalar != "." {
                let allowed =
                    scalar.isASCIILetter || scalar.isASCIIDigit || atext.contains(scalar)
                    || (international && scalar.value > 0x7F)
                guard allowed else { return false }
            }
        }
        if domain.hasPrefix("["), domain.hasSuffix("]") {
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return isIPv6(Array(literal.dropFirst(5).utf8)[...]) }
            return isIPv4(Array(literal.utf8)[...])
        }
        if international { return !domain.contains(where: { $0 == " " || $0 == "@" }) }
        return isHostname(Array(domain.utf8))
    }

    /// A URI template (RFC 6570) as far as its braces go: each expression closed, none nested or empty.
    static func isURITemplate(_ bytes: [UInt8]) -> Bool {
        var open: Int?
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "{") {
                guard open == nil else { return false }
                open = index
            } else if byte == UInt8(ascii: "}") {
                guard let start = open, index > start + 1 else { return false }
                open = nil
            }
        }
        return open == nil
    }

    /// A UUID: `8-4-4-4-12` hexadecimal digits.
    static func isUUID(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if JSONPointer.hexValue(byte) == nil {
                return false
            }
        }
        return true
    }

    /// A relative JSON Pointer: a non-negative integer, then `#` or a JSON Pointer.
    static func isRelativeJSONPointer(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        guard index > 0, index == 1 || bytes[0] != UInt8(ascii: "0") else { return false }
        let rest = String(decoding: bytes[index...], as: UTF8.self)
        return rest == "#" || JSONPointer.tokens(rest) != nil
    }

    /// A URI (RFC 3986), or with `absolute` off a URI reference; `international` admits non-ASCII (RFC 3987).
    static func isURI(_ text: String, absolute: Bool, international: Bool) -> Bool {
        let reference = URIReference(text)
        if absolute, reference.scheme == nil { return false }
        if let scheme = reference.scheme {
            guard let first = scheme.unicodeScalars.first, first.isASCIILetter,
                scheme.unicodeScalars.allSatisfy({
                    $0.isASCIILetter || $0.isASCIIDigit || $0 == "+" || $0 == "-" || $0 == "."
                })
            else { return false }
        } else if let colon = reference.path.firstIndex(of: ":"),
            !reference.path[..<colon].contains("/")
        {
            return false
        }
        func valid(_ part: String, extra: String) -> Bool {
            let scalars = Array(part.unicodeScalars)
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "%" {
                    guard index + 2 < scalars.count, scalars[index + 1].isASCII, scalars[index + 2].isASCII,
                        JSONPointer.hexValue(UInt8(scalars[index + 1].value)) != nil,
                        JSONPointer.hexValue(UInt8(scalars[index + 2].value)) != nil
                    else { return false }
                    index += 3
                    continue
                }
                let allowed =
                    scalar.isASCIILetter || scalar.isASCIIDigit || "-._~!$&'()*+,;=".unicodeScalars.contains(scalar)
                    || extra.unicodeScalars.contains(scalar) || (international && scalar.value > 0x7F)
                guard allowed else { return false }
                index += 1
            }
            return true
        }
        if let authority = reference.authority {
            var host = Substring(authority)
            if let at = host.lastIndex(of: "@") {
                guard valid(String(host[..<at]), extra: ":") else { return false }
                host = host[host.index(after: at)...]
            }
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else { return false }
                let literal = host[host.index(after: host.startIndex)..<close]
                guard isIPv6(Array(literal.utf8)[...]) || literal.hasPrefix("v") else { return false }
                host = host[host.index(after: close)...]
                if !host.isEmpty {
                    guard host.hasPrefix(":"), host.dropFirst().allSatisfy(\.isASCII),
                        host.dropFirst().allSatisfy({ $0.isNumber })
                    else { return false }
                }
            } else {
                if let colon = host.lastIndex(of: ":") {
                    let port = host[host.index(after: colon)...]
                    guard port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
                    host = host[..<colon]
                }
                guard valid(String(host), extra: "") else { return false }
            }
        }
        return valid(reference.path, extra: ":@/") && valid(reference.query ?? "", extra: ":@/?")
            && valid(reference.fragment ?? "", extra: ":@/?")
    }
}
