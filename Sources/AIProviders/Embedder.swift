import AIBase
import AITransport
import AIWire

/// One provider request for embeddings: texts in order, the model, and the size asked for.
package struct EmbeddingRequest: Sendable, Equatable {
    /// The model to ask for.
    package var model: String
    /// The texts, in order.
    package var texts: [String]
    /// `--dimensions`, when given.
    package var dimensions: Int?

    /// A request for the given texts.
    package init(model: String, texts: [String], dimensions: Int? = nil) {
        self.model = model
        self.texts = texts
        self.dimensions = dimensions
    }
}

/// What a provider answered for an `EmbeddingRequest`: one vector per text, in order.
package struct EmbeddingResponse: Sendable, Equatable {
    /// The model the provider says answered.
    package var model: String
    /// One vector per text.
    package var vectors: [[Float]]
    /// The input tokens of the whole request, when the provider said.
    package var promptTokens: Int?
    /// The input tokens of each text, when the provider counts them one by one (echo).
    package var textTokens: [Int]?

    /// A response with the given parts.
    package init(model: String, vectors: [[Float]], promptTokens: Int?, textTokens: [Int]? = nil) {
        self.model = model
        self.vectors = vectors
        self.promptTokens = promptTokens
        self.textTokens = textTokens
    }
}

/// A provider with an embeddings API (DESIGN §13).
package protocol Embedder: Sendable {
    /// The name users give with `-p`.
    var name: String { get }
    /// The embedding model used when `-m` names none.
    var defaultEmbeddingModel: String { get }
    /// Makes one attempt; retrying is the caller's business.
    /// - Throws: `AIError` for every failure, `protocol` when the answer does not hold one vector per text.
    func embed(_ request: EmbeddingRequest, context: AttemptContext) throws -> EmbeddingResponse
}

extension ProviderRegistry {
    /// The providers with an embeddings API, as hints name them.
    package static let embeddingProviders = "openai (and OpenAI-compatible servers), ollama, echo"

    /// The provider named `name` as an embedder.
    /// - Throws: `AIError` (`not_supported`) for a provider without an embeddings API; what `provider(named:)`
    ///   throws.
    package func embedder(named name: String) throws -> any Embedder {
        if try spec(named: name).kind == .anthropic {
            throw AIError(
                .notSupported, "\(name) has no embeddings API",
                hints: ["providers with embeddings: \(Self.embeddingProviders)"])
        }
        guard let embedder = try provider(named: name) as? any Embedder else {
            throw AIError(
                .notSupported, "\(name) has no embeddings API",
                hints: ["providers with embeddings: \(Self.embeddingProviders)"])
        }
        return embedder
    }
}
