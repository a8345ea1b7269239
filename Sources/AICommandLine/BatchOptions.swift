import AIProviders
import ArgumentParser

/// `ai-complete`'s batch options (DESIGN §8).
package struct BatchOptions: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: ArgumentHelp("Requests in flight at once.", valueName: "n"))
    package var jobs = Self.defaultJobs

    @Flag(help: "Write results as they finish instead of in input order.")
    package var unordered = false

    @Option(
        help: ArgumentHelp(
            "Skip requests whose id already has a successful line in this results file.", valueName: "file"),
        completion: .file())
    package var resume: String?

    static let defaultJobs = 4

    /// Options with their defaults.
    package init() {}

    package func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256") }
    }
}

extension BatchOptions: QuickParsable {
    package static var quickDefaults: BatchOptions {
        var options = BatchOptions()
        options.jobs = defaultJobs
        options.unordered = false
        options.resume = nil
        return options
    }

    package static var quickArguments: [QuickArgument<BatchOptions>] {
        [
            .value("-j", "--jobs") { $0.jobs = $1 },
            .flag("--unordered") { $0.unordered = true },
            .value("--resume") { $0.resume = $1 as String },
        ]
    }
}
