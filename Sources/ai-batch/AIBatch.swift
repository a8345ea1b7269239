import AIBase
import AICommandLine
import ArgumentParser

/// `ai-batch`: provider batch jobs from the requests `ai-complete` reads, and their results as it prints them.
@main
struct AIBatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai-batch",
        abstract: "Run requests as provider batch jobs (OpenAI Batch, Anthropic Message Batches).",
        discussion: "submit reads requests as ai-complete does and prints a job line; results prints what "
            + "ai-complete would have printed, in input order (see ai-wire(5)).",
        version: Version.string,
        subcommands: [Submit.self, Status.self, Wait.self, Results.self, Cancel.self, List.self]
    )

    static func main() {
        Tool.main(Self.self, name: "ai-batch", shortOptions: JobsCommand.shortOptions)
    }
}

extension AIBatch {
    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit the requests on stdin as a batch job.")
        @OptionGroup var submit: SubmitOptions
        @OptionGroup var options: JobsOptions
        func run() throws { try JobsCommand.submit(options, submit) }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line of the job's counts and state.")
        @OptionGroup var options: JobsOptions
        @Argument(help: "The job.") var job: String
        func run() throws { try JobsCommand.status(options, job: job) }
    }

    struct Wait: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wait for the job to end, then print its counts.")
        @OptionGroup var wait: WaitOptions
        @OptionGroup var options: JobsOptions
        @Argument(help: "The job.") var job: String
        func run() throws { try JobsCommand.wait(options, wait, job: job) }
    }

    struct Results: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every result line, in input order.")
        @OptionGroup var options: JobsOptions
        @Argument(help: "The job.") var job: String
        func run() throws { try JobsCommand.results(options, job: job) }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel the job's provider jobs.")
        @OptionGroup var options: JobsOptions
        @Argument(help: "The job.") var job: String
        func run() throws { try JobsCommand.cancel(options, job: job) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per job kept on this machine.")
        @OptionGroup var options: JobsOptions
        func run() throws { try JobsCommand.list(options) }
    }
}
