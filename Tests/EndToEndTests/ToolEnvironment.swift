import AIBase
import AICommandLine
import AIProviders
import AITestSupport
import Foundation
import Testing

/// The directory every tool run's HOME is made in: one per test process, removed when the process exits.
private let homesRoot: String = {
    let root = homesRootPath()
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: homesRootPath()) }
    return root
}()

private func homesRootPath() -> String {
    NSTemporaryDirectory() + "ai-e2e-\(getpid())"
}

/// A fresh path for a scratch file, in the directory removed when the test process exits.
func scratchPath(_ name: String) -> String {
    homesRoot + "/" + UUID().uuidString + "-" + name
}

/// A clean environment for a tool run: HOME and XDG directories in a fresh temp dir, nothing inherited.
func toolEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let home = homesRoot + "/" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    var environment = [
        "HOME": home, "XDG_CONFIG_HOME": home + "/config", "XDG_DATA_HOME": home + "/data",
        "XDG_STATE_HOME": home + "/state", "XDG_RUNTIME_DIR": home + "/run", "PATH": "/usr/bin:/bin",
    ]
    environment.merge(extra) { $1 }
    return environment
}

/// The environment that points the openai provider at `server` with the fixtures' key.
func openAIEnvironment(_ server: FakeServer) -> [String: String] {
    toolEnvironment(["OPENAI_API_KEY": "sk-fixture-openai", "OPENAI_BASE_URL": server.baseURL + "/v1"])
}

/// The fixture index.
let fixtures: FixtureIndex? = try? FixtureIndex.loadDefault()

/// A fake server answering every request with fixture `id` (validated), cut by `chunking`.
func server(_ id: String, chunking: Fixture.Chunking = .whole) throws -> FakeServer {
    let index = try #require(fixtures)
    return try FakeServer(handler: index.fixture(id).handler(chunking: chunking))
}

/// The one stderr line of a failed run, checked against the message grammar.
func errorLine(_ result: ToolResult, tool: String) -> String? {
    let lines = result.stderrTextLines.filter { $0.hasPrefix("\(tool): error: ") }
    return lines.count == 1 ? lines[0] : nil
}
