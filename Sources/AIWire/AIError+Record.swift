import AIBase

extension AIError {
    /// The error object of an error record: `{"code","message","status","retryable"}`.
    package var record: JSON {
        var object: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        if let httpStatus { object["status"] = .int(httpStatus) }
        object["retryable"] = .bool(retryable)
        if let retryAfter { object["retry_after"] = .double(retryAfter) }
        if let promptTokens { object["prompt_tokens"] = .int(promptTokens) }
        if let contextTokens { object["context_tokens"] = .int(contextTokens) }
        return .object(object)
    }
}
