import AITestSupport
import Foundation
import Testing

@testable import AICore

/// LineSplitter: Ollama NDJSON fixtures under many chunkings, CR handling, partial lines, limits.
@Suite struct LineSplitterTests {
    // MARK: - Fixtures and chunkings

    /// The provider fixtures (Tests/Fixtures/providers), found by walking up from this file to the package root.
    private enum Fixtures {
        static let root = URL(fileURLWithPath: FixtureIndex.defaultDirectory)

        static func bytes(_ relativePath: String) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
        }

        /// The index.json entries whose body is an Ollama NDJSON stream.
        static func ndjson() throws -> [[String: Any]] {
            let data = try Data(contentsOf: root.appendingPathComponent("index.json"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let fixtures = try #require(object["fixtures"] as? [[String: Any]])
            return fixtures.filter { ($0["body_file"] as? String)?.hasSuffix(".ndjson") == true }
        }
    }

    /// A deterministic generator (SplitMix64) so random chunkings are reproducible.
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Cut points for one way of chunking a body of `count` bytes (empty = one chunk).
    private enum Chunking: CustomStringConvertible {
        case whole
        case cuts([Int])
        case oneByte
        case random(seed: UInt64)

        var description: String {
            switch self {
            case .whole: "whole"
            case .cuts(let offsets): "cuts \(offsets.prefix(8))"
            case .oneByte: "1 byte"
            case .random(let seed): "random seed \(seed)"
            }
        }

        static func all(plan: [String: Any]?, count: Int) -> [Chunking] {
            var result: [Chunking] = [.whole, .oneByte]
            if let offsets = plan?["split_at"] as? [Int] {
                result.append(.cuts(offsets))
            }
            if let size = plan?["split_every"] as? Int {
                result.append(.cuts(Array(stride(from: size, to: count, by: size))))
            }
            result += [1, 2, 3, 42, 1234].map { .random(seed: $0) }
            return result
        }

        func chunks(of body: [UInt8]) -> [[UInt8]] {
            var cuts: [Int]
            switch self {
            case .whole:
                cuts = []
            case .cuts(let offsets):
                cuts = offsets
            case .oneByte:
                cuts = Array(0..<body.count)
            case .random(let seed):
                var generator = SeededGenerator(state: seed)
                cuts = []
                var offset = 0
                while offset < body.count {
                    let size = Int.random(in: 0...3, using: &generator) == 0
                        ? Int.random(in: 0...512, using: &generator) : Int.random(in: 0...9, using: &generator)
                    offset += size
                    cuts.append(min(offset, body.count))
                }
            }
            var pieces: [[UInt8]] = []
            var start = 0
            for cut in cuts + [body.count] where cut >= start {
                pieces.append(Array(body[start..<cut]))
                start = cut
            }
            return pieces
        }
    }

    /// Splits `body` fed in the given chunks; returns the lines and what `finish()` gave back.
    private func split(_ body: [UInt8], _ chunking: Chunking = .whole) -> (lines: [[UInt8]], rest: [UInt8]?) {
        var splitter = LineSplitter()
        var lines: [[UInt8]] = []
        for chunk in chunking.chunks(of: body) {
            splitter.feed(chunk) { lines.append(Array($0)) }
        }
        return (lines, splitter.finish())
    }

    private func split(_ text: String, _ chunking: Chunking = .whole) -> (lines: [String], rest: String?) {
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
        let fixtures = try Fixtures.ndjson()
        #expect(fixtures.count >= 6)
        for fixture in fixtures {
            let id = try #require(fixture["id"] as? String)
            let body = try Fixtures.bytes(try #require(fixture["body_file"] as? String))
            let reference = referenceSplit(body)
            #expect(!reference.lines.isEmpty, "\(id)")
            for chunking in Chunking.all(plan: fixture["chunk_plan"] as? [String: Any], count: body.count) {
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
        let (lines, rest) = split(try Fixtures.bytes("ollama/pull_stream.ndjson"), .oneByte)
        #expect(lines.count == 9)
        #expect(rest == nil)
        #expect(lines.last == Array(#"{"status":"success"}"#.utf8))
    }

    @Test func truncatedFixture_finishReturnsUnterminatedLine() throws {
        let body = try Fixtures.bytes("ollama/chat_stream_truncated.ndjson")
        let lastLF = try #require(body.lastIndex(of: 0x0A))
        let tail = Array(body[(lastLF + 1)...])
        #expect(tail.starts(with: Array(#"{"model":"llama3.2:latest""#.utf8)))
        for chunking in [Chunking.whole, .oneByte, .random(seed: 9)] {
            let (lines, rest) = split(body, chunking)
            #expect(lines.count == 3, "\(chunking)")
            #expect(rest == tail, "\(chunking)")
        }
    }

    @Test func longLineFixture_96KiBLine() throws {
        let body = try Fixtures.bytes("ollama/chat_stream_long_line.ndjson")
        for chunking in [Chunking.whole, .cuts(Array(stride(from: 16_384, to: body.count, by: 16_384))), .oneByte] {
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
        for chunking in [Chunking.whole, .oneByte, .cuts([2]), .cuts([1, 2, 3]), .random(seed: 3)] {
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
        let (lines, rest) = split(body, .cuts(cuts))
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
