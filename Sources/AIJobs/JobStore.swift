import AIBase
import AIWire
import Glibc

/// The job records of one user: `$XDG_STATE_HOME/ai/batches/JOB.json` (default `~/.local/state/ai/batches`),
/// each 0600 in a 0700 directory, replaced atomically and durably (`DurableFile`).
package struct JobStore: Sendable {
    /// The directory the records are in.
    package let directory: String

    /// The store in `directory`.
    package init(directory: String) {
        self.directory = directory
    }

    /// The store the environment names.
    package init(environment: Environment) {
        self.init(directory: Paths(environment: environment).stateHome + "/ai/batches")
    }

    /// The path of job `job`'s record.
    package func path(of job: String) -> String {
        directory + "/" + job + ".json"
    }

    /// Writes `record`, creating the directory (0700) when needed.
    /// - Throws: `AIError` (`io`).
    package func save(_ record: JobRecord) throws(AIError) {
        try DurableFile.makePrivateDirectory(directory)
        var bytes = record.json.encoded()
        bytes.append(0x0A)
        try DurableFile.replace(
            directory: directory, name: record.job + ".json", bytes: bytes, noun: "the job record of \(record.job)")
    }

    /// Reads job `job`'s record.
    /// - Throws: `AIError` (`usage`) for a name that cannot be a job, (`not_found`) when there is no such job,
    ///   (`input`) for a record that cannot be read as one, (`io`).
    package func load(_ job: String) throws(AIError) -> JobRecord {
        guard Self.isJobName(job) else {
            throw AIError(.usage, "'\(job)' is not a job id", hints: ["'ai-batch list' shows the jobs"])
        }
        let path = path(of: job)
        let bytes: [UInt8]?
        do { bytes = try FileReader.read(path, limit: 1 << 30) } catch let error as AIError { throw error } catch {
            throw AIError(.io, "cannot read \(path)")
        }
        guard let bytes else {
            throw AIError(.notFound, "no job \(job)", hints: ["'ai-batch list' shows the jobs"])
        }
        let json: JSON
        do { json = try JSON.parse(bytes) } catch {
            throw AIError(.input, "\(path) is not JSON: \(error.reason) at byte \(error.offset)")
        }
        return try JobRecord(json: json, path: path)
    }

    /// Every job's record, oldest first; records that cannot be read are passed to `skipped`.
    package func all(skipped: (String, AIError) -> Void = { _, _ in }) -> [JobRecord] {
        guard let stream = opendir(directory) else { return [] }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".json"), !name.hasPrefix(".") { names.append(String(name.dropLast(5))) }
        }
        closedir(stream)
        var records: [JobRecord] = []
        for name in names.sorted() {
            do { records.append(try load(name)) } catch { skipped(name, error) }
        }
        return records.sorted { ($0.created, $0.job) < ($1.created, $1.job) }
    }

    /// A new job id: the time in UTC and six random hex digits (`20261202T015300-a1b2c3`).
    package static func newJobName(now: Int = WallClock.now()) -> String {
        let random = String(UInt32.random(in: 0..<(1 << 24)), radix: 16)
        return WallClock.compact(now) + "-" + String(repeating: "0", count: 6 - random.count) + random
    }

    /// Whether `name` can be a job id: letters, digits, `-`, `_` and `.`, not starting with `.`.
    package static func isJobName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": true
                default: false
                }
            }
    }
}
