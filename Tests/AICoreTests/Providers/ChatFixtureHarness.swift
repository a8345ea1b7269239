import AITestSupport
import Foundation
import Testing

@testable import AICore

/// Replays the provider fixtures of Tests/Fixtures/providers through a provider's real `attempt`, in memory,
/// and checks what index.json says a client must make of them.
enum ChatFixtureHarness {
    /// The fixture folder, found by walking up from this file to the package root.
    static let root = URL(fileURLWithPath: FixtureIndex.defaultDirectory)

    /// The bytes of a fixture file.
    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// Every entry of index.json's `fixtures`.
    static func index() throws -> [[String: Any]] {
        let data = try Data(contentsOf: root.appendingPathComponent("index.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["fixtures"] as? [[String: Any]])
    }

    /// The entry with the given id.
    static func fixture(id: String) throws -> [String: Any] {
        try #require(try index().first { $0["id"] as? String == id }, "fixture \(id) missing from index.json")
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

        func chunks(of body: [UInt8], fixture: [String: Any]) -> [[UInt8]] {
            var cuts: [Int] = []
            switch self {
            case .whole:
                break
            case .oneByte:
                cuts = Array(0..<body.count)
            case .plan:
                let plan = fixture["chunk_plan"] as? [String: Any]
                if let offsets = plan?["split_at"] as? [Int] {
                    cuts = offsets
                } else if let size = plan?["split_every"] as? Int {
                    cuts = Array(stride(from: size, to: body.count, by: size))
                } else if fixture["kind"] as? String == "sse" {
                    cuts = Self.ends(of: [0x0A, 0x0A], in: body)
                } else if fixture["kind"] as? String == "ndjson" {
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
        var error: AIError?
        var request: HTTPRequest?

        var text: String { deltas.joined() }

        mutating func apply(_ event: ProviderEvent) {
            switch event {
            case .delta(let text): deltas.append(text)
            case .finish(let reason): finish = reason
            case .usage(let value): usage = value
            case .model(let name): models.append(name)
            case .toolCall(let index, let id, let name, let arguments):
                var call = calls[index] ?? ToolCall(index: index, id: nil, name: nil, arguments: "")
                call.id = call.id ?? id
                call.name = call.name ?? name
                call.arguments += arguments
                calls[index] = call
            }
        }
    }

    /// A request with a system prompt, as the tools would resolve it.
    static func resolved(stream: Bool, model: String = "fixture-model") -> ResolvedRequest {
        var request = CompletionRequest(prompt: "hello")
        request.system = "be brief"
        return ResolvedRequest(request: request, model: model, stream: stream)
    }

    /// Replays `fixture` through `provider.attempt` with the body cut as `chunking` says.
    static func replay(_ provider: any HTTPProvider, fixture: [String: Any], chunking: Chunking) throws -> Outcome {
        let body = try bytes(try #require(fixture["body_file"] as? String))
        let status = try #require(fixture["status"] as? Int)
        let headers = (fixture["response_headers"] as? [String: String] ?? [:]).map { (name: $0.key, value: $0.value) }
        let transport = FakeTransport(head: HTTPResponseHead(status: status, headers: headers),
                                      chunks: chunking.chunks(of: body, fixture: fixture))
        let context = AttemptContext(transport: { transport }, limits: .default, responseStarted: {})
        var outcome = Outcome()
        do {
            try provider.attempt(resolved(stream: fixture["kind"] as? String != "json"), context: context) {
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
    static func check(_ outcome: Outcome, against fixture: [String: Any], _ label: String) throws {
        let expected = try #require(fixture["expected"] as? [String: Any], "\(label)")
        let kind = expected["outcome"] as? String
        if kind == "success" {
            #expect(outcome.error == nil, "\(label): \(String(describing: outcome.error))")
            #expect(!outcome.models.isEmpty, "\(label): no model reported")
        } else {
            #expect(outcome.error != nil, "\(label): expected a failure")
        }
        if let text = expected["text"] as? String { #expect(outcome.text == text, "\(label)") }
        if let text = expected["partial_text"] as? String { #expect(outcome.text == text, "\(label)") }
        if let deltas = expected["deltas"] as? [String] { #expect(outcome.deltas == deltas, "\(label)") }
        if let count = expected["text_utf8_bytes"] as? Int { #expect(outcome.text.utf8.count == count, "\(label)") }
        if let digest = expected["text_sha256"] as? String {
            #expect(SHA256.hex(Array(outcome.text.utf8)) == digest, "\(label)")
        }
        if expected["no_replacement_chars"] as? Bool == true {
            #expect(!outcome.text.unicodeScalars.contains("\u{FFFD}"), "\(label)")
        }
        if let raw = expected["finish_reason_raw"] as? String { #expect(outcome.finish == raw, "\(label)") }
        if expected.keys.contains("finish_reason") {
            let normalized = expected["finish_reason"] as? String
            #expect(outcome.finish.map(FinishReason.normalize) == normalized, "\(label)")
        }
        if expected.keys.contains("usage") {
            if let usage = expected["usage"] as? [String: Int] {
                let got = try #require(outcome.usage, "\(label): no usage")
                #expect(got.promptTokens == usage["input_tokens"], "\(label)")
                #expect(got.completionTokens == usage["output_tokens"], "\(label)")
                #expect(got.totalTokens == usage["total_tokens"], "\(label)")
            } else {
                #expect(outcome.usage == nil, "\(label)")
            }
        }
        if let calls = expected["tool_calls"] as? [[String: Any]] {
            #expect(outcome.calls.count == calls.count, "\(label)")
            for call in calls {
                let index = try #require(call["index"] as? Int)
                let got = try #require(outcome.calls[index], "\(label): no tool call \(index)")
                #expect(got.id == call["id"] as? String, "\(label)")
                #expect(got.name == call["name"] as? String, "\(label)")
                if let arguments = call["arguments"] as? String { #expect(got.arguments == arguments, "\(label)") }
                if let input = call["input"] as? NSDictionary {
                    let parsed = try JSONSerialization.jsonObject(with: Data(got.arguments.utf8)) as? NSDictionary
                    #expect(parsed == input, "\(label)")
                }
            }
        }
        if let error = expected["error"] as? [String: Any] {
            let got = try #require(outcome.error, "\(label)")
            let kind = try #require(error["kind"] as? String)
            #expect(got.code == code(forKind: kind), "\(label): \(got.code) for \(kind)")
            if let status = error["http_status"] as? Int { #expect(got.httpStatus == status, "\(label)") }
            if let retryable = error["retryable"] as? Bool { #expect(got.retryable == retryable, "\(label)") }
            if let after = error["retry_after_seconds"] as? Double { #expect(got.retryAfter == after, "\(label)") }
            if let message = error["message"] as? String {
                var trimmed = message
                while trimmed.hasSuffix(".") { trimmed.removeLast() }
                #expect(got.message.contains(trimmed), "\(label): \(got.message)")
            }
            #expect(got.message == got.message.trimmingCharacters(in: .whitespaces), "\(label)")
            #expect(!got.message.hasSuffix("."), "\(label)")
        }
    }

    /// Checks the request the provider sent against the fixture's `request` block.
    static func checkRequest(_ request: HTTPRequest?, against fixture: [String: Any], _ label: String) throws {
        guard let rules = fixture["request"] as? [String: Any] else { return }
        let request = try #require(request, "\(label): nothing sent")
        if let method = rules["method"] as? String { #expect(request.method == method, "\(label)") }
        if let path = rules["path"] as? String { #expect(request.url.hasSuffix(path), "\(label): \(request.url)") }
        for (name, value) in rules["headers"] as? [String: String] ?? [:] {
            let sent = request.headers.last { $0.name.lowercased() == name.lowercased() }?.value
            #expect(sent == value, "\(label): header \(name)")
        }
        let body = try #require(request.body, "\(label): no body")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], "\(label)")
        for key in rules["body_must_have_keys"] as? [String] ?? [] { #expect(json[key] != nil, "\(label): \(key)") }
        for (key, value) in rules["body_must_include"] as? [String: Any] ?? [:] {
            #expect((json[key] as? NSObject) == (value as? NSObject), "\(label): \(key)")
        }
        let messages = json["messages"] as? [[String: Any]] ?? []
        for rule in rules["body_rules"] as? [String] ?? [] {
            if rule.hasPrefix("no message has role 'system'") {
                #expect(!messages.contains { $0["role"] as? String == "system" }, "\(label): \(rule)")
                #expect(json["system"] as? String == "be brief", "\(label): \(rule)")
            } else if rule.hasPrefix("max_tokens is a positive integer") {
                #expect((json["max_tokens"] as? Int ?? 0) > 0, "\(label): \(rule)")
            } else if rule.hasPrefix("anthropic-version header") {
                #expect(request.headers.contains { $0.name == "anthropic-version" && $0.value == "2023-06-01" })
            } else {
                Issue.record("\(label): unchecked body rule: \(rule)")
            }
        }
    }
}
