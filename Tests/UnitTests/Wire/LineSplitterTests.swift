import AIProviders
import AITestSupport
import AIWire
import Foundation
import Testing

/// LineSplitter: Ollama NDJSON fixtures under many chunkings, CR handling, partial lines, limits.
@Suite struct LineSplitterTests {
    // MARK: - Fixtures and chunkings

    /// Splits `body` fed in the given chunks; returns the lines and what `finish()` gave back.
    private func split(_ body: [UInt8], _ chunking: BodyChunking = .whole) -> (lines: [[UInt8]], rest: [UInt8]?) {
        var splitter = LineSplitter()
        var lines: [[UInt8]] = []
        for chunk in chunking.chunks(of: body) {
            splitter.feed(chunk) { lines.append(Array($0)) }
        }
        return (lines, splitter.finish())
    }

    private func split(_ text: String, _ chunking: BodyChunking = .whole) -> (lines: [String], rest: String?) {
        let result = split(Array(text.utf8), chunking)
        let decode = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        return (result.lines.map(decode), result.rest.map(decode))
    }

    /// The reference split: cut at every LF, drop one trailing CR per line, keep the unterminated tail.
    private func referenceSplit(_ body: [UInt8]) -> (lines: [[UInt8]], rest: [UInt8]?) {
        var pieces = body.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        let tail = pieces.removeLast()
        let lines = pieces.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
        return (lines, tail.isEmpty ? nil : tail)
    }

    // MARK: - Fixtures

    @Test func ollamaFixtures_sameLinesUnderEveryChunking() throws {
        let fixtures = try #require(fixtureIndex).fixtures.filter { $0.bodyFile.hasSuffix(".ndjson") }
        #expect(fixtures.count >= 6)
        for fixture in fixtures {
            let id = fixture.id
            let body = fixture.body
            let reference = referenceSplit(body)
            #expect(!reference.lines.isEmpty, "\(id)")
            for chunking in BodyChunking.all(plan: fixture.chunkPlan) {
                let result = split(body, chunking)
                #expect(result.lines == reference.lines, "\(id) \(chunking)")
                #expect(result.rest == reference.rest, "\(id) \(chunking)")
            }
            // Every complete line is one JSON object.
            for line in reference.lines {
                #expect((try? JSONSerialization.jsonObject(with: Data(line))) is [String: Any], "\(id)")
            }
        }
    }

    @Test func pullStream_nineProgressLines() throws {
        let (lines, rest) = split(try fixtureBytes("ollama/pull_stream.ndjson"), .oneByte)
        #expect(lines.count == 9)
        #expect(rest == nil)
        #expect(lines.last == Array(#"{"status":"success"}"#.utf8))
    }

    @Test func truncatedFixture_finishReturnsUnterminatedLine() throws {
        let body = try fixtureBytes("ollama/chat_stream_truncated.ndjson")
        let lastLF = try #require(body.lastIndex(of: 0x0A))
        let tail = Array(body[(lastLF + 1)...])
        #expect(tail.starts(with: Array(#"{"model":"llama3.2:latest""#.utf8)))
        for chunking in [BodyChunking.whole, .oneByte, .random(seed: 9)] {
            let (lines, rest) = split(body, chunking)
            #expect(lines.count == 3, "\(chunking)")
            #expect(rest == tail, "\(chunking)")
        }
    }

    @Test func longLineFixture_96KiBLine() throws {
        let body = try fixtureBytes("ollama/chat_stream_long_line.ndjson")
        for chunking in [BodyChunking.whole, .every(16_384), .oneByte] {
            let (lines, rest) = split(body, chunking)
            #expect(lines.count == 2, "\(chunking)")
            #expect(rest == nil)
            let longest = lines.map(\.count).max() ?? 0
            #expect(longest > 96_000, "\(chunking)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0])) as? [String: Any])
            let message = try #require(object["message"] as? [String: Any])
            #expect((message["content"] as? String)?.utf8.count == 96_000)
        }
    }

    // MARK: - Line ends

    @Test func crlfLines_loseTheCR() {
        let text = "a\r\nb\r\n\r\nc\r\r\nd\re\n"
        let expected = ["a", "b", "", "c\r", "d\re"]
        for chunking in [BodyChunking.whole, .oneByte, .at([2]), .at([1, 2, 3]), .random(seed: 3)] {
            let (lines, rest) = split(text, chunking)
            #expect(lines == expected, "\(chunking)")
            #expect(rest == nil, "\(chunking)")
        }
    }

    @Test func emptyLines_areDelivered() {
        #expect(split("\n\nx\n\n").lines == ["", "", "x", ""])
        #expect(split("\n\nx\n\n", .oneByte).lines == ["", "", "x", ""])
    }

    @Test func unicodeSeparators_doNotEndLines() {
        let text = "a\u{2028}b\u{2029}c\u{85}d\u{0B}e\u{0C}f\n"
        #expect(split(text, .oneByte).lines == ["a\u{2028}b\u{2029}c\u{85}d\u{0B}e\u{0C}f"])
    }

    // MARK: - Buffering and end of stream

    @Test func finish_returnsNilAfterFinalLF() {
        #expect(split("x\n").rest == nil)
        #expect(split("").rest == nil)
        #expect(split("x\ny").rest == "y")
        #expect(split("x\ny\r").rest == "y\r")
    }

    @Test func bufferedCount_tracksPartialLine() {
        var splitter = LineSplitter()
        var lines: [[UInt8]] = []
        #expect(splitter.bufferedCount == 0)
        splitter.feed(Array("abc\nde".utf8)) { lines.append(Array($0)) }
        #expect(splitter.bufferedCount == 2)
        splitter.feed(Array("f".utf8)) { lines.append(Array($0)) }
        #expect(splitter.bufferedCount == 3)
        splitter.feed(Array("\n".utf8)) { lines.append(Array($0)) }
        #expect(splitter.bufferedCount == 0)
        #expect(lines == [Array("abc".utf8), Array("def".utf8)])
        splitter.feed(Array("tail".utf8)) { lines.append(Array($0)) }
        let tail = splitter.finish()
        #expect(tail == Array("tail".utf8))
        #expect(splitter.bufferedCount == 0)
        let afterwards = splitter.finish()
        #expect(afterwards == nil)
    }

    @Test func completeLines_areViewsIntoTheChunk() {
        let chunk = Array("one\ntwo\n".utf8)
        var splitter = LineSplitter()
        chunk.withUnsafeBytes { raw in
            let start = raw.baseAddress
            var seen = 0
            splitter.feed(raw) { line in
                #expect(line.baseAddress == start.map { $0 + (seen == 0 ? 0 : 4) })
                seen += 1
            }
            #expect(seen == 2)
        }
    }

    @Test func fourMiBLine_works() {
        let size = 4 << 20
        let body = [UInt8](repeating: 0x78, count: size) + [0x0A] + Array("next\n".utf8)
        let cuts = Array(stride(from: 16_384, to: body.count, by: 16_384))
        let (lines, rest) = split(body, .at(cuts))
        #expect(lines.map(\.count) == [size, 4])
        #expect(rest == nil)
    }

    private struct Stop: Error {}

    @Test func lineThrows_errorPropagatesAndSplitterStaysUsable() {
        var splitter = LineSplitter()
        splitter.feed(Array("par".utf8)) { _ in }
        #expect(throws: Stop.self) {
            try splitter.feed(Array("tial\nmore\n".utf8)) { _ in throw Stop() }
        }
        #expect(splitter.bufferedCount == 0)
        var lines: [[UInt8]] = []
        splitter.feed(Array("next\n".utf8)) { lines.append(Array($0)) }
        #expect(lines == [Array("next".utf8)])
    }
}
