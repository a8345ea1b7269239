import AIBase
import AIJobs
import AIWire
import ArgumentParser

/// `ai-batch`: provider batch jobs (DESIGN §14). The work is `Jobs`'s; this prints its lines and chooses the status.
package enum JobsCommand {
    /// `ai-batch`'s one-letter options.
    package static let shortOptions = ShortOptions(
        flags: ["h", "n", "q"], values: ["p": "--provider", "m": "--model", "s": "--system", "t": "--temperature"])

    /// Reads the requests, submits them and prints the job line.
    /// - Throws: `AIError`.
    package static func submit(_ options: JobsOptions, _ submit: SubmitOptions) throws {
        let request = submit.requestOptions(options.requestOptions)
        let settings = try request.settings()
        // A provider without a batch API is refused before stdin is read.
        let record = try Jobs(settings: settings).submit { try request.makeReader() }
        try JSONLWriter.standardOutput.write(record.jobLine())
    }

    /// Prints one line of counts.
    /// - Throws: `AIError`.
    package static func status(_ options: JobsOptions, job: String) throws {
        try JSONLWriter.standardOutput.write(try jobs(options).status(job).line)
    }

    /// Waits for the job to end, with a progress bar on a terminal's stderr, then prints its line of counts.
    /// - Throws: `AIError` (`timeout`, 75, when `--max-time` ends first).
    package static func wait(_ options: JobsOptions, _ wait: WaitOptions, job: String) throws {
        let jobs = try jobs(options)
        let bar = Terminal.isTerminal(2) && Environment.current()[.noColor] == nil
        Signals.onInterrupt {
            if bar { clearBar() }
            Diagnostics.error("interrupted")
        }
        defer { if bar { clearBar() } }
        let status = try jobs.wait(job, maxTime: wait.maxTime?.value) { status in
            if bar { show(status.line) }
        }
        if bar { clearBar() }
        try JSONLWriter.standardOutput.write(status.line)
    }

    /// Prints every request's result or error line, in input order.
    /// - Throws: `AIError`; `ExitCode` with the first failed item's status.
    package static func results(_ options: JobsOptions, job: String) throws {
        if let status = try jobs(options).results(job, output: .standardOutput) { throw ExitCode(status.rawValue) }
    }

    /// Cancels the job and prints its line of counts.
    /// - Throws: `AIError`.
    package static func cancel(_ options: JobsOptions, job: String) throws {
        try JSONLWriter.standardOutput.write(try jobs(options).cancel(job).line)
    }

    /// Prints one line per job kept on this machine.
    /// - Throws: `AIError` when stdout fails.
    package static func list(_ options: JobsOptions) throws {
        for line in try jobs(options).list() { try JSONLWriter.standardOutput.write(line) }
    }

    private static func jobs(_ options: JobsOptions) throws -> Jobs {
        Jobs(settings: try options.requestOptions.settings())
    }

    private static func show(_ line: JSON) {
        let total = line["total"]?.intValue ?? 0
        let processing = line["processing"]?.intValue ?? 0
        let done = total - processing
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let text =
            "\r\u{1B}[K" + (line["job"]?.stringValue ?? "") + " [" + String(repeating: "#", count: filled)
            + String(repeating: " ", count: width - filled) + "] \(done)/\(total) "
            + (line["state"]?.stringValue ?? "")
        _ = Array(text.utf8).withUnsafeBytes { JSONLWriter.writeAll(2, $0) }
    }

    private static func clearBar() {
        _ = Array("\r\u{1B}[K".utf8).withUnsafeBytes { JSONLWriter.writeAll(2, $0) }
    }
}
