import AIBase
import AIConfig
import AIKeys
import AIProviders
import AITransport
import ArgumentParser

/// The options every `ai-models` subcommand takes.
package struct ModelsOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Provider (default: $AI_PROVIDER, the config's default, else ollama).", valueName: "provider"),
        completion: .list(ProviderRegistry.builtInNames))
    package var provider: String?

    @Option(
        name: .customLong("base-url"),
        help: ArgumentHelp("Send this run to another server for the chosen provider.", valueName: "url"))
    package var baseURL: String?

    @Flag(name: .customLong("no-config"), help: "Do not read the config file.")
    package var noConfig = false

    @Flag(name: .shortAndLong, help: "Silence warnings (never errors).")
    package var quiet = false

    @Option(
        name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds allowed to connect.", valueName: "seconds"))
    package var connectTimeout = Seconds(10)

    @Option(
        name: .customLong("max-time"),
        help: ArgumentHelp("Seconds allowed for each request (default: none).", valueName: "seconds"))
    package var maxTime: Seconds?

    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp(
            "Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.",
            valueName: "n"))
    package var passphraseFD: Int32?

    /// Options with their defaults.
    package init() {}

    package func validate() throws {
        Diagnostics.setQuiet(quiet)
        try checkTimeout(connectTimeout, "--connect-timeout")
        try checkTimeout(maxTime, "--max-time")
        try checkPassphraseFD(passphraseFD)
    }

    /// The settings these options, the environment and the config file give.
    /// - Throws: `AIError` (`config`) for a bad config file.
    package func settings(environment: Environment = .current()) throws -> Settings {
        try Settings(
            environment: environment,
            provider: provider,
            model: nil,
            baseURL: baseURL,
            limits: TransferLimits(connectTimeout: connectTimeout.value, idleTimeout: 300, maxTime: maxTime?.value),
            retries: 0,
            config: noConfig ? nil : ConfigFile.load(environment: environment),
            passphraseFD: passphraseFD,
            reporter: StandardErrorReporter(),
            keys: KeyResolver(
                environment: environment, passphraseDescriptor: passphraseFD, reporter: StandardErrorReporter()
            )
        )
    }
}
