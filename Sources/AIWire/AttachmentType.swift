import AIBase

/// What an attachment is, found from its first bytes (never from its name).
package enum AttachmentType: Sendable, Equatable {
    /// A PNG, JPEG, GIF or WebP image, with its media type.
    case image(String)
    /// A PDF document.
    case pdf
    /// UTF-8 text.
    case text

    /// The media type: `image/png`, `image/jpeg`, `image/gif`, `image/webp`, `application/pdf`, `text/plain`.
    package var mimeType: String {
        switch self {
        case .image(let type): type
        case .pdf: "application/pdf"
        case .text: "text/plain"
        }
    }

    /// The image media types every provider that takes images takes.
    package static let imageTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    /// The type of `bytes` by their content: an image or PDF by its signature, text when the bytes are UTF-8 with
    /// no control characters but tab, line feed, form feed, carriage return and escape.
    /// - Throws: `AIError` (`input`) naming what the bytes seem to be (a ZIP archive, invalid UTF-8, binary data).
    package static func sniff(_ bytes: [UInt8], name: String) throws(AIError) -> AttachmentType {
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + signature.count && bytes[offset..<offset + signature.count].elementsEqual(signature)
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .image("image/png") }
        if starts([0xFF, 0xD8, 0xFF]) { return .image("image/jpeg") }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .image("image/gif") }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .image("image/webp") }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        let refused = "\(name): cannot attach"
        let supported = "attach PNG, JPEG, GIF or WebP images, PDF documents or UTF-8 text"
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            throw AIError(.input, "\(refused) a ZIP archive", hints: [supported])
        }
        let binary = bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0C && $0 != 0x0D && $0 != 0x1B }
        if binary { throw AIError(.input, "\(refused) binary data of an unknown type", hints: [supported]) }
        let valid = bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
        if !valid { throw AIError(.input, "\(refused) text that is not UTF-8", hints: [supported]) }
        return .text
    }

    /// The type a URL names without fetching it: its `mime_type` when given, else its path's extension (`.png`,
    /// `.jpg`, `.jpeg`, `.gif`, `.webp`, `.pdf`); nil when neither says (the URL must then be fetched to know).
    package static func named(url: String, mimeType: String?) -> AttachmentType? {
        if let mimeType {
            let type = mimeType.lowercased()
            if imageTypes.contains(type) { return .image(type) }
            if type == "image/jpg" { return .image("image/jpeg") }
            if type == "application/pdf" { return .pdf }
            return nil
        }
        var path = Substring(url)
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "png": return .image("image/png")
        case "jpg", "jpeg": return .image("image/jpeg")
        case "gif": return .image("image/gif")
        case "webp": return .image("image/webp")
        case "pdf": return .pdf
        default: return nil
        }
    }
}
