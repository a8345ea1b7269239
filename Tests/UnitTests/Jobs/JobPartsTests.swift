import AIBase
import AIJobs
import Testing

/// Splitting a job's requests at the provider's limits, in input order.
@Suite struct JobPartsTests {
    @Test func underTheLimits_onePart() throws {
        let parts = try JobParts.split(sizes: [10, 20, 30], maximumRequests: 5, maximumBytes: 100) { $0 }
        #expect(parts == [0..<3])
    }

    @Test func byCount() throws {
        let parts = try JobParts.split(sizes: Array(repeating: 1, count: 7), maximumRequests: 3, maximumBytes: 1000) {
            $0
        }
        #expect(parts == [0..<3, 3..<6, 6..<7])
    }

    @Test func byBytes_countingOverhead() throws {
        // Each part holds entries whose sizes plus one byte each (a newline) fit in 25 bytes.
        let parts = try JobParts.split(sizes: [10, 10, 10, 4, 20], maximumRequests: 100, maximumBytes: 25) { $0 }
        #expect(parts == [0..<2, 2..<4, 4..<5])
        let anthropic = try JobParts.split(sizes: [5, 5, 5], maximumRequests: 100, maximumBytes: 30) { 14 + $0 - 1 }
        #expect(anthropic == [0..<2, 2..<3])
    }

    @Test func exactlyAtTheLimits_staysWhole() throws {
        let parts = try JobParts.split(sizes: [9, 9], maximumRequests: 2, maximumBytes: 20) { $0 }
        #expect(parts == [0..<2])
    }

    @Test func oneEntryTooLarge_inputError() {
        #expect(throws: AIError.self) {
            try JobParts.split(sizes: [5, 50, 5], maximumRequests: 10, maximumBytes: 40) { $0 }
        }
        do {
            _ = try JobParts.split(sizes: [5, 50, 5], maximumRequests: 10, maximumBytes: 40) { $0 }
        } catch {
            #expect(error.code == .input)
            #expect(error.message.hasPrefix("request 2 takes 50 bytes"))
        }
    }

    @Test func empty_noParts() throws {
        #expect(try JobParts.split(sizes: [], maximumRequests: 10, maximumBytes: 40) { $0 }.isEmpty)
    }
}
