// A Model Context Protocol server over stdio for the tests of the MCP client (test-only, never installed).
//
//   ai-test-mcp-server [--page-size N] [--noise] [--stubborn-child PIDFILE] [--linger] [--version-answer V]
//       answers initialize (with protocol version V, default 2025-06-18), tools/list (in pages of N tools) and
//       tools/call (each call on a thread of its own) for the tools of `TestServer`; --noise writes a line on
//       stderr at start; --stubborn-child starts a child in the same process group that ignores SIGTERM and stdin
//       and writes its pid to PIDFILE; --linger stays after stdin closes, ignoring SIGTERM (only SIGKILL ends it).
//   ai-test-mcp-server --exit N      writes a line on stderr and exits with status N before reading anything.
//   ai-test-mcp-server --garbage     writes a line that is not JSON on stdout, then reads stdin to its end.
//   ai-test-mcp-server --stubborn PIDFILE   (the stubborn child itself)
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func writeError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

if let pidFile = option("--stubborn") {
    Stubborn.run(pidFile: pidFile)
} else if let status = option("--exit").flatMap(Int32.init) {
    writeError("ai-test-mcp-server: exiting at start with status \(status)")
    exit(status)
} else if arguments.contains("--garbage") {
    FileHandle.standardOutput.write(Data("this is not json\n".utf8))
    _ = FileHandle.standardInput.readDataToEndOfFile()
} else {
    if arguments.contains("--noise") { writeError("ai-test-mcp-server: noise on stderr at start") }
    if let pidFile = option("--stubborn-child") { Stubborn.spawn(pidFile: pidFile) }
    TestServer(
        versionAnswer: option("--version-answer") ?? "2025-06-18", pageSize: option("--page-size").flatMap(Int.init)
    ).run()
    if arguments.contains("--linger") {
        signal(SIGTERM, SIG_IGN)
        while true { sleep(60) }
    }
}
exit(0)
