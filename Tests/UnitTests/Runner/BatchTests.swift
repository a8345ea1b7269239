import AIConfig
import AIRunner
import AIWire
import Glibc
import Testing

@Suite struct BatchWorkerTests {
    /// Runs a batch of `count` echo requests with `jobs`; returns the lines written and the workers started.
    func run(count: Int, jobs: Int) throws -> (lines: [JSON], workers: Int, threads: Int) {
        var input = [Int32](repeating: 0, count: 2)
        var output = [Int32](repeating: 0, count: 2)
        #expect(pipe(&input) == 0 && pipe(&output) == 0)
        let text = (0..<count).map { #"{"id":"\#($0)","prompt":"item \#($0)"}"# }.joined(separator: "\n") + "\n"
        _ = text.utf8CString.withUnsafeBufferPointer { write(input[1], $0.baseAddress, $0.count - 1) }
        close(input[1])
        defer { close(input[0]) }
        let settings = Settings(environment: isolatedEnvironment(), provider: "echo", model: nil)
        let batch = Batch(
            settings: settings, jobs: jobs, ordered: true, raw: false,
            output: JSONLWriter(descriptor: output[1]))
        let reader = InputReader(descriptor: input[0], format: .jsonl, prompt: nil, readsStdin: true)
        let status = try batch.run(reader)
        close(output[1])
        #expect(status == nil)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = read(output[0], &buffer, buffer.count)
            if got <= 0 { break }
            bytes += buffer[0..<got]
        }
        close(output[0])
        let lines = try bytes.split(separator: 0x0A).map { try JSON.parse(Array($0)) }
        let started = batch.workersStarted
        return (lines, started.workers, started.threads)
    }

    /// One request starts one worker, not `--jobs` of them; a batch starts `--jobs` and answers every item.
    @Test func workers_startAsItemsArrive_upToJobs() throws {
        let single = try run(count: 1, jobs: 8)
        #expect(single.workers == 1 && single.threads == 1)
        #expect(single.lines.first?["content"] == "item 0")
        let few = try run(count: 3, jobs: 8)
        #expect(few.workers == 3)
        let many = try run(count: 40, jobs: 4)
        #expect(many.workers == 4 && many.threads == 4)
        #expect(many.lines.map { $0["id"]?.stringValue } == (0..<40).map { "\($0)" })
    }

    /// A prompt without stdin is one request known to be the last: the calling thread answers it, no thread starts.
    @Test func promptWithoutStdin_isAnsweredOnTheCallingThread() throws {
        var output = [Int32](repeating: 0, count: 2)
        #expect(pipe(&output) == 0)
        let settings = Settings(environment: isolatedEnvironment(), provider: "echo", model: nil)
        let batch = Batch(
            settings: settings, jobs: 4, ordered: true, raw: true,
            output: JSONLWriter(descriptor: output[1]))
        let status = try batch.run(InputReader(format: .auto, prompt: "just this", readsStdin: false))
        close(output[1])
        defer { close(output[0]) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let got = read(output[0], &buffer, buffer.count)
        #expect(status == nil && got > 0 && Array(buffer[0..<max(got, 0)]) == Array("just this\n".utf8))
        #expect(batch.workersStarted.workers == 1 && batch.workersStarted.threads == 0)
    }
}
