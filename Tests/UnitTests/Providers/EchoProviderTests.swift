import AIConfig
import AIProviders
import AIRunner
import AIWire
import Testing

@Suite struct EchoProviderTests {
    @Test func words_keepEveryByteAndCutBeforeSpaces() {
        #expect(EchoProvider.words("hello world,  how\nare") == ["hello", " world,", "  how", "\nare"])
        #expect(EchoProvider.words("  lead") == ["  lead"])
        #expect(EchoProvider.words("").isEmpty)
    }

    @Test func run_answersWithTheLastUserMessage() throws {
        var request = CompletionRequest()
        request.messages = [
            Message(role: "user", text: "first"), Message(role: "assistant", text: "ok"),
            Message(role: "user", text: "say this back"),
        ]
        request.provider = "echo"
        let settings = Settings(environment: isolatedEnvironment(), provider: "echo", model: nil)
        let completion = try Runner(settings: settings).run(request, stream: true)
        #expect(completion.content == "say this back")
        #expect(completion.finishReason == "stop")
        #expect(completion.usage == Usage(promptTokens: 5, completionTokens: 3))
        #expect(completion.model == "echo")
    }
}
