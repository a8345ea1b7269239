import Glibc

/// The process environment, read once at start-up; nothing else in the suite calls `getenv`.
package struct Environment: Sendable {
    /// The variables the suite reads, as typed keys.
    package enum Key: String, Sendable, CaseIterable {
        case provider = "AI_PROVIDER"
        case model = "AI_MODEL"
        case config = "AI_CONFIG"
        case vault = "AI_VAULT"
        case keysSocket = "AI_KEYS_SOCK"
        case passphraseFile = "AI_PASSPHRASE_FILE"
        case openAIBaseURL = "OPENAI_BASE_URL"
        case openAIKey = "OPENAI_API_KEY"
        case anthropicBaseURL = "ANTHROPIC_BASE_URL"
        case anthropicKey = "ANTHROPIC_API_KEY"
        case ollamaHost = "OLLAMA_HOST"
        case curlCABundle = "CURL_CA_BUNDLE"
        case sslCertFile = "SSL_CERT_FILE"
        case sslCertDirectory = "SSL_CERT_DIR"
        case noColor = "NO_COLOR"
        case home = "HOME"
        case xdgConfigHome = "XDG_CONFIG_HOME"
        case xdgDataHome = "XDG_DATA_HOME"
        case xdgStateHome = "XDG_STATE_HOME"
        case xdgRuntimeDirectory = "XDG_RUNTIME_DIR"
    }

    /// Every variable, by name.
    package let values: [String: String]

    /// An environment with the given variables (tests).
    package init(_ values: [String: String]) {
        self.values = values
    }

    /// The process's environment.
    package static func current() -> Environment {
        var values: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            // Split on the bytes: a search by Character and String slicing cost several times more per variable.
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self),
                count: strlen(entry))
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                values[String(decoding: bytes[..<equals], as: UTF8.self)] =
                    String(decoding: bytes[(equals + 1)...], as: UTF8.self)
            }
            pointer += 1
        }
        return Environment(values)
    }

    /// A typed variable's value; an empty value counts as unset.
    package subscript(key: Key) -> String? {
        self[key.rawValue]
    }

    /// A variable's value by name (key variables named in the config); an empty value counts as unset.
    package subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}
