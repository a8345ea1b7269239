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

    @Test func request_nullIsAbsentForEveryField() throws {
        let request = try RequestDecoding.request(
            from: object(
                """
                {"id":null,"provider":null,"model":null,"system":null,"messages":null,"prompt":"p",
                 "temperature":null,"top_p":null,"max_tokens":null,"stop":null,"frequency_penalty":null,
                 "presence_penalty":null,"seed":null,"metadata":null,"extra":null}
                """))
        var expected = CompletionRequest(prompt: "p")
        expected.id = nil
        #expect(request == expected)
        let messages = try RequestDecoding.request(
            from: object(#"{"prompt":null,"messages":[{"role":"user","content":"m"}]}"#))
        #expect(messages.messages.map(\.text) == ["m"])
        #expect(throws: AIError(.input, "a request needs 'messages' or 'prompt'")) {
            try RequestDecoding.request(from: object(#"{"prompt":null}"#))
        }
        // A null value does not make a misspelt name right.
        #expect(throws: AIError(.input, "unknown field 'promt'")) {
            try RequestDecoding.request(from: object(#"{"prompt":"x","promt":null}"#))
        }
    }

    @Test func shape_ignoresNullMembers() throws {
        #expect(RequestDecoding.shape(of: try object(#"{"id":"1","content":"x","error":null}"#)) == .result)
        #expect(RequestDecoding.shape(of: try object(#"{"content":"x","prompt":null,"messages":null}"#)) == .result)
        #expect(RequestDecoding.shape(of: try object(#"{"type":"delta","text":"x","error":null}"#)) == .event)
    }

    @Test(arguments: [
        (#"{"prompt":"x","max_tokens":-5}"#, "field 'max_tokens' must be more than 0"),
        (#"{"prompt":"x","max_tokens":0}"#, "field 'max_tokens' must be more than 0"),
        (#"{"prompt":"x","max_tokens":-1e30}"#, "field 'max_tokens' must be more than 0"),
        (#"{"prompt":"x","max_tokens":1e30}"#, "field 'max_tokens' must be at most 9223372036854775807"),
        (#"{"prompt":"x","max_tokens":2.5}"#, "field 'max_tokens' must be an integer"),
        (#"{"prompt":"x","temperature":1e999}"#, "field 'temperature' must be a finite number"),
        (#"{"prompt":"x","top_p":-1e999}"#, "field 'top_p' must be a finite number"),
        (#"{"prompt":"x","frequency_penalty":1e400}"#, "field 'frequency_penalty' must be a finite number"),
        (#"{"prompt":"x","presence_penalty":1e400}"#, "field 'presence_penalty' must be a finite number"),
        (#"{"prompt":"x","seed":1.5}"#, "field 'seed' must be an integer"),
        (#"{"prompt":"x","seed":"7"}"#, "field 'seed' must be an integer"),
        (
            #"{"prompt":"x","seed":18446744073709551616}"#,
            "field 'seed' must fit in 64 bits: an integer from -9223372036854775808 to 9223372036854775807, "
                + "the range providers take"
        ),
        (
            #"{"prompt":"x","seed":-9223372036854775809}"#,
            "field 'seed' must fit in 64 bits: an integer from -9223372036854775808 to 9223372036854775807, "
                + "the range providers take"
        ),
    ])
    func request_parametersAreCheckedAsTheirFlagsAre(text: String, message: String) throws {
        #expect(throws: AIError(.input, message)) { try RequestDecoding.request(from: object(text)) }
    }

    @Test func request_integersMayBeWrittenAsIntegralNumbers() throws {
        let request = try RequestDecoding.request(
            from: object(#"{"prompt":"x","seed":-9223372036854775808,"max_tokens":1e3}"#))
        #expect(request.seed == Int.min)
        #expect(request.maxTokens == 1000)
        #expect(try RequestDecoding.request(from: object(#"{"prompt":"x","seed":2.0}"#)).seed == 2)
    }

    @Test func checks_sayWhatAFlagSays() {
        #expect(RequestChecks.maxTokensProblem(0) == "must be more than 0")
        #expect(RequestChecks.maxTokensProblem(1) == nil)
        #expect(RequestChecks.samplingProblem(.infinity) == "must be a finite number")
        #expect(RequestChecks.samplingProblem(0.7) == nil)
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

    /// A line is a result, an error or an event only when the fields that make it one have their types.
    @Test(arguments: [
        (#"{"content":"x","type":1}"#, false), (#"{"content":5}"#, false), (#"{"content":"x","bogus":1}"#, false),
        (#"{"error":5}"#, false), (#"{"type":["start"]}"#, false),
        (#"{"id":"1","provider":"echo","model":"echo","content":"x","finish_reason":null,"usage":null}"#, true),
    ])
    func shape_needsTheRightTypes(_ text: String, _ passes: Bool) throws {
        guard case .object(let object) = try JSON.parse(Array(text.utf8)) else { return }
        let shape = RequestDecoding.shape(of: object)
        if passes {
            #expect(shape == .result, "\(text)")
        } else {
            #expect(shape == .request, "\(text)")
            #expect(throws: AIError.self, "\(text)") { try RequestDecoding.request(from: object) }
        }
    }
}
