import AIWire

/// The suite's neutral messages (ai-wire(5)) as Ollama `/api/chat` messages.
package enum OllamaMessages {
    /// The request's system prompt first, then each message: fields the neutral form does not name pass through as
    /// given; content is a string (the text of its text parts when given as parts); an assistant turn's reasoning is
    /// `thinking` and its tool calls `{"function":{"name","arguments":{…}}}` (arguments an object); a tool result is
    /// `{"role":"tool","content","tool_name"}`.
    package static func messages(_ request: CompletionRequest) -> [JSON] {
        OpenAIMessages.messages(request, wire: wire)
    }

    /// One message in Ollama's form.
    package static func wire(_ message: Message) -> JSONObject {
        var object = JSONObject(message.passedThrough)
        object["role"] = .string(message.role)
        content(message.content, into: &object)
        if let reasoning = message.reasoning { object["thinking"] = .string(reasoning) }
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(
                message.toolCalls.map { call in
                    let arguments = (try? JSON.parse(call.arguments)).flatMap { $0.objectValue == nil ? nil : $0 }
                    return .object([
                        "function": .object([
                            "name": .string(call.name ?? ""), "arguments": arguments ?? .object([:]),
                        ])
                    ])
                })
        }
        if message.role == "tool", let name = message.name { object["tool_name"] = .string(name) }
        return object
    }

    /// Sets the message's `content` (a string: the text of its text parts when given as parts) and, for neutral
    /// image parts, `images` (their base64, in order, after any the message gave; an image given by URL was fetched before).
    package static func content(_ content: JSON, into object: inout JSONObject) {
        switch content {
        case .string: object["content"] = content
        case .array(let parts):
            object["content"] = .string(parts.compactMap { $0["text"]?.stringValue }.joined())
            let images = parts.filter { AttachmentParts.isNeutral($0) && $0["type"]?.stringValue == "image" }
                .compactMap { $0["data"] }
            if !images.isEmpty { object["images"] = .array((object["images"]?.arrayValue ?? []) + images) }
        default: object["content"] = .string("")
        }
    }

    /// The tools offered, as `tools`: OpenAI's form (`OpenAIMessages.tools`).
    package static func tools(_ specs: [ToolSpec]) -> JSON {
        OpenAIMessages.tools(specs)
    }
    /// Images by data (one given by URL is fetched) up to 20 MiB each, 64 MiB of them in a request; no documents.
    package static let attachmentRules = AttachmentRules(
        images: true, imageURLs: false, documents: false, documentURLs: false, imageLimit: 20 << 20,
        documentLimit: 0, requestLimit: 64 << 20)
}

extension OllamaProvider {
    /// What `/api/chat` takes (`OllamaMessages.attachmentRules`).
    package var attachmentRules: AttachmentRules { OllamaMessages.attachmentRules }
}
