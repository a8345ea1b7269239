import AIBase
import AICommandLine
import AIProviders
import AIWire
import ArgumentParser

/// `ai-models`: which providers are reachable, which models they have, model details, pulling local models.
@main
struct AIModels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ai-models",
        abstract: "List providers and their models, show a model's details, pull local models.",
        discussion: "Every subcommand writes JSON lines on stdout; see ai-wire(5).",
        version: Version.string,
        subcommands: [Providers.self, List.self, Info.self, Pull.self]
    )

    static func main() {
        Tool.main(Self.self, name: "ai-models", shortOptions: .models)
    }
}

extension AIModels {
    struct Providers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per provider, probed at once.")
        @OptionGroup var options: ModelsOptions
        func run() throws { try ModelsCommand.providers(options) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per model of a provider (or --all).")
        @OptionGroup var options: ModelsOptions
        @Flag(help: "Ask every provider at once.") var all = false
        func run() throws { try ModelsCommand.list(options, all: all) }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A model's details from its provider.")
        @OptionGroup var options: ModelsOptions
        @Argument(help: "The model.") var model: String
        func run() throws { try ModelsCommand.info(options, model: model) }
    }

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pull a model into Ollama, with progress.")
        @OptionGroup var options: ModelsOptions
        @Argument(help: "The model.") var model: String
        func run() throws { try ModelsCommand.pull(options, model: model) }
    }
}
