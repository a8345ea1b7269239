import AIBase
import AIProviders
import AITestSupport
import AIWire
import Foundation
import Glibc
import Testing

/// `ai-embed` through the built binary against the fake server (DESIGN §13): request bodies, batching, base64
/// vectors decoded exactly, the base64 refusal, not_supported, retries, order under `--jobs`, exit statuses.
@Suite struct AIEmbedTests {
    /// The vector the fake server computes for `text`: random-looking bit patterns, finite, fixed per text.
    static func vector(for text: String, dimensions: Int = 5) -> [Float] {
        var state: UInt32 = 2_166_136_261
        for byte in text.utf8 { state = (state ^ UInt32(byte)) &* 16_777_619 }
        return (0..<dimensions).map { index in
            var bits = state &+ UInt32(index) &* 0x9E37_79B9
            bits ^= bits >> 15
            bits = bits &* 0x2C1B_3C6D
            bits ^= bits >> 12
            // Keep the exponent away from 255 (not finite): any sign, any mantissa.
            let exponent = (bits >> 23) & 0xFF
            if exponent == 0xFF { bits &= ~(UInt32(1) << 30) }
            return Float(bitPattern: bits)
        }
    }

    /// The texts of a recorded embeddings request.
    static func inputs(_ request: RecordedRequest) -> [String] {
        request.json?["input"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// An OpenAI-kind `/embeddings` answer computed from the request: base64 when asked, else float arrays.
    static let openAIHandler: FakeServer.Handler = { request in
        let base64 = request.json?["encoding_format"]?.stringValue == "base64"
        let data: [JSON] = inputs(request).enumerated().map { index, text in
            let vector = vector(for: text)
            let embedding: JSON =
                base64 ? .string(EmbeddingBase64.encode(vector)) : .array(vector.map { .number("\($0)") })
            return .object(["object": "embedding", "index": .int(index), "embedding": embedding])
        }
        let count = inputs(request).count
        return .json(
            .object([
                "object": "list", "data": .array(data), "model": "text-embedding-3-small",
                "usage": .object(["prompt_tokens": .int(count * 2), "total_tokens": .int(count * 2)]),
            ]))
    }

    /// The floats of a line's `embedding`, read from their decimal text.
    static func floats(_ value: JSON?) -> [Float] {
        value?.arrayValue?.compactMap { element -> Float? in
            if case .number(let text) = element { return Float(text) }
            return nil
        } ?? []
    }

    static func run(
        _ arguments: [String], stdin: String, server: FakeServer? = nil, environment: [String: String]? = nil
    ) throws -> ToolResult {
        try runTool(
            "ai-embed", arguments: arguments, stdin: .text(stdin),
            environment: environment ?? server.map(openAIEnvironment) ?? toolEnvironment())
    }

    @Test func openAI_requestBody_andBase64VectorsDecodedExactly() throws {
        let server = try FakeServer(handler: Self.openAIHandler)
        defer { server.stop() }
        let input = #"{"id":"a","input":"alpha","metadata":{"k":1}}"# + "\n" + #"{"text":"beta"}"# + "\n"
        let result = try Self.run(["-p", "openai"], stdin: input, server: server)
        #expect(result.status == 0, "\(result.stderrText)")
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.path == "/v1/embeddings")
        #expect(request.header("authorization") == "Bearer sk-fixture-openai")
        #expect(
            request.bodyText
                == #"{"model":"text-embedding-3-small","input":["alpha","beta"],"encoding_format":"base64"}"#)
        let lines = (try result.stdoutLines)
        #expect(lines.count == 2)
        #expect(lines[0]["id"] == "a")
        #expect(lines[0]["metadata"]?["k"]?.intValue == 1)
        #expect(lines[0]["provider"] == "openai")
        #expect(lines[0]["model"] == "text-embedding-3-small")
        #expect(lines[0]["dimensions"]?.intValue == 5)
        #expect(lines[1]["id"] == "2")
        #expect(Self.floats(lines[0]["embedding"]).map(\.bitPattern) == Self.vector(for: "alpha").map(\.bitPattern))
        #expect(Self.floats(lines[1]["embedding"]).map(\.bitPattern) == Self.vector(for: "beta").map(\.bitPattern))
        #expect(lines[0]["usage"]?["prompt_tokens"] != nil)
    }

    @Test func dimensionsAndModel_areSent() throws {
        let server = try FakeServer(handler: Self.openAIHandler)
        defer { server.stop() }
        let result = try Self.run(
            ["-p", "openai", "-m", "text-embedding-3-large", "--dimensions", "256", "hello"], stdin: "",
            server: server)
        #expect(result.status == 0, "\(result.stderrText)")
        let body = try #require(server.requests.first?.json)
        #expect(body["model"] == "text-embedding-3-large")
        #expect(body["dimensions"]?.intValue == 256)
        #expect(body["input"] == .array(["hello"]))
    }

    @Test func batchSize_packsLines_andSplitsOnlyAnArrayLargerThanABatch() throws {
        let server = try FakeServer(handler: Self.openAIHandler)
        defer { server.stop() }
        let input = [
            #"{"input":"a"}"#, #"{"id":"arr","input":["b","c","d"]}"#, #"{"input":"e"}"#, #"{"input":"f"}"#,
            #"{"input":"g"}"#,
        ].joined(separator: "\n")
        let result = try Self.run(["-p", "openai", "--batch-size", "2", "-j", "1"], stdin: input, server: server)
        #expect(result.status == 0, "\(result.stderrText)")
        let batches = server.requests.sorted { $0.sequence < $1.sequence }.map(Self.inputs)
        #expect(batches == [["a"], ["b", "c"], ["d"], ["e", "f"], ["g"]])
        let lines = (try result.stdoutLines)
        #expect(lines.map { $0["id"]?.stringValue } == ["1", "arr", "3", "4", "5"])
        let embeddings = try #require(lines[1]["embeddings"]?.arrayValue)
        #expect(
            embeddings.map { Self.floats($0).map(\.bitPattern) }
                == ["b", "c", "d"].map {
                    Self.vector(for: $0).map(\.bitPattern)
                })
        #expect(lines[1]["embedding"] == nil)
    }

    @Test func base64Refused_isAskedAgainWithFloats() throws {
        let server = try FakeServer(handler: { request in
            if request.json?["encoding_format"] != nil {
                return .json(
                    .object([
                        "error": .object([
                            "message": "unsupported value for encoding_format: base64", "type": "invalid_request_error",
                        ])
                    ]), status: 400)
            }
            return Self.openAIHandler(request)
        })
        defer { server.stop() }
        let result = try Self.run(["-p", "openai", "-j", "1", "--batch-size", "1"], stdin: "x\n", server: server)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(server.requests.count == 2)
        #expect(server.requests.last?.json?["encoding_format"] == nil)
        #expect(
            Self.floats((try result.stdoutLines).first?["embedding"]).map(\.bitPattern)
                == Self.vector(for: "x").map(\.bitPattern))
    }

    @Test func tooLarge_isSplitInHalf() throws {
        let server = try FakeServer(handler: { request in
            Self.inputs(request).count > 1
                ? .json(.object(["error": .object(["message": "request too large"])]), status: 413)
                : Self.openAIHandler(request)
        })
        defer { server.stop() }
        let input = (1...4).map { #"{"input":"t\#($0)"}"# }.joined(separator: "\n")
        let result = try Self.run(["-p", "openai", "-j", "1"], stdin: input, server: server)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect((try result.stdoutLines).count == 4)
        #expect((try result.stdoutLines).allSatisfy { $0["embedding"] != nil })
        #expect(server.requests.count == 1 + 2 + 4)
    }

    @Test func anthropic_isNotSupported78() throws {
        let result = try Self.run(
            ["-p", "anthropic", "hello"], stdin: "", environment: toolEnvironment(["ANTHROPIC_API_KEY": "k"]))
        #expect(result.status == 78)
        #expect((try result.stdoutLines).first?["error"]?["code"] == "not_supported")
        #expect(result.stderrText.contains("hint: providers with embeddings: openai"))
    }

    @Test func rateLimited_thenSuccess() throws {
        let server = try FakeServer(
            handler: FakeServer.sequence([
                { _ in
                    .json(
                        .object(["error": .object(["message": "slow down", "type": "rate_limit"])]), status: 429,
                        headers: [("retry-after-ms", "20")])
                },
                Self.openAIHandler,
            ]))
        defer { server.stop() }
        let result = try Self.run(["-p", "openai", "hi"], stdin: "", server: server)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(server.requests.count == 2)
        #expect((try result.stdoutLines).first?["embedding"] != nil)
    }

    @Test func order_isKeptUnderJobs() throws {
        let server = try FakeServer(handler: { request in
            var response = Self.openAIHandler(request)
            // Later texts are answered sooner.
            let number = Int(Self.inputs(request).first?.dropFirst() ?? "0") ?? 0
            response.firstByteDelayMs = max(0, 200 - number * 10)
            return response
        })
        defer { server.stop() }
        let input = (1...16).map { #"{"id":\#($0),"input":"t\#($0)"}"# }.joined(separator: "\n")
        let result = try Self.run(["-p", "openai", "-j", "4", "--batch-size", "1"], stdin: input, server: server)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect((try result.stdoutLines).map { $0["id"]?.intValue } == (1...16).map { $0 })
        for line in (try result.stdoutLines) {
            let id = try #require(line["id"]?.intValue)
            #expect(Self.floats(line["embedding"]).map(\.bitPattern) == Self.vector(for: "t\(id)").map(\.bitPattern))
        }
    }

    @Test func ollama_usesApiEmbed() throws {
        let server = try FakeServer(handler: { request in
            .json(
                .object([
                    "model": "nomic-embed-text",
                    "embeddings": .array(Self.inputs(request).map { _ in .array([.number("0.25"), .number("-1")]) }),
                    "prompt_eval_count": .int(3),
                ]))
        })
        defer { server.stop() }
        let result = try Self.run(
            ["-p", "ollama", "one", "text"], stdin: "",
            environment: toolEnvironment(["OLLAMA_HOST": server.baseURL]))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(server.requests.first?.path == "/api/embed")
        #expect(server.requests.first?.bodyText == #"{"model":"nomic-embed-text","input":["one text"]}"#)
        #expect((try result.stdoutLines).first?["embedding"] == JSON.array([.number("0.25"), .number("-1")]))
        #expect((try result.stdoutLines).first?["usage"]?["prompt_tokens"]?.intValue == 3)
    }

    @Test func echo_isDeterministic() throws {
        let input = "same\n"
        let first = try Self.run(["-p", "echo"], stdin: input)
        let second = try Self.run(["-p", "echo"], stdin: input)
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        #expect((try first.stdoutLines).first?["dimensions"]?.intValue == 8)
        let pair = try Self.run(["-p", "echo", "--dimensions", "3"], stdin: #"{"input":["same","same"]}"#)
        let vectors = try #require((try pair.stdoutLines).first?["embeddings"]?.arrayValue)
        #expect(vectors.count == 2)
        #expect(vectors[0] == vectors[1])
        #expect(vectors[0].arrayValue?.count == 3)
    }

    @Test func exitStatus_isTheFirstFailedLines_andResultLinesAreEmbedded() throws {
        let input = [
            #"{"id":"r","content":"from a result","metadata":{"m":2}}"#, #"{"input":"ok"}"#,
            #"{"input":"x","model":"m"}"#, "not json",
        ].joined(separator: "\n")
        let result = try Self.run(["-p", "echo"], stdin: input)
        #expect(result.status == 65)
        let lines = (try result.stdoutLines)
        #expect(lines.count == 4)
        #expect(lines[0]["id"] == "r")
        #expect(lines[0]["metadata"]?["m"]?.intValue == 2)
        #expect(
            Self.floats(lines[0]["embedding"])
                == EchoProvider.vector(for: "from a result", dimensions: EchoProvider.embeddingDimensions))
        #expect(lines[2]["error"]?["code"] == "input")
        #expect(lines[2]["error"]?["message"]?.stringValue?.contains("unknown field 'model'") == true)
        #expect(lines[3]["error"]?["code"] == "input")
    }

    /// Runs `count` echo lines of 256 dimensions, sampling the child's peak RSS (VmHWM) while it runs.
    func echoEmbed(count: Int) throws -> Int {
        let input = (1...count).map { #"{"input":"text \#($0)"}"# }.joined(separator: "\n") + "\n"
        let process = try ToolProcess(
            "ai-embed", arguments: ["-p", "echo", "--dimensions", "256"], stdin: .text(input),
            environment: toolEnvironment())
        var peak = 0
        while !process.hasExited {
            if let status = try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            {
                peak = max(peak, value)
            }
            usleep(10_000)
        }
        let result = try process.wait(timeout: 120)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutTextLines.count == count)
        return peak
    }

    @Test func twentyThousandLines_peakMemoryStaysFlat() throws {
        let small = try echoEmbed(count: 2000)
        let large = try echoEmbed(count: 20000)
        #expect(large > 0)
        // Ten times the lines must not need ten times the memory: 16 MiB of slack for the allocator.
        #expect(large < small + 16 * 1024, "2,000: \(small) kB, 20,000: \(large) kB")
    }

    @Test func resume_skipsLinesWithVectors() throws {
        let path = scratchPath("vectors.jsonl")
        let input = #"{"id":"a","input":"one"}"# + "\n" + #"{"id":"b","input":"two"}"# + "\n"
        let first = try Self.run(["-p", "echo"], stdin: #"{"id":"a","input":"one"}"# + "\n")
        try first.stdout.write(to: path)
        let second = try Self.run(["-p", "echo", "--resume", path], stdin: input)
        #expect(second.status == 0)
        #expect((try second.stdoutLines).map { $0["id"] } == ["b"])
    }
}

extension [UInt8] {
    fileprivate func write(to path: String) throws {
        guard let file = fopen(path, "w") else { throw AIError(.io, "cannot open \(path)") }
        defer { fclose(file) }
        _ = withUnsafeBufferPointer { fwrite($0.baseAddress, 1, count, file) }
    }
}
