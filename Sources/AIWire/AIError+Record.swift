import AIBase

extension AIError {
    /// The error object of an error record: `{"code","message","status","retryable"}`, and
    /// `errors` and `content` for `schema`.
    package var record: JSON {
        var object: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        if let httpStatus { object["status"] = .int(httpStatus) }
        object["retryable"] = .bool(retryable)
        if let retryAfter { object["retry_after"] = .double(retryAfter) }
        if let promptTokens { object["prompt_tokens"] = .int(promptTokens) }
        if let contextTokens { object["context_tokens"] = .int(contextTokens) }
        if let schemaErrors {
            object["errors"] = .array(
                schemaErrors.map {
                    .object(["path": .string($0.path), "keyword": .string($0.keyword), "message": .string($0.message)])
                })
        }
        if let content { object["content"] = .string(content) }
        return .object(object)
    }
}
