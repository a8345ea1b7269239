import AIBase
import AIProviders
import AIRunner
import AITransport
import AIWire
import Foundation
import Testing

/// `AttachmentLoader`: files, redirects' locations, and a request's parts for a provider (no network: URLs the
/// provider takes are passed on).
@Suite struct AttachmentLoaderTests {
    let loader = AttachmentLoader(
        transport: { throw AIError(.internal, "no transport in these tests") }, limits: .default)

    @Test func resolve_redirectLocations() {
        let base = "https://h.test:8080/a/b/c.png?x=1"
        #expect(AttachmentLoader.resolve("https://o.test/z", against: base) == "https://o.test/z")
        #expect(AttachmentLoader.resolve("/z.png", against: base) == "https://h.test:8080/z.png")
        #expect(AttachmentLoader.resolve("//o.test/z", against: base) == "https://o.test/z")
        #expect(AttachmentLoader.resolve("d.png", against: base) == "https://h.test:8080/a/b/d.png")
        #expect(AttachmentLoader.resolve("../d.png", against: base) == "https://h.test:8080/a/b/../d.png")
        #expect(AttachmentLoader.resolve("d.png", against: "http://h.test") == "http://h.test/d.png")
    }

    @Test func read_missingIsNoInputAndDirectoriesToo() throws {
        #expect(throws: AIError(.noInput, "cannot attach /nonexistent/a.png: no such file")) {
            try AttachmentLoader.read(path: "/nonexistent/a.png")
        }
        do {
            _ = try AttachmentLoader.read(path: NSTemporaryDirectory())
            Issue.record("a directory was read")
        } catch {
            #expect(error.code == .noInput)
        }
    }

    @Test func apply_partsIntoTheLastUserMessageThenChecked() throws {
        var request = CompletionRequest(prompt: "q")
        request.attachments = [
            Attachment(.data(Array("%PDF-1.7\n".utf8)), name: "a.pdf"),
            Attachment(.url("https://x.test/p.jpg")),
            Attachment(.url("https://x.test/r"), mimeType: "application/pdf"),
        ]
        var anthropic = request
        try loader.apply(to: &anthropic, provider: AnthropicProvider(apiKey: "k"))
        #expect(anthropic.attachments.isEmpty)
        #expect(
            anthropic.messages[0].content
                == .array([
                    .object([
                        "type": "document", "mime_type": "application/pdf", "data": "JVBERi0xLjcK", "name": "a.pdf",
                    ]),
                    .object(["type": "image", "url": "https://x.test/p.jpg"]),
                    .object([
                        "type": "document", "mime_type": "application/pdf", "url": "https://x.test/r", "name": "r",
                    ]),
                    .object(["type": "text", "text": "q"]),
                ]))
        // Ollama takes no PDF: refused before any fetch (the transport would fail the test with another error).
        var ollama = request
        #expect(
            throws: AIError(
                .input, "ollama does not take PDF documents (a.pdf)",
                hints: [
                    "choose a provider that does with -p (openai and anthropic take images and PDFs)"
                ])
        ) {
            try loader.apply(to: &ollama, provider: OllamaProvider(baseURL: "http://127.0.0.1:1"))
        }
        // OpenAI takes no PDF by URL: it must be fetched.
        var openAI = CompletionRequest(prompt: "q")
        openAI.attachments = [Attachment(.url("https://x.test/r.pdf"))]
        #expect(throws: AIError(.internal, "no transport in these tests")) {
            try loader.apply(to: &openAI, provider: OpenAIProvider(baseURL: "http://127.0.0.1:1/v1", apiKey: nil))
        }
        var other = CompletionRequest(prompt: "q")
        other.attachments = [Attachment(.url("file:///etc/passwd"))]
        #expect(throws: AIError(.input, "cannot attach file:///etc/passwd: only http and https URLs can be attached")) {
            try loader.apply(to: &other, provider: EchoProvider())
        }
    }
}
