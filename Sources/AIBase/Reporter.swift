/// Where the library's warnings and error lines go: the library never writes to stderr itself.
///
/// The command-line layer passes one that prints `tool: warning: …` lines (and honours `-q`); tests pass one that
/// collects what was said. `tool` names the caller in the keys' audit log and the agent's records.
package protocol Reporter: Sendable {
    /// The name of the tool the library works for (`ai-complete`, `ai-keys`…).
    var tool: String { get }
    /// Something went wrong but the work goes on (a retry, a key that could not be found in a locked vault).
    func warning(_ message: String)
    /// Something worth knowing that is not a problem (a tool waiting on a stdin that stays silent).
    func notice(_ message: String)
    /// A failure of one item of several (a batch's item, one provider of a listing), with its hints.
    func error(_ message: String, hints: [String])
}

extension Reporter {
    /// Notices are dropped unless a reporter shows them.
    package func notice(_ message: String) {}
}

/// A reporter that says nothing: for library callers that have no stderr to speak to.
package struct SilentReporter: Reporter {
    /// The tool name it reports for.
    package let tool: String

    /// A silent reporter working for `tool`.
    package init(tool: String = "ai") {
        self.tool = tool
    }

    package func warning(_ message: String) {}

    package func error(_ message: String, hints: [String]) {}
}
