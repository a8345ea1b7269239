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
        .executable(name: "ai-models", targets: ["ai-models"]),
        .executable(name: "ai-keys", targets: ["ai-keys"]),
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
        // The only door to libsodium (imported by Sources/AICore/Keys/Sodium/ alone).
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // What Glibc's module lacks: SO_PEERCRED, prctl, accept4, closefrom (compiled with _GNU_SOURCE).
        .target(name: "CSystem"),
        .target(name: "AICore", dependencies: ["CCurl", "CSodium", "CSystem", argumentParser]),
        .executableTarget(
            name: "ai-complete", dependencies: ["AICore", argumentParser], linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-stream", dependencies: ["AICore", argumentParser], linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-models", dependencies: ["AICore", argumentParser], linkerSettings: [staticLibstdcxx]
        ),
        .executableTarget(
            name: "ai-keys", dependencies: ["AICore", argumentParser], linkerSettings: [staticLibstdcxx]
        ),
        // Test-only: the fake provider server, fixture loading and the binary runner.
        .target(name: "AITestSupport", dependencies: ["AICore"]),
        .executableTarget(name: "ai-fake-server", dependencies: ["AITestSupport"]),
        .testTarget(
            name: "AICoreTests",
            dependencies: [
                "AICore", "AITestSupport", argumentParser,
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["AICore", "AITestSupport"]),
    ]
)
