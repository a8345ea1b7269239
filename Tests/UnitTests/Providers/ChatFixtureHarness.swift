import AIBase
import AICatalog
import AICommandLine
import AIProviders
import AITestSupport
import AITransport
import AIWire
import Foundation
import Testing

/// Replays the provider fixtures of Tests/Fixtures/providers through a provider's real `attempt`, in memory,
/// and checks what index.json says a client must make of them.
enum ChatFixtureHarness {
    /// Every fixture of index.json.
    static func index() throws -> [Fixture] {
        try #require(fixtureIndex).fixtures
    }

    /// The fixture with the given id.
    static func fixture(id: String) throws -> Fixture {
        try #require(fixtureIndex).fixture(id)
    }

    // MARK: - Chunkings

    /// How a body is cut before it reaches the provider.
    enum Chunking: CustomStringConvertible, CaseIterable {
        /// All at once.
        case whole
        /// The fixture's chunk_plan; without one, one piece per SSE event or NDJSON line (a JSON body in halves).
        case plan
        /// One byte at a time.
        case oneByte

        var description: String {
            switch self {
            case .whole: "whole"
            case .plan: "plan"
            case .oneByte: "1 byte"
            }
        }

        func chunks(of body: [UInt8], fixture: Fixture) -> [[UInt8]] {
            var cuts: [Int] = []
            switch self {
            case .whole:
                break
            case .oneByte:
                cuts = Array(0..<body.count)
            case .plan:
                if let size = fixture.chunkPlan?.splitEvery {
                    cuts = Array(stride(from: size, to: body.count, by: size))
                } else if let offsets = fixture.chunkPlan?.splitAt {
                    cuts = offsets
                } else if fixture.kind == "sse" {
                    cuts = Self.ends(of: [0x0A, 0x0A], in: body)
                } else if fixture.kind == "ndjson" {
                    cuts = Self.ends(of: [0x0A], in: body)
                } else {
                    cuts = [body.count / 2]
                }
            }
            var pieces: [[UInt8]] = []
            var start = 0
            for cut in cuts + [body.count] where cut > start && cut <= body.count {
                pieces.append(Array(body[start..<cut]))
                start = cut
            }
            return pieces
        }

        /// The offsets just after every occurrence of `separator`.
        private static func ends(of separator: [UInt8], in body: [UInt8]) -> [Int] {
            var result: [Int] = []
            var position = 0
            while position + separator.count <= body.count {
                if Array(body[position..<(position + separator.count)]) == separator {
                    position += separator.count
                    result.append(position)
                } else {
                    position += 1
                }
            }
            return result
        }
    }

    // MARK: - Replay

    /// Answers every request with one canned response, cut into the given pieces, and keeps the request.
    final class FakeTransport: Transport {
        let head: HTTPResponseHead
        let chunks: [[UInt8]]
        private(set) var requests: [HTTPRequest] = []

        init(head: HTTPResponseHead, chunks: [[UInt8]]) {
            self.head = head
            self.chunks = chunks
        }

        func perform(_ request: HTTPRequest, limits: TransferLimits, handler: any HTTPResponseHandler) throws {
            requests.append(request)
            try handler.receive(head: head)
            for chunk in chunks {
                try chunk.withUnsafeBytes { try handler.receive(body: $0) }
                try handler.drained()
            }
        }
    }

    /// What one attempt produced: its events folded, and the error it ended with.
    struct Outcome {
        var deltas: [String] = []
        var finish: String?
        var usage: Usage?
        var models: [String] = []
        var calls: [Int: ToolCall] = [:]
        var reasoning: [String] = []
        var signature = ""
        var error: AIError?
        var request: HTTPRequest?

        var text: String { deltas.joined() }

        mutating func apply(_ event: ProviderEvent) {
            switch event {
            case .delta(let text): deltas.append(text)
            case .finish(let reason): finish = reason
            case .usage(let value): usage = value
            case .model(let name): models.append(name)
            case .reasoning(let text): reasoning.append(text)
            case .reasoningSignature(let value): signature += value
            case .toolCall(let index, let id, let name, let arguments):
                var call = calls[index] ?? ToolCall(index: index, id: nil, name: nil, arguments: "")
                call.id = call.id ?? id
                call.name = call.name ?? name
                call.arguments += arguments
                calls[index] = call
            }
        }
    }

    /// Feeds text to a fresh stream decoder of `provider` in the given pieces; returns the folded events and the
    /// error.
    static func decodeStream(_ provider: any HTTPProvider, _ pieces: [String]) -> Outcome {
        let decoder = provider.makeStreamDecoder()
        var outcome = Outcome()
        do {
            for piece in pieces {
                try Array(piece.utf8).withUnsafeBytes { try decoder.feed($0) { outcome.apply($0) } }
            }
            try decoder.finish { outcome.apply($0) }
        } catch let error as AIError {
            outcome.error = error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return outcome
    }

    /// A request with a system prompt, as the tools would resolve it.
    static func resolved(stream: Bool, model: String = "fixture-model") -> ResolvedRequest {
        var request = CompletionRequest(prompt: "hello")
        request.system = "be brief"
        return ResolvedRequest(request: request, model: model, stream: stream)
    }

    /// Replays `fixture` through `provider.attempt` with the body cut as `chunking` says.
    static func replay(_ provider: any HTTPProvider, fixture: Fixture, chunking: Chunking) throws -> Outcome {
        let headers = fixture.responseHeaders.map { (name: $0.0, value: $0.1) }
        let transport = FakeTransport(
            head: HTTPResponseHead(status: fixture.status, headers: headers),
            chunks: chunking.chunks(of: fixture.body, fixture: fixture))
        let context = AttemptContext(transport: { transport }, limits: .default, responseStarted: {})
        var outcome = Outcome()
        do {
            try provider.attempt(resolved(stream: fixture.kind != "json"), context: context) {
                outcome.apply($0)
            }
        } catch let error as AIError {
            outcome.error = error
        }
        outcome.request = transport.requests.first
        return outcome
    }

    // MARK: - Expectations

    /// The error code each index.json error `kind` means.
    static func code(forKind kind: String) -> ErrorCode? {
        errorCode(forKind: kind)
    }

    /// Checks `outcome` against the fixture's `expected` block.
    static func check(_ outcome: Outcome, against fixture: Fixture, _ label: String) throws {
        let expected = try #require(fixture.expected.objectValue, "\(label)")
        if expected["outcome"]?.stringValue == "success" {
            #expect(outcome.error == nil, "\(label): \(String(describing: outcome.error))")
            #expect(!outcome.models.isEmpty, "\(label): no model reported")
        } else {
            #expect(outcome.error != nil, "\(label): expected a failure")
        }
        if let text = expected["text"]?.stringValue { #expect(outcome.text == text, "\(label)") }
        if let text = expected["partial_text"]?.stringValue { #expect(outcome.text == text, "\(label)") }
        if let deltas = expected["deltas"]?.arrayValue {
            #expect(outcome.deltas == deltas.compactMap(\.stringValue), "\(label)")
        }
        if let count = expected["text_utf8_bytes"]?.intValue { #expect(outcome.text.utf8.count == count, "\(label)") }
        if let digest = expected["text_sha256"]?.stringValue {
            #expect(SHA256.hex(Array(outcome.text.utf8)) == digest, "\(label)")
        }
        if expected["no_replacement_chars"]?.boolValue == true {
            #expect(!outcome.text.unicodeScalars.contains("\u{FFFD}"), "\(label)")
        }
        #expect(outcome.reasoning.joined() == expected["thinking"]?.stringValue ?? "", "\(label)")
        #expect(!outcome.reasoning.contains(""), "\(label): empty reasoning")
        #expect(outcome.signature == expected["signature"]?.stringValue ?? "", "\(label)")
        if let raw = expected["finish_reason_raw"]?.stringValue { #expect(outcome.finish == raw, "\(label)") }
        if let normalized = expected["finish_reason"] {
            #expect(outcome.finish.map(FinishReason.normalize) == normalized.stringValue, "\(label)")
        }
        if let usage = expected["usage"] {
            if usage.objectValue != nil {
                let got = try #require(outcome.usage, "\(label): no usage")
                #expect(got.promptTokens == usage["input_tokens"]?.intValue, "\(label)")
                #expect(got.completionTokens == usage["output_tokens"]?.intValue, "\(label)")
                #expect(got.totalTokens == usage["total_tokens"]?.intValue, "\(label)")
            } else {
                #expect(outcome.usage == nil, "\(label)")
            }
        }
        if let calls = expected["tool_calls"]?.arrayValue {
            #expect(outcome.calls.count == calls.count, "\(label)")
            for call in calls {
                let index = try #require(call["index"]?.intValue)
                let got = try #require(outcome.calls[index], "\(label): no tool call \(index)")
                #expect(got.id == call["id"]?.stringValue, "\(label)")
                #expect(got.name == call["name"]?.stringValue, "\(label)")
                if let arguments = call["arguments"]?.stringValue { #expect(got.arguments == arguments, "\(label)") }
                if let input = call["input"], input.objectValue != nil {
                    // The same members in any order: each contains the other.
                    let parsed = try JSON.parse(got.arguments)
                    #expect(FixtureRequestRule.subsetViolation(input, parsed, at: "input") == nil, "\(label)")
                    #expect(FixtureRequestRule.subsetViolation(parsed, input, at: "input") == nil, "\(label)")
                }
            }
        }
        if let error = expected["error"], error.objectValue != nil {
            let got = try #require(outcome.error, "\(label)")
            let kind = try #require(error["kind"]?.stringValue)
            #expect(got.code == code(forKind: kind), "\(label): \(got.code) for \(kind)")
            if let status = error["http_status"]?.intValue { #expect(got.httpStatus == status, "\(label)") }
            if let retryable = error["retryable"]?.boolValue { #expect(got.retryable == retryable, "\(label)") }
            if let after = error["retry_after_seconds"]?.doubleValue { #expect(got.retryAfter == after, "\(label)") }
            if let message = error["message"]?.stringValue {
                var trimmed = message
                while trimmed.hasSuffix(".") { trimmed.removeLast() }
                #expect(got.message.contains(trimmed), "\(label): \(got.message)")
            }
            #expect(got.message == got.message.trimmingCharacters(in: .whitespaces), "\(label)")
            #expect(!got.message.hasSuffix("."), "\(label)")
        }
    }

    /// Checks the request the provider sent against the fixture's `request` rule, as the fake server checks the
    /// requests it receives; the replayed request's system prompt must also have moved where the rule says.
    static func checkRequest(_ request: HTTPRequest?, against fixture: Fixture, _ label: String) throws {
        guard let rule = fixture.request else { return }
        let request = try #require(request, "\(label): nothing sent")
        if let path = rule.path { #expect(request.url.hasSuffix(path), "\(label): \(request.url)") }
        let recorded = RecordedRequest(
            method: request.method, path: rule.path ?? "/", headers: request.headers,
            body: request.body ?? [])
        let violation = rule.violation(by: recorded, checkPath: false)
        #expect(violation == nil, "\(label): \(violation ?? "")")
        for unknown in rule.bodyRules where !FixtureRequestRule.isKnown(unknown) {
            Issue.record("\(label): unchecked body rule: \(unknown)")
        }
        if rule.bodyRules.contains(where: { $0.hasPrefix("no message has role 'system'") }) {
            let body = try JSON.parse(request.body ?? [])
            #expect(body["system"]?.stringValue == "be brief", "\(label): the system prompt went elsewhere")
        }
    }
}
