import AIBase

/// A file, URL or data given to send with a request (`-a/--attach`, a request's `attachments`; ai-wire(5)
/// "Attachments"), before it is read.
package struct Attachment: Sendable, Equatable {
    /// Where the attachment comes from.
    package enum Source: Sendable, Equatable {
        /// A file to read (relative to the working directory).
        case path(String)
        /// An `http` or `https` URL: passed to the provider where it takes one, else fetched.
        case url(String)
        /// The bytes themselves (a request's base64 `data`, `-a -`'s stdin, a file already read).
        case data([UInt8])
    }

    /// Where it comes from.
    package var source: Source
    /// The media type given (`mime_type`): it names a URL's type; for a file or data the content decides.
    package var mimeType: String?
    /// The name a document or a text file is headed by (a file's last path component).
    package var name: String?

    /// An attachment from `source`.
    package init(_ source: Source, mimeType: String? = nil, name: String? = nil) {
        self.source = source
        self.mimeType = mimeType
        self.name = name
    }

    /// The attachment an `-a` argument names: a URL when it starts with `http://` or `https://` (any other
    /// `scheme://` is refused when it is read), else a path. `-` (stdin) is the command line's to read.
    package init(argument: String) {
        self.init(Self.isURL(argument) ? .url(argument) : .path(argument))
    }

    /// Whether `text` is written as a URL: letters, digits, `+`, `-` or `.` before `://`.
    package static func isURL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            if index == 0, !letter { return false }
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let mark = byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            if !(letter || digit || mark) { break }
            index += 1
        }
        return index > 0 && bytes[index...].starts(with: Array("://".utf8))
    }

    /// The last path component of `path` (what a file's text and documents are headed by).
    package static func fileName(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.split(separator: "/").last.map(String.init) ?? path
    }

    /// The fields an element of a request's `attachments` may have.
    package static let fields: Set<String> = ["path", "url", "data", "mime_type", "name"]

    /// A request's `attachments` array: each element an object with exactly one of `path`, `url` or `data`
    /// (base64), and optionally `mime_type` and `name`.
    /// - Throws: `AIError` (`input`) naming the offending element.
    package static func decode(_ value: JSON) throws(AIError) -> [Attachment] {
        guard case .array(let elements) = value else { throw AIError(.input, "field 'attachments' must be an array") }
        var attachments: [Attachment] = []
        for (index, element) in elements.enumerated() {
            let place = "attachments[\(index)]"
            guard case .object(let given) = element else { throw AIError(.input, "\(place) must be an object") }
            for key in given.keys where !fields.contains(key) {
                throw AIError(.input, "\(place) has unknown field '\(key)'")
            }
            let object = RequestDecoding.present(given)
            func text(_ key: String) throws(AIError) -> String? {
                guard let value = object[key] else { return nil }
                guard let text = value.stringValue else { throw AIError(.input, "\(place).\(key) must be a string") }
                return text
            }
            let path = try text("path")
            let url = try text("url")
            let data = try text("data")
            guard [path, url, data].compactMap({ $0 }).count == 1 else {
                throw AIError(.input, "\(place) needs exactly one of 'path', 'url' or 'data'")
            }
            var attachment: Attachment
            if let path {
                guard !path.isEmpty else { throw AIError(.input, "\(place).path is empty") }
                attachment = Attachment(.path(path), name: fileName(path))
            } else if let url {
                guard isURL(url) else { throw AIError(.input, "\(place).url is not a URL: \(url)") }
                attachment = Attachment(.url(url))
            } else {
                guard let bytes = AttachmentBase64.decode(data ?? "") else {
                    throw AIError(.input, "\(place).data is not base64")
                }
                attachment = Attachment(.data(bytes))
            }
            attachment.mimeType = try text("mime_type")
            if let name = try text("name") { attachment.name = name }
            attachments.append(attachment)
        }
        return attachments
    }
}

/// The neutral content parts attachments become (ai-wire(5) "Messages"), and where they go in a request.
package enum AttachmentParts {
    /// The part for `bytes` of type `type`: `{"type":"image","mime_type","data"}`,
    /// `{"type":"document","mime_type":"application/pdf","data","name"}`, or for text
    /// `{"type":"text","text":"NAME:\n```\nTEXT\n```\n"}` (the fence longer than any run of backticks in the text).
    package static func part(_ bytes: [UInt8], type: AttachmentType, name: String) -> JSON {
        switch type {
        case .image(let mimeType):
            return .object([
                "type": "image", "mime_type": .string(mimeType), "data": .string(AttachmentBase64.encode(bytes)),
            ])
        case .pdf:
            return .object([
                "type": "document", "mime_type": "application/pdf", "data": .string(AttachmentBase64.encode(bytes)),
                "name": .string(name),
            ])
        case .text:
            return .object(["type": "text", "text": .string(textBlock(String(decoding: bytes, as: UTF8.self), name))])
        }
    }

    /// The part for a URL the provider fetches itself: `{"type":"image","url"}` or
    /// `{"type":"document","mime_type":"application/pdf","url","name"}`; nil for text, which is always inlined.
    package static func part(url: String, type: AttachmentType, name: String) -> JSON? {
        switch type {
        case .image: .object(["type": "image", "url": .string(url)])
        case .pdf:
            .object(["type": "document", "mime_type": "application/pdf", "url": .string(url), "name": .string(name)])
        case .text: nil
        }
    }

    /// A text file's content headed by its name, fenced.
    package static func textBlock(_ text: String, _ name: String) -> String {
        var longest = 0
        var run = 0
        for byte in text.utf8 {
            run = byte == UInt8(ascii: "`") ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        let body = text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
        return "\(name):\n\(fence)\n\(body)\(fence)\n"
    }

    /// `parts` put into the last user message, before its text (the attachments first, then the question);
    /// a request without a user message gets one of them.
    package static func insert(_ parts: [JSON], into messages: inout [Message]) {
        guard !parts.isEmpty else { return }
        guard let index = messages.lastIndex(where: { $0.role == "user" }) else {
            let message = Message(role: "user", content: .array(parts), object: ["role": "user"])
            messages.append(message)
            return
        }
        var message = messages[index]
        let existing: [JSON]
        switch message.content {
        case .string(let text): existing = text.isEmpty ? [] : [.object(["type": "text", "text": .string(text)])]
        case .array(let given): existing = given
        default: existing = []
        }
        message.content = .array(parts + existing)
        message.object["content"] = message.content
        messages[index] = message
    }

    /// Whether `part` is a neutral image or document part (not a provider's own form, such as Anthropic's
    /// `{"type":"image","source":{…}}`, which passes through as given).
    package static func isNeutral(_ part: JSON) -> Bool {
        guard let type = part["type"]?.stringValue, type == "image" || type == "document" else { return false }
        return part["source"] == nil && (part["data"]?.stringValue != nil || part["url"]?.stringValue != nil)
    }
}
