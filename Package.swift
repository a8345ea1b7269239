// swift-tools-version:6.0
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "ai",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ai-complete", targets: ["ai-complete"]),
        .executable(name: "ai-stream", targets: ["ai-stream"]),
        .executable(name: "ai-models", targets: ["ai-models"]),
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
        .target(name: "AICore", dependencies: ["CCurl", argumentParser]),
        .executableTarget(name: "ai-complete", dependencies: ["AICore", argumentParser]),
        .executableTarget(name: "ai-stream", dependencies: ["AICore", argumentParser]),
        .executableTarget(name: "ai-models", dependencies: ["AICore", argumentParser]),
        // Test-only: the fake provider server, fixture loading and the binary runner.
        .target(name: "AITestSupport", dependencies: ["AICore"]),
        .executableTarget(name: "ai-fake-server", dependencies: ["AITestSupport"]),
        .testTarget(
            name: "AICoreTests",
            dependencies: ["AICore", "AITestSupport", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["AICore", "AITestSupport"]),
    ]
)
