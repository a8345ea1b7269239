import AIBase
import CCurl
import Glibc

/// Why a URL could not be read the way libcurl reads it.
package enum URLParseError: Error, Sendable, Equatable {
    /// The URL names no scheme (`10.1.2.3:9/v1`), which libcurl would guess.
    case noScheme
    /// libcurl refuses the URL: its description.
    case malformed(String)
}

/// A URL's scheme and host as libcurl will use them, read by libcurl's own URL parser.
///
/// The host is what libcurl connects to: IPv4 numbers normalised (`127.1` and `0x7f000001` are `127.0.0.1`),
/// IPv6 literals in brackets, percent-escapes decoded, the user part and anything after a `\` dropped as libcurl
/// drops them. Checking this value, and not a prefix of the text, is what keeps a check in step with the
/// connection libcurl makes.
package struct ParsedURL: Sendable, Equatable {
    /// The scheme, lower-cased.
    package var scheme: String
    /// The host, as libcurl connects to it.
    package var host: String

    /// A URL with the given parts (tests).
    package init(scheme: String, host: String) {
        self.scheme = scheme
        self.host = host
    }

    /// Reads `text` as libcurl reads a request's URL, except that a missing scheme is an error rather than a
    /// guess. The corresponding C functions are `curl_url_set` and `curl_url_get`.
    /// - Throws: `URLParseError`.
    package init(_ text: String) throws(URLParseError) {
        guard let handle = curl_url() else { throw .malformed("out of memory") }
        defer { curl_url_cleanup(handle) }
        let flags = UInt32(CURLU_NON_SUPPORT_SCHEME)
        let code = curl_url_set(handle, CURLUPART_URL, text, flags)
        guard code == CURLUE_OK else {
            if Self.parses(text, flags: flags | UInt32(CURLU_GUESS_SCHEME)) { throw .noScheme }
            throw .malformed(curl_url_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)")
        }
        guard let scheme = Self.part(CURLUPART_SCHEME, of: handle) else { throw .noScheme }
        guard let host = Self.part(CURLUPART_HOST, of: handle), !host.isEmpty else {
            throw .malformed("no host")
        }
        self.scheme = scheme.lowercased()
        self.host = host
    }

    /// Whether the host is loopback: `localhost`, `::1`, or an IPv4 literal in 127.0.0.0/8; never a name that
    /// merely starts with `127.`, which DNS may send anywhere.
    package var isLoopback: Bool {
        if host.lowercased() == "localhost" { return true }
        if host.hasPrefix("["), host.hasSuffix("]") {
            var address = in6_addr()
            let literal = String(host.dropFirst().dropLast().prefix { $0 != "%" })
            guard inet_pton(AF_INET6, literal, &address) == 1 else { return false }
            return withUnsafeBytes(of: &address) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { return false }
        return withUnsafeBytes(of: &address) { $0.first == 127 }
    }

    private static func parses(_ text: String, flags: UInt32) -> Bool {
        guard let handle = curl_url() else { return false }
        defer { curl_url_cleanup(handle) }
        return curl_url_set(handle, CURLUPART_URL, text, flags) == CURLUE_OK
    }

    private static func part(_ part: CURLUPart, of handle: OpaquePointer) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, part, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}

/// The proxies libcurl takes from the environment, and the hosts it must always reach directly.
package enum CurlProxy {
    /// What `CURLOPT_NOPROXY` is set to: loopback (`localhost`, 127.0.0.0/8, ::1) and then the user's `no_proxy`
    /// (or `NO_PROXY`) entries; the user's lone `*` (no proxy for anything) stays `*`.
    package static func noProxyList(environment: Environment) -> String {
        let user = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").trimmingBlanks()
        if user == "*" { return "*" }
        return user.isEmpty ? loopbackHosts : loopbackHosts + "," + user
    }

    /// The loopback hosts no request ever reaches through a proxy.
    package static let loopbackHosts = "localhost,127.0.0.0/8,::1"

    /// The proxy libcurl would send a request for `url` through, read from the environment as libcurl reads it
    /// (`http_proxy` for http, never `HTTP_PROXY`; `https_proxy` or `HTTPS_PROXY` for https; then `all_proxy`,
    /// `ALL_PROXY`), or nil when there is none or the host is excluded by `noProxyList`. A proxy without a scheme
    /// is an http proxy.
    package static func proxy(for url: ParsedURL, environment: Environment) -> ParsedURL? {
        if excludes(noProxyList(environment: environment), host: url.host) { return nil }
        var names = [url.scheme + "_proxy"]
        if url.scheme != "http" { names.append(url.scheme.uppercased() + "_PROXY") }
        names += ["all_proxy", "ALL_PROXY"]
        guard let text = names.lazy.compactMap({ environment[$0] }).first else { return nil }
        if let parsed = try? ParsedURL(text) { return parsed }
        return try? ParsedURL("http://" + text)
    }

    /// Whether a `no_proxy` list names `host`: `*`, the host itself, a domain it is in (`example.com` or
    /// `.example.com` for `api.example.com`), or an address range holding it (`10.0.0.0/8`, `::1`).
    package static func excludes(_ list: String, host: String) -> Bool {
        if list.trimmingBlanks() == "*" { return true }
        let name = host.lowercased()
        let literal = name.hasPrefix("[") ? String(name.dropFirst().dropLast()) : name
        for token in list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            var entry = token.lowercased()
            if entry.hasPrefix(".") { entry.removeFirst() }
            if entry.hasSuffix("."), entry.count > 1 { entry.removeLast() }
            if entry.isEmpty { continue }
            if entry.contains("/") || address(of: literal) != nil {
                if let range = AddressRange(entry), let address = address(of: literal), range.contains(address) {
                    return true
                }
                continue
            }
            if name == entry || name.hasSuffix("." + entry) { return true }
        }
        return false
    }

    private static func address(of literal: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// An IPv4 or IPv6 address with an optional prefix length (`127.0.0.0/8`, `::1`).
    private struct AddressRange {
        let bytes: [UInt8]
        let bits: Int

        init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard let first = parts.first, let bytes = CurlProxy.address(of: first) else { return nil }
            let bits = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let bits, (0...bytes.count * 8).contains(bits) else { return nil }
            self.bytes = bytes
            self.bits = bits
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            for index in 0..<bits {
                let mask = UInt8(0x80) >> UInt8(index % 8)
                if address[index / 8] & mask != bytes[index / 8] & mask { return false }
            }
            return true
        }
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
