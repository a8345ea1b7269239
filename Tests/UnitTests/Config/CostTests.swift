import AIBase
import AIConfig
import AIWire
import Testing

/// DESIGN §16: `prices` in the config file, and what a request's usage costs at them.
@Suite struct CostTests {
    static func config(_ text: String) throws -> ConfigFile {
        try ConfigFile.parse(Array(text.utf8), path: "/c.json")
    }

    @Test func cost_pricesCachedTokensAtTheCachedPrice() {
        let price = ConfigFile.Price(input: 2.5, output: 10, cachedInput: 1.25)
        let cost = price.cost(of: Usage(promptTokens: 1_000_000, completionTokens: 200_000, cachedTokens: 400_000))
        #expect(cost.input == 0.6 * 2.5 + 0.4 * 1.25)
        #expect(cost.output == 2)
        #expect(cost.total == 1.5 + 0.5 + 2)
        #expect(cost.record == .object(["usd": .double(4), "input": .double(2), "output": .double(2)]))
    }

    @Test func cost_withoutACachedPrice_chargesCachedTokensAsInput() {
        let cost = ConfigFile.Price(input: 3, output: 15).cost(
            of: Usage(promptTokens: 2000, completionTokens: 100, cachedTokens: 1000))
        #expect(cost.input == 2000 * 3 / 1_000_000.0)
        #expect(cost.output == 100 * 15 / 1_000_000.0)
    }

    @Test func cost_neverCountsMoreCachedTokensThanPromptTokens() {
        let cost = ConfigFile.Price(input: 1, output: 1, cachedInput: 0).cost(
            of: Usage(promptTokens: 10, completionTokens: 0, cachedTokens: 50))
        #expect(cost.input == 0)
    }

    @Test func price_providerEntryFirst_thenTheFile_thenTheRequestedModel() throws {
        let config = try Self.config(
            #"{"version":1,"prices":{"m":{"input":1,"output":2},"asked":{"input":5,"output":6}},"#
                + #""providers":{"openai":{"prices":{"m":{"input":3,"output":4}}}}}"#)
        #expect(config.price(provider: "openai", model: "m")?.input == 3)
        #expect(config.price(provider: "anthropic", model: "m")?.input == 1)
        #expect(config.price(provider: "openai", model: "m-2024", fallback: "asked")?.input == 5)
        #expect(config.price(provider: "openai", model: "other") == nil)
    }

    @Test(arguments: [
        (#"{"version":1,"prices":{"m":{"input":1}}}"#, "prices.m"),
        (#"{"version":1,"prices":{"m":{"input":-1,"output":1}}}"#, "prices.m.input"),
        (#"{"version":1,"prices":{"m":{"input":1,"output":"x"}}}"#, "prices.m.output"),
        (#"{"version":1,"prices":{"m":{"input":1,"output":1,"cache":1}}}"#, "prices.m.cache"),
        (#"{"version":1,"prices":[1]}"#, "prices"),
        (#"{"version":1,"providers":{"openai":{"prices":{"m":7}}}}"#, "providers.openai.prices.m"),
    ])
    func badPrices_are78NamingTheField(_ text: String, _ field: String) {
        #expect {
            _ = try Self.config(text)
        } throws: { error in
            guard let error = error as? AIError else { return false }
            return error.code == .config && error.message.contains(": \(field): ")
        }
    }
}
