import AIKeys
import AIProviders
import Testing

/// The decrypted payload: binary layout, name rules, limits, and refusal of anything malformed.
@Suite struct VaultContentsTests {
    @Test func roundTrip_keepsEntriesSortedWithDates() throws {
        var contents = VaultContents()
        contents.generation = 41
        try contents.set("openai", secret: try SecretBytes(utf8: "sk-o"), time: 10)
        try contents.set("anthropic", secret: try SecretBytes(utf8: "sk-a"), time: 20)
        try contents.set("openai", secret: try SecretBytes(utf8: "sk-o2"), time: 30)
        let decoded = try VaultContents.decode(try contents.encoded(), path: "v")
        #expect(decoded.generation == 41)
        #expect(decoded.entries.map(\.name) == ["anthropic", "openai"])
        let openai = try #require(decoded.entry(named: "openai"))
        #expect(openai.secret.isEqual(to: Array("sk-o2".utf8)))
        #expect(openai.created == 10 && openai.updated == 30)
    }

    @Test(arguments: ["", ".", "a b", "ключ", String(repeating: "x", count: 65), "a/b", "a\u{0}"])
    func invalidNames_areRefused(_ name: String) throws {
        if name == "." {
            try VaultContents.checkName(name)
            return
        }
        #expect(throws: KeysError.invalidName(name)) { try VaultContents.checkName(name) }
    }

    @Test func limits_areEnforced() throws {
        var contents = VaultContents()
        #expect(throws: KeysError.emptySecret) { try contents.set("a", secret: try SecretBytes(count: 0), time: 0) }
        #expect(throws: KeysError.secretTooLong) {
            try contents.set("a", secret: try SecretBytes(count: 8193), time: 0)
        }
        for index in 0..<VaultContents.maximumEntries {
            try contents.set("k\(index)", secret: try SecretBytes(utf8: "v"), time: 0)
        }
        #expect(throws: KeysError.self) { try contents.set("one-more", secret: try SecretBytes(utf8: "v"), time: 0) }
        #expect(throws: KeysError.entryNotFound(name: "nope")) { try contents.remove("nope") }
    }

    @Test func malformedPayloads_areCorrupted() throws {
        var contents = VaultContents()
        try contents.set("b", secret: try SecretBytes(utf8: "1"), time: 0)
        try contents.set("c", secret: try SecretBytes(utf8: "2"), time: 0)
        let good = try contents.encoded()
        let bytes = good.withUnsafeBytes { Array($0) }
        var variants: [[UInt8]] = []
        for length in 0..<bytes.count { variants.append(Array(bytes[0..<length])) }
        variants.append(bytes + [0])
        var version = bytes
        version[0] = 2
        variants.append(version)
        var unsorted = bytes
        unsorted[15] = UInt8(ascii: "d")
        variants.append(unsorted)
        var badName = bytes
        badName[15] = UInt8(ascii: " ")
        variants.append(badName)
        for variant in variants {
            let payload = try variant.withUnsafeBytes { try SecretBytes(copying: $0) }
            #expect(throws: KeysError.corrupted(path: "v")) { _ = try VaultContents.decode(payload, path: "v") }
        }
    }

    @Test func fingerprint_isStableShortAndNotTheKey() throws {
        let entry = VaultEntry(name: "a", secret: try SecretBytes(utf8: "sk-secret"), created: 0, updated: 0)
        #expect(entry.fingerprint.hasPrefix("b2:") && entry.fingerprint.count == 19)
        #expect(!entry.fingerprint.contains("secret"))
        let same = VaultEntry(name: "b", secret: try SecretBytes(utf8: "sk-secret"), created: 1, updated: 1)
        #expect(entry.fingerprint == same.fingerprint)
    }
}
