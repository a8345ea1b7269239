import AIBase

/// An environment for unit tests: `values`, with the vault, agent socket and home pointing at paths that do
/// not exist, so no test ever finds (or prompts for) a real vault or agent on the machine it runs on.
func isolatedEnvironment(_ values: [String: String] = [:]) -> Environment {
    var isolated = [
        "HOME": "/nonexistent/ai-test-home", "AI_VAULT": "/nonexistent/ai-test/vault",
        "AI_KEYS_SOCK": "/nonexistent/ai-test/agent.sock", "XDG_RUNTIME_DIR": "/nonexistent/ai-test/run",
    ]
    isolated.merge(values) { $1 }
    return Environment(isolated)
}
