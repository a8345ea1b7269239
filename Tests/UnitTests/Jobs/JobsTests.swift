import AIBase
import AIConfig
import AIJobs
import AITestSupport
import AIWire
import Foundation
import Testing

/// `Jobs` in process against the fake batch service, with a small per-job limit: requests split over several
/// provider jobs, and their results put back together in input order.
@Suite struct JobsTests {
    /// A file holding `text`, opened for reading.
    static func descriptor(holding text: String) throws -> (Int32, String) {
        let path = NSTemporaryDirectory() + "ai-jobs-input-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (open(path, O_RDONLY), path)
    }

    @Test func manyRequests_splitOverProviderJobs_resultsInInputOrder() throws {
        let service = FakeBatchService()
        let server = try FakeServer(handler: service.handler)
        defer { server.stop() }
        let directory = NSTemporaryDirectory() + "ai-jobs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = Settings(
            environment: isolatedEnvironment(["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": server.baseURL + "/v1"]),
            provider: "openai", model: "m1", retries: 0)
        let jobs = Jobs(settings: settings, store: JobStore(directory: directory)) { name in
            guard let api = try Jobs.batchAPI(settings: settings, provider: name) as? OpenAIBatchAPI else {
                throw AIError(.internal, "not the OpenAI batch API")
            }
            return OpenAIBatchAPI(
                provider: api.openAI, transport: try settings.makeTransport(), limits: settings.limits,
                maximumRequests: 2)
        }
        let input = (1...5).map { #"{"id":"q\#($0)","prompt":"question \#($0)"}"# }.joined(separator: "\n")
        let (descriptor, path) = try Self.descriptor(holding: input)
        defer {
            close(descriptor)
            try? FileManager.default.removeItem(atPath: path)
        }
        let record = try jobs.submit {
            InputReader(descriptor: descriptor, format: .auto, prompt: nil, readsStdin: true)
        }
        #expect(record.parts.map(\.requests) == [2, 2, 1])
        #expect(record.parts.map(\.providerJob) == ["batch_00001", "batch_00002", "batch_00003"])
        #expect(record.state == .submitted)
        #expect(service.uploadedFiles.count == 3)
        #expect(try JobStore(directory: directory).load(record.job) == record)
        let status = try jobs.wait(record.job, maxTime: 30)
        #expect(status.line["succeeded"]?.intValue == 5)
        let (output, outputPath) = try Self.descriptor(holding: "")
        close(output)
        let writer = open(outputPath, O_WRONLY | O_TRUNC)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        #expect(try jobs.results(record.job, output: JSONLWriter(descriptor: writer)) == nil)
        close(writer)
        let lines = try String(contentsOfFile: outputPath, encoding: .utf8).split(separator: "\n")
        let parsed = try lines.map { try JSON.parse(Array($0.utf8)) }
        #expect(parsed.map { $0["id"] } == ["q1", "q2", "q3", "q4", "q5"])
        #expect(parsed.map { $0["content"]?.stringValue } == (1...5).map { "echo: question \($0)" })
        #expect(parsed.allSatisfy { $0["model"] == "m1" })
    }
}
