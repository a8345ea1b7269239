// swift-tools-version:6.1
// The test MCP server's portable tools on the official MCP Swift SDK, to run the client's tests against the
// reference implementation (its own package: the SDK's swift-system has a target named CSystem, as ai has):
//
//   swift build --package-path Interop/mcp-sdk-server --scratch-path /tmp/mcp-sdk-server
//   AI_TEST_MCP_SERVER=/tmp/mcp-sdk-server/debug/mcp-sdk-server swift test --filter MCPServerTests
import PackageDescription

let package = Package(
    name: "mcp-sdk-server",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1")
    ],
    targets: [
        .executableTarget(name: "mcp-sdk-server", dependencies: [.product(name: "MCP", package: "swift-sdk")])
    ]
)
