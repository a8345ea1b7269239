import AIWire

/// One HTTP request as the fake server received it.
package struct RecordedRequest: Sendable {
    /// The request method (`GET`, `POST`, …), as sent.
    package var method: String
    /// The request target: the path with its query string (`/v1/models?limit=2`).
    package var path: String
    /// The header fields in the order received, names as sent.
    package var headers: [(name: String, value: String)]
    /// The body after removing any chunked transfer coding.
    package var body: [UInt8]
    /// When the request head was fully received, in `POSIX.monotonicSeconds()` (compare between requests).
    package var receivedAt: Double
    /// The 0-based index of the TCP connection it arrived on, in accept order.
    package var connectionIndex: Int
    /// The 0-based position of this request among all requests the server received.
    package var sequence: Int

    /// A request with the given parts (the server builds these; tests may too, e.g. to check `Fixture.validate`).
    package init(
        method: String,
        path: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        receivedAt: Double = 0,
        connectionIndex: Int = 0,
        sequence: Int = 0
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
        self.connectionIndex = connectionIndex
        self.sequence = sequence
    }

    /// The value of the first header named `name` (case-insensitive), or nil.
    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// All values of the headers named `name` (case-insensitive), in order.
    package func headerValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The body parsed as JSON, or nil when it is empty or not valid JSON.
    package var json: JSON? {
        guard !body.isEmpty else { return nil }
        return try? JSON.parse(body)
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The path without its query string.
    package var pathWithoutQuery: String {
        guard let mark = path.firstIndex(of: "?") else { return path }
        return String(path[..<mark])
    }

    /// The query parameters in order, percent-decoded (`+` stays `+`).
    package var query: [(name: String, value: String)] {
        guard let mark = path.firstIndex(of: "?") else { return [] }
        let text = path[path.index(after: mark)...]
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = RecordedRequest.percentDecode(parts[0])
            let value = parts.count > 1 ? RecordedRequest.percentDecode(parts[1]) : ""
            return (name, value)
        }
    }

    /// The value of the first query parameter named `name` (case-sensitive), or nil.
    package func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    private static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let high = hexValue(utf8[utf8.startIndex]), let low = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
