// swift-tools-version:6.0
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

// A release build links the Swift runtime statically (--static-swift-stdlib), and that link asks for -lstdc++.
// Linker/libstdc++.so, found first, answers with libstdc++.a: the tools then load one shared library fewer and
// skip its ~1,700 symbol bindings at every start (Benchmarks/README.md). Links that do not ask for -lstdc++
// (debug builds, tests) are untouched.
let staticLibstdcxx: LinkerSetting = .unsafeFlags(["-L\(Context.packageDirectory)/Linker"], .when(platforms: [.linux]))

let package = Package(
    name: "ai",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ai-complete", targets: ["ai-complete"]),
        .executable(name: "ai-stream", targets: ["ai-stream"]),
        .executable(name: "ai-embed", targets: ["ai-embed"]),
        .executable(name: "ai-models", targets: ["ai-models"]),
        .executable(name: "ai-keys", targets: ["ai-keys"]),
        .executable(name: "ai-batch", targets: ["ai-batch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", .upToNextMinor(from: "1.8.2")),
        .package(url: "https://github.com/x-sheep/swift-property-based", .upToNextMinor(from: "2.0.1")),
    ],
    targets: [
        // The only door to libcurl: typed, non-variadic wrappers over curl_easy_setopt / curl_easy_getinfo.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        // The only door to libsodium (imported by Sources/AIKeys/Sodium/ alone).
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // What Glibc's module lacks: SO_PEERCRED, prctl, accept4, closefrom (compiled with _GNU_SOURCE).
        .target(name: "CSystem"),
        // The layers, lowest first: each imports only targets above it in this list (docs/architecture.md).
        // Errors and their one exit-status table, clocks, threads, cancellation, the environment, the terminal,
        // and the seams injected into the layers below the command line (Reporter, KeyLookup).
        .target(name: "AIBase"),
        // The stdin/stdout contract: JSON, requests, records, input framing, SSE and NDJSON parsing.
        .target(name: "AIWire", dependencies: ["AIBase"]),
        // JSON Schema (draft 2020-12 and draft-07): compiled once, validated per instance; no I/O.
        .target(name: "AISchema", dependencies: ["AIBase", "AIWire"]),
        // HTTP through libcurl: the only importer of CCurl.
        .target(name: "AITransport", dependencies: ["AIBase", "AIWire", "CCurl"]),
        // The config file and the settings merged at start-up.
        .target(name: "AIConfig", dependencies: ["AIBase", "AIWire", "AITransport"]),
        // Each provider's request encoding and response decoding, and the registry that builds them.
        .target(name: "AIProviders", dependencies: ["AIBase", "AIWire", "AITransport", "AIConfig"]),
        // The vault, the agent and key lookup: the only importer of CSodium.
        .target(name: "AIKeys", dependencies: ["AIBase", "AIWire", "CSodium", "CSystem"]),
        // Tools the model may call: definitions, running commands, MCP servers; no provider knowledge.
        .target(name: "AITools", dependencies: ["AIBase", "AIWire", "AISchema"]),
        // Requests run to their end: retries, batches, the tool loop.
        .target(
            name: "AIRunner",
            dependencies: ["AIBase", "AIWire", "AISchema", "AITransport", "AIConfig", "AIProviders", "AITools"]),
        // Providers' batch APIs: job records, id maps, submitting, polling, results in input order.
        .target(
            name: "AIJobs",
            dependencies: ["AIBase", "AIWire", "AISchema", "AITransport", "AIConfig", "AIProviders", "AIRunner"]),
        // Providers' model catalogs: probing, listing, details, pulling.
        .target(name: "AICatalog", dependencies: ["AIBase", "AIWire", "AITransport", "AIConfig", "AIProviders"]),
        // The command-line layer shared by the tools: the only library importing ArgumentParser, the only one
        // that writes to stderr or chooses an exit status.
        .target(
            name: "AICommandLine",
            dependencies: [
                "AIBase", "AIWire", "AISchema", "AITransport", "AIConfig", "AIProviders", "AIKeys", "AITools",
                "AIRunner", "AIJobs", "AICatalog", "CSystem", argumentParser,
            ]
        ),
        .executableTarget(
            name: "ai-complete", dependencies: ["AIBase", "AICommandLine", argumentParser],
            linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-stream", dependencies: ["AIBase", "AICommandLine", argumentParser],
            linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-embed", dependencies: ["AIBase", "AICommandLine", argumentParser],
            linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-models", dependencies: ["AIBase", "AICommandLine", argumentParser],
            linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-keys", dependencies: ["AIBase", "AICommandLine", argumentParser],
            linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-batch", dependencies: ["AIBase", "AICommandLine", argumentParser],
            linkerSettings: [staticLibstdcxx]
        ),
        // Test-only: the fake provider server, fixture loading and the binary runner.
        .target(name: "AITestSupport", dependencies: ["AIBase", "AIWire", "AITransport"]),
        .executableTarget(name: "ai-fake-server", dependencies: ["AITestSupport"]),
        // Test-only: an MCP server over stdio (Interop/mcp-sdk-server is the same server on the official SDK).
        .executableTarget(name: "ai-test-mcp-server", dependencies: ["AITestSupport"]),
        .testTarget(
            name: "UnitTests",
            dependencies: [
                "AIBase", "AIWire", "AISchema", "AITransport", "AIConfig", "AIProviders", "AIKeys", "AITools",
                "AIRunner", "AIJobs", "AICatalog", "AICommandLine", "AITestSupport", argumentParser,
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "AISchemaTests",
            dependencies: [
                "AISchema", "AIWire", "AIBase", .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["AIBase", "AIWire", "AIProviders", "AIKeys", "AICommandLine", "AITestSupport"]
        ),
    ]
)
