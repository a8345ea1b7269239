import AIBase
import AIProviders
import AITestSupport
import AIWire
import Glibc
import PropertyBased
import Testing

/// Pieces that SSE, NDJSON and JSON input are made of, plus bytes that are not UTF-8.
let fragments: [[UInt8]] =
    [
        "data: ", "data:", "data", "event: x", "event:", ":comment", ": ping", "id: 7", "id", "retry: 50", "retry: x",
        "error: {\"code\":1}", "\r", "\n", "\r\n", "\n\n", "{\"a\":[1,\"é\"]}", "[DONE]", "é", "\u{2028}", "\u{85}",
        "\u{FEFF}", "x", " ", "{", "}", "\"", "\\", "{\"prompt\":\"p\"}", "{\"type\":\"delta\",\"text\":\"t\"}",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x00], [0xF0, 0x9F], [0xEF, 0xBB, 0xBF]]

/// Byte streams made of those pieces.
let streams = Gen<[UInt8]?>.element(of: fragments).array(of: 0...80).map { $0.compactMap { $0 }.flatMap { $0 } }

/// Chunk sizes to cut a stream with (cycled).
let chunkSizes = Gen.int(in: 1...24).array(of: 1...12)

/// `bytes` cut into pieces of the given sizes, cycling through them.
func cut(_ bytes: [UInt8], sizes: [Int]) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    var offset = 0
    var index = 0
    while offset < bytes.count {
        let size = max(1, sizes[index % sizes.count])
        pieces.append(Array(bytes[offset..<min(bytes.count, offset + size)]))
        offset += size
        index += 1
    }
    return pieces
}

@Suite struct PropertyTests {
    func sseEvents(_ pieces: [[UInt8]]) -> ([SSEEvent], Bool, Int?) {
        var parser = SSEParser(legacyErrorField: true)
        var events: [SSEEvent] = []
        for piece in pieces { parser.feed(piece) { events.append($0) } }
        let discarded = parser.finish()
        return (events, discarded, parser.retry)
    }

    @Test func sse_anyChunkingGivesTheEventsOfTheWholeBody() async {
        await propertyCheck(count: 400, input: streams, chunkSizes) { bytes, sizes in
            let whole = sseEvents([bytes])
            let chunked = sseEvents(cut(bytes, sizes: sizes))
            #expect(whole.0 == chunked.0)
            #expect(whole.1 == chunked.1)
            #expect(whole.2 == chunked.2)
        }
    }

    @Test func lines_anyChunkingGivesTheLinesOfTheWholeBody() async {
        await propertyCheck(count: 400, input: streams, chunkSizes) { bytes, sizes in
            func lines(_ pieces: [[UInt8]]) -> ([[UInt8]], [UInt8]?) {
                var splitter = LineSplitter()
                var result: [[UInt8]] = []
                for piece in pieces { splitter.feed(piece) { result.append(Array($0)) } }
                return (result, splitter.finish())
            }
            let whole = lines([bytes])
            let chunked = lines(cut(bytes, sizes: sizes))
            #expect(whole.0 == chunked.0)
            #expect(whole.1 == chunked.1)
        }
    }

    @Test func json_arbitraryBytesNeverCrashAndValuesRoundTrip() async {
        await propertyCheck(count: 600, input: streams) { bytes in
            guard let value = try? JSON.parse(bytes) else { return }
            #expect((try? JSON.parse(value.encoded())) == value)
        }
    }

    @Test func json_randomBytesNeverCrash() async {
        await propertyCheck(count: 600, input: Gen<UInt8>.value(in: 0...255).array(of: 0...64)) { bytes in
            _ = try? JSON.parse(bytes)
        }
    }

    @Test func openAIStream_decodesTheSameUnderAnyChunking() async throws {
        let index = try #require(fixtureIndex)
        let fixtures = index.fixtures.filter { $0.provider.hasPrefix("openai") && $0.kind == "sse" }
        await propertyCheck(count: 60, input: Gen.int(in: 0...(fixtures.count - 1)), chunkSizes) { which, sizes in
            let fixture = fixtures[which]
            func decode(_ pieces: [[UInt8]]) -> ([ProviderEvent], AIError?) {
                let decoder = OpenAIStreamDecoder(provider: "openai")
                var events: [ProviderEvent] = []
                do {
                    for piece in pieces {
                        try piece.withUnsafeBytes { buffer in try decoder.feed(buffer) { events.append($0) } }
                    }
                    try decoder.finish { events.append($0) }
                    return (events, nil)
                } catch let error as AIError {
                    return (events, error)
                } catch {
                    return (events, AIError(.internal, "\(error)"))
                }
            }
            let whole = decode([fixture.body])
            let chunked = decode(cut(fixture.body, sizes: sizes.map { $0 * 7 }))
            #expect(whole.0 == chunked.0, "\(fixture.id)")
            #expect(whole.1 == chunked.1, "\(fixture.id)")
        }
    }

    @Test func inputReader_arbitraryBytesEndInItemsOrAnError() async {
        await propertyCheck(count: 200, input: streams, Gen.element(of: InputFormat.allCases)) { bytes, format in
            let path = "/tmp/ai-prop-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            let file = fopen(path, "w")
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            defer { unlink(path) }
            let descriptor = open(path, O_RDONLY)
            defer { close(descriptor) }
            let reader = InputReader(descriptor: descriptor, format: format ?? .auto, prompt: nil, readsStdin: true)
            var count = 0
            do {
                while let item = try reader.next() {
                    count += 1
                    #expect(count <= bytes.count + 1)
                    if case .failure(let error) = item.request { #expect(error.exitStatus == .dataError) }
                }
            } catch let error as AIError {
                #expect([AIBase.ExitStatus.dataError, .noInput].contains(error.exitStatus))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}

extension [UInt8]: @retroactive ExpressibleByUnicodeScalarLiteral {}
extension [UInt8]: @retroactive ExpressibleByExtendedGraphemeClusterLiteral {}
extension [UInt8]: @retroactive ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = Array(value.utf8)
    }
}
