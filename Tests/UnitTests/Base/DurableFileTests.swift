import AIBase
import Foundation
import Testing

/// `DurableFile`: the old file stays whole until the rename, no temp file outlives a write, modes 0600 and 0700.
@Suite struct DurableFileTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "ai-durable-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func replace_writesTheNewContent_mode0600_noTemporaryLeft() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DurableFile.replace(directory: root, name: "f", bytes: Array("one".utf8))
        try DurableFile.replace(directory: root, name: "f", bytes: Array("two".utf8), readBackLimit: 100)
        #expect(try Self.read(root + "/f") == "two")
        #expect(try FileManager.default.attributesOfItem(atPath: root + "/f")[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["f"])
    }

    @Test(arguments: ["write", "fsync", "rename"])
    func aFailure_keepsTheOldFile_andRemovesTheTemporary(fault: String) throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DurableFile.replace(directory: root, name: "f", bytes: Array("old".utf8))
        var renamed = false
        #expect(throws: AIError.self) {
            try DurableFile.replace(
                directory: root, name: "f", bytes: Array("new".utf8), noun: "the new f", fault: { $0 == fault },
                renamed: { renamed = true })
        }
        #expect(!renamed)
        #expect(try Self.read(root + "/f") == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["f"])
    }

    @Test func removeStale_removesOnlyThisFilesTemporaries() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in [".f.tmp.dead", ".g.tmp.beef", "f.tmp.keep"] {
            FileManager.default.createFile(atPath: root + "/" + name, contents: Data())
        }
        try DurableFile.replace(directory: root, name: "f", bytes: [1], removeStale: true)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root).sorted() == [".g.tmp.beef", "f", "f.tmp.keep"])
    }

    @Test func makePrivateDirectory_createsTheChain0700() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DurableFile.makePrivateDirectory(root + "/a/b/c")
        try DurableFile.makePrivateDirectory(root + "/a/b/c")
        for path in ["/a", "/a/b", "/a/b/c"] {
            #expect(try FileManager.default.attributesOfItem(atPath: root + path)[.posixPermissions] as? Int == 0o700)
        }
        #expect(throws: AIError.self) { try DurableFile.replace(directory: root + "/missing", name: "f", bytes: []) }
    }
}
