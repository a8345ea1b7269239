import AIBase
import AIWire
import Foundation

/// One recorded provider response from `index.json`: status, headers, byte-exact body, optional chunk plan,
/// the minimum request a correct client sends, and what the client should make of it.
package struct Fixture: Sendable {
    /// How `response(chunking:framing:)` cuts the body into writes.
    package enum Chunking: Sendable, Equatable {
        /// One write.
        case whole
        /// The fixture's `chunk_plan` when it has one; otherwise one write per SSE event (split after each
        /// blank line) or NDJSON line (split after each LF), without pauses; otherwise one write.
        case planned
        /// One write per byte, without pauses.
        case bytewise
    }

    /// The `chunk_plan` of a fixture: where the server flushes and pauses.
    package struct ChunkPlan: Sendable, Equatable {
        /// Byte offsets at which to flush and pause (`split_at`).
        package var splitAt: [Int]
        /// Flush every N bytes (`split_every`), when set.
        package var splitEvery: Int?
        /// The pause at each split, in milliseconds (`delay_ms`).
        package var delayMs: Int

        /// The plan as server chunking.
        package var chunking: FakeResponse.Chunking {
            if let splitEvery { return .every(splitEvery, delayMs: delayMs) }
            return .splitAt(splitAt, delayMs: delayMs)
        }
    }

    /// The fixture id (`openai_chat_stream_ok`).
    package let id: String
    /// The provider (`openai`, `openai-compatible`, `anthropic`, `ollama`, `sse`).
    package let provider: String
    /// The body kind (`json`, `sse`, `ndjson`, `text`).
    package let kind: String
    /// The HTTP status to answer with.
    package let status: Int
    /// The response headers, in order.
    package let responseHeaders: [(String, String)]
    /// The body file, relative to the fixtures directory.
    package let bodyFile: String
    /// The exact body bytes.
    package let body: [UInt8]
    /// Where to flush and pause, if the fixture prescribes it.
    package let chunkPlan: ChunkPlan?
    /// The minimum request a correct client sends (nil when the fixture has none, e.g. parser-only vectors).
    package let request: FixtureRequestRule?
    /// The raw `expected` object.
    package let expected: JSON
    /// The fixture's `notes`, if any.
    package let notes: String?
    /// The whole fixture entry as it appears in `index.json`.
    package let raw: JSON

    /// Parses one `fixtures` entry, reading its body from `directory` and checking `body_bytes`/`body_sha256`.
    package init(json: JSON, directory: String) throws(FixtureError) {
        guard let id = json["id"]?.stringValue else { throw FixtureError("a fixture has no string id") }
        guard let status = json["status"]?.intValue else { throw FixtureError("fixture \(id): no integer status") }
        guard let bodyFile = json["body_file"]?.stringValue else { throw FixtureError("fixture \(id): no body_file") }
        self.id = id
        self.status = status
        self.bodyFile = bodyFile
        provider = json["provider"]?.stringValue ?? ""
        kind = json["kind"]?.stringValue ?? "json"
        responseHeaders = (json["response_headers"]?.objectValue?.members ?? []).map { member in
            (member.key, member.value.stringValue ?? member.value.encodedString)
        }
        expected = json["expected"] ?? .null
        notes = json["notes"]?.stringValue
        raw = json

        let path = (directory as NSString).appendingPathComponent(bodyFile)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureError("fixture \(id): cannot read body file \(path)")
        }
        body = [UInt8](data)
        if let count = json["body_bytes"]?.intValue, count != body.count {
            throw FixtureError("fixture \(id): \(bodyFile) has \(body.count) bytes, index says \(count)")
        }
        if let digest = json["body_sha256"]?.stringValue, digest.lowercased() != SHA256.hex(body) {
            throw FixtureError("fixture \(id): \(bodyFile) does not match body_sha256 (line endings converted?)")
        }

        if let plan = json["chunk_plan"], plan.objectValue != nil {
            chunkPlan = ChunkPlan(
                splitAt: plan["split_at"]?.arrayValue?.compactMap(\.intValue) ?? [],
                splitEvery: plan["split_every"]?.intValue,
                delayMs: plan["delay_ms"]?.intValue ?? 0
            )
        } else {
            chunkPlan = nil
        }
        if let rule = json["request"], rule.objectValue != nil {
            request = try FixtureRequestRule(json: rule, fixtureID: id)
        } else {
            request = nil
        }
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Whether the body is a stream (`sse` or `ndjson`).
    package var isStream: Bool { kind == "sse" || kind == "ndjson" }

    /// The framing used when none is asked for: chunked for streams, content-length otherwise.
    package var defaultFraming: FakeResponse.Framing { isStream ? .chunked : .contentLength }

    /// The offsets just after each SSE event (blank line; CR, LF and CRLF line ends) or NDJSON line (LF),
    /// excluding the end of the body; empty for other kinds.
    package var eventBoundaries: [Int] {
        var boundaries: [Int] = []
        switch kind {
        case "ndjson":
            for (offset, byte) in body.enumerated() where byte == 0x0A && offset + 1 < body.count {
                boundaries.append(offset + 1)
            }
        case "sse":
            var lineStart = 0
            var position = 0
            while position < body.count {
                let byte = body[position]
                guard byte == 0x0D || byte == 0x0A else {
                    position += 1
                    continue
                }
                let lineWasEmpty = position == lineStart
                position += byte == 0x0D && position + 1 < body.count && body[position + 1] == 0x0A ? 2 : 1
                if lineWasEmpty, position < body.count { boundaries.append(position) }
                lineStart = position
            }
        default:
            break
        }
        return boundaries
    }

    /// The server chunking for `chunking`.
    package func serverChunking(_ chunking: Chunking) -> FakeResponse.Chunking {
        switch chunking {
        case .whole:
            return .whole
        case .bytewise:
            return .bytewise(delayMs: 0)
        case .planned:
            if let chunkPlan { return chunkPlan.chunking }
            let boundaries = eventBoundaries
            return boundaries.isEmpty ? .whole : .splitAt(boundaries, delayMs: 0)
        }
    }

    /// The fixture as a server response: its status, headers and body, cut by `chunking`, framed by `framing`
    /// (default: chunked for streams, content-length otherwise).
    package func response(chunking: Chunking = .whole, framing: FakeResponse.Framing? = nil) -> FakeResponse {
        FakeResponse(
            status: status,
            headers: responseHeaders,
            body: body,
            framing: framing ?? defaultFraming,
            chunking: serverChunking(chunking)
        )
    }

    /// Why `request` violates this fixture's request rule, or nil when it complies (or there is no rule).
    ///
    /// `checkPath: false` accepts any path (the query rule still applies); header names in `skippingHeaders`
    /// (lowercase) are not checked.
    package func validate(
        _ request: RecordedRequest,
        checkPath: Bool = true,
        skippingHeaders: Set<String> = []
    ) -> String? {
        self.request?.violation(by: request, checkPath: checkPath, skippingHeaders: skippingHeaders)
    }

    /// A server handler that answers 400 `{"error":{"message": <why>}}` to a request violating the rule, and
    /// the fixture response otherwise.
    package func handler(
        chunking: Chunking = .whole,
        framing: FakeResponse.Framing? = nil,
        checkPath: Bool = true,
        skippingHeaders: Set<String> = []
    ) -> FakeServer.Handler {
        let response = response(chunking: chunking, framing: framing)
        return { [self] request in
            if let why = validate(request, checkPath: checkPath, skippingHeaders: skippingHeaders) {
                let payload: JSON = .object(["error": .object(["message": .string(why)])])
                return .json(payload, status: 400)
            }
            return response
        }
    }
}
