// ai-fake-server: the test suite's fake provider server as a standalone process, for shell demos and benchmarks.
//
//     ai-fake-server [--fixtures DIR] [--chunking whole|planned|bytewise] [--threads N] [--keep-alive SECONDS]
//                    [--delay-ms N]
//                    (--fixture ID ... | --scenario ID | --stream-chunks N --format openai|anthropic|ollama
//                     | --embeddings N | --batches POLLS
//                     | --agent TOOL [--agent-rounds N])
//
// Binds 127.0.0.1 on a free port, prints `PORT=<n>` as the first stdout line, then serves until killed.
// Fixtures answer requests in order (the last one repeats), on whatever path is requested; requests are still
// checked against the fixture's request rule (400 on violation) except for the credential headers
// (authorization, x-api-key), so demos work without the fixture keys. `--stream-chunks` answers every request
// with a generated zero-delay stream of N content chunks (chunked framing). `--threads` serves connections with a
// fixed pool of N threads, one connection per thread until it ends, and `--keep-alive` closes a connection idle for
// that long (together: llama.cpp's server, whose cpp-httplib has a small pool and a 5 s keep-alive); `--delay-ms`
// holds every response back that long, on the thread serving it, as a model server takes time to answer. One line
// per request goes to stderr, with the number of the connection it came on. `--agent` plays a model that calls the
// tool TOOL (arguments `{}`) in N turns (default 1), then answers with the last results, in the format the path
// asks for (`FakeAgent`).
import AITestSupport

FakeServerCommand.main(Array(CommandLine.arguments.dropFirst()))
