import AIBase
import AIProviders
import AITestSupport
import AIWire
import Foundation
import Testing

/// SSEParser: WHATWG vectors, provider fixtures under many chunkings, line ends, fields, limits.
@Suite struct SSEParserTests {
    // MARK: - Fixtures and chunkings

    /// The outcome of parsing a whole body.
    private struct ParseResult {
        var events: [SSEEvent]
        var retry: Int?
        var lastEventID: String
        var discardedAtEOF: Bool
    }

    private func parse(
        _ body: [UInt8], _ chunking: BodyChunking = .whole, legacyErrorField: Bool = false
    ) -> ParseResult {
        var parser = SSEParser(legacyErrorField: legacyErrorField)
        var events: [SSEEvent] = []
        for chunk in chunking.chunks(of: body) {
            parser.feed(chunk) { events.append($0) }
        }
        let discarded = parser.finish()
        return ParseResult(
            events: events, retry: parser.retry, lastEventID: parser.lastEventID, discardedAtEOF: discarded
        )
    }

    private func parse(_ text: String, _ chunking: BodyChunking = .whole) -> [SSEEvent] {
        parse(Array(text.utf8), chunking).events
    }

    private func event(_ type: String, _ data: String, id: String = "") -> SSEEvent {
        SSEEvent(type: type, data: Array(data.utf8), lastEventID: id)
    }

    private func event(_ data: String, id: String = "") -> SSEEvent {
        event("message", data, id: id)
    }

    // MARK: - spec_edge_cases.txt

    private func checkSpecEdgeCases(_ chunkings: [BodyChunking]) throws {
        let fixture = try #require(fixtureIndex).fixture("sse_spec_edge_cases")
        let body = fixture.body
        let expected = fixture.expected
        let expectedEvents = try #require(expected["events"]?.arrayValue).map {
            event(
                $0["type"]?.stringValue ?? "", $0["data"]?.stringValue ?? "",
                id: $0["last_event_id"]?.stringValue ?? "")
        }
        #expect(expectedEvents.count == 13)
        let finalRetry = try #require(expected["final_retry_ms"]?.intValue)
        for chunking in chunkings {
            let result = parse(body, chunking)
            #expect(result.events == expectedEvents, "\(chunking)")
            #expect(result.retry == finalRetry, "\(chunking)")
            #expect(result.retry == 1500, "\(chunking)")
            #expect(result.lastEventID == "42", "\(chunking)")
            #expect(result.discardedAtEOF, "the unterminated last block is discarded (\(chunking))")
            #expect(!result.events.contains { $0.text == "last-without-blank-line" }, "\(chunking)")
        }
    }

    @Test func specEdgeCases_wholeBody() throws {
        try checkSpecEdgeCases([.whole])
    }

    @Test func specEdgeCases_fixtureSplitPlan() throws {
        let offsets = try #require(fixtureIndex?.fixture("sse_spec_edge_cases").chunkPlan?.splitAt)
        #expect(offsets == [1, 2, 71, 84, 302])
        try checkSpecEdgeCases([.at(offsets)])
    }

    @Test func specEdgeCases_oneByteChunks() throws {
        try checkSpecEdgeCases([.oneByte])
    }

    @Test func specEdgeCases_seededRandomChunks() throws {
        try checkSpecEdgeCases(BodyChunking.seeds.map { .random(seed: $0) })
    }

    @Test func specEdgeCases_everySingleSplitPoint() throws {
        let body = try fixtureBytes("sse/spec_edge_cases.txt")
        let reference = parse(body).events
        for offset in 0...body.count {
            #expect(parse(body, .at([offset])).events == reference, "split at \(offset)")
        }
    }

    // MARK: - All SSE fixtures

    @Test func sseFixtures_eventCountsAndFieldsUnderEveryChunking() throws {
        let fixtures = try #require(fixtureIndex).fixtures.filter { $0.kind == "sse" }
        #expect(fixtures.count >= 10)
        for fixture in fixtures {
            let id = fixture.id
            let body = fixture.body
            let expected = fixture.expected
            let expectedCount = (expected["sse_events_strict"] ?? expected["sse_events"])?.intValue
            let reference = parse(body)
            for chunking in BodyChunking.all(plan: fixture.chunkPlan) {
                let result = parse(body, chunking)
                if let expectedCount {
                    #expect(result.events.count == expectedCount, "\(id) \(chunking)")
                }
                if let lastEventID = expected["last_event_id"]?.stringValue {
                    #expect(result.lastEventID == lastEventID, "\(id) \(chunking)")
                }
                if let retry = expected["retry_ms"]?.intValue {
                    #expect(result.retry == retry, "\(id) \(chunking)")
                }
                #expect(result.events == reference.events, "\(id): events differ under \(chunking)")
                #expect(result.discardedAtEOF == reference.discardedAtEOF, "\(id) \(chunking)")
            }
        }
    }

    @Test func openAIFixtures_identicalEventsAcrossChunkings() throws {
        let fixtures = try #require(fixtureIndex).fixtures.filter {
            $0.kind == "sse" && $0.bodyFile.hasPrefix("openai/")
        }
        #expect(fixtures.count >= 8)
        for fixture in fixtures {
            let id = fixture.id
            let body = fixture.body
            let reference = parse(body).events
            #expect(!reference.isEmpty, "\(id)")
            for chunking in BodyChunking.all(plan: fixture.chunkPlan) {
                #expect(parse(body, chunking).events == reference, "\(id) \(chunking)")
            }
            // Every data payload of an OpenAI stream is JSON or the [DONE] sentinel, never a piece of a line.
            for event in reference where event.text != "[DONE]" {
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(event.data))) != nil,
                    "\(id): data is not JSON: \(event.text.prefix(80))"
                )
            }
        }
    }

    @Test func truncatedFixtures_discardPartialAtEOF() throws {
        let truncated = parse(try fixtureBytes("openai/chat_stream_truncated.sse"))
        #expect(truncated.events.count == 3)
        #expect(truncated.discardedAtEOF)

        let clean = parse(try fixtureBytes("openai/chat_stream_truncated_clean_boundary.sse"))
        #expect(clean.events.count == 3)
        #expect(!clean.discardedAtEOF)

        let llamacpp = parse(try fixtureBytes("openai/chat_stream_llamacpp_dialect.sse"))
        #expect(llamacpp.events.count == 5)
        #expect(llamacpp.events.last?.text != "[DONE]")
        #expect(llamacpp.discardedAtEOF, "'data: [DONE]\\n' without a blank line is an undispatched event")
    }

    @Test func anthropicFixture_eventTypesFollowEventField() throws {
        let fixture = try #require(fixtureIndex).fixture("anthropic_messages_stream_ok")
        let sequence = try #require(fixture.expected["event_sequence"]?.arrayValue).compactMap(\.stringValue)
        let body = try fixtureBytes("anthropic/messages_stream_ok.sse")
        for chunking in [BodyChunking.whole, .oneByte, .random(seed: 7)] {
            #expect(parse(body, chunking).events.map(\.type) == sequence, "\(chunking)")
        }
    }

    // MARK: - Legacy llama.cpp error field

    @Test func legacyErrorField_enabled_yieldsErrorEvent() throws {
        let body = try fixtureBytes("openai/chat_stream_legacy_error_field.sse")
        for chunking in [BodyChunking.whole, .oneByte, .random(seed: 5)] {
            let events = parse(body, chunking, legacyErrorField: true).events
            #expect(events.count == 2, "\(chunking)")
            let error = try #require(events.first)
            #expect(error.type == "error")
            #expect(error.text.hasPrefix(#"{"code":400,"#))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(error.data)) as? [String: Any])
            #expect(object["code"] as? Int == 400)
            #expect(object["message"] as? String == "the request exceeds the available context size, try increasing it")
            #expect(events.last == event("[DONE]"))
        }
    }

    @Test func legacyErrorField_disabled_yieldsOnlyDone() throws {
        let body = try fixtureBytes("openai/chat_stream_legacy_error_field.sse")
        for chunking in [BodyChunking.whole, .oneByte] {
            #expect(parse(body, chunking).events == [event("[DONE]")], "\(chunking)")
        }
    }

    @Test func legacyErrorField_withDataBuffer_usesDataBuffer() {
        var parser = SSEParser(legacyErrorField: true)
        var events: [SSEEvent] = []
        parser.feed(Array("event: x\nerror: e1\ndata: d1\n\ndata: plain\n\n".utf8)) { events.append($0) }
        #expect(events == [event("error", "d1"), event("plain")])
    }

    // MARK: - Line ends

    @Test func crlf_splitBetweenChunks_isOneLineEnd() {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        parser.feed(Array("event: custom\r".utf8)) { events.append($0) }
        parser.feed(Array("\ndata: x\r".utf8)) { events.append($0) }
        parser.feed([]) { events.append($0) }
        parser.feed(Array("\n\r".utf8)) { events.append($0) }
        parser.feed(Array("\n".utf8)) { events.append($0) }
        #expect(events == [event("custom", "x")])
        let discarded = parser.finish()
        #expect(!discarded)
    }

    @Test func loneCR_thenCR_isTwoLineEnds() {
        let text = "data: a\r\rdata: b\r\r"
        for chunking in [BodyChunking.whole, .oneByte, .at([8]), .at([7, 8, 9])] {
            #expect(parse(text, chunking) == [event("a"), event("b")], "\(chunking)")
        }
    }

    @Test func mixedLineEnds_allRecognized() {
        let text = "data: 1\ndata: 2\rdata: 3\r\n\n"
        for chunking in [BodyChunking.whole, .oneByte] {
            #expect(parse(text, chunking) == [event("1\n2\n3")], "\(chunking)")
        }
    }

    @Test func unicodeSeparators_doNotSplitLines() throws {
        let body = try fixtureBytes("openai/chat_stream_unicode_separators.sse")
        for needle in [[0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9], [0xC2, 0x85]] as [[UInt8]] {
            #expect(body.contains(needle), "fixture contains \(needle)")
        }
        for chunking in [BodyChunking.whole, .oneByte, .random(seed: 11)] {
            let events = parse(body, chunking).events
            #expect(events.count == 8, "\(chunking)")
            let joined = events.flatMap(\.data)
            #expect(joined.contains([0xE2, 0x80, 0xA8]) && joined.contains([0xE2, 0x80, 0xA9]))
            #expect(joined.contains([0xC2, 0x85]))
        }
        let synthetic = "data: a\u{2028}b\u{2029}c\u{85}d\u{0B}e\u{0C}f\n\n"
        #expect(parse(synthetic, .oneByte) == [event("a\u{2028}b\u{2029}c\u{85}d\u{0B}e\u{0C}f")])
    }

    // MARK: - Fields

    @Test func fields_valueSpacingAndColons() {
        let text = "data:a\n\ndata:  b\n\ndata: c: d\n\ndata\n\ndata:\n\n"
        #expect(parse(text) == [event("a"), event(" b"), event("c: d"), event(""), event("")])
    }

    @Test func eventField_withoutData_dispatchesNothingAndResetsType() {
        #expect(parse("event: x\n\ndata: y\n\n") == [event("y")])
        #expect(parse("event:\ndata: y\n\n") == [event("y")])
    }

    @Test func commentsAndUnknownFields_areIgnored() {
        let text = ":hello\n: world\nfoo: bar\nData: no\nDATA: no\n data: no\ndata: yes\n:\n\n:\n\n"
        #expect(parse(text) == [event("yes")])
    }

    @Test func idField_persistsAndIgnoresNUL() {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        let text = "id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n"
        parser.feed(Array(text.utf8)) { events.append($0) }
        #expect(events == [event("a", id: "7"), event("b", id: "7"), event("c", id: "7"), event("d")])
        #expect(parser.lastEventID == "")
        parser.feed(Array("id: 9\n\n".utf8)) { events.append($0) }
        #expect(events.count == 4)
        #expect(parser.lastEventID == "9", "an id-only block updates the last event ID without dispatching")
        parser.feed(Array("id: 10\n".utf8)) { events.append($0) }
        let discardedIDOnly = parser.finish()
        #expect(discardedIDOnly == false)
        #expect(parser.lastEventID == "9", "the id of an unterminated block is discarded with it")
    }

    @Test func retryField_onlyAsciiDigits() {
        var parser = SSEParser()
        let text =
            "retry: 100\n\nretry: 1e3\nretry: -5\nretry:\nretry: 12 \nretry: ١٢\n"
            + "retry: 99999999999999999999999\nretry: +7\n\n"
        parser.feed(Array(text.utf8)) { _ in Issue.record("no event expected") }
        #expect(parser.retry == 100)
        parser.feed(Array("retry:0\n".utf8)) { _ in }
        #expect(parser.retry == 0)
    }

    @Test func bom_strippedOnceAtStreamStartOnly() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let line = Array("data: x\n\n".utf8)
        for chunking in [BodyChunking.whole, .oneByte, .at([1]), .at([2])] {
            #expect(parse(bom + line, chunking).events == [event("x")], "\(chunking)")
            // A second BOM is part of the field name, so the line is an unknown field.
            #expect(parse(bom + bom + line, chunking).events.isEmpty, "\(chunking)")
            // A BOM that is not at the start is ordinary content.
            #expect(
                parse(line + Array("data: ".utf8) + bom + line, chunking).events == [
                    event("x"), SSEEvent(data: bom + Array("data: x".utf8)),
                ], "\(chunking)")
        }
        // Bytes that only start like a BOM are kept: they become part of the first field name.
        for chunking in [BodyChunking.whole, .oneByte, .at([1]), .at([2])] {
            #expect(parse([0xEF, 0xBB] + line, chunking).events.isEmpty, "\(chunking)")
            #expect(parse([0xEF] + line, chunking).events.isEmpty, "\(chunking)")
        }
        #expect(parse([0xEF, 0xBB] + Array(":\ndata: y\n\n".utf8), .oneByte).events == [event("y")])
        #expect(parse([0xEF, 0xBB, 0x0A] + line, .oneByte).events == [event("x")])
    }

    // MARK: - End of stream

    @Test func finish_reportsWhatWasDiscarded() {
        #expect(parse(Array("data: a\n\n".utf8)).discardedAtEOF == false)
        #expect(parse(Array(":comment\n\n:trailing comment line\n".utf8)).discardedAtEOF == false)
        #expect(parse(Array("data: a\n\ndata: partial".utf8)).discardedAtEOF)
        #expect(parse(Array("data: a\n\ndata: b\n".utf8)).discardedAtEOF)
        #expect(parse(Array("data: a\n\nerror: e\n".utf8), legacyErrorField: true).discardedAtEOF)
        #expect(parse([0xEF, 0xBB]).discardedAtEOF)
        #expect(parse([]).discardedAtEOF == false)
    }

    @Test func finish_resetsForNextStream() {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        parser.feed(Array("id: 1\nretry: 5\ndata: a\n\ndata: lost\rdata: more".utf8)) { events.append($0) }
        let discardedFirst = parser.finish()
        #expect(discardedFirst)
        parser.feed([0xEF, 0xBB, 0xBF] + Array("\ndata: b\n\n".utf8)) { events.append($0) }
        let discardedSecond = parser.finish()
        #expect(!discardedSecond)
        #expect(events == [event("a", id: "1"), event("b", id: "1")])
        #expect(parser.retry == 5)
    }

    // MARK: - Size and errors

    @Test func fourMiBDataLine_isOneEvent() {
        let size = 4 << 20
        var body = Array("data: ".utf8)
        body.reserveCapacity(size + 16)
        for index in 0..<size {
            body.append(UInt8(0x61 + index % 26))
        }
        body += Array("\n\ndata: after\n\n".utf8)
        for chunking in [BodyChunking.whole, .every(16_384), .every(4093)] {
            let events = parse(body, chunking).events
            #expect(events.count == 2, "\(chunking)")
            #expect(events.first?.data.count == size, "\(chunking)")
            #expect(events.first?.data.first == 0x61 && events.first?.data.last == UInt8(0x61 + (size - 1) % 26))
            #expect(events.last == event("after"))
        }
    }

    @Test func longLineFixture_hasOneLongDataLine() throws {
        let fixture = try #require(fixtureIndex).fixture("openai_chat_stream_long_line")
        let longest = try #require(fixture.expected["longest_line_bytes"]?.intValue)
        let body = fixture.body
        let events = parse(body, .every(16_384)).events
        let maxData = events.map(\.data.count).max() ?? 0
        #expect(maxData == longest - "data: ".utf8.count)
    }

    private struct Stop: Error {}

    @Test func dispatchThrows_errorPropagatesAndParserStaysUsable() {
        var parser = SSEParser()
        #expect(throws: Stop.self) {
            try parser.feed(Array("data: a\n\ndata: b\n\n".utf8)) { _ in throw Stop() }
        }
        var events: [SSEEvent] = []
        parser.feed(Array("data: c\n\n".utf8)) { events.append($0) }
        #expect(events == [event("c")])

        // Also when the throwing event completes a line that straddled chunks.
        parser.feed(Array("data: d".utf8)) { events.append($0) }
        #expect(throws: Stop.self) {
            try parser.feed(Array("\n\n".utf8)) { _ in throw Stop() }
        }
        parser.feed(Array("data: e\n\n".utf8)) { events.append($0) }
        #expect(events == [event("c"), event("e")])
    }

    @Test func eventText_decodesUTF8WithReplacement() {
        #expect(event("message", "héllo 👋").text == "héllo 👋")
        #expect(SSEEvent(data: [0x61, 0xFF]).text == "a\u{FFFD}")
    }
}
