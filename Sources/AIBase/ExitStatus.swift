/// The tools' exit statuses (sysexits), the single table of DESIGN §4.
package enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Success; also when the reader closed stdout.
    case success = 0
    /// A predicate was false (`ai-keys status` when locked); never an error.
    case predicateFalse = 1
    /// Bad flags or arguments (EX_USAGE).
    case usage = 64
    /// Malformed stdin; the provider rejected the request; a corrupted vault (EX_DATAERR).
    case dataError = 65
    /// No input (EX_NOINPUT).
    case noInput = 66
    /// Connection refused, DNS failure, 5xx after retries (EX_UNAVAILABLE).
    case unavailable = 69
    /// A bug: a broken invariant (EX_SOFTWARE).
    case software = 70
    /// A local I/O error (EX_IOERR).
    case ioError = 74
    /// Rate limited, timed out, stream cut before its end marker: safe to retry later (EX_TEMPFAIL).
    case tempFail = 75
    /// The provider's response could not be parsed; an answer that does not meet its schema (EX_PROTOCOL).
    case protocolError = 76
    /// 401/403, wrong passphrase, vault locked with no way to unlock (EX_NOPERM).
    case noPermission = 77
    /// No key for the provider, unknown provider, bad config file, an API the provider lacks (EX_CONFIG).
    case config = 78
    /// Interrupted by SIGINT.
    case interrupted = 130
}

/// The `code` of an error record (DESIGN §3), each with the exit status it gives.
package enum ErrorCode: String, Sendable, CaseIterable {
    case usage, input, noInput = "no_input", auth, noKey = "no_key", vaultLocked = "vault_locked"
    case notFound = "not_found", rejected, contextLength = "context_length"
    case rateLimited = "rate_limited", quota, timeout, unavailable, server, `protocol`, incomplete, cancelled
    case config, io, `internal`, notSupported = "not_supported"
    case schema
    case toolLoop = "tool_loop"

    /// The exit status a failure with this code gives (DESIGN §4).
    package var exitStatus: ExitStatus {
        switch self {
        case .usage: .usage
        case .input, .notFound, .rejected, .contextLength, .toolLoop: .dataError
        case .noInput: .noInput
        case .auth, .vaultLocked, .quota: .noPermission
        case .noKey, .config, .notSupported: .config
        case .rateLimited, .timeout, .incomplete: .tempFail
        case .unavailable, .server: .unavailable
        case .protocol, .schema: .protocolError
        case .cancelled: .interrupted
        case .io: .ioError
        case .internal: .software
        }
    }
}

/// A failure as users and scripts see it: an error record on stdout, a line on stderr, an exit status.
///
/// Every error the library throws toward a tool is, or converts to, an `AIError`: transport failures
/// through `AIError(_ transport:provider:)`, provider error bodies through each provider's decoder.
package struct AIError: Error, Sendable, Equatable {
    /// The error record's `code`.
    package var code: ErrorCode
    /// One lowercase line without a final period.
    package var message: String
    /// The HTTP status, when a response carried one.
    package var httpStatus: Int?
    /// Whether an identical request later may succeed.
    package var retryable: Bool
    /// The server's hint, in seconds, of when to retry.
    package var retryAfter: Double?
    /// The exit status: always the code's, from the one table (`ErrorCode.exitStatus`).
    package var exitStatus: ExitStatus { code.exitStatus }
    /// Extra `hint:` lines for stderr.
    package var hints: [String]
    /// With `context_length`: the prompt's size in tokens, when the server said it.
    package var promptTokens: Int?
    /// With `context_length`: the model's context in tokens, when the server said it.
    package var contextTokens: Int?
    /// With `schema`: how the answer fails its schema, at most 10 (the record's `errors`).
    package var schemaErrors: [SchemaProblem]?
    /// With `schema`: the answer as the model wrote it (the record's `content`).
    package var content: String?
    /// With `schema`: the tokens every attempt used, summed, when the provider said (the error line's `usage`).
    package var tokens: Tokens?

    /// An error with the given code and message; the exit status follows the code.
    package init(
        _ code: ErrorCode,
        _ message: String,
        httpStatus: Int? = nil,
        retryable: Bool? = nil,
        retryAfter: Double? = nil,
        hints: [String] = []
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.retryable =
            retryable ?? [.rateLimited, .timeout, .unavailable, .server, .incomplete, .schema].contains(code)
        self.retryAfter = retryAfter
        self.hints = hints
    }
}

extension AIError {
    /// One way an answer fails its schema: `{"path","keyword","message"}` in an error record's `errors`.
    package struct SchemaProblem: Sendable, Equatable {
        /// The JSON Pointer of the failing place in the answer, `""` for the root.
        package var path: String
        /// The schema keyword that failed.
        package var keyword: String
        /// What is wrong, one lowercase line.
        package var message: String

        /// A problem with the given parts.
        package init(path: String, keyword: String, message: String) {
            self.path = path
            self.keyword = keyword
            self.message = message
        }
    }

    /// Token counts carried by an error: prompt, completion and their total.
    package struct Tokens: Sendable, Equatable {
        /// Tokens read.
        package var prompt: Int
        /// Tokens generated.
        package var completion: Int
        /// The total.
        package var total: Int
        /// Of the prompt tokens, those read from the provider's cache, when it said.
        package var cached: Int?

        /// Counts with the given parts.
        package init(prompt: Int, completion: Int, total: Int, cached: Int? = nil) {
            self.prompt = prompt
            self.completion = completion
            self.total = total
            self.cached = cached
        }
    }

    /// "20s", "1.5s": seconds as messages print them (any value, however large, without trapping).
    package static func seconds(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)s" }
        return value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}
