import AIBase
import AIWire

/// What the model is given for an MCP `tools/call` answer.
package enum MCPResult {
    /// The output of a `tools/call` result: its `content` parts joined by newlines (text as it is, other parts
    /// described in one bracketed line), or, when no part holds text, `structuredContent` as compact JSON;
    /// `isError: true` makes an error output.
    package static func output(_ result: JSON) -> ToolOutput {
        let isError = result["isError"]?.boolValue ?? false
        let parts = result["content"]?.arrayValue ?? []
        var texts: [String] = []
        var hasText = false
        for part in parts {
            if let text = text(of: part) {
                texts.append(text)
                hasText = true
            } else {
                texts.append(description(of: part))
            }
        }
        if !hasText, let structured = result["structuredContent"], !structured.isNull {
            return ToolOutput(content: structured.encodedString, isError: isError)
        }
        return ToolOutput(content: texts.joined(separator: "\n"), isError: isError)
    }

    /// The output of a JSON-RPC error answer: an error output naming the tool, the message and the code.
    package static func output(error: JSON, tool: String) -> ToolOutput {
        let message = error["message"]?.stringValue ?? "no message"
        let code = error["code"].flatMap { $0.intValue.map(String.init) } ?? "?"
        return ToolOutput(content: "MCP tool '\(tool)' failed: \(message) (JSON-RPC error \(code))", isError: true)
    }

    /// A part's text: a `text` part's, or an embedded text resource's.
    private static func text(of part: JSON) -> String? {
        switch part["type"]?.stringValue {
        case "text": part["text"]?.stringValue
        case "resource": part["resource"]?["text"]?.stringValue
        default: nil
        }
    }

    /// One line saying what a part without text is: `[image image/png, 1234 bytes of base64]`.
    private static func description(of part: JSON) -> String {
        let type = part["type"]?.stringValue ?? "unknown"
        switch type {
        case "image", "audio":
            let mime = part["mimeType"]?.stringValue ?? "unknown type"
            let size = part["data"]?.stringValue?.utf8.count ?? 0
            return "[\(type) \(mime), \(size) bytes of base64]"
        case "resource":
            let resource = part["resource"] ?? .null
            let uri = resource["uri"]?.stringValue ?? "?"
            let mime = resource["mimeType"]?.stringValue.map { " \($0)" } ?? ""
            return "[resource \(uri)\(mime)]"
        case "resource_link":
            let uri = part["uri"]?.stringValue ?? "?"
            let name = part["name"]?.stringValue.map { " (\($0))" } ?? ""
            return "[resource link \(uri)\(name)]"
        default:
            return "[\(type) content]"
        }
    }
}
