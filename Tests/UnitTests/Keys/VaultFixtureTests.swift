import AIBase
import AICommandLine
import AIKeys
import AIProviders
import AIWire
import Foundation
import Testing

/// T7/T34: the committed golden vaults (Tests/Fixtures/vault, never regenerated) open, entry for entry.
@Suite struct VaultFixtureTests {
    struct Golden: Sendable, CustomStringConvertible {
        var file: String
        var operations: UInt32
        var memoryKiB: UInt32
        var generation: UInt64
        var entries: [String: String]
        var description: String { file }
    }

    static let goldens: [Golden] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: KeysTest.fixtureDirectory + "/fixtures.json")),
            let json = try? JSON.parse(Array(data)), let vaults = json["vaults"]?.arrayValue
        else { return [] }
        return vaults.compactMap { vault in
            guard let file = vault["file"]?.stringValue, let operations = vault["kdf_ops"]?.intValue,
                let memory = vault["kdf_mem_kib"]?.intValue, let generation = vault["generation"]?.intValue,
                let entries = vault["entries"]?.objectValue
            else { return nil }
            var values: [String: String] = [:]
            for member in entries.members { values[member.key] = member.value.stringValue }
            return Golden(
                file: file, operations: UInt32(operations), memoryKiB: UInt32(memory),
                generation: UInt64(generation), entries: values)
        }
    }()

    @Test func theIndexListsEveryCommittedVault() throws {
        let names = try FileManagerNames.list(KeysTest.fixtureDirectory).filter { $0.hasSuffix(".vault") }
        #expect(Self.goldens.map(\.file).sorted() == names)
        #expect(names.count >= 5)
    }

    @Test(arguments: goldens)
    func golden_opensWithItsStoredCost(_ golden: Golden) throws {
        let file = try KeysTest.fixture(golden.file)
        let header = try VaultHeader.validate(file, path: golden.file)
        #expect(header.kdf == KDFParameters(operations: golden.operations, memoryKiB: golden.memoryKiB))
        let location = try KeysTest.vault(file)
        defer { KeysTest.removeTree(location.directory) }
        let vault = try Vault.open(location, passphrase: try KeysTest.secret())
        #expect(vault.contents.generation == golden.generation)
        #expect(vault.contents.entries.map(\.name) == golden.entries.keys.sorted())
        for (name, value) in golden.entries {
            #expect(vault.contents.entry(named: name)?.secret.isEqual(to: Array(value.utf8)) == true)
            #expect(vault.contents.entry(named: name)?.created == 1_767_225_600)
        }
    }
}
