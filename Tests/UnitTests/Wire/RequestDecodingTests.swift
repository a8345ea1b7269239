import AIBase
import AIWire
import Testing

@Suite struct RequestDecodingTests {
    func object(_ text: String) throws -> JSONObject {
        try #require(try JSON.parse(text).objectValue)
    }

    @Test func request_decodesEveryField() throws {
        let request = try RequestDecoding.request(
            from: object(
                """
                {"id":"q1","provider":"openai","model":"m","system":"s","messages":[{"role":"user","content":"hi"}],
                 "temperature":0.5,"top_p":0.9,"max_tokens":10,"stop":"END","frequency_penalty":0.1,
                 "presence_penalty":0.2,"seed":42,"metadata":{"k":[1]},"extra":{"logprobs":true}}
                """))
        #expect(request.id == .string("q1"))
        #expect(request.provider == "openai")
        #expect(request.messages.map(\.text) == ["hi"])
        #expect(request.temperature == 0.5)
        #expect(request.maxTokens == 10)
        #expect(request.stop == ["END"])
        #expect(request.seed == 42)
        #expect(request.metadata == (try JSON.parse(#"{"k":[1]}"#)))
        #expect(request.extra?["logprobs"] == .bool(true))
    }

    @Test func request_promptShorthandIsOneUserMessage() throws {
        let request = try RequestDecoding.request(from: object(#"{"prompt":"hello"}"#))
        #expect(request.messages == [Message(role: "user", text: "hello")])
    }

    @Test func request_unknownFieldIsNamed() throws {
        #expect(throws: AIError(.input, "unknown field 'temprature'")) {
            try RequestDecoding.request(from: object(#"{"prompt":"x","temprature":1}"#))
        }
    }

    @Test(arguments: [
        #"{"messages":"hi"}"#, #"{"messages":[{"content":"x"}]}"#, #"{"messages":[{"role":"robot","content":"x"}]}"#,
        #"{"prompt":1}"#, #"{"prompt":"x","temperature":"hot"}"#, #"{"prompt":"x","max_tokens":1.5}"#,
        #"{"prompt":"x","stop":[1]}"#, #"{"prompt":"x","extra":[]}"#, #"{"model":"m"}"#,
    ])
    func request_badFieldsAreInputErrors(_ text: String) throws {
        do {
            _ = try RequestDecoding.request(from: object(text))
            Issue.record("accepted \(text)")
        } catch let error as AIError {
            #expect(error.code == .input)
            #expect(error.exitStatus == .dataError)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func shape_recognisesTheSuitesOwnOutput() throws {
        #expect(RequestDecoding.shape(of: try object(#"{"prompt":"x"}"#)) == .request)
        #expect(RequestDecoding.shape(of: try object(#"{"id":"1","content":"x","usage":null}"#)) == .result)
        #expect(RequestDecoding.shape(of: try object(#"{"id":"1","error":{"code":"timeout"}}"#)) == .error)
        #expect(RequestDecoding.shape(of: try object(#"{"type":"delta","text":"x"}"#)) == .event)
        #expect(RequestDecoding.shape(of: try object(#"{"type":"error","error":{}}"#)) == .event)
    }

    @Test func passedError_keepsCodeMessageAndStatus() throws {
        let error = RequestDecoding.passedError(
            from: try object(
                #"{"id":"1","error":{"code":"rate_limited","message":"slow down","status":429,"retryable":true}}"#))
        #expect(error.code == .rateLimited)
        #expect(error.message == "slow down")
        #expect(error.httpStatus == 429)
        #expect(error.exitStatus == .tempFail)
    }
}
