import AIWire

/// The built-in offline provider: answers with the last user message, streamed word by word.
///
/// Usage counts words: every message's words (and the system prompt's) as prompt tokens, the reply's
/// words as completion tokens. It needs no key and no network, so it serves demos, tests and pipelines
/// being built. It walks the reply's UTF-8 once, handing out each piece as it is cut, so it streams at the
/// speed of a copy in flat memory however long the reply is.
package struct EchoProvider: Provider {
    package let name = "echo"
    package let defaultModel = "echo"

    /// Bytes of reply between two flushes: the output is written in blocks, as a network read would be.
    static let flushBytes = 64 << 10

    /// The echo provider.
    package init() {}

    package func attempt(
        _ request: ResolvedRequest,
        context: AttemptContext,
        emit: (ProviderEvent) throws -> Void
    ) throws {
        try context.responseStarted()
        try emit(.model(request.model))
        let reply = Self.reply(to: request.request)
        var flushed = 0
        let replyWords = try Self.forEachWord(reply) { piece, end in
            try emit(.delta(piece))
            if end - flushed >= Self.flushBytes {
                flushed = end
                try context.flush()
            }
        }
        try context.flush()
        // The reply is the last user message: its words are counted once.
        let messages = request.request.messages
        let replyIndex = messages.lastIndex { $0.role == "user" }
        let promptWords =
            messages.indices.reduce(0) { $0 + ($1 == replyIndex ? replyWords : Self.count(messages[$1].text)) }
            + Self.count(request.request.system ?? "")
        try emit(.finish("stop"))
        try emit(.usage(Usage(promptTokens: promptWords, completionTokens: replyWords)))
    }

    /// Every attachment, by data or URL, of any size: the reply describes each (see `reply(to:)`).
    package var attachmentRules: AttachmentRules {
        AttachmentRules(
            images: true, imageURLs: true, documents: true, documentURLs: true, imageLimit: .max, documentLimit: .max,
            requestLimit: .max)
    }

    /// The reply: the last user message's text, with each image or document in it described on a line of its own
    /// (`[image image/png, 67 bytes]`, `[document a.pdf application/pdf, 1024 bytes]`, `[image https://…]`).
    package static func reply(to request: CompletionRequest) -> String {
        guard case .array(let parts)? = request.messages.last(where: { $0.role == "user" })?.content else {
            return request.lastUserText
        }
        return parts.map { part in
            guard AttachmentParts.isNeutral(part) else { return part["text"]?.stringValue ?? "" }
            var words = [part["type"]?.stringValue ?? "attachment"]
            if let name = part["name"]?.stringValue { words.append(name) }
            if let url = part["url"]?.stringValue { words.append(url) }
            if let mimeType = part["mime_type"]?.stringValue { words.append(mimeType) }
            if let data = part["data"]?.stringValue {
                let padding = data.utf8.reversed().prefix { $0 == UInt8(ascii: "=") }.count
                words[words.count - 1] += ","
                words.append("\(data.utf8.count / 4 * 3 - padding) bytes")
            }
            return "[" + words.joined(separator: " ") + "]\n"
        }.joined()
    }

    /// The text cut before each white-space run that follows a word: "a b" → ["a", " b"].
    package static func words(_ text: String) -> [String] {
        var pieces: [String] = []
        Self.forEachWord(text) { piece, _ in pieces.append(piece) }
        return pieces
    }

    /// Calls `body` with each piece of `text` (see `words`) and the UTF-8 offset where it ends.
    /// - Returns: the number of words.
    @discardableResult
    static func forEachWord(_ text: String, _ body: (String, Int) throws -> Void) rethrows -> Int {
        var text = text
        return try text.withUTF8 { bytes in
            var words = 0
            var pieceStart = 0
            var inWord = false
            var index = 0
            while index < bytes.count {
                let (space, length) = Self.whiteSpace(bytes, at: index)
                if space, inWord, index > pieceStart {
                    try body(
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[pieceStart..<index]), as: UTF8.self), index
                    )
                    pieceStart = index
                }
                if !space, !inWord { words += 1 }
                inWord = !space
                index += length
            }
            if index > pieceStart {
                try body(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[pieceStart..<index]), as: UTF8.self), index)
            }
            return words
        }
    }

    /// The number of words in `text`: runs of characters that are not white space.
    static func count(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var words = 0
            var inWord = false
            var index = 0
            while index < bytes.count {
                let (space, length) = Self.whiteSpace(bytes, at: index)
                if !space, !inWord { words += 1 }
                inWord = !space
                index += length
            }
            return words
        }
    }

    /// Whether the scalar at `index` (a valid UTF-8 lead byte) is white space (Unicode's White_Space, as
    /// `Character.isWhitespace`), and its length in bytes.
    @inline(__always)
    private static func whiteSpace(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Bool, Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (lead == 0x20 || (0x09...0x0D).contains(lead), 1) }
        let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        guard index + length <= bytes.count else { return (false, 1) }
        switch length {
        case 2:
            // U+0085, U+00A0
            return (lead == 0xC2 && (bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0), 2)
        case 3:
            let scalar =
                UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
            switch scalar {
            case 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return (true, 3)
            default: return (false, 3)
            }
        default:
            return (false, length)
        }
    }
}
