import AITransport
import AIWire

/// What a provider reports while it answers, in the order it arrives.
package enum ProviderEvent: Sendable, Equatable {
    /// A piece of generated text.
    case delta(String)
    /// A fragment of a tool call; `arguments` fragments with the same index are joined.
    case toolCall(index: Int, id: String?, name: String?, arguments: String)
    /// The provider's own finish reason.
    case finish(String)
    /// Token counts; a later report replaces an earlier one.
    case usage(Usage)
    /// The model the provider says answered.
    case model(String)
    /// A piece of the model's reasoning (thinking), kept apart from the text.
    case reasoning(String)
    /// The provider's signature over the reasoning so far (Anthropic), sent back with it to continue.
    case reasoningSignature(String)
}

/// A request with its defaults filled in and its provider chosen: what one attempt sends.
package struct ResolvedRequest: Sendable {
    /// The request, every default applied.
    package var request: CompletionRequest
    /// The model to ask for.
    package var model: String
    /// Whether to ask for a stream of events (`ai-stream`) or one response (`ai-complete`).
    package var stream: Bool
    /// Whether the request's schema meets OpenAI's strict rules (`strict: true` in `response_format`).
    package var schemaStrict = false

    /// A resolved request.
    package init(request: CompletionRequest, model: String, stream: Bool) {
        self.request = request
        self.model = model
        self.stream = stream
    }
}

/// What one attempt may use besides the request.
package struct AttemptContext {
    /// The transport for HTTP providers.
    package var transport: () throws -> any Transport
    /// Timeouts for the exchange.
    package var limits: TransferLimits
    /// Called once when the provider starts answering successfully (HTTP 2xx), before the first event.
    package var responseStarted: () throws -> Void
    /// Called after the events of one piece of input (one network read) were emitted: what they produced
    /// must reach the reader now.
    package var flush: () throws -> Void
    /// Where a stream's text read as the provider wrote it goes (instead of a `.delta` event built from it), so
    /// that it can be copied to the output as it is; nil makes such text a `.delta` event like any other.
    package var text: ((JSONStringBody) throws -> Void)?

    /// A context with the given parts.
    package init(
        transport: @escaping () throws -> any Transport,
        limits: TransferLimits,
        responseStarted: @escaping () throws -> Void,
        flush: @escaping () throws -> Void = {},
        text: ((JSONStringBody) throws -> Void)? = nil
    ) {
        self.transport = transport
        self.limits = limits
        self.responseStarted = responseStarted
        self.flush = flush
        self.text = text
    }
}

/// A model provider: turns a request into events.
///
/// One attempt is one exchange; retrying is the runner's business (`RetryPolicy`). A provider reports
/// failure by throwing `AIError` (its error bodies, mid-stream errors, a stream cut before its end
/// marker) or `TransportError`; errors thrown by `emit` pass through unchanged.
package protocol Provider: Sendable {
    /// The name users give with `-p` (`openai`, `echo`, or a config name).
    var name: String { get }
    /// The model used when neither the request, `-m`, `AI_MODEL` nor the config names one.
    var defaultModel: String { get }
    /// The attachments it takes (`textOnly` unless it says otherwise).
    var attachmentRules: AttachmentRules { get }
    /// Makes one attempt, calling `emit` for every event as it arrives.
    func attempt(
        _ request: ResolvedRequest,
        context: AttemptContext,
        emit: (ProviderEvent) throws -> Void
    ) throws
}

extension Provider {
    /// Text attachments only.
    package var attachmentRules: AttachmentRules { .textOnly }
}

/// How providers ask for an answer that meets a schema.
package enum ProviderAnswer {
    /// The schema's name in OpenAI's `response_format`, and the forced tool's name where a tool carries the answer.
    package static let toolName = "answer"
    /// The forced tool's description.
    package static let toolDescription = "Give the answer: its input is the whole answer, meeting the input schema."
}
