import AIBase
import AICommandLine
import AIProviders
import AIRunner
import AIWire
import ArgumentParser

/// `ai-complete`: a request in, one JSON result line out; many lines in, many out.
@main
struct AIComplete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai-complete",
        abstract: "Send a request to a language model and print one JSON result line.",
        discussion: "Reads plain text, a JSON request, or JSONL (one request per line) on stdin and writes one JSON "
            + "line per request: "
            + "{\"id\",\"provider\",\"model\",\"content\",\"finish_reason\",\"usage\",\"timing\"}, or "
            + "{\"id\",\"error\":{…}} when it failed. Exit status: 0 when every request succeeded, else the "
            + "status of the first that failed (see ai-wire(5)).",
        version: Version.string
    )

    @OptionGroup var options: RequestOptions
    @OptionGroup(title: "Batch") var batch: BatchOptions

    static func main() {
        Tool.main(Self.self, name: "ai-complete", shortOptions: .complete) { arguments in
            QuickParse.groups(arguments).map { (options: RequestOptions, batch: BatchOptions) in
                var command = Self()
                command.options = options
                command.batch = batch
                return command
            }
        }
    }

    func run() throws {
        try CompleteCommand.run(options, batch: batch)
    }
}
