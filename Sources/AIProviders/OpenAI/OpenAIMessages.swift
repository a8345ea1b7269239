import AIWire

/// The suite's neutral messages (ai-wire(5)) as Chat Completions messages.
package enum OpenAIMessages {
    /// The request's system prompt first, then each message: fields the neutral form does not name pass through as
    /// given; tool calls become `{"id","type":"function","function":{"name","arguments"}}`, a tool result
    /// `{"role":"tool","tool_call_id","content"}`. Reasoning is not sent back (servers that return it ask not to).
    package static func messages(_ request: CompletionRequest) -> [JSON] {
        messages(request, wire: wire)
    }

    /// The request's system prompt as a first `system` message, then each message in a provider's form: the shape
    /// of Chat Completions' and Ollama's lists.
    package static func messages(_ request: CompletionRequest, wire: (Message) -> JSONObject) -> [JSON] {
        var messages: [JSON] = []
        messages.reserveCapacity(request.messages.count + 1)
        if let system = request.system { messages.append(.object(["role": "system", "content": .string(system)])) }
        for message in request.messages { messages.append(.object(wire(message))) }
        return messages
    }

    /// One message in the Chat Completions form.
    package static func wire(_ message: Message) -> JSONObject {
        var object = JSONObject(message.passedThrough)
        object["role"] = .string(message.role)
        object["content"] = content(message.content)
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(
                message.toolCalls.map { call in
                    .object([
                        "id": .string(call.id ?? ""), "type": "function",
                        "function": .object([
                            "name": .string(call.name ?? ""), "arguments": .string(call.arguments),
                        ]),
                    ])
                })
        }
        if message.role == "tool" {
            if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
        } else if let name = message.name {
            object["name"] = .string(name)
        }
        return object
    }

    /// A message's content as Chat Completions takes it: text as it is, parts one by one. A neutral image is an
    /// `image_url` part (its URL, or a `data:` URL of its base64), a neutral PDF a `file` part with `filename` and
    /// `file_data` (a `data:` URL); every other part (text, OpenAI's own `image_url`, `input_audio`, `file`) passes
    /// as given.
    package static func content(_ content: JSON) -> JSON {
        guard case .array(let parts) = content, parts.contains(where: AttachmentParts.isNeutral) else { return content }
        return .array(parts.map(part))
    }

    /// The tools offered, as `tools`: `[{"type":"function","function":{"name","description","parameters"}}]`.
    package static func tools(_ specs: [ToolSpec]) -> JSON {
        .array(
            specs.map { spec in
                var function: JSONObject = ["name": .string(spec.name)]
                if let description = spec.description { function["description"] = .string(description) }
                function["parameters"] = spec.parameters
                return .object(["type": "function", "function": .object(function)])
            })
    }
    private static func part(_ part: JSON) -> JSON {
        guard AttachmentParts.isNeutral(part) else { return part }
        let mimeType = part["mime_type"]?.stringValue ?? "application/octet-stream"
        let url = part["url"]?.stringValue ?? "data:\(mimeType);base64,\(part["data"]?.stringValue ?? "")"
        guard part["type"]?.stringValue == "document" else {
            return .object(["type": "image_url", "image_url": .object(["url": .string(url)])])
        }
        return .object([
            "type": "file",
            "file": .object([
                "filename": .string(part["name"]?.stringValue ?? "document.pdf"), "file_data": .string(url),
            ]),
        ])
    }

    /// Images by data or URL up to 20 MiB each; PDFs by data (one given by URL is fetched) up to 32 MiB each; 50 MiB
    /// of them in a request.
    package static let attachmentRules = AttachmentRules(
        images: true, imageURLs: true, documents: true, documentURLs: false, imageLimit: 20 << 20,
        documentLimit: 32 << 20, requestLimit: 50 << 20)
}

extension OpenAIProvider {
    /// What Chat Completions takes (`OpenAIMessages.attachmentRules`).
    package var attachmentRules: AttachmentRules { OpenAIMessages.attachmentRules }
}
