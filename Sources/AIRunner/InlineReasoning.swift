/// Splits a leading `<think>…</think>` block off an answer's text: local models (DeepSeek-R1, Qwen3, QwQ served
/// raw) write their reasoning so, and it is reasoning, not content (DESIGN §12).
///
/// Only the start of the answer is looked at: after optional whitespace, `<think>` must come first. Until that is
/// decided the text is held back (a few bytes); once the answer starts otherwise, or the block is closed, `passing`
/// turns true and every later piece of text passes through untouched (the caller then skips the splitter). Inside
/// the block, reasoning is handed on as it arrives, holding back only what may be the start of `</think>`; the
/// whitespace right after `</think>` is dropped. The tags may be cut across pieces at any byte. A block still open
/// when the answer ends was all reasoning (`finish`). A `<think>` anywhere else is content.
package final class InlineReasoning {
    private enum State {
        /// Before the first byte that is not whitespace.
        case start
        /// Inside the block.
        case inside
        /// Just after `</think>`, dropping whitespace.
        case after
        /// Past the start: everything is content.
        case passing
    }

    private static let open = Array("<think>".utf8)
    private static let close = Array("</think>".utf8)

    private var state = State.start
    /// Bytes held back: at the start, whitespace and what may be `<think>`; inside, what may be `</think>`.
    private var held: [UInt8] = []

    /// A splitter at the start of an answer.
    package init() {}

    /// Whether the start is past: text is content from now on, and need not come here.
    package var passing: Bool { state == .passing }

    /// Splits the next piece of the answer's text, handing what is content to `content` and what is reasoning to
    /// `reasoning` (never an empty string).
    /// - Throws: what the two closures throw.
    package func feed(
        _ text: String, content: (String) throws -> Void, reasoning: (String) throws -> Void
    ) rethrows {
        switch state {
        case .passing:
            if !text.isEmpty { try content(text) }
        case .start:
            // The common case, an answer that starts otherwise, passes the text on as it is, without a copy.
            if held.isEmpty, Self.startsOtherwise(text) {
                state = .passing
                return try content(text)
            }
            held += text.utf8
            guard let first = held.firstIndex(where: { !Self.isSpace($0) }) else { return }
            let rest = held[first...]
            if rest.count < Self.open.count, Self.open.starts(with: rest) { return }
            guard rest.starts(with: Self.open) else {
                state = .passing
                let text = String(decoding: held, as: UTF8.self)
                held = []
                return try content(text)
            }
            let after = Array(rest.dropFirst(Self.open.count))
            held = []
            state = .inside
            try inside(after, content: content, reasoning: reasoning)
        case .inside:
            try inside(Array(text.utf8), content: content, reasoning: reasoning)
        case .after:
            try after(Array(text.utf8), content: content)
        }
    }

    /// The answer ended: what is still held back is handed on (content at the start; reasoning inside an unclosed
    /// block, which was all reasoning).
    /// - Throws: what the two closures throw.
    package func finish(content: (String) throws -> Void, reasoning: (String) throws -> Void) rethrows {
        defer { held = [] }
        guard !held.isEmpty else { return }
        switch state {
        case .start: try content(String(decoding: held, as: UTF8.self))
        case .inside: try reasoning(String(decoding: held, as: UTF8.self))
        case .after, .passing: break
        }
    }

    private func inside(
        _ bytes: [UInt8], content: (String) throws -> Void, reasoning: (String) throws -> Void
    ) rethrows {
        held += bytes
        if let end = Self.find(Self.close, in: held) {
            let thought = held[..<end]
            let rest = Array(held[(end + Self.close.count)...])
            held = []
            state = .after
            if !thought.isEmpty { try reasoning(String(decoding: thought, as: UTF8.self)) }
            return try after(rest, content: content)
        }
        // Hold back the longest end that may begin `</think>`; the rest is reasoning now.
        var keep = min(held.count, Self.close.count - 1)
        while keep > 0, !Self.close.starts(with: held[(held.count - keep)...]) { keep -= 1 }
        guard held.count > keep else { return }
        let thought = String(decoding: held[..<(held.count - keep)], as: UTF8.self)
        held.removeFirst(held.count - keep)
        try reasoning(thought)
    }

    private func after(_ bytes: [UInt8], content: (String) throws -> Void) rethrows {
        guard let first = bytes.firstIndex(where: { !Self.isSpace($0) }) else { return }
        state = .passing
        try content(String(decoding: bytes[first...], as: UTF8.self))
    }

    /// Whether `text`, at the start of the answer, shows it does not open with `<think>`: its first byte that is not
    /// white space begins neither the tag nor a prefix of it.
    private static func startsOtherwise(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return false }
        var tag = open.makeIterator()
        for byte in bytes[first...] {
            guard let expected = tag.next() else { return false }
            if byte != expected { return true }
        }
        return false
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Where `needle` first starts in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
