import Foundation
import Testing

/// STYLE: CSodium is imported only in Sources/AICore/Keys/Sodium/, ArgumentParser only in Sources/AICore/CLI/ and
/// the executables, CCurl only in Sources/AICore/Transport/Curl/.
@Suite struct ImportFenceTests {
    static func imports(of module: String) -> [String] {
        let root = KeysTest.packageRoot + "/Sources"
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            guard let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if lines.contains(where: { $0 == "import \(module)" || $0.hasPrefix("import \(module) ")
                || $0.hasSuffix(" import \(module)") }) {
                files.append(path)
            }
        }
        return files
    }

    @Test func cSodium_onlyInKeysSodium() {
        let files = Self.imports(of: "CSodium")
        #expect(!files.isEmpty)
        #expect(files.allSatisfy { $0.hasPrefix("AICore/Keys/Sodium/") }, "\(files)")
    }

    @Test func argumentParser_onlyInCLIAndExecutables() {
        let files = Self.imports(of: "ArgumentParser")
        #expect(files.allSatisfy { $0.hasPrefix("AICore/CLI/") || $0.hasPrefix("ai-") }, "\(files)")
    }

    @Test func cCurl_onlyInTransportCurl() {
        let files = Self.imports(of: "CCurl")
        #expect(files.allSatisfy { $0.hasPrefix("AICore/Transport/Curl/") }, "\(files)")
    }
}
