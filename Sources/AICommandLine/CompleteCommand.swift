import AIRunner
import ArgumentParser

/// `ai-complete`: one result line per request read (DESIGN §1–§4, §8).
package enum CompleteCommand {
    /// Answers every request on stdin (or the prompt), `--jobs` at a time.
    /// - Throws: `AIError` for failures before any request; `ExitCode` with the first failed item's status.
    package static func run(_ options: RequestOptions, batch: BatchOptions) throws {
        let reader = try options.makeReader()
        let skip = try batch.resume.map { try Batch.succeededIDs(in: $0) } ?? []
        let settings = try options.settings()
        let servers = ToolServers()
        defer { servers.shutdown() }
        Signals.onInterrupt { servers.shutdown() }
        let tools = try options.toolOptions(settings: settings, servers: servers.append)
        let engine = Batch(
            settings: settings, jobs: batch.jobs, ordered: !batch.unordered, raw: options.raw, tools: tools)
        Signals.onInterrupt {
            engine.interrupt()
            servers.shutdown()
        }
        if let status = try engine.run(reader, skip: skip) { throw ExitCode(status.rawValue) }
    }
}
