import AIBase
import AICommandLine
import ArgumentParser

/// `ai-embed`: texts in, one JSON line of vectors out per input line.
@main
struct AIEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai-embed",
        abstract: "Embed texts with an embedding model and print one JSON line of vectors per input line.",
        discussion: "Reads plain text (one input), a JSON object, or JSONL with \"input\" (a string or an array of "
            + "strings) or \"text\", and writes one JSON line per input line: "
            + "{\"id\",\"provider\",\"model\",\"embedding\":[…],\"dimensions\",\"usage\"}, \"embeddings\":[[…],…] "
            + "for an array, or {\"id\",\"error\":{…}} when it failed. Exit status: 0 when every line succeeded, "
            + "else the status of the first that failed (see ai-wire(5)).",
        version: Version.string
    )

    @OptionGroup var options: EmbedOptions
    @OptionGroup(title: "Batch") var batch: BatchOptions

    static func main() {
        Tool.main(Self.self, name: "ai-embed", shortOptions: EmbedCommand.shortOptions)
    }

    func run() throws {
        try EmbedCommand.run(options, batch: batch)
    }
}
