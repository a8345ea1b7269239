import AIWire
import Foundation
import Synchronization

/// A fake of both providers' batch APIs for `FakeServer`: OpenAI's files (upload, content) and batches (create,
/// get, list, cancel), and Anthropic's message batches (create, get, list, cancel, results as JSONL).
///
/// Each request's outcome follows the text of its last user message: one containing `EXPIRE` expires, one
/// containing `FAIL` fails with a 400 `invalid_request_error`, any other succeeds with `echo: TEXT`, or with the rest
/// of the text after a leading `json:` (as the forced `answer` tool's input for Anthropic requests with tools).
/// A batch is `in_progress` for its first `pollsUntilEnded` reads and ended after them; results are written in
/// reverse order, as a provider may write them in any order. OpenAI puts answered and failed requests in the output
/// file and expired ones in the error file (`batch_expired`); a cancelled batch leaves the unfinished requests out.
package final class FakeBatchService: Sendable {
    /// How the service behaves.
    package struct Options: Sendable {
        /// Reads of a batch (`GET`) before it reports itself ended.
        package var pollsUntilEnded = 1
        /// The first this many reads of a batch are answered 429 with `retry-after-ms: 50`.
        package var rateLimitedPolls = 0
        /// When set, a create request creates the batch and then holds its answer back this many milliseconds
        /// (a client killed meanwhile never learns the id).
        package var holdCreateMs: Int?

        /// The defaults.
        package init() {}
    }

    private struct Item {
        var customID: String
        var text: String
        var model: String
        var answerTool: Bool
        var outcome: String  // "succeeded", "errored", "expired"
    }

    private struct Batch {
        var id: String
        var anthropic: Bool
        var created: Int
        var items: [Item]
        var inputFile: String?
        var metadata: JSON
        var reads = 0
        var cancelled = false
        var cancelRequested = false
        var outputFile: String?
        var errorFile: String?
    }

    private struct State {
        var files: [String: [UInt8]] = [:]
        var batches: [Batch] = []
        var polls = 0
    }

    private let options: Options
    private let state = Mutex(State())

    /// A service with the given options.
    package init(options: Options = Options()) {
        self.options = options
    }

    /// The files uploaded so far (OpenAI), by id: their content.
    package var uploadedFiles: [String: [UInt8]] { state.withLock { $0.files } }

    /// The ids of the batches created so far, in creation order.
    package var batchIDs: [String] { state.withLock { $0.batches.map(\.id) } }

    /// The handler to give `FakeServer`.
    package var handler: FakeServer.Handler {
        { [self] request in answer(request) }
    }

    private func answer(_ request: RecordedRequest) -> FakeResponse {
        guard request.header("authorization") != nil || request.header("x-api-key") != nil else {
            return Self.error(401, type: "authentication_error", "no key")
        }
        let path = request.pathWithoutQuery
        let parts = path.split(separator: "/").map(String.init)
        let host = "http://" + (request.header("host") ?? "127.0.0.1")
        func route(_ method: String, _ pattern: String) -> Bool {
            let wanted = pattern.split(separator: "/").map(String.init)
            return request.method == method && wanted.count == parts.count
                && zip(wanted, parts).allSatisfy { $0 == "*" || $0 == $1 }
        }
        if route("POST", "v1/files") { return upload(request) }
        if route("GET", "v1/files/*/content") {
            guard let bytes = state.withLock({ $0.files[parts[2]] }) else { return Self.error(404, "no such file") }
            return FakeResponse(status: 200, headers: [("content-type", "application/jsonl")], body: bytes)
        }
        if route("POST", "v1/batches") { return createOpenAI(request) }
        if route("POST", "v1/messages/batches") { return createAnthropic(request) }
        if route("GET", "v1/batches") { return list(anthropic: false, host: host) }
        if route("GET", "v1/messages/batches") { return list(anthropic: true, host: host) }
        if route("GET", "v1/batches/*") || route("GET", "v1/messages/batches/*") {
            return read(parts[parts.count - 1], host: host)
        }
        if route("POST", "v1/batches/*/cancel") || route("POST", "v1/messages/batches/*/cancel") {
            return cancel(parts[parts.count - 2], host: host)
        }
        if route("GET", "v1/messages/batches/*/results") { return anthropicResults(parts[3]) }
        return Self.error(404, "no route for \(request.method) \(path)")
    }

    private static func error(_ status: Int, type: String = "invalid_request_error", _ message: String) -> FakeResponse
    {
        .json(
            .object(["type": "error", "error": .object(["type": .string(type), "message": .string(message)])]),
            status: status)
    }

    // MARK: creating

    private func upload(_ request: RecordedRequest) -> FakeResponse {
        guard let type = request.header("content-type"), let range = type.range(of: "boundary=") else {
            return Self.error(400, "not multipart")
        }
        let boundary = Array(("--" + type[range.upperBound...]).utf8)
        let body = request.body
        let sections = Self.split(body, by: boundary)
        var purpose: String?
        var file: [UInt8]?
        for section in sections {
            guard let headEnd = Self.find(Array("\r\n\r\n".utf8), in: section, from: 0) else { continue }
            let head = String(decoding: section[..<headEnd], as: UTF8.self)
            var content = Array(section[(headEnd + 4)...])
            if content.suffix(2) == [0x0D, 0x0A] { content.removeLast(2) }
            if head.contains("name=\"purpose\"") { purpose = String(decoding: content, as: UTF8.self) }
            if head.contains("name=\"file\"") { file = content }
        }
        guard purpose == "batch", let file else { return Self.error(400, "want purpose batch and a file") }
        let id = state.withLock { state -> String in
            let id = "file-\(state.files.count + 1)"
            state.files[id] = file
            return id
        }
        return .json(
            .object([
                "id": .string(id), "object": "file", "bytes": .int(file.count), "purpose": "batch",
                "filename": "input.jsonl",
            ]))
    }

    private static func split(_ bytes: [UInt8], by boundary: [UInt8]) -> [[UInt8]] {
        var sections: [[UInt8]] = []
        var position = 0
        var start: Int?
        while let found = find(boundary, in: bytes, from: position) {
            if let start { sections.append(Array(bytes[start..<max(start, found - 2)])) }
            position = found + boundary.count
            start = position + 2
        }
        return sections
    }

    private static func find(_ needle: [UInt8], in bytes: some RandomAccessCollection<UInt8>, from: Int) -> Int? {
        let array = Array(bytes)
        guard needle.count <= array.count else { return nil }
        var index = from
        while index + needle.count <= array.count {
            if array[index] == needle[0], Array(array[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    private static func item(customID: String, body: JSON, anthropic: Bool) -> Item {
        let messages = body["messages"]?.arrayValue ?? []
        let last = messages.last { $0["role"]?.stringValue == "user" }
        let content = last?["content"]
        let text = content?.stringValue ?? content?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined() ?? ""
        let outcome = text.contains("EXPIRE") ? "expired" : text.contains("FAIL") ? "errored" : "succeeded"
        return Item(
            customID: customID, text: text, model: body["model"]?.stringValue ?? "fake-model",
            answerTool: anthropic && body["tools"] != nil, outcome: outcome)
    }

    private func createOpenAI(_ request: RecordedRequest) -> FakeResponse {
        guard let json = request.json, let fileID = json["input_file_id"]?.stringValue,
            json["endpoint"]?.stringValue == "/v1/chat/completions", json["completion_window"]?.stringValue == "24h"
        else { return Self.error(400, "want input_file_id, endpoint and completion_window") }
        guard let file = state.withLock({ $0.files[fileID] }) else { return Self.error(404, "no file \(fileID)") }
        var items: [Item] = []
        for line in file.split(separator: 0x0A) {
            guard let entry = try? JSON.parse(Array(line)), let customID = entry["custom_id"]?.stringValue,
                entry["method"]?.stringValue == "POST", entry["url"]?.stringValue == "/v1/chat/completions",
                let body = entry["body"]
            else { return Self.error(400, "bad input line: \(String(decoding: line, as: UTF8.self))") }
            items.append(Self.item(customID: customID, body: body, anthropic: false))
        }
        let batch = add(anthropic: false, items: items, inputFile: fileID, metadata: json["metadata"] ?? .null)
        return held(.json(openAIObject(batch)))
    }

    private func createAnthropic(_ request: RecordedRequest) -> FakeResponse {
        guard let requests = request.json?["requests"]?.arrayValue else { return Self.error(400, "want requests") }
        var items: [Item] = []
        for entry in requests {
            guard let customID = entry["custom_id"]?.stringValue, let params = entry["params"] else {
                return Self.error(400, "want custom_id and params")
            }
            items.append(Self.item(customID: customID, body: params, anthropic: true))
        }
        let host = "http://" + (request.header("host") ?? "127.0.0.1")
        let batch = add(anthropic: true, items: items, inputFile: nil, metadata: .null)
        return held(.json(anthropicObject(batch, host: host)))
    }

    private func held(_ response: FakeResponse) -> FakeResponse {
        var response = response
        if let hold = options.holdCreateMs { response.firstByteDelayMs = hold }
        return response
    }

    private func add(anthropic: Bool, items: [Item], inputFile: String?, metadata: JSON) -> Batch {
        state.withLock { state in
            let number = state.batches.count + 1
            let batch = Batch(
                id: (anthropic ? "msgbatch_" : "batch_") + String(repeating: "0", count: 4) + "\(number)",
                anthropic: anthropic, created: Int(Date().timeIntervalSince1970), items: items, inputFile: inputFile,
                metadata: metadata)
            state.batches.append(batch)
            return batch
        }
    }

    // MARK: reading

    private func read(_ id: String, host: String) -> FakeResponse {
        let limited = state.withLock { state -> Bool in
            state.polls += 1
            return state.polls <= options.rateLimitedPolls
        }
        if limited {
            return Self.error(429, type: "rate_limit_error", "slow down").withHeaders([("retry-after-ms", "50")])
        }
        let batch = state.withLock { state -> Batch? in
            guard let index = state.batches.firstIndex(where: { $0.id == id }) else { return nil }
            state.batches[index].reads += 1
            if state.batches[index].cancelRequested { state.batches[index].cancelled = true }
            if ended(state.batches[index]) { finishFiles(&state, index: index) }
            return state.batches[index]
        }
        guard let batch else { return Self.error(404, type: "not_found_error", "no batch \(id)") }
        return .json(batch.anthropic ? anthropicObject(batch, host: host) : openAIObject(batch))
    }

    private func ended(_ batch: Batch) -> Bool {
        batch.cancelled || batch.reads >= options.pollsUntilEnded
    }

    private func cancel(_ id: String, host: String) -> FakeResponse {
        let batch = state.withLock { state -> Batch? in
            guard let index = state.batches.firstIndex(where: { $0.id == id }) else { return nil }
            if !ended(state.batches[index]) { state.batches[index].cancelRequested = true }
            return state.batches[index]
        }
        guard let batch else { return Self.error(404, type: "not_found_error", "no batch \(id)") }
        return .json(batch.anthropic ? anthropicObject(batch, host: host) : openAIObject(batch))
    }

    private func list(anthropic: Bool, host: String) -> FakeResponse {
        let batches = state.withLock { $0.batches }.filter { $0.anthropic == anthropic }.reversed()
        let data: [JSON] = batches.map { anthropic ? anthropicObject($0, host: host) : openAIObject($0) }
        return .json(
            .object([
                "object": "list", "data": .array(data), "has_more": .bool(false),
                "first_id": data.first?["id"] ?? .null, "last_id": data.last?["id"] ?? .null,
            ]))
    }

    /// Writes OpenAI's output and error files once the batch ended.
    private func finishFiles(_ state: inout State, index: Int) {
        var batch = state.batches[index]
        guard !batch.anthropic, batch.outputFile == nil else { return }
        var output: [UInt8] = []
        var errors: [UInt8] = []
        for item in batch.items.reversed() {
            switch item.outcome {
            case _ where batch.cancelled: continue
            case "expired":
                errors +=
                    JSON.object([
                        "id": .string("batch_req_" + item.customID), "custom_id": .string(item.customID),
                        "response": .null,
                        "error": .object(["code": "batch_expired", "message": "This request could not be executed"]),
                    ]).encoded() + [0x0A]
            case "errored":
                output +=
                    JSON.object([
                        "id": .string("batch_req_" + item.customID), "custom_id": .string(item.customID),
                        "response": .object([
                            "status_code": .int(400), "request_id": "req_1",
                            "body": .object([
                                "error": .object([
                                    "message": .string("bad request: \(item.text)"), "type": "invalid_request_error",
                                ])
                            ]),
                        ]),
                        "error": .null,
                    ]).encoded() + [0x0A]
            default:
                output +=
                    JSON.object([
                        "id": .string("batch_req_" + item.customID), "custom_id": .string(item.customID),
                        "response": .object([
                            "status_code": .int(200), "request_id": "req_1", "body": Self.openAICompletion(item),
                        ]),
                        "error": .null,
                    ]).encoded() + [0x0A]
            }
        }
        let number = state.files.count
        batch.outputFile = "file-out-\(number)"
        state.files["file-out-\(number)"] = output
        if !errors.isEmpty {
            batch.errorFile = "file-err-\(number)"
            state.files["file-err-\(number)"] = errors
        }
        state.batches[index] = batch
    }

    private static func answerText(_ item: Item) -> String {
        item.text.hasPrefix("json:") ? String(item.text.dropFirst(5)) : "echo: " + item.text
    }

    private static func openAICompletion(_ item: Item) -> JSON {
        let words = item.text.split(separator: " ").count
        return .object([
            "id": .string("chatcmpl-" + item.customID), "object": "chat.completion", "model": .string(item.model),
            "choices": .array([
                .object([
                    "index": .int(0),
                    "message": .object(["role": "assistant", "content": .string(answerText(item))]),
                    "finish_reason": "stop",
                ])
            ]),
            "usage": .object([
                "prompt_tokens": .int(words), "completion_tokens": .int(words + 1), "total_tokens": .int(2 * words + 1),
            ]),
        ])
    }

    private static func anthropicMessage(_ item: Item) -> JSON {
        let words = item.text.split(separator: " ").count
        let block: JSON =
            item.answerTool
            ? .object([
                "type": "tool_use", "id": "toolu_1", "name": "answer",
                "input": (try? JSON.parse(Array(answerText(item).utf8))) ?? .object([:]),
            ])
            : .object(["type": "text", "text": .string(answerText(item))])
        return .object([
            "id": .string("msg_" + item.customID), "type": "message", "role": "assistant",
            "model": .string(item.model), "content": .array([block]),
            "stop_reason": .string(item.answerTool ? "tool_use" : "end_turn"),
            "usage": .object(["input_tokens": .int(words), "output_tokens": .int(words + 1)]),
        ])
    }

    private func anthropicResults(_ id: String) -> FakeResponse {
        guard let batch = state.withLock({ $0.batches.first { $0.id == id } }), ended(batch) else {
            return Self.error(404, type: "not_found_error", "no results for \(id)")
        }
        var body: [UInt8] = []
        for item in batch.items.reversed() {
            let result: JSON
            switch item.outcome {
            case _ where batch.cancelled: result = .object(["type": "canceled"])
            case "expired": result = .object(["type": "expired"])
            case "errored":
                result = .object([
                    "type": "errored",
                    "error": .object([
                        "type": "error",
                        "error": .object([
                            "type": "invalid_request_error", "message": .string("bad request: \(item.text)"),
                        ]),
                    ]),
                ])
            default: result = .object(["type": "succeeded", "message": Self.anthropicMessage(item)])
            }
            body += JSON.object(["custom_id": .string(item.customID), "result": result]).encoded() + [0x0A]
        }
        return FakeResponse(status: 200, headers: [("content-type", "application/binary")], body: body)
    }

    // MARK: batch objects

    private func counts(_ batch: Batch) -> (succeeded: Int, errored: Int, expired: Int, cancelled: Int, open: Int) {
        guard ended(batch) else { return (0, 0, 0, 0, batch.items.count) }
        if batch.cancelled { return (0, 0, 0, batch.items.count, 0) }
        let count = { (outcome: String) in batch.items.filter { $0.outcome == outcome }.count }
        return (count("succeeded"), count("errored"), count("expired"), 0, 0)
    }

    private func openAIObject(_ batch: Batch) -> JSON {
        let counts = counts(batch)
        let status: String
        if batch.cancelRequested && !batch.cancelled {
            status = "cancelling"
        } else if batch.cancelled {
            status = "cancelled"
        } else if !ended(batch) {
            status = "in_progress"
        } else {
            status = counts.expired > 0 ? "expired" : "completed"
        }
        return .object([
            "id": .string(batch.id), "object": "batch", "endpoint": "/v1/chat/completions",
            "input_file_id": batch.inputFile.map(JSON.string) ?? .null, "completion_window": "24h",
            "status": .string(status), "output_file_id": batch.outputFile.map(JSON.string) ?? .null,
            "error_file_id": batch.errorFile.map(JSON.string) ?? .null, "created_at": .int(batch.created),
            "request_counts": .object([
                "total": .int(batch.items.count), "completed": .int(counts.succeeded), "failed": .int(counts.errored),
            ]),
            "metadata": batch.metadata,
        ])
    }

    private func anthropicObject(_ batch: Batch, host: String) -> JSON {
        let counts = counts(batch)
        let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(batch.created)))
        let ended = ended(batch)
        return .object([
            "id": .string(batch.id), "type": "message_batch",
            "processing_status": .string(ended ? "ended" : batch.cancelRequested ? "canceling" : "in_progress"),
            "request_counts": .object([
                "processing": .int(counts.open), "succeeded": .int(counts.succeeded), "errored": .int(counts.errored),
                "canceled": .int(counts.cancelled), "expired": .int(counts.expired),
            ]),
            "created_at": .string(created), "ended_at": .null,
            "results_url": ended ? .string(host + "/v1/messages/batches/\(batch.id)/results") : .null,
        ])
    }
}

extension FakeResponse {
    /// This response with `headers` added.
    package func withHeaders(_ headers: [(String, String)]) -> FakeResponse {
        var copy = self
        copy.headers += headers
        return copy
    }
}
