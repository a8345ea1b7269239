import AIBase
import AICommandLine
import AIProviders
import AIWire
import ArgumentParser

/// `ai-stream`: a request in, JSONL events out as the tokens arrive.
@main
struct AIStream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai-stream",
        abstract: "Stream a language model's answer as JSON events.",
        discussion: "Reads plain text or one JSON request on stdin and writes JSON events as they arrive: "
            + "{\"type\":\"start\"}, {\"type\":\"delta\",\"text\"} per piece of text (and "
            + "{\"type\":\"reasoning\",\"text\"} per piece of reasoning), then {\"type\":\"done\"} "
            + "with the finish reason, usage and timing, or {\"type\":\"error\"} as the last line (see ai-"
            + "wire(5)).",
        version: Version.string
    )

    @OptionGroup var options: RequestOptions

    static func main() {
        Tool.main(Self.self, name: "ai-stream", shortOptions: .stream) { arguments in
            QuickParse.group(arguments).map { (options: RequestOptions) in
                var command = Self()
                command.options = options
                return command
            }
        }
    }

    func run() throws {
        try StreamCommand.run(options)
    }
}
