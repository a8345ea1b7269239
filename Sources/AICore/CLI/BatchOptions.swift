import ArgumentParser

/// `ai-complete`'s batch options (DESIGN §8).
package struct BatchOptions: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: "Requests in flight at once.")
    package var jobs = 4

    @Flag(help: "Write results as they finish instead of in input order.")
    package var unordered = false

    @Option(help: "Skip requests whose id already has a successful line in this results file.", completion: .file())
    package var resume: String?

    /// Options with their defaults.
    package init() {}

    package func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256") }
    }
}
