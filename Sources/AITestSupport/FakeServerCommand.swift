#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ai-fake-server`'s whole work (options, handler, serving); its main.swift says what the options mean.
package enum FakeServerCommand {
    static let usage = """
        usage: ai-fake-server [--fixtures DIR] [--chunking whole|planned|bytewise] [--threads N] [--keep-alive SECONDS]
                              [--delay-ms N]
                              (--fixture ID ... | --scenario ID | --stream-chunks N --format openai|anthropic|ollama
                               | --embeddings N | --batches POLLS
                               | --agent TOOL [--agent-rounds N])

        Serves recorded provider responses (or a synthetic stream) on 127.0.0.1 and prints PORT=<n> first.
          --fixtures DIR       fixture directory (default: this checkout's Tests/Fixtures/providers)
          --chunking MODE      whole (default), planned (the fixture's chunk plan, else one write per event/line),
                               or bytewise
          --fixture ID ...     answer requests with these fixtures in order, repeating the last
          --scenario ID        answer requests with the scenario's fixtures in order
          --stream-chunks N    answer every request with a stream of N content chunks ...
          --format F           ... in the format openai, anthropic or ollama
          --embeddings N       answer embeddings requests (OpenAI's /embeddings, base64 or floats; Ollama's
                               /api/embed) with one vector of N numbers per input, fixed per text
          --batches POLLS      serve OpenAI's files and batches and Anthropic's message batches (FakeBatchService);
                               a batch ends after POLLS reads of it
          --agent TOOL         answer as a model that calls TOOL with {} (OpenAI, Anthropic or Ollama by the
                               path, streamed or not as asked), then answers with the tool's result
          --agent-rounds N     how many turns call the tool before the answer (default 1)
          --threads N          serve connections with a fixed pool of N threads, each holding one connection until it
                               ends (default: a thread per connection)
          --keep-alive SECONDS close a connection that waits longer than this for its next request (default: never)
          --delay-ms N         hold every response back N milliseconds before its first byte

        """

    /// Writes `text` to a file descriptor, retrying partial writes.
    static func emit(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// Prints `message` and the usage to stderr and exits with status 2.
    static func usageError(_ message: String) -> Never {
        emit("ai-fake-server: \(message)\n\n\(usage)", to: 2)
        exit(2)
    }

    struct Options {
        var fixturesDirectory = FixtureIndex.defaultDirectory
        var chunking = Fixture.Chunking.whole
        var fixtureIDs: [String] = []
        var scenarioID: String?
        var streamChunks: Int?
        var format: SyntheticStream?
        var threads: Int?
        var keepAlive: Double?
        var delayMs = 0
        var embeddings: Int?
        var batches: Int?
        var agentTool: String?
        var agentRounds = 1
    }

    static func parseOptions(_ arguments: [String]) -> Options {
        var options = Options()
        var remaining = arguments[...]
        func value(for flag: String) -> String {
            guard let next = remaining.popFirst(), !next.hasPrefix("--") else { usageError("\(flag) needs a value") }
            return next
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--help", "-h":
                emit(usage, to: 1)
                exit(0)
            case "--fixtures":
                options.fixturesDirectory = value(for: argument)
            case "--chunking":
                switch value(for: argument) {
                case "whole": options.chunking = .whole
                case "planned": options.chunking = .planned
                case "bytewise": options.chunking = .bytewise
                case let other: usageError("unknown chunking '\(other)'")
                }
            case "--fixture":
                options.fixtureIDs.append(value(for: argument))
                while let next = remaining.first, !next.hasPrefix("--") {
                    options.fixtureIDs.append(next)
                    remaining.removeFirst()
                }
            case "--scenario":
                options.scenarioID = value(for: argument)
            case "--stream-chunks":
                let text = value(for: argument)
                guard let count = Int(text), count >= 0 else {
                    usageError("--stream-chunks needs a count, not '\(text)'")
                }
                options.streamChunks = count
            case "--format":
                let text = value(for: argument)
                guard let format = SyntheticStream(rawValue: text) else { usageError("unknown format '\(text)'") }
                options.format = format
            case "--threads":
                let text = value(for: argument)
                guard let count = Int(text), count > 0 else {
                    usageError("--threads needs a positive count, not '\(text)'")
                }
                options.threads = count
            case "--keep-alive":
                let text = value(for: argument)
                guard let seconds = Double(text), seconds > 0 else {
                    usageError("--keep-alive needs seconds, not '\(text)'")
                }
                options.keepAlive = seconds
            case "--embeddings":
                let text = value(for: argument)
                guard let count = Int(text), count > 0 else {
                    usageError("--embeddings needs dimensions, not '\(text)'")
                }
                options.embeddings = count
            case "--batches":
                let text = value(for: argument)
                guard let count = Int(text), count > 0 else { usageError("--batches needs a count, not '\(text)'") }
                options.batches = count
            case "--agent":
                options.agentTool = value(for: argument)
            case "--agent-rounds":
                let text = value(for: argument)
                guard let count = Int(text), count >= 0 else {
                    usageError("--agent-rounds needs a count, not '\(text)'")
                }
                options.agentRounds = count
            case "--delay-ms":
                let text = value(for: argument)
                guard let delay = Int(text), delay >= 0 else {
                    usageError("--delay-ms needs milliseconds, not '\(text)'")
                }
                options.delayMs = delay
            default:
                usageError("unknown argument '\(argument)'")
            }
        }
        let modes = [
            !options.fixtureIDs.isEmpty, options.scenarioID != nil, options.streamChunks != nil,
            options.embeddings != nil,
            options.batches != nil, options.agentTool != nil,
        ]
        guard modes.filter({ $0 }).count == 1 else {
            usageError("give exactly one of --fixture, --scenario, --stream-chunks, --embeddings, --batches or --agent")
        }
        if options.streamChunks != nil, options.format == nil { usageError("--stream-chunks needs --format") }
        if options.streamChunks == nil, options.format != nil { usageError("--format only goes with --stream-chunks") }
        return options
    }

    static func makeHandler(_ options: Options) -> FakeServer.Handler {
        if let polls = options.batches {
            var service = FakeBatchService.Options()
            service.pollsUntilEnded = polls
            return FakeBatchService(options: service).handler
        }
        if let tool = options.agentTool {
            return FakeAgent(calls: [FakeAgent.Call(name: tool, arguments: "{}")], rounds: options.agentRounds).handler
        }
        if let dimensions = options.embeddings {
            return { request in .embeddings(for: request, dimensions: dimensions) }
        }
        if let chunks = options.streamChunks, let format = options.format {
            let response = format.response(chunks: chunks)
            return { _ in response }
        }
        do {
            let index = try FixtureIndex.load(directory: options.fixturesDirectory)
            let ids = try options.scenarioID.map { try index.scenario($0).responses } ?? options.fixtureIDs
            return try index.handler(
                sequence: ids,
                chunking: options.chunking,
                checkPath: false,
                skippingHeaders: ["authorization", "x-api-key"]
            )
        } catch {
            emit("ai-fake-server: \(error)\n", to: 2)
            exit(1)
        }
    }

    /// Parses `arguments`, starts the server, prints `PORT=<n>` and serves until killed.
    package static func main(_ arguments: [String]) -> Never {
        // A closed stdout/stderr pipe must not kill the server (writes then just fail); SIGTERM/SIGINT still end it.
        _ = signal(SIGPIPE, SIG_IGN)
        let options = parseOptions(arguments)
        let handler = makeHandler(options)
        let server: FakeServer
        do {
            server = try FakeServer(threads: options.threads, keepAlive: options.keepAlive) { request in
                var response = handler(request)
                response.firstByteDelayMs += options.delayMs
                emit(
                    "\(request.method) \(request.path) -> \(response.status) (connection \(request.connectionIndex))\n",
                    to: 2)
                return response
            }
        } catch {
            emit("ai-fake-server: cannot start: \(error)\n", to: 2)
            exit(1)
        }
        emit("PORT=\(server.port)\n", to: 1)
        while true { withExtendedLifetime(server) { _ = pause() } }
    }
}
