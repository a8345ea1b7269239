import AIWire

/// The suite's neutral messages (ai-wire(5)) as Anthropic Messages: a top-level system prompt and alternating
/// user and assistant turns of content blocks.
package enum AnthropicMessages {
    /// The top-level system prompt (the request's, then the text of every `system` or `developer` message, joined
    /// with a blank line) and the other messages.
    ///
    /// An assistant turn becomes its thinking block (when it has reasoning and a signature: Anthropic refuses thinking
    /// without one, so reasoning without a signature is not sent back), its text, then a `tool_use` block per call.
    /// Tool results become `tool_result` blocks (`tool_use_id`, `content`, `is_error`) of a user turn; results in a
    /// row, and a user message right after them, share one user turn, as the API requires.
    package static func messages(_ request: CompletionRequest) -> (system: String?, messages: [JSON]) {
        var systemParts: [String] = []
        if let system = request.system, !system.isEmpty { systemParts.append(system) }
        var turns: [(role: String, blocks: [JSON], plain: JSON?)] = []
        for message in request.messages {
            switch message.role {
            case "system", "developer":
                let text = message.text
                if !text.isEmpty { systemParts.append(text) }
            case "tool":
                let block = toolResult(message)
                if let last = turns.last, last.role == "user", last.plain == nil, isToolResults(last.blocks) {
                    turns[turns.count - 1].blocks.append(block)
                } else {
                    turns.append((role: "user", blocks: [block], plain: nil))
                }
            case "assistant" where message.reasoning != nil || !message.toolCalls.isEmpty:
                turns.append((role: "assistant", blocks: assistantBlocks(message), plain: nil))
            default:
                if message.role == "user", let last = turns.last, last.role == "user", last.plain == nil,
                    isToolResults(last.blocks)
                {
                    turns[turns.count - 1].blocks += blocks(message.content)
                } else {
                    turns.append((role: message.role, blocks: [], plain: content(message.content)))
                }
            }
        }
        let messages: [JSON] = turns.map { turn in
            .object(["role": .string(turn.role), "content": turn.plain ?? .array(turn.blocks)])
        }
        return (systemParts.isEmpty ? nil : systemParts.joined(separator: "\n\n"), messages)
    }

    private static func isToolResults(_ blocks: [JSON]) -> Bool {
        !blocks.isEmpty && blocks.allSatisfy { $0["type"]?.stringValue == "tool_result" }
    }

    /// A tool result as a `tool_result` block.
    private static func toolResult(_ message: Message) -> JSON {
        var block: JSONObject = [
            "type": "tool_result", "tool_use_id": .string(message.toolCallID ?? ""),
            "content": content(message.content),
        ]
        if message.isError { block["is_error"] = .bool(true) }
        return .object(block)
    }

    /// An assistant turn's blocks: thinking (with its signature), text, then its tool calls.
    private static func assistantBlocks(_ message: Message) -> [JSON] {
        var blocks: [JSON] = []
        if let reasoning = message.reasoning, let signature = message.reasoningSignature {
            blocks.append(
                .object(["type": "thinking", "thinking": .string(reasoning), "signature": .string(signature)]))
        }
        blocks += Self.blocks(message.content).filter { $0["text"]?.stringValue?.isEmpty != true }
        for call in message.toolCalls {
            let input = (try? JSON.parse(call.arguments)).flatMap { $0.objectValue == nil ? nil : $0 }
            blocks.append(
                .object([
                    "type": "tool_use", "id": .string(call.id ?? ""), "name": .string(call.name ?? ""),
                    "input": input ?? .object([:]),
                ]))
        }
        return blocks
    }

    /// A message's content as blocks: a string is one text block.
    private static func blocks(_ content: JSON) -> [JSON] {
        switch Self.content(content) {
        case .string(let text): return [.object(["type": "text", "text": .string(text)])]
        case .array(let parts): return parts
        default: return []
        }
    }

    /// A message's content as Anthropic takes it: text as it is, parts one by one. A neutral image is an `image`
    /// block, a neutral PDF a `document` block, each with a `base64` source (`media_type`, `data`) or a `url` source;
    /// every other part (text, Anthropic's own blocks) passes as given.
    package static func content(_ content: JSON) -> JSON {
        guard case .array(let parts) = content, parts.contains(where: AttachmentParts.isNeutral) else { return content }
        return .array(parts.map(part))
    }

    /// The tools offered, as `tools`: `[{"name","description","input_schema"}]`.
    package static func tools(_ specs: [ToolSpec]) -> JSON {
        .array(
            specs.map { spec in
                var tool: JSONObject = ["name": .string(spec.name)]
                if let description = spec.description { tool["description"] = .string(description) }
                tool["input_schema"] = spec.parameters
                return .object(tool)
            })
    }
    private static func part(_ part: JSON) -> JSON {
        guard AttachmentParts.isNeutral(part), let type = part["type"]?.stringValue else { return part }
        let source: JSON
        if let url = part["url"]?.stringValue {
            source = .object(["type": "url", "url": .string(url)])
        } else {
            source = .object([
                "type": "base64", "media_type": part["mime_type"] ?? .string("application/octet-stream"),
                "data": part["data"] ?? "",
            ])
        }
        return .object(["type": .string(type), "source": source])
    }

    /// Images (by data or URL) up to 5 MiB each, PDFs (by data or URL) up to 32 MiB, 32 MiB of them in a request.
    package static let attachmentRules = AttachmentRules(
        images: true, imageURLs: true, documents: true, documentURLs: true, imageLimit: 5 << 20,
        documentLimit: 32 << 20, requestLimit: 32 << 20)
}

extension AnthropicProvider {
    /// What the Messages API takes (`AnthropicMessages.attachmentRules`).
    package var attachmentRules: AttachmentRules { AnthropicMessages.attachmentRules }
}
