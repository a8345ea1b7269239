import AIBase
import AIJobs
import AIWire
import Foundation
import Testing

/// Job records on disk: written atomically (no temp file left, the old record intact until the rename), 0600 in a
/// 0700 directory, read back as written, listed oldest first.
@Suite struct JobStoreTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "ai-jobs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func record(_ job: String, created: Int = 1_700_000_000) -> JobRecord {
        JobRecord(
            job: job, provider: "openai", kind: "openai", created: created, state: .submitting,
            parts: [JobRecord.Part(requests: 2, bytes: 300)], schemas: [.object(["type": "object"])],
            items: [
                JobRecord.Item(
                    id: "a b", metadata: .object(["k": .int(1)]), customID: "r0_a_b", part: 0, model: "m", schema: 0),
                JobRecord.Item(id: .int(2), metadata: nil, customID: "r1_2", part: 0, model: "m"),
                JobRecord.Item(id: "3", metadata: nil, failure: AIError(.input, "unknown field 'x'")),
            ])
    }

    @Test func save_createsPrivateDirectoryAndFile_readsBackTheSame() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = JobStore(directory: root + "/state/ai/batches")
        let record = Self.record("20261202T015300-abcdef")
        try store.save(record)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path(of: record.job))
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: store.directory)
        #expect(directory[.posixPermissions] as? Int == 0o700)
        #expect(try store.load(record.job) == record)
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        #expect(names == [record.job + ".json"])
    }

    @Test func save_replacesWholly_andLeavesNoTemporaryFile() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = JobStore(directory: root)
        var record = Self.record("job-1")
        try store.save(record)
        let before = try FileManager.default.attributesOfItem(atPath: store.path(of: "job-1"))[.systemFileNumber]
        record.parts[0].providerJob = "batch_1"
        record.state = .submitted
        try store.save(record)
        let after = try FileManager.default.attributesOfItem(atPath: store.path(of: "job-1"))[.systemFileNumber]
        // A rename puts a new file in place: the record is never rewritten in place.
        #expect(before as? Int != after as? Int)
        #expect(try store.load("job-1") == record)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["job-1.json"])
    }

    @Test func save_intoUnwritableDirectory_ioError_oldRecordKept() throws {
        guard geteuid() != 0 else { return }
        let root = try Self.temporaryDirectory()
        defer {
            chmod(root, 0o700)
            try? FileManager.default.removeItem(atPath: root)
        }
        let store = JobStore(directory: root)
        let record = Self.record("job-2")
        try store.save(record)
        chmod(root, 0o500)
        var changed = record
        changed.state = .submitted
        #expect(throws: AIError.self) { try store.save(changed) }
        chmod(root, 0o700)
        #expect(try store.load("job-2") == record)
    }

    @Test func load_unknownJob_notFound_andBadName_usage() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = JobStore(directory: root)
        #expect(throws: AIError(.notFound, "no job nope", hints: ["'ai-batch list' shows the jobs"])) {
            try store.load("nope")
        }
        for name in ["../x", ".hidden", "a/b", ""] {
            #expect(throws: AIError.self) { try store.load(name) }
        }
        try Data("{\"version\":1}".utf8).write(to: URL(fileURLWithPath: root + "/broken.json"))
        #expect(throws: AIError.self) { try store.load("broken") }
    }

    @Test func all_oldestFirst_skippingBrokenRecords() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = JobStore(directory: root)
        try store.save(Self.record("b-newer", created: 2_000))
        try store.save(Self.record("a-older", created: 1_000))
        try Data("not json".utf8).write(to: URL(fileURLWithPath: root + "/junk.json"))
        var skipped: [String] = []
        #expect(store.all { name, _ in skipped.append(name) }.map(\.job) == ["a-older", "b-newer"])
        #expect(skipped == ["junk"])
    }

    @Test func newJobName_isAJobName_andSortsByTime() {
        let early = JobStore.newJobName(now: 1_764_640_380)
        let late = JobStore.newJobName(now: 1_764_640_381)
        #expect(early.hasPrefix("20251202T015300-"))
        #expect(early.count == 22)
        #expect(JobStore.isJobName(early))
        #expect(early < late)
    }

    @Test func wallClock_formatsAndParsesRFC3339() {
        #expect(WallClock.rfc3339(0) == "1970-01-01T00:00:00Z")
        #expect(WallClock.rfc3339(1_764_640_380) == "2025-12-02T01:53:00Z")
        #expect(WallClock.parse("2025-12-02T01:53:00Z") == 1_764_640_380)
        #expect(WallClock.parse("2025-12-02T01:53:00.123456Z") == 1_764_640_380)
        #expect(WallClock.parse("2025-12-02T02:53:00+01:00") == 1_764_640_380)
        #expect(WallClock.parse("yesterday") == nil)
    }
}
