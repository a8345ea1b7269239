import AIBase
import AIJobs
import AIWire
import Testing

/// `custom_id`s from awkward ids: always legal for the providers, unique by position, and readable.
@Suite struct CustomIDsTests {
    static let awkward: [JSON] = [
        "plain", "with spaces", "a/b/c", "ünïcødé ✓", "日本語", .string(String(repeating: "x", count: 200)),
        .int(42), "", "r0_x", "-_-", .string(String(repeating: "é", count: 100)), "\u{0}\n\t", .number("1e3"),
    ]

    @Test func awkwardIDs_becomeLegalUniqueCustomIDs() {
        let customIDs = Self.awkward.enumerated().map { CustomIDs.customID(index: $0.offset, id: $0.element) }
        for customID in customIDs {
            #expect(CustomIDs.isLegal(customID), "\(customID)")
            #expect(customID.wholeMatch(of: /[a-zA-Z0-9_-]{1,64}/) != nil, "\(customID)")
        }
        #expect(Set(customIDs).count == customIDs.count)
        #expect(customIDs[0] == "r0_plain")
        #expect(customIDs[1] == "r1_with_spaces")
        #expect(customIDs[2] == "r2_a_b_c")
        #expect(customIDs[3] == "r3__n_c_d___")
        #expect(customIDs[5] == "r5_" + String(repeating: "x", count: 61))
        #expect(customIDs[6] == "r6_42")
        #expect(customIDs[7] == "r7")
        #expect(customIDs[12] == "r12_1e3")
    }

    @Test func sameIDAtTwoPositions_twoCustomIDs() {
        #expect(CustomIDs.customID(index: 1, id: "a") != CustomIDs.customID(index: 11, id: "a"))
        #expect(CustomIDs.customID(index: 1, id: "1_a") != CustomIDs.customID(index: 11, id: "a"))
    }

    @Test func largeIndex_stillFits() {
        let customID = CustomIDs.customID(index: 99_999, id: .string(String(repeating: "z", count: 200)))
        #expect(customID.utf8.count == 64)
        #expect(customID.hasPrefix("r99999_"))
    }

    @Test func isLegal_refusesWhatProvidersRefuse() {
        #expect(!CustomIDs.isLegal(""))
        #expect(!CustomIDs.isLegal("a b"))
        #expect(!CustomIDs.isLegal("é"))
        #expect(!CustomIDs.isLegal(String(repeating: "a", count: 65)))
        #expect(CustomIDs.isLegal(String(repeating: "a", count: 64)))
    }

    @Test func duplicates_refusedAsInput_namingBothLines() {
        let items: [(id: JSON, line: Int)] = [("a", 1), (.int(1), 2), ("1", 3), ("a b", 4), ("a", 7)]
        #expect(throws: AIError.self) { try CustomIDs.checkUnique(items) }
        do {
            try CustomIDs.checkUnique(items)
        } catch {
            #expect(error.code == .input)
            #expect(error.exitStatus == .dataError)
            #expect(error.message.hasPrefix(#"duplicate id "a" (lines 1 and 7)"#))
        }
        // The number 1 and the string "1" are different ids, as ai-complete --resume reads them.
        #expect(throws: Never.self) { try CustomIDs.checkUnique(Array(items.prefix(4))) }
    }
}
