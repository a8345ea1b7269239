import Testing

@testable import AIKeys

/// The agent protocol's framing: a u32 length in 1…65,536, then the body; fields read back as written.
@Suite struct AgentFrameTests {
    @Test func frames_roundTrip() throws {
        let secret = try SecretBytes(utf8: "sk-123")
        let frame = try AgentFrame.encode(.unlock, [.secret(secret), .u32(7), .u32(0xFFFF_FFFF), .string("ai-x")])
        let bytes = frame.withUnsafeBytes { Array($0) }
        #expect(AgentFrame.length(of: Array(bytes[0..<4])) == bytes.count - 4)
        bytes[4...].withUnsafeBytes { body in
            var reader = AgentFrameReader(body)
            #expect(reader.u8() == AgentMessageType.unlock.rawValue)
            #expect(reader.secret()?.isEqual(to: Array("sk-123".utf8)) == true)
            #expect(reader.u32() == 7)
            #expect(reader.u32() == 0xFFFF_FFFF)
            #expect(reader.string() == "ai-x")
            #expect(reader.isAtEnd)
            #expect(reader.u8() == nil)
        }
    }

    @Test(arguments: [(UInt32(0), false), (1, true), (65_536, true), (65_537, false), (0xFFFF_FFFF, false)])
    func lengths_areBounded(_ length: UInt32, _ accepted: Bool) {
        var prefix: [UInt8] = []
        prefix.appendBigEndian(length)
        #expect((AgentFrame.length(of: prefix) != nil) == accepted)
    }

    @Test func oversizedMessages_areNotBuilt() throws {
        #expect(throws: KeysError.self) {
            _ = try AgentFrame.encode(.get, [.string(String(repeating: "x", count: 65_536))])
        }
    }

    @Test func shortBodies_readAsNil() {
        [UInt8]([0x04, 0, 0, 0, 9, 0x61]).withUnsafeBytes { body in
            var reader = AgentFrameReader(body)
            _ = reader.u8()
            #expect(reader.string() == nil)
        }
    }
}
