import AIBase
import AITransport
import AIWire

/// Ollama's native chat API (`POST /api/chat`), whole or as NDJSON lines.
package struct OllamaProvider: HTTPProvider {
    /// Where Ollama listens when `OLLAMA_HOST` is unset.
    package static let defaultBaseURL = "http://127.0.0.1:11434"

    /// The name users give with `-p` (`ollama`, or a config name).
    package let name: String
    /// The model used when nothing else names one.
    package let defaultModel: String
    /// The server's base URL (no trailing slash); `/api/chat` is appended.
    package let baseURL: String
    /// A key sent as `Authorization: Bearer` (Ollama's cloud, or a proxy that wants one); nil sends none,
    /// which is what a local server expects.
    package let apiKey: String?

    /// Headers added to every request (config `headers`).
    package let extraHeaders: [(name: String, value: String)]

    /// A provider with the given server and optional key.
    package init(
        name: String = "ollama",
        baseURL: String = OllamaProvider.defaultBaseURL,
        apiKey: String? = nil,
        defaultModel: String = "llama3.2",
        extraHeaders: [(name: String, value: String)] = []
    ) {
        var base = Substring(baseURL)
        while base.hasSuffix("/") { base.removeLast() }
        self.name = name
        self.baseURL = String(base)
        self.apiKey = apiKey
        self.defaultModel = defaultModel
        self.extraHeaders = extraHeaders
    }

    /// The `POST` for one attempt.
    package func httpRequest(for resolved: ResolvedRequest) throws -> HTTPRequest {
        .postJSON(
            baseURL + "/api/chat", body: body(for: resolved), stream: resolved.stream,
            streamType: "application/x-ndjson", credentials: HTTPRequest.bearer(apiKey), extra: extraHeaders)
    }

    /// The `/api/chat` body: model, messages (the system prompt first), `stream` (always sent: Ollama streams
    /// when it is missing), sampling knobs inside `options`, then `extra` merged last.
    ///
    /// Messages keep their role and fields; content given as an array of parts is sent as the text of its
    /// text parts, since Ollama wants a string. `options` holds `temperature`, `top_p`, `seed`,
    /// `num_predict` (from `max_tokens`), `stop`, `frequency_penalty` and `presence_penalty`. An `options`
    /// object in `extra` is merged into these member by member (its members win), so
    /// `"extra":{"options":{"num_ctx":8192}}` keeps `-t`; every other `extra` member replaces the body's. Reasoning
    /// asked for, or refused (`think` off), is `think`.
    package func body(for resolved: ResolvedRequest) -> JSON {
        let request = resolved.request
        var body: JSONObject = [
            "model": .string(resolved.model), "messages": .array(OllamaMessages.messages(request)),
            "stream": .bool(resolved.stream),
        ]
        var options: JSONObject = [:]
        if let value = request.temperature { options["temperature"] = .double(value) }
        if let value = request.topP { options["top_p"] = .double(value) }
        if let value = request.seed { options["seed"] = .int(value) }
        if let value = request.maxTokens { options["num_predict"] = .int(value) }
        if let stop = request.stop, !stop.isEmpty { options["stop"] = .array(stop.map(JSON.string)) }
        if let value = request.frequencyPenalty { options["frequency_penalty"] = .double(value) }
        if let value = request.presencePenalty { options["presence_penalty"] = .double(value) }
        if !options.isEmpty { body["options"] = .object(options) }
        if let schema = request.schema { body["format"] = schema }
        if !request.toolSpecs.isEmpty { body["tools"] = OllamaMessages.tools(request.toolSpecs) }
        if let think = request.think { body["think"] = .bool(think != .off) }
        for member in request.extra?.members ?? [] {
            if member.key == "options", case .object(let given) = member.value,
                case .object(var merged)? = body["options"]
            {
                for option in given.members { merged[option.key] = option.value }
                body["options"] = .object(merged)
            } else {
                body[member.key] = member.value
            }
        }
        return .object(body)
    }

    /// A fresh decoder for a streamed body.
    package func makeStreamDecoder() -> any StreamDecoder {
        OllamaStreamDecoder(provider: name)
    }

    /// Decodes a whole response: one object shaped like a stream's final `done:true` line.
    package func decodeCompletion(_ body: [UInt8], emit: (ProviderEvent) throws -> Void) throws {
        let json: JSON
        do { json = try JSON.parse(body) } catch {
            throw AIError(
                .protocol,
                "\(name) sent a response that is not JSON: \(error.reason) at byte \(error.offset)")
        }
        guard json.objectValue != nil else { throw AIError(.protocol, "\(name) sent a response that is not an object") }
        if let model = json["model"]?.stringValue { try emit(.model(model)) }
        var toolIndex = 0
        guard try OllamaWire.decode(json, provider: name, nextToolIndex: &toolIndex, emit: emit) else {
            throw AIError(.protocol, "\(name) sent a response without done:true")
        }
    }

    /// The failure a non-2xx response means; a missing model gets an `ollama pull` hint.
    package func decodeError(head: HTTPResponseHead, body: [UInt8]) -> AIError {
        let details = HTTPErrorMapping.details(body)
        var error = HTTPErrorMapping.error(provider: name, head: head, details: details, body: body)
        if error.code == .notFound, let model = OllamaWire.missingModel(in: details.message) {
            error.hints.append("download it with: ai-models pull \(model)")
        }
        return error
    }

    // MARK: - OLLAMA_HOST

    /// The base URL `OLLAMA_HOST` means, read the way Ollama itself reads it (`envconfig.Host`).
    ///
    /// Spaces and quotes around the value are trimmed; unset or empty is `http://127.0.0.1:11434`. Without a
    /// scheme the port defaults to 11434 (`host` → `http://host:11434`); `http://h` means port 80 and
    /// `https://h` 443. `[::1]` and `::1` both give `http://[::1]:11434`; a port outside 0…65535 or not a
    /// number falls back to the default one; a path is kept (`https://example.com/ollama`); the bare value
    /// `ollama.com` means `https://ollama.com:443`. One deliberate difference: an empty host (`:1234`) is
    /// `127.0.0.1` rather than Ollama's `http://:1234`, since a client needs a host to connect to and an
    /// empty one means the local machine anyway.
    package static func baseURL(fromHost host: String?) -> String {
        let trimmable: Set<Character> = [" ", "\t", "\n", "\r", "\"", "'"]
        var value = Substring(host ?? "")
        while let first = value.first, trimmable.contains(first) { value.removeFirst() }
        while let last = value.last, trimmable.contains(last) { value.removeLast() }
        if value.isEmpty { return defaultBaseURL }

        var scheme = "http"
        var defaultPort = "11434"
        var hostPort = value
        if let separator = value.firstRange(of: "://") {
            scheme = String(value[..<separator.lowerBound])
            hostPort = value[separator.upperBound...]
            if scheme == "http" { defaultPort = "80" } else if scheme == "https" { defaultPort = "443" }
        } else if value == "ollama.com" {
            scheme = "https"
            hostPort = "ollama.com:443"
        }
        var path = Substring("")
        if let slash = hostPort.firstIndex(of: "/") {
            path = hostPort[hostPort.index(after: slash)...]
            hostPort = hostPort[..<slash]
        }
        while path.hasSuffix("/") { path.removeLast() }

        var name: Substring
        var port: Substring
        if let split = splitHostPort(hostPort) {
            (name, port) = split
        } else {
            let bare = hostPort.drop { $0 == "[" }.reversed().drop { $0 == "]" }.reversed()
            let literal = String(bare)
            name = isIPv6Literal(literal) ? Substring(literal) : hostPort
            port = Substring(defaultPort)
        }
        if name.isEmpty { name = "127.0.0.1" }
        if port.isEmpty || !port.allSatisfy({ $0.isASCII && $0.isNumber }) || (Int(port) ?? Int.max) > 65535 {
            port = Substring(defaultPort)
        }
        let authority = name.contains(":") ? "[\(name)]:\(port)" : "\(name):\(port)"
        return "\(scheme)://\(authority)" + (path.isEmpty ? "" : "/\(path)")
    }

    /// `host:port` or `[host]:port` split as Go's `net.SplitHostPort` does; nil when it would fail.
    private static func splitHostPort(_ text: Substring) -> (host: Substring, port: Substring)? {
        guard let lastColon = text.lastIndex(of: ":") else { return nil }
        let host: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text.index(after: close) == lastColon else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
        } else {
            host = text[..<lastColon]
            guard !host.contains(":") else { return nil }
        }
        let port = text[text.index(after: lastColon)...]
        guard !host.contains("["), !host.contains("]"), !port.contains("["), !port.contains("]") else { return nil }
        return (host, port)
    }

    /// Whether `text` looks like an IPv6 address literal (hex digits, colons, dots; at least two colons).
    private static func isIPv6Literal(_ text: String) -> Bool {
        text.filter { $0 == ":" }.count >= 2 && text.allSatisfy { $0 == ":" || $0 == "." || $0.isHexDigit }
    }
}
