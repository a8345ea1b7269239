import AICatalog
import AICommandLine
import AIProviders
import AITestSupport
import AITransport
import Testing

/// The catalog fixtures, through libcurl and the fake server.
@Suite struct CatalogTests {
    func fetch(_ provider: any HTTPProvider) throws -> HTTPFetch {
        HTTPFetch(
            provider: provider, transport: try CurlTransport(configuration: .init(userAgent: "test")),
            limits: TransferLimits(connectTimeout: 5, idleTimeout: 5, maxTime: 10))
    }

    @Test func anthropicModels_followsPaginationToTheEnd() throws {
        let index = try #require(fixtureIndex)
        let scenario = try index.scenario("anthropic_models_pagination")
        let server = try FakeServer(handler: index.handler(for: scenario))
        defer { server.stop() }
        let provider = AnthropicProvider(baseURL: server.baseURL, apiKey: "sk-ant-fixture")
        let rows = try provider.listModels(fetch(provider), pageSize: 2)
        let ids = scenario.expected["model_ids"]?.arrayValue?.compactMap(\.stringValue)
        let expected = try #require(ids)
        #expect(rows.compactMap { $0["id"]?.stringValue } == expected)
        #expect(server.requests.count == 2)
        #expect(server.requests.last?.queryValue("after_id") == "claude-opus-4-1-20250805")
        for (request, id) in zip(server.requests, scenario.responses) {
            #expect(try index.fixture(id).validate(request) == nil)
        }
    }

    @Test func openAIModels_listIdsCreatedOwner() throws {
        let index = try #require(fixtureIndex)
        let fixture = try index.fixture("openai_models_list")
        let server = try FakeServer(handler: fixture.handler())
        defer { server.stop() }
        let provider = OpenAIProvider(baseURL: server.baseURL + "/v1", apiKey: "sk-fixture-openai")
        let rows = try provider.listModels(fetch(provider))
        #expect(
            rows.compactMap { $0["id"]?.stringValue }
                == fixture.expected["model_ids"]?.arrayValue?.compactMap(\.stringValue))
        #expect(rows.allSatisfy { $0["owned_by"] != nil && $0["provider"] == "openai" })
    }

    @Test func ollamaTags_listIdsAndSizes() throws {
        let index = try #require(fixtureIndex)
        let fixture = try index.fixture("ollama_tags")
        let server = try FakeServer(handler: fixture.handler())
        defer { server.stop() }
        let provider = OllamaProvider(baseURL: server.baseURL)
        let rows = try provider.listModels(fetch(provider))
        #expect(
            rows.compactMap { $0["id"]?.stringValue }
                == fixture.expected["model_ids"]?.arrayValue?.compactMap(\.stringValue))
        #expect(
            rows.compactMap { $0["size"]?.intValue } == fixture.expected["sizes"]?.arrayValue?.compactMap(\.intValue))
    }

    @Test func ollamaShow_givesFamilyContextLengthCapabilities() throws {
        let index = try #require(fixtureIndex)
        let fixture = try index.fixture("ollama_show")
        let server = try FakeServer(handler: fixture.handler())
        defer { server.stop() }
        let provider = OllamaProvider(baseURL: server.baseURL)
        let info = try provider.modelInfo("llama3.2", fetch(provider))
        let expected = fixture.expected
        #expect(info["family"] == expected["family"])
        #expect(info["parameter_size"] == expected["parameter_size"])
        #expect(info["quantization_level"] == expected["quantization_level"])
        #expect(info["context_length"]?.intValue == expected["context_length"]?.intValue)
        #expect(info["capabilities"] == expected["capabilities"])
        #expect(server.requests.first?.json?["model"] == "llama3.2")
    }

    @Test func percentEncoding_keepsModelIdsInOneSegment() {
        #expect(percentEncoded("org/model:7b") == "org%2Fmodel%3A7b")
        #expect(join("http://h/v1/", "/models") == "http://h/v1/models")
    }
}
