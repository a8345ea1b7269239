import AIBase
import AIProviders
import AITransport
import AIWire
import Glibc

/// Reads attachments (DESIGN §12) and puts them into a request as neutral content parts, for the provider that
/// will send it: files and stdin are read whole into memory (never copied to disk), URLs are passed on where the
/// provider takes them and fetched through the suite's transport where it does not.
package struct AttachmentLoader {
    /// The most bytes of one attachment read from a file or stdin, or fetched.
    package static let readLimit = 64 << 20

    /// The transport URLs are fetched through.
    package var transport: () throws -> any Transport
    /// Timeouts for a fetch.
    package var limits: TransferLimits

    /// A loader that fetches through `transport` within `limits`.
    package init(transport: @escaping () throws -> any Transport, limits: TransferLimits) {
        self.transport = transport
        self.limits = limits
    }

    /// The bytes of the file at `path`.
    /// - Throws: `AIError` (`no_input`) when it is missing or cannot be read; (`input`) when it is larger than
    ///   `readLimit`.
    package static func read(path: String) throws(AIError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let reason = errno == ENOENT ? "no such file" : MessageText.systemError()
            throw AIError(.noInput, "cannot attach \(path): \(reason)")
        }
        defer { close(descriptor) }
        return try readAll(descriptor, name: path)
    }

    /// Everything on stdin (`-a -`).
    /// - Throws: as `read(path:)`.
    package static func readStandardInput() throws(AIError) -> [UInt8] {
        try readAll(0, name: "stdin")
    }

    private static func readAll(_ descriptor: Int32, name: String) throws(AIError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw AIError(.noInput, "cannot attach \(name): \(MessageText.systemError())") }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
            if bytes.count > readLimit {
                throw AIError(.input, "cannot attach \(name): larger than \(readLimit >> 20) MiB")
            }
        }
    }

    /// Puts the request's attachments into its last user message as neutral parts (and empties `attachments`),
    /// checks that the provider takes their kinds, fetches every image or document URL in its messages that
    /// `provider` does not take by URL, and checks them all against the provider's rules, all before anything is
    /// sent. A URL whose type neither its `mime_type` nor its extension tells is fetched first, to be sniffed.
    /// - Throws: `AIError`: (`no_input`) for a file that cannot be read or a URL that cannot be fetched; (`input`)
    ///   for a type not attached or not taken by the provider, a URL that is not http or https, a size over a limit;
    ///   a transport failure while fetching.
    package func apply(to request: inout CompletionRequest, provider: any Provider) throws {
        let hasParts = request.messages.contains { message in
            if case .array = message.content { return true }
            return false
        }
        guard hasParts || !request.attachments.isEmpty else { return }
        let rules = provider.attachmentRules
        var parts: [JSON] = []
        for attachment in request.attachments { parts.append(try part(attachment)) }
        request.attachments = []
        AttachmentParts.insert(parts, into: &request.messages)
        try rules.check(request.messages, provider: provider.name, fetchingURLs: true)
        for index in request.messages.indices {
            guard case .array(var given) = request.messages[index].content,
                given.contains(where: { needsFetch($0, rules) })
            else { continue }
            for position in given.indices where needsFetch(given[position], rules) {
                given[position] = try fetchedPart(given[position])
            }
            request.messages[index].content = .array(given)
            request.messages[index].object["content"] = .array(given)
        }
        try rules.check(request.messages, provider: provider.name)
    }

    /// The neutral part of one attachment.
    private func part(_ attachment: Attachment) throws -> JSON {
        switch attachment.source {
        case .path(let path):
            let bytes = try Self.read(path: path)
            return AttachmentParts.part(
                bytes, type: try AttachmentType.sniff(bytes, name: path),
                name: attachment.name ?? Attachment.fileName(path))
        case .data(let bytes):
            let type = try AttachmentType.sniff(bytes, name: attachment.name ?? "attachment")
            return AttachmentParts.part(bytes, type: type, name: attachment.name ?? Self.defaultName(type))
        case .url(let url):
            try Self.checkScheme(url)
            let name = attachment.name ?? Self.name(ofURL: url)
            if let type = AttachmentType.named(url: url, mimeType: attachment.mimeType),
                let part = AttachmentParts.part(url: url, type: type, name: name)
            {
                // Kept as a URL: the provider fetches it, or it is fetched once the kinds are checked.
                return part
            }
            let bytes = try fetch(url)
            return AttachmentParts.part(bytes, type: try AttachmentType.sniff(bytes, name: url), name: name)
        }
    }

    /// Whether `part` is an image or document URL of a kind the provider takes, but not by URL.
    private func needsFetch(_ part: JSON, _ rules: AttachmentRules) -> Bool {
        guard AttachmentParts.isNeutral(part), part["data"] == nil, part["url"] != nil else { return false }
        let document = part["type"]?.stringValue == "document"
        return document ? rules.documents && !rules.documentURLs : rules.images && !rules.imageURLs
    }

    /// A URL part with its content fetched: `{"type":"image","mime_type","data"}` or a document's.
    private func fetchedPart(_ part: JSON) throws -> JSON {
        let url = part["url"]?.stringValue ?? ""
        try Self.checkScheme(url)
        let bytes = try fetch(url)
        let name = part["name"]?.stringValue ?? Self.name(ofURL: url)
        return AttachmentParts.part(bytes, type: try AttachmentType.sniff(bytes, name: url), name: name)
    }

    /// The most redirects a fetch follows.
    package static let redirectLimit = 5

    /// The body of a `GET` of `url`, following up to `redirectLimit` redirects (to http or https URLs).
    /// - Throws: `AIError` (`no_input`) for a response that is not 2xx, or too many redirects; (`input`) for a
    ///   redirect to another scheme; a transport failure's error.
    private func fetch(_ url: String) throws -> [UInt8] {
        var current = url
        for _ in 0...Self.redirectLimit {
            var location: String?
            let request = HTTPRequest(method: "GET", url: current, headers: [(name: "Accept", value: "*/*")])
            do {
                return try HTTPExchange.perform(
                    request, provider: "the attachment server", transport: try transport(), limits: limits,
                    failure: { head, _ in
                        if [301, 302, 303, 307, 308].contains(head.status), let target = head.header("location") {
                            location = target
                        }
                        return AIError(.noInput, "cannot attach \(url): HTTP status \(head.status)")
                    })
            } catch var error as AIError {
                guard let location else {
                    error.hints = []
                    throw error
                }
                current = Self.resolve(location, against: current)
                try Self.checkScheme(current)
            }
        }
        throw AIError(.noInput, "cannot attach \(url): more than \(Self.redirectLimit) redirects")
    }

    /// A redirect's `location` as an absolute URL: as it is when it has a scheme, else on the host of `base`
    /// (`/path`), else beside its last path component.
    package static func resolve(_ location: String, against base: String) -> String {
        if Attachment.isURL(location) { return location }
        let parts = base.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        // "https:", "", the host, then the path.
        guard parts.count >= 3 else { return location }
        let origin = parts[0...2].joined(separator: "/")
        if location.hasPrefix("//") { return parts[0] + location }
        if location.hasPrefix("/") { return origin + location }
        var path = parts.count > 3 ? "/" + parts[3] : "/"
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<end]) }
        let directory = path[...(path.lastIndex(of: "/") ?? path.startIndex)]
        return origin + directory + location
    }

    /// Refuses a URL libcurl would not read as `http://` or `https://`.
    private static func checkScheme(_ url: String) throws(AIError) {
        guard let parsed = try? ParsedURL(url), parsed.scheme == "http" || parsed.scheme == "https" else {
            throw AIError(.input, "cannot attach \(url): only http and https URLs can be attached")
        }
    }

    /// The last component of a URL's path, without its query (`https://x/a/b.png?s=1`: `b.png`).
    private static func name(ofURL url: String) -> String {
        var path = Substring(url)
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        // "https:", "", the host, then the path's components.
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count > 3, let last = components.last, !last.isEmpty else { return "document" }
        return String(last)
    }

    private static func defaultName(_ type: AttachmentType) -> String {
        switch type {
        case .image: "image"
        case .pdf: "document.pdf"
        case .text: "attachment"
        }
    }
}
