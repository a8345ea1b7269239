import AIBase
import AICommandLine
import AIProviders
import ArgumentParser

/// `ai-keys`: the encrypted key vault and its unlock agent.
@main
struct AIKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai-keys",
        abstract: "Keep provider API keys in an encrypted vault and hand them to the suite's tools.",
        discussion: KeysCommands.discussion,
        version: Version.string,
        subcommands: KeysCommands.all
    )

    static func main() {
        Tool.main(Self.self, name: "ai-keys", shortOptions: .keys)
    }
}
