import AIBase

/// One unit of work read from stdin: a request to send, or a failure to report for its id.
package struct InputItem: Sendable {
    /// The id results carry: the request's `id`, else its 1-based line number as a string.
    package var id: JSON
    /// The line the item starts on.
    package var line: Int
    /// The request, or why there is none (malformed line, an error record passed through).
    package var request: Result<CompletionRequest, AIError>
    /// The request's `metadata`, also for an error record passed through.
    package var metadata: JSON?
    /// With `InputReader.Purpose.embedding`: the texts to embed (nil for a failure).
    package var embedding: EmbeddingInput?

    /// An item with the given parts.
    package init(
        id: JSON, line: Int, request: Result<CompletionRequest, AIError>, metadata: JSON?,
        embedding: EmbeddingInput? = nil
    ) {
        self.id = id
        self.line = line
        self.request = request
        self.metadata = metadata
        self.embedding = embedding
    }
}

/// Turns parsed JSON input objects into requests (DESIGN §2).
package enum RequestDecoding {
    /// The top-level fields a request may have.
    package static let requestFields: Set<String> = [
        "id", "provider", "model", "system", "messages", "prompt", "temperature", "top_p", "max_tokens", "stop",
        "frequency_penalty", "presence_penalty", "seed", "metadata", "extra", "schema", "tools",
        "attachments", "think",
    ]

    /// The roles a message may have.
    package static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    /// What kind of line an input object is.
    package enum Shape {
        /// A request.
        case request
        /// A result line of `ai-complete` (it has `content`): its content becomes the user message.
        case result
        /// An error line of `ai-complete`: passed through, never sent.
        case error
        /// An event of `ai-stream` (it has `type`).
        case event
    }

    /// The fields a result line of `ai-complete` may have (ai-wire(5)).
    package static let resultFields: Set<String> = [
        "id", "provider", "model", "content", "finish_reason", "provider_finish_reason", "usage", "cost",
        "tool_calls", "timing", "metadata", "reasoning", "data", "steps", "messages",
    ]

    /// Classifies an input object; a member whose value is null counts as absent. An object is an event, an error
    /// line or a result line only when the fields that make it one have their types (`type` a string, `error` an
    /// object or a string, `content` a string with only result fields beside it); otherwise it is a request, and
    /// its unknown fields are the error (65).
    package static func shape(of object: JSONObject) -> Shape {
        func has(_ key: String) -> Bool { object[key].map { !$0.isNull } ?? false }
        // A result line written with -c carries its conversation (`messages`) beside its content…
        if has("messages"), isResultLike(object) { return .result }
        // So does ai-stream's `done` event.
        if has("messages"), object["type"]?.stringValue == "done" { return .event }
        if has("messages") || has("prompt") { return .request }
        if let type = object["type"], !type.isNull {
            guard let name = type.stringValue else { return .request }
            if !has("error") || name == "error" { return .event }
        }
        if let error = object["error"], !error.isNull {
            return error.objectValue != nil || error.stringValue != nil ? .error : .request
        }
        if let content = object["content"], !content.isNull {
            return isResultLike(object) ? .result : .request
        }
        return .request
    }

    /// Whether the object has a string `content` and only fields of a result line beside it.
    private static func isResultLike(_ object: JSONObject) -> Bool {
        object["content"]?.stringValue != nil
            && object.members.allSatisfy { $0.value.isNull || resultFields.contains($0.key) }
    }

    /// The object without its null members: null means absent for every field (ai-wire(5)).
    package static func present(_ object: JSONObject) -> JSONObject {
        guard object.members.contains(where: { $0.value.isNull }) else { return object }
        return JSONObject(object.members.filter { !$0.value.isNull })
    }

    /// The id of an object: its `id` when a string or number, else `fallback` (the line it starts on).
    package static func id(of object: JSONObject, default fallback: JSON) -> JSON {
        switch object["id"] {
        case .some(.string(let value)): .string(value)
        case .some(.number(let value)): .number(value)
        default: fallback
        }
    }

    /// Decodes a request object. A field whose value is null is absent; its name must still be a field's.
    ///
    /// Each parameter is checked as its flag is (`RequestChecks`), and a seed must fit in 64 bits.
    /// - Throws: `AIError` with code `input` naming the offending field.
    package static func request(from given: JSONObject) throws(AIError) -> CompletionRequest {
        for key in given.keys where !requestFields.contains(key) {
            throw AIError(.input, "unknown field '\(key)'")
        }
        let object = present(given)
        var request = CompletionRequest()
        if let id = object["id"] {
            guard id.stringValue != nil || id.intValue != nil || (id.doubleValue != nil) else {
                throw AIError(.input, "field 'id' must be a string or a number")
            }
            request.id = id
        }
        request.provider = try string(object, "provider")
        request.model = try string(object, "model")
        request.system = try string(object, "system")
        if let messages = object["messages"] {
            guard case .array(let elements) = messages else {
                throw AIError(.input, "field 'messages' must be an array")
            }
            request.messages = try elements.enumerated().map { (index, element) throws(AIError) in
                try message(element, index: index)
            }
        }
        if let prompt = object["prompt"] {
            guard let text = prompt.stringValue else { throw AIError(.input, "field 'prompt' must be a string") }
            request.messages.append(Message(role: "user", text: text))
        }
        if request.messages.isEmpty {
            throw AIError(.input, "a request needs 'messages' or 'prompt'")
        }
        request.temperature = try number(object, "temperature")
        request.topP = try number(object, "top_p")
        request.frequencyPenalty = try number(object, "frequency_penalty")
        request.presencePenalty = try number(object, "presence_penalty")
        request.maxTokens = try integer(object, "max_tokens") { $0 < 0 ? RequestChecks.maxTokensProblem(-1) : nil }
        if let maxTokens = request.maxTokens, let problem = RequestChecks.maxTokensProblem(maxTokens) {
            throw AIError(.input, "field 'max_tokens' \(problem)")
        }
        request.seed = try integer(object, "seed") { _ in RequestChecks.seedProblem }
        if let stop = object["stop"] {
            switch stop {
            case .string(let value): request.stop = [value]
            case .array(let values):
                request.stop = try values.map { value throws(AIError) in
                    guard let text = value.stringValue else {
                        throw AIError(.input, "field 'stop' must be a string or an array of strings")
                    }
                    return text
                }
            case .null: break
            default: throw AIError(.input, "field 'stop' must be a string or an array of strings")
            }
        }
        request.metadata = object["metadata"]
        if let extra = object["extra"] {
            guard case .object(let members) = extra else { throw AIError(.input, "field 'extra' must be an object") }
            request.extra = members
        }
        if let think = object["think"] {
            guard let setting = Thinking(json: think) else {
                throw AIError(
                    .input, "field 'think' must be true, false, a token budget, or \"low\", \"medium\" or \"high\"")
            }
            request.think = setting
        }
        if let schema = object["schema"] {
            switch schema {
            case .object, .bool: request.schema = schema
            default: throw AIError(.input, "field 'schema' must be a JSON Schema object")
            }
        }
        if let attachments = object["attachments"] { request.attachments = try Attachment.decode(attachments) }
        if let tools = object["tools"] {
            guard case .array(let definitions) = tools else {
                throw AIError(.input, "field 'tools' must be an array of tool definitions")
            }
            request.tools = definitions
        }
        return request
    }

    /// A result line of `ai-complete` as the next request: its content is the user message; id and metadata kept.
    package static func request(fromResult given: JSONObject) throws(AIError) -> CompletionRequest {
        let object = present(given)
        guard let content = object["content"]?.stringValue else {
            throw AIError(.input, "field 'content' must be a string")
        }
        var request = CompletionRequest(prompt: content)
        request.id = object["id"]
        request.metadata = object["metadata"]
        return request
    }

    /// The conversation a line continues with `-c` (DESIGN §12): its `messages` (when it has them), then the next user
    /// turn: the prompt argument, or without one the line's `content` (a result line's answer, an event stream's
    /// text). A line without `messages` starts from its one user message (`content`).
    /// - Parameter messages: the line's `messages` (nil when it has none).
    /// - Throws: `AIError` (`input`) naming a malformed message.
    package static func continued(messages: JSON?, content: String, prompt: String?) throws(AIError) -> [Message] {
        guard let messages, !messages.isNull else {
            var turns = [Message(role: "user", text: content)]
            if let prompt { turns.append(Message(role: "user", text: prompt)) }
            return turns
        }
        guard case .array(let elements) = messages else { throw AIError(.input, "field 'messages' must be an array") }
        var turns = try elements.enumerated().map { (index, element) throws(AIError) in
            try message(element, index: index)
        }
        turns.append(Message(role: "user", text: prompt ?? content))
        return turns
    }

    /// The failure an error line of `ai-complete` carries, passed through for the same id.
    package static func passedError(from object: JSONObject) -> AIError {
        let error = object["error"]
        let code = error?["code"]?.stringValue.flatMap(ErrorCode.init(rawValue:)) ?? .input
        let message = error?["message"]?.stringValue ?? error?.stringValue ?? "error passed through from the input"
        var passed = AIError(code, message, httpStatus: error?["status"]?.intValue)
        if let retryable = error?["retryable"]?.boolValue { passed.retryable = retryable }
        return passed
    }

    private static func message(_ element: JSON, index: Int) throws(AIError) -> Message {
        guard case .object(let object) = element else {
            throw AIError(.input, "messages[\(index)] must be an object")
        }
        guard let role = object["role"]?.stringValue else {
            throw AIError(.input, "messages[\(index)] needs a 'role' string")
        }
        guard roles.contains(role) else {
            throw AIError(.input, "messages[\(index)] has unknown role '\(role)'")
        }
        let content = object["content"] ?? .null
        switch content {
        case .string, .array, .null: break
        default: throw AIError(.input, "messages[\(index)].content must be a string or an array")
        }
        var message = Message(role: role, content: content, object: object)
        func text(_ key: String) throws(AIError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let text = value.stringValue else {
                throw AIError(.input, "messages[\(index)].\(key) must be a string")
            }
            return text
        }
        message.reasoning = try text("reasoning")
        message.reasoningSignature = try text("reasoning_signature")
        message.toolCallID = try text("tool_call_id")
        message.name = try text("name")
        if let isError = object["is_error"], !isError.isNull {
            guard let flag = isError.boolValue else {
                throw AIError(.input, "messages[\(index)].is_error must be true or false")
            }
            message.isError = flag
        }
        if let calls = object["tool_calls"], !calls.isNull {
            guard case .array(let elements) = calls else {
                throw AIError(.input, "messages[\(index)].tool_calls must be an array")
            }
            message.toolCalls = try elements.enumerated().map { (position, call) throws(AIError) in
                try toolCall(call, position: position, message: index)
            }
        }
        if role == "tool", message.toolCallID == nil {
            throw AIError(.input, "messages[\(index)] (a tool result) needs a 'tool_call_id' string")
        }
        return message
    }

    /// A tool call of an assistant message, in the neutral form `{"id","name","arguments"}` or OpenAI's
    /// `{"id","type":"function","function":{"name","arguments"}}`; `arguments` is JSON text, or a JSON object (kept as
    /// its text).
    private static func toolCall(_ call: JSON, position: Int, message: Int) throws(AIError) -> ToolCall {
        let place = "messages[\(message)].tool_calls[\(position)]"
        guard case .object(let object) = call else { throw AIError(.input, "\(place) must be an object") }
        let function = object["function"]?.objectValue ?? object
        guard let name = function["name"]?.stringValue else { throw AIError(.input, "\(place) needs a 'name' string") }
        let arguments: String
        switch function["arguments"] {
        case .none, .some(.null): arguments = "{}"
        case .some(.string(let text)): arguments = text
        case .some(.object(let value)): arguments = JSON.object(value).encodedString
        default: throw AIError(.input, "\(place).arguments must be JSON text or an object")
        }
        return ToolCall(index: position, id: object["id"]?.stringValue, name: name, arguments: arguments)
    }

    private static func string(_ object: JSONObject, _ key: String) throws(AIError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue else { throw AIError(.input, "field '\(key)' must be a string") }
        return text
    }

    private static func number(_ object: JSONObject, _ key: String) throws(AIError) -> Double? {
        guard let value = object[key] else { return nil }
        guard let number = value.doubleValue else { throw AIError(.input, "field '\(key)' must be a number") }
        if let problem = RequestChecks.samplingProblem(number) { throw AIError(.input, "field '\(key)' \(problem)") }
        return number
    }

    /// The integer in `key`; one written with a fraction or an exponent is taken when it is integral.
    /// - Parameter outOfRange: what is wrong with an integer beyond 64 bits, given its sign (nil: too large).
    private static func integer(
        _ object: JSONObject, _ key: String, outOfRange: (Double) -> String?
    ) throws(AIError) -> Int? {
        guard let value = object[key] else { return nil }
        guard case .number(let text) = value else { throw AIError(.input, "field '\(key)' must be an integer") }
        if let exact = Int(text) { return exact }
        guard let number = Double(text), !number.isFinite || number == number.rounded() else {
            throw AIError(.input, "field '\(key)' must be an integer")
        }
        if number.magnitude < 0x1p63 { return Int(number) }
        throw AIError(.input, "field '\(key)' \(outOfRange(number) ?? "must be at most \(Int.max)")")
    }
}
