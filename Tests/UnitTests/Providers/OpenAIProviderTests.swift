import AIBase
import AIConfig
import AIProviders
import AIWire
import Testing

@Suite struct OpenAIProviderTests {
    func request(stream: Bool, maxTokens: Int? = 5, extra: JSONObject? = nil) -> ResolvedRequest {
        var request = CompletionRequest(prompt: "hi")
        request.system = "be brief"
        request.maxTokens = maxTokens
        request.stop = ["END"]
        request.extra = extra
        return ResolvedRequest(request: request, model: "m1", stream: stream)
    }

    @Test func body_usesMaxCompletionTokensOnlyForTheOfficialAPI() {
        let official = OpenAIProvider(apiKey: "k").body(for: request(stream: false))
        #expect(official["max_completion_tokens"] == .number("5"))
        #expect(official["max_tokens"] == nil)
        let local = OpenAIProvider(baseURL: "http://127.0.0.1:8080/v1", apiKey: nil).body(for: request(stream: false))
        #expect(local["max_tokens"] == .number("5"))
        #expect(local["max_completion_tokens"] == nil)
    }

    @Test func body_streamsWithUsageAndPutsTheSystemPromptFirst() {
        let body = OpenAIProvider(apiKey: "k").body(for: request(stream: true))
        #expect(body["stream"] == .bool(true))
        #expect(body["stream_options"]?["include_usage"] == .bool(true))
        #expect(body["messages"]?.arrayValue?.first?["role"] == .string("system"))
        #expect(body["stop"] == .array(["END"]))
        let whole = OpenAIProvider(apiKey: "k").body(for: request(stream: false))
        #expect(whole["stream"] == nil && whole["stream_options"] == nil)
    }

    @Test func body_mergesExtraLast() {
        let body = OpenAIProvider(apiKey: "k").body(
            for: request(stream: false, extra: ["seed": .int(3), "n": .int(1)]))
        #expect(body["seed"] == .number("3"))
        #expect(body["n"] == .number("1"))
    }

    @Test func httpRequest_sendsTheKeyOnlyWhenThereIsOne() throws {
        let keyed = try OpenAIProvider(apiKey: "sk-1").httpRequest(for: request(stream: true))
        #expect(keyed.headers.contains { $0.name == "Authorization" && $0.value == "Bearer sk-1" })
        #expect(keyed.url == "https://api.openai.com/v1/chat/completions")
        let keyless = try OpenAIProvider(baseURL: "http://127.0.0.1:1/v1/", apiKey: nil).httpRequest(
            for: request(stream: true))
        #expect(!keyless.headers.contains { $0.name == "Authorization" })
        #expect(keyless.url == "http://127.0.0.1:1/v1/chat/completions")
    }

    @Test(arguments: [
        ("http://example.com/v1", true, false), ("http://127.0.0.1:8/v1", true, true),
        ("http://localhost/v1", true, true),
        ("http://[::1]:8/v1", true, true), ("https://example.com/v1", true, true),
        ("http://example.com/v1", false, true),
    ])
    func transportSecurity_keysNeverCrossPlainHTTP(_ url: String, _ sendsKey: Bool, _ allowed: Bool) {
        let result = Result {
            try ProviderRegistry.checkTransportSecurity(url: url, provider: "openai", sendsKey: sendsKey)
        }
        #expect(((try? result.get()) != nil) == allowed)
    }

    @Test func registry_officialOpenAIWithoutAKeyIsNoKey() {
        let settings = Settings(environment: isolatedEnvironment(), provider: "openai", model: nil)
        #expect(throws: AIError.self) { try ProviderRegistry(settings: settings).provider(named: "openai") }
        do {
            _ = try ProviderRegistry(settings: settings).provider(named: "openai")
        } catch let error as AIError {
            #expect(error.code == .noKey)
            #expect(error.exitStatus == .config)
        } catch {}
    }

    @Test func registry_unknownProviderIsAConfigError() {
        let settings = Settings(environment: isolatedEnvironment(), provider: nil, model: nil)
        do {
            _ = try ProviderRegistry(settings: settings).provider(named: "nope")
            Issue.record("accepted an unknown provider")
        } catch let error as AIError {
            #expect(error.exitStatus == .config)
        } catch {}
    }
}
