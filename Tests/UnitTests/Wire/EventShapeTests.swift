import AIBase
import AIProviders
import AITestSupport
import PropertyBased
import Testing

@testable import AIWire

/// Text as it can appear between the quotes of a JSON string in a stream, well-formed or not: escapes of each
/// kind, a lone surrogate, a bad escape, a raw control character, a dangling backslash, bytes that are not UTF-8.
private let textBodies: [[UInt8]] =
    [
        "t1 ", "", "é", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\uD800", "\\/", "\\\"", "a\\\\b", "\\x", "\u{01}", "a\\",
        "\\u12", "\u{2028}", "tab\\tand\\r", "😀",
    ].map { Array($0.utf8) } + [[0xC3, 0x28], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80]]

/// Strings the decoders ignore (ids, timestamps, padding), some of them malformed too.
private let ignoredBodies: [[UInt8]] =
    ["chatcmpl-1", "chatcmpl-22", "", "2025-10-09T12:00:00.1Z", "é", "\\u0041"]
    .map { Array($0.utf8) } + [[0xFF]]

/// One stream event, chosen by `choice`: mostly plain text events with varying text and ignored strings, some
/// of another kind or malformed.
private func openAIEvent(_ choice: Int) -> [UInt8] {
    let text = textBodies[choice % textBodies.count]
    let id = ignoredBodies[(choice / 7) % ignoredBodies.count]
    let padding: [UInt8] =
        (choice / 11) % 3 == 0
        ? []
        : Array(",\"obfuscation\":\"".utf8)
            + ignoredBodies[(choice / 3) % ignoredBodies.count] + [0x22]
    let head =
        Array("data: {\"id\":\"".utf8) + id
        + Array("\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,".utf8)
    let tail = Array(",\"finish_reason\":null}]".utf8) + padding + Array("}\n\n".utf8)
    switch (choice / 50) % 12 {
    case 8:
        return head + Array("\"delta\":{\"role\":\"assistant\",\"content\":\"".utf8) + text + Array("\"}".utf8) + tail
    case 9:
        return head + Array("\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\",".utf8)
            + Array("\"arguments\":\"{}\"}}]}".utf8) + tail
    case 10: return Array("data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":nul}]}\n\n".utf8)
    case 11:
        return Array(": keep-alive\n\n".utf8) + head + Array("\"delta\":{\"content\":\"".utf8) + text
            + Array("\"}".utf8) + Array(",\"finish_reason\":null}]}\r\n\r\n".utf8)
    default: return head + Array("\"delta\":{\"content\":\"".utf8) + text + Array("\"}".utf8) + tail
    }
}

private func anthropicEvent(_ choice: Int) -> [UInt8] {
    let text = textBodies[choice % textBodies.count]
    switch (choice / 50) % 10 {
    case 7: return Array("event: ping\ndata: {\"type\": \"ping\"}\n\n".utf8)
    case 8:
        return Array("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,".utf8)
            + Array("\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"".utf8) + text + Array("\"}}\n\n".utf8)
    case 9:
        return Array("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,".utf8)
            + Array("\"delta\":{\"type\":\"text_delta\",\"text\":\"".utf8) + text + Array("\"}}\n\n".utf8)
    default:
        return Array("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,".utf8)
            + Array("\"delta\":{\"type\":\"text_delta\",\"text\":\"".utf8) + text + Array("\"}}\n\n".utf8)
    }
}

private func ollamaEvent(_ choice: Int) -> [UInt8] {
    let text = textBodies[choice % textBodies.count]
    let stamp = ignoredBodies[(choice / 7) % ignoredBodies.count]
    let head =
        Array("{\"model\":\"m\",\"created_at\":\"".utf8) + stamp + Array("\",\"message\":{\"role\":\"assistant\",".utf8)
    switch (choice / 50) % 10 {
    case 6: return Array("\n".utf8)
    case 7:
        return head + Array("\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":{}}}]},".utf8)
            + Array("\"done\":false}\n".utf8)
    case 8: return Array("{\"error\":\"boom\"}\n".utf8)
    case 9: return head + Array("\"content\":\"".utf8) + text + Array("\"},\"done\":false}\r\n".utf8)
    default: return head + Array("\"content\":\"".utf8) + text + Array("\"},\"done\":false}\n".utf8)
    }
}

/// A whole stream of one format around the events chosen.
private func stream(_ format: SyntheticStream, _ choices: [Int]) -> [UInt8] {
    switch format {
    case .openai:
        return Array(format.prelude.utf8) + choices.flatMap(openAIEvent)
            + Array(
                "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".utf8)
    case .anthropic:
        return Array(format.prelude.utf8) + choices.flatMap(anthropicEvent) + Array(format.trailer(chunks: 1).utf8)
    case .ollama:
        return choices.flatMap(ollamaEvent) + Array(format.trailer(chunks: 1).utf8)
    }
}

private func decoder(_ format: SyntheticStream, shapes: Bool) -> any StreamDecoder {
    switch format {
    case .openai: OpenAIStreamDecoder(provider: "openai", shapes: shapes)
    case .anthropic: AnthropicStreamDecoder(provider: "anthropic", shapes: shapes)
    case .ollama: OllamaStreamDecoder(provider: "ollama", shapes: shapes)
    }
}

private func shapedEvents(_ decoder: any StreamDecoder) -> Int {
    switch decoder {
    case let decoder as OpenAIStreamDecoder: decoder.shapedEvents
    case let decoder as AnthropicStreamDecoder: decoder.shapedEvents
    case let decoder as OllamaStreamDecoder: decoder.shapedEvents
    default: 0
    }
}

/// The events a decoder makes of `pieces`, the error it ended with, and how many events it read by shape.
private func decode(_ format: SyntheticStream, shapes: Bool, _ pieces: [[UInt8]]) -> ([ProviderEvent], AIError?, Int) {
    let decoder = decoder(format, shapes: shapes)
    var events: [ProviderEvent] = []
    do {
        for piece in pieces {
            try piece.withUnsafeBytes { buffer in try decoder.feed(buffer) { events.append($0) } }
        }
        try decoder.finish { events.append($0) }
        return (events, nil, shapedEvents(decoder))
    } catch let error as AIError {
        return (events, error, shapedEvents(decoder))
    } catch {
        return (events, AIError(.internal, "\(error)"), shapedEvents(decoder))
    }
}

@Suite struct EventShapeTests {
    /// Reading events by shape must change nothing: for streams of every format mixing plain text events (any
    /// text, well-formed or not, with varying ids and padding) with events of other kinds, cut anywhere, the
    /// decoder gives exactly the events and error it gives reading every event with the general parser.
    @Test(arguments: SyntheticStream.allCases)
    func shapes_changeNothing(_ format: SyntheticStream) async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...599).array(of: 0...40), chunkSizes) { choices, sizes in
            let bytes = stream(format, choices)
            let general = decode(format, shapes: false, [bytes])
            let whole = decode(format, shapes: true, [bytes])
            let chunked = decode(format, shapes: true, cut(bytes, sizes: sizes.map { $0 * 5 }))
            #expect(whole.0 == general.0)
            #expect(whole.1 == general.1)
            #expect(chunked.0 == general.0)
            #expect(chunked.1 == general.1)
            #expect(general.2 == 0)
        }
    }

    /// A stream of plain text events is read by shape after its first text event, whole or cut in pieces.
    @Test(arguments: SyntheticStream.allCases)
    func plainEvents_areReadByShape(_ format: SyntheticStream) {
        let bytes = stream(format, Array(0..<40).map { $0 % 4 == 0 ? 2 : 0 })  // "é" and "t1 "
        let general = decode(format, shapes: false, [bytes])
        for pieces in [[bytes], cut(bytes, sizes: [7]), cut(bytes, sizes: [100, 3])] {
            let shaped = decode(format, shapes: true, pieces)
            #expect(shaped.0 == general.0)
            #expect(shaped.1 == nil)
            #expect(shaped.2 == 39, "\(format): \(shaped.2) of 40 text events read by shape")
        }
    }

    /// The string bodies a shape accepts in a hole are exactly the well-formed ones, read as the parser reads them.
    @Test func stringBodies_areCheckedLikeTheParserChecksThem() {
        for body in textBodies + ignoredBodies {
            let token = [0x22] + body + [0x22]
            let parsed = token.withUnsafeBytes { bytes -> String? in
                var parser = JSONParser(bytes)
                return try? parser.parseString()
            }
            let scanned = token.withUnsafeBufferPointer { buffer -> String? in
                guard let found = EventShape.stringBody(buffer.baseAddress!, from: 1, to: buffer.count),
                    found.end == buffer.count - 1
                else { return nil }
                return JSONStringBody(
                    bytes: UnsafeBufferPointer(rebasing: buffer[1..<found.end]),
                    escaped: found.escaped
                ).text
            }
            #expect(scanned == parsed, "\(String(decoding: body, as: UTF8.self))")
        }
        // Unterminated, or cut inside an escape: not whole in the buffer.
        for token in ["\"abc", "\"ab\\", "\"\\u00", "\"é"].map({ Array($0.utf8) }) {
            let found = token.withUnsafeBufferPointer { EventShape.stringBody($0.baseAddress!, from: 1, to: $0.count) }
            #expect(found == nil)
        }
    }

    /// A delta line written from the provider's bytes is the line written from the decoded text.
    @Test func deltaLines_fromBytes_equalDeltaLinesFromText() {
        for body in textBodies {
            let token = [0x22] + body + [0x22]
            token.withUnsafeBufferPointer { buffer in
                guard let found = EventShape.stringBody(buffer.baseAddress!, from: 1, to: buffer.count) else { return }
                let text = JSONStringBody(
                    bytes: UnsafeBufferPointer(rebasing: buffer[1..<found.end]),
                    escaped: found.escaped)
                let fromBytes = ByteBuffer(capacity: 16)
                Record.appendDelta(text, to: fromBytes)
                let fromText = ByteBuffer()
                Record.appendDelta(text.text, to: fromText)
                #expect(Array(fromBytes.bytes) == Array(fromText.bytes))
                let line = try? JSON.parse(Array(fromText.bytes.dropLast()))
                #expect(line?["text"]?.stringValue == text.text)
            }
        }
    }

    /// The word-at-a-time comparison agrees with `memcmp` at every length and every place of a difference.
    @Test func equal_agreesWithMemcmp() {
        let left = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        for count in 0...70 {
            for flip in [-1] + Array(0..<count) {
                var right = left
                if flip >= 0 { right[flip] ^= 0x40 }
                let same = left.withUnsafeBufferPointer { l in
                    right.withUnsafeBufferPointer { r in EventShape.equal(l.baseAddress!, r.baseAddress!, count) }
                }
                #expect(same == (flip < 0), "count \(count), difference at \(flip)")
            }
        }
    }

    /// The output buffer keeps every byte across growth.
    @Test func byteBuffer_growsAndKeepsItsBytes() {
        let buffer = ByteBuffer(capacity: 16)
        var expected: [UInt8] = []
        for round in 0..<200 {
            let piece = (0..<(round % 37)).map { UInt8(truncatingIfNeeded: $0 + round) }
            piece.withUnsafeBufferPointer { buffer.append(bytes: $0) }
            buffer.append(UInt8(round & 0xFF))
            expected += piece + [UInt8(round & 0xFF)]
        }
        buffer.append("end")
        expected += Array("end".utf8)
        #expect(Array(buffer.bytes) == expected)
        #expect(buffer.last == UInt8(ascii: "d"))
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.last == nil)
    }
}
