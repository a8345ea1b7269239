import AIBase
import AIWire

/// What attachments a provider takes (DESIGN §12): which kinds, which by URL, and how large, measured as sent
/// (base64 text).
package struct AttachmentRules: Sendable, Equatable {
    /// PNG, JPEG, GIF and WebP images.
    package var images: Bool
    /// Images given by URL, which the provider fetches itself (else the suite fetches them).
    package var imageURLs: Bool
    /// PDF documents.
    package var documents: Bool
    /// Documents given by URL, which the provider fetches itself (else the suite fetches them).
    package var documentURLs: Bool
    /// The most bytes of one image as sent.
    package var imageLimit: Int
    /// The most bytes of one document as sent.
    package var documentLimit: Int
    /// The most bytes of every image and document of a request together, as sent.
    package var requestLimit: Int

    /// Rules with the given parts.
    package init(
        images: Bool, imageURLs: Bool, documents: Bool, documentURLs: Bool, imageLimit: Int, documentLimit: Int,
        requestLimit: Int
    ) {
        self.images = images
        self.imageURLs = imageURLs
        self.documents = documents
        self.documentURLs = documentURLs
        self.imageLimit = imageLimit
        self.documentLimit = documentLimit
        self.requestLimit = requestLimit
    }

    /// Neither images nor documents (text attachments are text and always taken).
    package static let textOnly = AttachmentRules(
        images: false, imageURLs: false, documents: false, documentURLs: false, imageLimit: 0, documentLimit: 0,
        requestLimit: 0)

    /// Whether the provider takes an attachment of `type` by its URL.
    package func takesURL(_ type: AttachmentType) -> Bool {
        switch type {
        case .image: imageURLs
        case .pdf: documentURLs
        case .text: false
        }
    }

    /// Checks the neutral image and document parts of every message against these rules (other parts pass as they
    /// are).
    /// - Throws: `AIError` (`input`) for a kind the provider does not take, one given by a URL it does not take, or a
    ///   size over a limit.
    /// - Parameter fetchingURLs: URLs the provider does not take will be fetched: only the kinds are checked.
    package func check(_ messages: [Message], provider: String, fetchingURLs: Bool = false) throws(AIError) {
        var total = 0
        for message in messages {
            guard case .array(let parts) = message.content else { continue }
            for part in parts where AttachmentParts.isNeutral(part) {
                let isImage = part["type"]?.stringValue == "image"
                let kind = isImage ? "images" : "PDF documents"
                guard isImage ? images : documents else {
                    let name = part["name"]?.stringValue.map { " (\($0))" } ?? ""
                    throw AIError(
                        .input, "\(provider) does not take \(kind)\(name)",
                        hints: ["choose a provider that does with -p (openai and anthropic take images and PDFs)"])
                }
                if let mimeType = part["mime_type"]?.stringValue,
                    isImage ? !AttachmentType.imageTypes.contains(mimeType) : mimeType != "application/pdf"
                {
                    throw AIError(.input, "\(provider) does not take attachments of type \(mimeType)")
                }
                guard let data = part["data"]?.stringValue else {
                    guard (isImage ? imageURLs : documentURLs) || fetchingURLs else {
                        throw AIError(.input, "\(provider) does not take \(kind) by URL")
                    }
                    continue
                }
                let size = data.utf8.count
                let limit = isImage ? imageLimit : documentLimit
                if size > limit {
                    throw AIError(
                        .input,
                        "an attachment of \(Self.megabytes(size)) is larger than the \(Self.megabytes(limit)) "
                            + "\(provider) takes per \(isImage ? "image" : "document") (as base64)")
                }
                total += size
                if total > requestLimit {
                    throw AIError(
                        .input,
                        "the attachments add up to more than the \(Self.megabytes(requestLimit)) \(provider) takes "
                            + "in one request (as base64)")
                }
            }
        }
    }

    /// `bytes` in MiB with one decimal (`5.0 MiB`).
    package static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
