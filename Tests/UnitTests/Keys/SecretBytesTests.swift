import AIBase
import AIKeys
import Testing

/// T31: secrets live in guarded memory and are released (zeroed by `sodium_free`) when dropped.
@Suite(.serialized) struct SecretBytesTests {
    @Test func secrets_areReleased() throws {
        // Other suites allocate concurrently, so the counts are compared with a wide margin.
        var during = 0
        do {
            let secrets = try (0..<1000).map { _ in try SecretBytes(utf8: "sk-live") }
            let copy = try secrets[0].slice(0..<2)
            #expect(copy.isEqual(to: Array("sk".utf8)))
            during = SecretBytes.liveCount
            #expect(during >= 1000)
        }
        #expect(during - SecretBytes.liveCount > 900)
    }

    @Test func wipe_zeroes_andEqualityIsByContent() throws {
        let secret = try SecretBytes(utf8: "abc")
        #expect(secret.isEqual(to: try SecretBytes(utf8: "abc")))
        #expect(!secret.isEqual(to: try SecretBytes(utf8: "abd")))
        #expect(!secret.isEqual(to: try SecretBytes(utf8: "ab")))
        secret.wipe()
        #expect(secret.isEqual(to: [0, 0, 0]))
    }

    @Test func protectedSecrets_canBeUnprotectedAgain() throws {
        let secret = try SecretBytes(utf8: "key")
        secret.protect()
        secret.unprotect()
        #expect(secret.isEqual(to: Array("key".utf8)))
    }

    @Test func interpolation_neverShowsTheBytes() throws {
        let secret = try SecretBytes(utf8: "sk-very-secret")
        #expect(!"\(secret)".contains("very"))
        #expect(!String(describing: secret).contains("very"))
    }
}
