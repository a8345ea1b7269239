import AIBase
import AIWire
import Foundation
import Testing

/// Test files made in memory: the smallest valid-looking file of each type.
enum AttachmentSamples {
    /// A 1×1 PNG.
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
        0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
    /// The start of a JPEG (SOI, then a JFIF APP0 segment).
    static let jpeg: [UInt8] =
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0x00, 0x01, 0x01, 0xFF, 0xD9]
    /// A 1×1 GIF.
    static let gif: [UInt8] =
        Array("GIF89a".utf8) + [
            0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00,
            0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00,
            0x3B,
        ]
    /// A RIFF/WEBP header with an empty VP8L chunk.
    static let webp: [UInt8] =
        Array("RIFF".utf8) + [0x1A, 0x00, 0x00, 0x00] + Array("WEBPVP8L".utf8) + [0x0D, 0x00, 0x00, 0x00, 0x2F]
        + [UInt8](repeating: 0, count: 13)
    /// A minimal PDF.
    static let pdf: [UInt8] = Array(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
            .utf8)
    /// UTF-8 text.
    static let text: [UInt8] = Array("café\tok\r\nline two\n".utf8)
    /// A ZIP archive's local file header.
    static let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]
}

@Suite struct AttachmentTests {
    @Test func sniff_imagesPDFAndTextByContent() throws {
        #expect(try AttachmentType.sniff(AttachmentSamples.png, name: "x.txt") == .image("image/png"))
        #expect(try AttachmentType.sniff(AttachmentSamples.jpeg, name: "x") == .image("image/jpeg"))
        #expect(try AttachmentType.sniff(AttachmentSamples.gif, name: "x") == .image("image/gif"))
        #expect(try AttachmentType.sniff(Array("GIF87a".utf8) + [1, 0], name: "x") == .image("image/gif"))
        #expect(try AttachmentType.sniff(AttachmentSamples.webp, name: "x") == .image("image/webp"))
        #expect(try AttachmentType.sniff(AttachmentSamples.pdf, name: "x.png") == .pdf)
        #expect(try AttachmentType.sniff(AttachmentSamples.text, name: "x.pdf") == .text)
        #expect(try AttachmentType.sniff([], name: "empty") == .text)
        #expect(try AttachmentType.sniff(Array("\u{1B}[1mbold\u{1B}[0m\u{0C}".utf8), name: "x") == .text)
    }

    @Test func sniff_refusesZipBinaryAndInvalidUTF8() {
        func refusal(_ bytes: [UInt8]) -> AIError? {
            do {
                _ = try AttachmentType.sniff(bytes, name: "f")
                return nil
            } catch { return error }
        }
        let zip = refusal(AttachmentSamples.zip)
        #expect(zip?.code == .input && zip?.message == "f: cannot attach a ZIP archive")
        #expect(zip?.hints.first?.contains("PNG, JPEG, GIF or WebP") == true)
        var generator = SystemRandomNumberGenerator()
        var random = (0..<256).map { _ in UInt8.random(in: 0...255, using: &generator) }
        random[0] = 0x00  // not a signature
        #expect(refusal(random)?.message == "f: cannot attach binary data of an unknown type")
        #expect(refusal([0x68, 0x69, 0xC3, 0x28])?.message == "f: cannot attach text that is not UTF-8")
        #expect(refusal([0x68, 0xED, 0xA0, 0x80])?.message == "f: cannot attach text that is not UTF-8")
        // Almost signatures.
        #expect(refusal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x00]) != nil)
        #expect((try? AttachmentType.sniff(Array("RIFF\0\0\0\0WAVE".utf8), name: "f")) == nil)
    }

    @Test func named_urlsByMIMETypeThenExtension() {
        #expect(AttachmentType.named(url: "https://x/a.PNG?s=1", mimeType: nil) == .image("image/png"))
        #expect(AttachmentType.named(url: "https://x/a.jpg#f", mimeType: nil) == .image("image/jpeg"))
        #expect(AttachmentType.named(url: "https://x/report.pdf", mimeType: nil) == .pdf)
        #expect(AttachmentType.named(url: "https://x/get?id=1", mimeType: "application/pdf") == .pdf)
        #expect(AttachmentType.named(url: "https://x/a.pdf", mimeType: "image/webp") == .image("image/webp"))
        #expect(AttachmentType.named(url: "https://x/a.v2/file", mimeType: nil) == nil)
        #expect(AttachmentType.named(url: "https://x/a.txt", mimeType: nil) == nil)
        #expect(AttachmentType.named(url: "https://x/a", mimeType: "text/plain") == nil)
    }

    @Test func base64_encodesAsFoundationDoesAndDecodesBack() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 3, 4, 5, 6, 7, 100, 1001] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = AttachmentBase64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(encoded.utf8.count == AttachmentBase64.encodedCount(count))
            #expect(AttachmentBase64.decode(encoded) == bytes)
            #expect(AttachmentBase64.decode(String(encoded.prefix { $0 != "=" })) == bytes)
        }
        #expect(AttachmentBase64.decode("aGk") == Array("hi".utf8))
        for bad in ["a", "aGk*", "aG=k", "aGk===", "aGl=", "a b="] {
            #expect(AttachmentBase64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func decode_requestField() throws {
        let request = try RequestDecoding.request(
            from: try JSON.parse(
                #"{"prompt":"p","attachments":[{"path":"dir/a.png"},{"url":"https://x/y.pdf","mime_type":"application/pdf"},{"data":"aGk=","name":"n.txt"},{"path":"b","mime_type":null}]}"#
            ).objectValue!)
        #expect(
            request.attachments == [
                Attachment(.path("dir/a.png"), name: "a.png"),
                Attachment(.url("https://x/y.pdf"), mimeType: "application/pdf"),
                Attachment(.data(Array("hi".utf8)), name: "n.txt"),
                Attachment(.path("b"), name: "b"),
            ])
        let cases: [(String, String)] = [
            (#""a""#, "field 'attachments' must be an array"),
            (#"[1]"#, "attachments[0] must be an object"),
            (#"[{}]"#, "attachments[0] needs exactly one of 'path', 'url' or 'data'"),
            (#"[{"path":"a","url":"http://x"}]"#, "attachments[0] needs exactly one of 'path', 'url' or 'data'"),
            (#"[{"path":"a","kind":"x"}]"#, "attachments[0] has unknown field 'kind'"),
            (#"[{"path":1}]"#, "attachments[0].path must be a string"),
            (#"[{"path":""}]"#, "attachments[0].path is empty"),
            (#"[{"url":"example.com/a.png"}]"#, "attachments[0].url is not a URL: example.com/a.png"),
            (#"[{"data":"!!"}]"#, "attachments[0].data is not base64"),
        ]
        for (value, message) in cases {
            let object = try JSON.parse(#"{"prompt":"p","attachments":"# + value + "}").objectValue!
            #expect(throws: AIError(.input, message)) { try RequestDecoding.request(from: object) }
        }
    }

    @Test func defaults_flagAttachmentsComeFirstAndAddUp() {
        var defaults = RequestDefaults(provider: "echo")
        defaults.attachments = [Attachment(.url("https://x/a.png"))]
        var request = CompletionRequest(prompt: "p")
        request.attachments = [Attachment(.path("b.txt"))]
        #expect(
            defaults.fill(request).attachments == [Attachment(.url("https://x/a.png")), Attachment(.path("b.txt"))])
    }

    @Test func argument_urlOrPath() {
        #expect(Attachment(argument: "https://x/a.png").source == .url("https://x/a.png"))
        #expect(Attachment(argument: "ftp://x/a.png").source == .url("ftp://x/a.png"))
        #expect(Attachment(argument: "dir/a://b").source == .path("dir/a://b"))
        #expect(Attachment(argument: "./a.png").source == .path("./a.png"))
        #expect(Attachment.fileName("/a/b/c.pdf") == "c.pdf" && Attachment.fileName("c.pdf") == "c.pdf")
    }

    @Test func parts_neutralFormsAndText() {
        #expect(
            AttachmentParts.part(AttachmentSamples.png, type: .image("image/png"), name: "a.png")
                == .object([
                    "type": "image", "mime_type": "image/png",
                    "data": .string(Data(AttachmentSamples.png).base64EncodedString()),
                ]))
        #expect(
            AttachmentParts.part(AttachmentSamples.pdf, type: .pdf, name: "r.pdf")["name"] == "r.pdf")
        #expect(
            AttachmentParts.part(url: "https://x/a.png", type: .image("image/png"), name: "a.png")?["url"]
                == "https://x/a.png")
        #expect(AttachmentParts.part(url: "https://x/a.txt", type: .text, name: "a.txt") == nil)
        #expect(AttachmentParts.textBlock("a\n", "n.txt") == "n.txt:\n```\na\n```\n")
        #expect(AttachmentParts.textBlock("a", "n.txt") == "n.txt:\n```\na\n```\n")
        #expect(AttachmentParts.textBlock("x ```` y", "n.md") == "n.md:\n`````\nx ```` y\n`````\n")
    }

    @Test func insert_intoTheLastUserMessageBeforeItsText() {
        let image: JSON = .object(["type": "image", "url": "https://x/a.png"])
        var messages = [
            Message(role: "user", text: "first"), Message(role: "assistant", text: "a"),
            Message(role: "user", text: "q"),
        ]
        AttachmentParts.insert([image], into: &messages)
        #expect(messages[2].content == .array([image, .object(["type": "text", "text": "q"])]))
        #expect(messages[0].content == "first")
        var prefilled = [Message(role: "user", text: "q"), Message(role: "assistant", text: "{")]
        AttachmentParts.insert([image], into: &prefilled)
        #expect(prefilled[0].content == .array([image, .object(["type": "text", "text": "q"])]))
        var none = [Message(role: "system", text: "s")]
        AttachmentParts.insert([image], into: &none)
        #expect(none.count == 2 && none[1].role == "user" && none[1].content == .array([image]))
    }

    @Test func isNeutral_leavesProviderFormsAlone() {
        #expect(AttachmentParts.isNeutral(.object(["type": "image", "mime_type": "image/png", "data": "AA=="])))
        #expect(AttachmentParts.isNeutral(.object(["type": "document", "url": "https://x/a.pdf"])))
        #expect(
            !AttachmentParts.isNeutral(.object(["type": "image", "source": .object(["type": "url", "url": "u"])])))
        #expect(!AttachmentParts.isNeutral(.object(["type": "image_url", "image_url": .object(["url": "u"])])))
        #expect(!AttachmentParts.isNeutral(.object(["type": "text", "text": "t"])))
    }
}
