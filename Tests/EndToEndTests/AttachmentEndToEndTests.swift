import AIBase
import AITestSupport
import AIWire
import Foundation
import Testing

/// `-a/--attach` and the request field `attachments` through the binaries: the request bodies each provider is sent
/// for each type, URLs passed on or fetched, stdin, and refusals that send nothing.
@Suite struct AttachmentEndToEndTests {
    /// The test files: name, bytes, and the media type they are sniffed as (text: nil).
    static let samples: [(name: String, bytes: [UInt8], mimeType: String?)] = [
        ("pixel.png", AttachmentFiles.png, "image/png"), ("photo.jpg", AttachmentFiles.jpeg, "image/jpeg"),
        ("anim.gif", AttachmentFiles.gif, "image/gif"), ("pic.webp", AttachmentFiles.webp, "image/webp"),
        ("report.pdf", AttachmentFiles.pdf, "application/pdf"), ("notes.txt", AttachmentFiles.text, nil),
    ]

    /// A fake provider server: `GET` of a path in `files` answers its bytes, any other `GET` 404, and everything
    /// else the fixture's response.
    func serve(
        _ fixture: String, files: [String: [UInt8]] = [:], redirects: [String: String] = [:]
    ) throws -> FakeServer {
        let response = try #require(fixtures).fixture(fixture).response()
        return try FakeServer { request in
            guard request.method == "GET" else { return response }
            if let target = redirects[request.pathWithoutQuery] {
                return FakeResponse(status: 302, headers: [("location", target)])
            }
            guard let bytes = files[request.pathWithoutQuery] else { return FakeResponse(status: 404) }
            return FakeResponse(headers: [("content-type", "application/octet-stream")], body: bytes)
        }
    }

    /// A scratch file holding `bytes`, named `name`.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let directory = scratchPath("attachments")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func anthropicEnvironment(_ server: FakeServer) -> [String: String] {
        toolEnvironment(["ANTHROPIC_API_KEY": "sk-ant-fixture", "ANTHROPIC_BASE_URL": server.baseURL])
    }

    /// The last message of the one chat request `server` received.
    func lastMessage(_ server: FakeServer) throws -> JSON {
        let posts = server.requests.filter { $0.method == "POST" }
        try #require(posts.count == 1)
        let body = try #require(posts[0].json)
        return try #require(body["messages"]?.arrayValue?.last)
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func textPart(_ name: String) -> JSON {
        .object([
            "type": "text",
            "text": .string("\(name):\n````\n\(String(decoding: AttachmentFiles.text, as: UTF8.self))````\n"),
        ])
    }

    @Test func openAI_eachType() throws {
        for sample in Self.samples {
            let server = try serve("openai_chat_ok")
            defer { server.stop() }
            let path = try file(sample.name, sample.bytes)
            let result = try runTool(
                "ai-complete", arguments: ["-p", "openai", "-a", path, "describe"],
                environment: openAIEnvironment(server))
            #expect(result.status == 0, "\(sample.name): \(result.stderrText)")
            let content = try lastMessage(server)["content"]
            let expected: JSON
            switch sample.mimeType {
            case "application/pdf":
                expected = .object([
                    "type": "file",
                    "file": .object([
                        "filename": .string(sample.name),
                        "file_data": .string("data:application/pdf;base64," + Self.base64(sample.bytes)),
                    ]),
                ])
            case let mimeType?:
                expected = .object([
                    "type": "image_url",
                    "image_url": .object(["url": .string("data:\(mimeType);base64," + Self.base64(sample.bytes))]),
                ])
            case nil: expected = Self.textPart(sample.name)
            }
            #expect(content == .array([expected, .object(["type": "text", "text": "describe"])]), "\(sample.name)")
        }
    }

    @Test func anthropic_eachType() throws {
        for sample in Self.samples {
            let server = try serve("anthropic_messages_ok")
            defer { server.stop() }
            let path = try file(sample.name, sample.bytes)
            let result = try runTool(
                "ai-complete", arguments: ["-p", "anthropic", "--attach", path, "describe"],
                environment: anthropicEnvironment(server))
            #expect(result.status == 0, "\(sample.name): \(result.stderrText)")
            let content = try lastMessage(server)["content"]
            let expected: JSON
            if let mimeType = sample.mimeType {
                expected = .object([
                    "type": .string(mimeType == "application/pdf" ? "document" : "image"),
                    "source": .object([
                        "type": "base64", "media_type": .string(mimeType), "data": .string(Self.base64(sample.bytes)),
                    ]),
                ])
            } else {
                expected = Self.textPart(sample.name)
            }
            #expect(content == .array([expected, .object(["type": "text", "text": "describe"])]), "\(sample.name)")
        }
    }

    @Test func ollama_eachTypeAndPDFRefused() throws {
        for sample in Self.samples {
            let server = try serve("ollama_chat_ok")
            defer { server.stop() }
            let path = try file(sample.name, sample.bytes)
            let result = try runTool(
                "ai-complete", arguments: ["-p", "ollama", "-a", path, "describe"],
                environment: toolEnvironment(["OLLAMA_HOST": server.baseURL]))
            if sample.mimeType == "application/pdf" {
                #expect(result.status == 65)
                #expect(
                    errorLine(result, tool: "ai-complete")
                        == "ai-complete: error: ollama does not take PDF documents (report.pdf)")
                #expect(server.requests.isEmpty)
                continue
            }
            #expect(result.status == 0, "\(sample.name): \(result.stderrText)")
            let message = try lastMessage(server)
            if sample.mimeType != nil {
                #expect(message["content"] == "describe")
                #expect(message["images"] == .array([.string(Self.base64(sample.bytes))]))
            } else {
                #expect(message["content"] == .string(Self.textPart(sample.name)["text"]!.stringValue! + "describe"))
                #expect(message["images"] == nil)
            }
        }
    }

    @Test func urls_passedOnWhereTakenElseFetched() throws {
        // OpenAI and Anthropic are given the URL (the suite never fetches it: example.com is not reached).
        let openAI = try serve("openai_chat_ok")
        defer { openAI.stop() }
        let passed = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-a", "https://example.com/cat.png", "what is it"],
            environment: openAIEnvironment(openAI))
        #expect(passed.status == 0, "\(passed.stderrText)")
        #expect(
            try lastMessage(openAI)["content"]?[0]
                == .object(["type": "image_url", "image_url": .object(["url": "https://example.com/cat.png"])]))

        let anthropic = try serve("anthropic_messages_ok")
        defer { anthropic.stop() }
        let documents = try runTool(
            "ai-complete",
            arguments: [
                "-p", "anthropic", "-a", "https://example.com/r.pdf", "-a", "https://example.com/a.webp", "sum",
            ],
            environment: anthropicEnvironment(anthropic))
        #expect(documents.status == 0, "\(documents.stderrText)")
        let content = try lastMessage(anthropic)["content"]
        #expect(
            content?[0]
                == .object([
                    "type": "document", "source": .object(["type": "url", "url": "https://example.com/r.pdf"]),
                ]))
        #expect(
            content?[1]
                == .object(["type": "image", "source": .object(["type": "url", "url": "https://example.com/a.webp"])]))

        // Ollama takes no URL: the suite fetches the image (one named by neither type nor extension is sniffed).
        let ollama = try serve(
            "ollama_chat_ok", files: ["/files/a.png": AttachmentFiles.png, "/blob": AttachmentFiles.gif])
        defer { ollama.stop() }
        let fetched = try runTool(
            "ai-complete",
            arguments: ["-p", "ollama", "-a", ollama.baseURL + "/files/a.png", "-a", ollama.baseURL + "/blob", "hi"],
            environment: toolEnvironment(["OLLAMA_HOST": ollama.baseURL]))
        #expect(fetched.status == 0, "\(fetched.stderrText)")
        #expect(ollama.requests.map(\.method) == ["GET", "GET", "POST"])
        #expect(
            try lastMessage(ollama)["images"]
                == .array([.string(Self.base64(AttachmentFiles.png)), .string(Self.base64(AttachmentFiles.gif))]))

        // OpenAI takes no PDF by URL: fetched, sent as a file part.
        let pdfServer = try serve("openai_chat_ok", files: ["/r.pdf": AttachmentFiles.pdf])
        defer { pdfServer.stop() }
        let pdf = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-a", pdfServer.baseURL + "/r.pdf", "sum"],
            environment: openAIEnvironment(pdfServer))
        #expect(pdf.status == 0, "\(pdf.stderrText)")
        #expect(
            try lastMessage(pdfServer)["content"]?[0]?["file"]
                == .object([
                    "filename": "r.pdf",
                    "file_data": .string("data:application/pdf;base64," + Self.base64(AttachmentFiles.pdf)),
                ]))
    }

    @Test func fetch_followsRedirects() throws {
        let server = try serve(
            "ollama_chat_ok", files: ["/files/a.png": AttachmentFiles.png],
            redirects: ["/short": "/go/next", "/go/next": "../files/a.png", "/loop": "/loop", "/ftp": "ftp://x/a.png"])
        defer { server.stop() }
        let environment = toolEnvironment(["OLLAMA_HOST": server.baseURL])
        let result = try runTool(
            "ai-complete", arguments: ["-p", "ollama", "-a", server.baseURL + "/short", "hi"], environment: environment)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(server.requests.map(\.pathWithoutQuery) == ["/short", "/go/next", "/files/a.png", "/api/chat"])
        #expect(try lastMessage(server)["images"] == .array([.string(Self.base64(AttachmentFiles.png))]))
        let loop = try runTool(
            "ai-complete", arguments: ["-p", "ollama", "-a", server.baseURL + "/loop", "hi"], environment: environment)
        #expect(loop.status == 66)
        #expect(errorLine(loop, tool: "ai-complete")?.hasSuffix("more than 5 redirects") == true)
        let ftp = try runTool(
            "ai-complete", arguments: ["-p", "ollama", "-a", server.baseURL + "/ftp", "hi"], environment: environment)
        #expect(ftp.status == 65)
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func stdin_isTheAttachmentWhenDash() throws {
        let server = try serve("openai_chat_ok")
        defer { server.stop() }
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-a", "-", "read", "this"], stdin: .bytes(AttachmentFiles.jpeg),
            environment: openAIEnvironment(server))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(
            try lastMessage(server)["content"]
                == .array([
                    .object([
                        "type": "image_url",
                        "image_url": .object([
                            "url": .string("data:image/jpeg;base64," + Self.base64(AttachmentFiles.jpeg))
                        ]),
                    ]),
                    .object(["type": "text", "text": "read this"]),
                ]))

        let streamed = try runTool(
            "ai-stream", arguments: ["-p", "echo", "-a", "-", "what"], stdin: .bytes(AttachmentFiles.png),
            environment: toolEnvironment())
        #expect(streamed.status == 0, "\(streamed.stderrText)")
        #expect(try streamed.stdoutLines.last?["content"] == nil)
        let text = try streamed.stdoutLines.compactMap { $0["type"] == "delta" ? $0["text"]?.stringValue : nil }
            .joined()
        #expect(text == "[image image/png, \(AttachmentFiles.png.count) bytes]\nwhat")

        for arguments in [["-a", "-"], ["-a", "-", "-"], ["-a", "-", "-a", "-", "x"], ["-n", "-a", "-", "x"]] {
            let refused = try runTool(
                "ai-complete", arguments: ["-p", "openai"] + arguments, stdin: .bytes(AttachmentFiles.png),
                environment: openAIEnvironment(server))
            #expect(refused.status == 64, "\(arguments)")
        }
        #expect(server.requests.count == 1)
    }

    @Test func refusals_sendNothing() throws {
        let server = try serve("anthropic_messages_ok")
        defer { server.stop() }
        var random = [UInt8](repeating: 0, count: 512)
        for index in random.indices { random[index] = UInt8(truncatingIfNeeded: index &* 7919 &+ 13) }
        random[0] = 0x01
        let big = AttachmentFiles.png + [UInt8](repeating: 0, count: 4 << 20)
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (["-a", try file("a.zip", AttachmentFiles.zip)], 65, "cannot attach a ZIP archive"),
            (["-a", try file("blob", random)], 65, "cannot attach binary data of an unknown type"),
            (["-a", try file("latin1.txt", Array("caf".utf8) + [0xE9])], 65, "cannot attach text that is not UTF-8"),
            (["-a", scratchPath("missing.png")], 66, "no such file"),
            (["-a", "ftp://example.com/a.png"], 65, "only http and https URLs can be attached"),
            (["-a", try file("big.png", big)], 65, "larger than the 5.0 MiB anthropic takes per image"),
            (["-a", server.baseURL + "/nothing.txt"], 66, "HTTP status 404"),
        ]
        for (arguments, status, message) in cases {
            let result = try runTool(
                "ai-complete", arguments: ["-p", "anthropic"] + arguments + ["hi"],
                environment: anthropicEnvironment(server))
            #expect(result.status == status, "\(arguments): \(result.stderrText)")
            #expect(errorLine(result, tool: "ai-complete")?.contains(message) == true, "\(result.stderrText)")
        }
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
    }

    @Test func messages_ownPartsPassAndNeutralPartsConvert() throws {
        let openAI = try serve("openai_chat_ok")
        defer { openAI.stop() }
        let own =
            #"[{"type":"image_url","image_url":{"url":"https://x.test/a.png","detail":"low"}},"#
            + #"{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},{"type":"text","text":"hi"}]"#
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai"],
            stdin: .text(#"{"messages":[{"role":"user","content":"# + own + "}]}"),
            environment: openAIEnvironment(openAI))
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try lastMessage(openAI)["content"] == JSON.parse(own))

        // The neutral form, as a conversation record carries it, becomes Anthropic's blocks.
        let anthropic = try serve("anthropic_messages_ok")
        defer { anthropic.stop() }
        let neutral =
            #"[{"type":"image","mime_type":"image/gif","data":"R0lGODlhAQABAAAAACw="},{"type":"text","text":"hi"}]"#
        let converted = try runTool(
            "ai-complete", arguments: ["-p", "anthropic"],
            stdin: .text(#"{"messages":[{"role":"user","content":"# + neutral + "}]}"),
            environment: anthropicEnvironment(anthropic))
        #expect(converted.status == 0, "\(converted.stderrText)")
        #expect(
            try lastMessage(anthropic)["content"]?[0]
                == .object([
                    "type": "image",
                    "source": .object(["type": "base64", "media_type": "image/gif", "data": "R0lGODlhAQABAAAAACw="]),
                ]))
    }

    @Test func batch_requestFieldAndFlagOnEveryLine() throws {
        let server = try serve("openai_chat_ok")
        defer { server.stop() }
        let notes = try file("notes.txt", AttachmentFiles.text)
        let pdf = try file("r.pdf", AttachmentFiles.pdf)
        let input = [
            #"{"id":"a","prompt":"one","attachments":[{"path":"\#(notes)"}]}"#,
            #"{"id":"b","prompt":"two","attachments":[{"data":"\#(Self.base64(AttachmentFiles.gif))","mime_type":"image/gif"}]}"#,
            #"{"id":"c","prompt":"three","attachments":[{"path":"\#(scratchPath("gone.png"))"}]}"#,
            #"{"id":"d","prompt":"four","attachments":[{"data":"\#(Self.base64(AttachmentFiles.zip))"}]}"#,
        ].joined(separator: "\n")
        let result = try runTool(
            "ai-complete", arguments: ["-p", "openai", "-a", pdf], stdin: .text(input),
            environment: openAIEnvironment(server))
        #expect(result.status == 66)
        let lines = try result.stdoutLines
        #expect(lines.map { $0["id"] } == ["a", "b", "c", "d"])
        #expect(lines[2]["error"]?["code"] == "no_input" && lines[3]["error"]?["code"] == "input")
        let bodies = server.requests.compactMap(\.json)
        #expect(bodies.count == 2)
        let file: JSON = .object([
            "type": "file",
            "file": .object([
                "filename": "r.pdf",
                "file_data": .string("data:application/pdf;base64," + Self.base64(AttachmentFiles.pdf)),
            ]),
        ])
        let first = bodies.first { $0["messages"]?[0]?["content"]?[2]?["text"] == "one" }
        #expect(
            first?["messages"]?[0]?["content"]
                == .array([file, Self.textPart("notes.txt"), .object(["type": "text", "text": "one"])]))
        let second = bodies.first { $0["messages"]?[0]?["content"]?[2]?["text"] == "two" }
        #expect(
            second?["messages"]?[0]?["content"]?[1]?["image_url"]?["url"]
                == .string("data:image/gif;base64," + Self.base64(AttachmentFiles.gif)))
    }
}

/// The smallest valid-looking file of each type, made in memory.
enum AttachmentFiles {
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
        0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
    static let jpeg: [UInt8] =
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0x00, 0x01, 0x01, 0xFF, 0xD9]
    static let gif: [UInt8] =
        Array("GIF89a".utf8) + [
            0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
        ]
    static let webp: [UInt8] =
        Array("RIFF".utf8) + [0x1A, 0x00, 0x00, 0x00] + Array("WEBPVP8L".utf8) + [0x0D, 0x00, 0x00, 0x00, 0x2F]
        + [UInt8](repeating: 0, count: 13)
    static let pdf: [UInt8] = Array("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)
    static let text: [UInt8] = Array("café ```ok```\nline two\n".utf8)
    static let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]
}

extension JSON {
    /// The element at `index` of an array, or nil.
    fileprivate subscript(index: Int) -> JSON? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
