import AIWire

/// The built-in offline provider: answers with the last user message, streamed word by word.
///
/// Usage counts words: every message's words (and the system prompt's) as prompt tokens, the reply's
/// words as completion tokens. It needs no key and no network, so it serves demos, tests and pipelines
/// being built.
package struct EchoProvider: Provider {
    package let name = "echo"
    package let defaultModel = "echo"

    /// The echo provider.
    package init() {}

    package func attempt(
        _ request: ResolvedRequest,
        context: AttemptContext,
        emit: (ProviderEvent) throws -> Void
    ) throws {
        try context.responseStarted()
        try emit(.model(request.model))
        let reply = request.request.lastUserText
        for piece in Self.words(reply) {
            try emit(.delta(piece))
            try context.flush()
        }
        let promptWords =
            request.request.messages.reduce(0) { $0 + Self.count($1.text) }
            + Self.count(request.request.system ?? "")
        try emit(.finish("stop"))
        try emit(.usage(Usage(promptTokens: promptWords, completionTokens: Self.count(reply))))
    }

    /// The text cut before each white-space run that follows a word: "a b" → ["a", " b"].
    package static func words(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var inWord = false
        for character in text {
            let space = character.isWhitespace
            if space, inWord {
                pieces.append(current)
                current = ""
            }
            current.append(character)
            inWord = !space
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    private static func count(_ text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).count
    }
}
