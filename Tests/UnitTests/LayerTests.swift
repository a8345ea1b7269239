import Foundation
import Testing

/// docs/architecture.md: the layers' order, the C and ArgumentParser fences, and "only the command line prints or
/// exits", checked against Package.swift and the sources.
@Suite struct LayerTests {
    /// The library targets, lowest first: a target may depend only on targets before it.
    static let layers = [
        "AIBase", "AIWire", "AISchema", "AITransport", "AIConfig", "AIProviders", "AIKeys", "AITools", "AIRunner",
        "AIJobs", "AICatalog", "AICommandLine",
    ]

    static var sources: String { KeysTest.packageRoot + "/Sources" }

    /// Every target's name and its dependencies' names, read from Package.swift.
    static func targets() throws -> [String: [String]] {
        let text = try String(contentsOfFile: KeysTest.packageRoot + "/Package.swift", encoding: .utf8)
        var result: [String: [String]] = [:]
        let pattern = try NSRegularExpression(
            pattern: #"\.(?:target|executableTarget|testTarget)\(\s*name: "([^"]+)"(?:,\s*dependencies: \[([^\]]*)\])?"#
        )
        let range = NSRange(text.startIndex..., in: text)
        for match in pattern.matches(in: text, range: range) {
            guard let name = Range(match.range(at: 1), in: text).map({ String(text[$0]) }) else { continue }
            let list = Range(match.range(at: 2), in: text).map { String(text[$0]) } ?? ""
            let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            result[name] =
                names.filter { $0.hasPrefix("\"") }.map { $0.trimmingCharacters(in: ["\""]) }
                + (names.contains("argumentParser") ? ["ArgumentParser"] : [])
        }
        return result
    }

    /// The Swift files under `Sources/<folder>`, relative to `Sources/`, with their text.
    static func files(under folder: String = "") -> [(path: String, text: String)] {
        guard let walker = FileManager.default.enumerator(atPath: sources + "/" + folder) else { return [] }
        var files: [(path: String, text: String)] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            let relative = folder.isEmpty ? path : folder + "/" + path
            guard let text = try? String(contentsOfFile: sources + "/" + relative, encoding: .utf8) else { continue }
            files.append((path: relative, text: text))
        }
        return files
    }

    static func imports(of module: String) -> [String] {
        files().filter { file in
            file.text.split(separator: "\n").contains { line in
                let line = line.trimmingCharacters(in: .whitespaces)
                return line == "import \(module)" || line.hasSuffix(" import \(module)")
            }
        }.map(\.path)
    }

    @Test func libraryTargets_dependOnlyOnLayersBelowThem() throws {
        let targets = try Self.targets()
        for (index, layer) in Self.layers.enumerated() {
            let dependencies = try #require(targets[layer], "\(layer) is not in Package.swift")
            let libraries = dependencies.filter { $0.hasPrefix("AI") }
            for dependency in libraries {
                let position = try #require(Self.layers.firstIndex(of: dependency), "\(dependency) is not a layer")
                #expect(position < index, "\(layer) depends on \(dependency), which is not below it")
            }
            #expect(!dependencies.contains("ArgumentParser") || layer == "AICommandLine", "\(layer)")
        }
    }

    @Test func cSodium_onlyInKeysSodium() {
        let files = Self.imports(of: "CSodium")
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { $0.hasPrefix("AIKeys/Sodium/") }, "\(files)")
    }

    @Test func argumentParser_onlyInTheCommandLineAndExecutables() {
        let files = Self.imports(of: "ArgumentParser")
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { $0.hasPrefix("AICommandLine/") || $0.hasPrefix("ai-") }, "\(files)")
    }

    @Test func cCurl_onlyInTransportCurl() {
        let files = Self.imports(of: "CCurl")
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { $0.hasPrefix("AITransport/Curl/") }, "\(files)")
    }

    @Test func onlyTheCommandLine_writesToStderrOrExits() throws {
        let forbidden = try NSRegularExpression(
            pattern:
                #"\b_exit\(|(?<![\w.])exit\(|writeAll\(2\b|write\(2,|\bstderr\b|\bfputs\(|(?<![\w.])print\(|\bDiagnostics\."#
        )
        for layer in Self.layers where layer != "AICommandLine" {
            let files = Self.files(under: layer)
            #expect(!files.isEmpty, "\(layer)")
            for file in files {
                for (number, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = String(line).components(separatedBy: "//").first ?? ""
                    let found = forbidden.firstMatch(in: code, range: NSRange(code.startIndex..., in: code))
                    #expect(found == nil, "\(file.path):\(number + 1): \(line)")
                }
            }
        }
    }
}
