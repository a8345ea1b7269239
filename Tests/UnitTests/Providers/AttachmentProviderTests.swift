import AIBase
import AIProviders
import AIWire
import Testing

/// Neutral image and document parts in each provider's wire form, and each provider's kinds and limits.
@Suite struct AttachmentProviderTests {
    static let image: JSON = .object(["type": "image", "mime_type": "image/png", "data": "iVBORw0KGgo="])
    static let imageURL: JSON = .object(["type": "image", "url": "https://x/a.png"])
    static let pdf: JSON = .object([
        "type": "document", "mime_type": "application/pdf", "data": "JVBERi0=", "name": "r.pdf",
    ])
    static let pdfURL: JSON = .object([
        "type": "document", "mime_type": "application/pdf", "url": "https://x/r.pdf", "name": "r.pdf",
    ])
    static let text: JSON = .object(["type": "text", "text": "q"])

    func resolved(_ parts: [JSON]) -> ResolvedRequest {
        var request = CompletionRequest()
        request.messages = [Message(role: "user", content: .array(parts), object: ["role": "user"])]
        return ResolvedRequest(request: request, model: "m", stream: false)
    }

    func body(_ provider: some HTTPProvider, _ parts: [JSON]) throws -> JSON {
        let http = try provider.httpRequest(for: resolved(parts))
        let bytes = try #require(http.body)
        return try #require(try JSON.parse(bytes)["messages"]?.arrayValue?.first)
    }

    @Test func openAI_imageURLAndFileParts() throws {
        let message = try body(
            OpenAIProvider(baseURL: "http://x/v1", apiKey: "k"), [Self.image, Self.imageURL, Self.pdf, Self.text])
        #expect(
            message["content"]
                == .array([
                    .object([
                        "type": "image_url", "image_url": .object(["url": "data:image/png;base64,iVBORw0KGgo="]),
                    ]),
                    .object(["type": "image_url", "image_url": .object(["url": "https://x/a.png"])]),
                    .object([
                        "type": "file",
                        "file": .object(["filename": "r.pdf", "file_data": "data:application/pdf;base64,JVBERi0="]),
                    ]),
                    Self.text,
                ]))
    }

    @Test func openAI_ownPartsPassThrough() throws {
        let own: [JSON] = [
            .object(["type": "image_url", "image_url": .object(["url": "https://x/b.jpg", "detail": "low"])]),
            .object(["type": "input_audio", "input_audio": .object(["data": "AAAA", "format": "wav"])]),
            Self.text,
        ]
        let message = try body(OpenAIProvider(baseURL: "http://x/v1", apiKey: "k"), own)
        #expect(message["content"] == .array(own))
    }

    @Test func anthropic_imageAndDocumentBlocks() throws {
        let message = try body(
            AnthropicProvider(apiKey: "k"), [Self.image, Self.imageURL, Self.pdf, Self.pdfURL, Self.text])
        #expect(
            message["content"]
                == .array([
                    .object([
                        "type": "image",
                        "source": .object(["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]),
                    ]),
                    .object(["type": "image", "source": .object(["type": "url", "url": "https://x/a.png"])]),
                    .object([
                        "type": "document",
                        "source": .object(["type": "base64", "media_type": "application/pdf", "data": "JVBERi0="]),
                    ]),
                    .object(["type": "document", "source": .object(["type": "url", "url": "https://x/r.pdf"])]),
                    Self.text,
                ]))
        let own: JSON = .object(["type": "image", "source": .object(["type": "url", "url": "https://x/c.gif"])])
        #expect(try body(AnthropicProvider(apiKey: "k"), [own, Self.text])["content"] == .array([own, Self.text]))
    }

    @Test func ollama_imagesBesideTheText() throws {
        let provider = OllamaProvider(baseURL: "http://x")
        let message = try body(provider, [Self.image, Self.text, Self.image])
        #expect(message["content"] == "q")
        #expect(message["images"] == .array(["iVBORw0KGgo=", "iVBORw0KGgo="]))
        var request = resolved([Self.image, Self.text])
        request.request.messages[0].object["images"] = .array(["AAAA"])
        let bytes = try #require(try provider.httpRequest(for: request).body)
        let given = try JSON.parse(bytes)["messages"]?.arrayValue?.first
        #expect(given?["images"] == .array(["AAAA", "iVBORw0KGgo="]))
        #expect(try body(provider, [Self.text])["images"] == nil)
    }

    func refusal(_ rules: AttachmentRules, _ parts: [JSON]) -> String? {
        do {
            try rules.check(resolved(parts).request.messages, provider: "p")
            return nil
        } catch { return error.code == .input ? error.message : "code \(error.code)" }
    }

    @Test func rules_kindsAndURLs() {
        let ollama = OllamaProvider(baseURL: "http://x").attachmentRules
        #expect(refusal(ollama, [Self.image, Self.text]) == nil)
        #expect(refusal(ollama, [Self.pdf]) == "p does not take PDF documents (r.pdf)")
        #expect(refusal(ollama, [Self.imageURL]) == "p does not take images by URL")
        let messages = resolved([Self.imageURL]).request.messages
        #expect(throws: Never.self) { try ollama.check(messages, provider: "p", fetchingURLs: true) }
        #expect(throws: AIError.self) {
            try ollama.check(resolved([Self.pdfURL]).request.messages, provider: "p", fetchingURLs: true)
        }
        let openAI = OpenAIProvider(baseURL: "http://x/v1", apiKey: nil).attachmentRules
        #expect(refusal(openAI, [Self.image, Self.imageURL, Self.pdf]) == nil)
        #expect(refusal(openAI, [Self.pdfURL]) == "p does not take PDF documents by URL")
        let anthropic = AnthropicProvider(apiKey: "k").attachmentRules
        #expect(refusal(anthropic, [Self.image, Self.imageURL, Self.pdf, Self.pdfURL]) == nil)
        #expect(
            refusal(anthropic, [.object(["type": "image", "mime_type": "image/tiff", "data": "AA=="])])
                == "p does not take attachments of type image/tiff")
        #expect(refusal(.textOnly, [Self.image]) == "p does not take images")
        #expect(refusal(.textOnly, [Self.text]) == nil)
        #expect(refusal(EchoProvider().attachmentRules, [Self.image, Self.pdfURL]) == nil)
    }

    @Test func rules_sizeLimitsAsSent() {
        func image(_ size: Int) -> JSON {
            .object(["type": "image", "mime_type": "image/png", "data": .string(String(repeating: "A", count: size))])
        }
        func pdf(_ size: Int) -> JSON {
            .object([
                "type": "document", "mime_type": "application/pdf",
                "data": .string(String(repeating: "A", count: size)),
            ])
        }
        let small = AttachmentRules(
            images: true, imageURLs: false, documents: true, documentURLs: false, imageLimit: 8, documentLimit: 12,
            requestLimit: 16)
        #expect(refusal(small, [image(8)]) == nil)
        #expect(
            refusal(small, [image(12)])
                == "an attachment of 0.0 MiB is larger than the 0.0 MiB p takes per image (as base64)")
        #expect(refusal(small, [pdf(12)]) == nil)
        #expect(refusal(small, [pdf(16)])?.contains("p takes per document") == true)
        #expect(refusal(small, [pdf(12), image(4)]) == nil)
        #expect(
            refusal(small, [pdf(12), image(8)])
                == "the attachments add up to more than the 0.0 MiB p takes in one request (as base64)")
        let anthropic = AnthropicMessages.attachmentRules
        #expect(anthropic.imageLimit == 5 << 20 && anthropic.documentLimit == 32 << 20)
        #expect(anthropic.requestLimit == 32 << 20)
        #expect(refusal(anthropic, [image(5 << 20)]) == nil)
        #expect(
            refusal(anthropic, [image(5 << 20 + 4)])
                == "an attachment of 5.0 MiB is larger than the 5.0 MiB p takes per image (as base64)")
        let openAI = OpenAIMessages.attachmentRules
        #expect(openAI.imageLimit == 20 << 20 && openAI.documentLimit == 32 << 20 && openAI.requestLimit == 50 << 20)
        let ollama = OllamaMessages.attachmentRules
        #expect(ollama.imageLimit == 20 << 20 && ollama.requestLimit == 64 << 20)
        #expect(AttachmentRules.megabytes(1_572_864) == "1.5 MiB")
    }

    @Test func echo_describesAttachments() {
        var request = CompletionRequest()
        request.messages = [
            Message(role: "user", content: .array([Self.image, Self.pdfURL, Self.text]), object: ["role": "user"])
        ]
        #expect(
            EchoProvider.reply(to: request)
                == "[image image/png, 8 bytes]\n[document r.pdf https://x/r.pdf application/pdf]\nq")
    }
}
