// The portable tools of ai-test-mcp-server (echo, add, fail, slow, rpc-error, env, noise, mixed, structured) on
// the official MCP Swift SDK's server and stdio transport.
//
//   mcp-sdk-server [--page-size N] [--noise] [--stubborn-child PIDFILE] [--linger]
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
}
if arguments.contains("--noise") { writeError("mcp-sdk-server: noise on stderr at start") }
if let pidFile = option("--stubborn-child") { Stubborn.spawn(pidFile: pidFile) }
try await SDKServer.run(pageSize: option("--page-size").flatMap(Int.init))
if arguments.contains("--linger") {
    signal(SIGTERM, SIG_IGN)
    while true { sleep(60) }
}
