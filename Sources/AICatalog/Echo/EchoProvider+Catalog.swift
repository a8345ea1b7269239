import AIProviders
import AIWire

extension EchoProvider {
    /// The echo provider's one model.
    package var models: [JSON] {
        [.object(["provider": .string(name), "id": .string(defaultModel), "owned_by": "ai"])]
    }
}
