import AIBase
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running child process (spawned with `posix_spawn`) whose standard streams the test controls.
///
/// The child gets exactly the given environment, default signal dispositions and an empty signal mask (whatever
/// the test runner ignores or blocks), and no descriptors besides 0, 1 and 2. Standard output and error are
/// drained concurrently into memory, so a chatty child never blocks on a full pipe; standard output can also be
/// read incrementally (`readLine(timeout:)`, `waitForStdout(containing:timeout:)`) or closed early
/// (`closeStdout()`). Deinit kills and reaps a child that is still running.
package final class ToolProcess: Sendable {
    /// The child's process id.
    package let pid: pid_t
    /// The executable's path.
    package let path: String

    private let startedAt: Double
    private let stdout: OutputCollector
    private let stderr: OutputCollector
    private let stdinFD: Mutex<Int32>
    private let exit: Mutex<(status: Int32, signal: Int32?, elapsed: Double)?>

    /// The directory holding this package's built binaries: the directory of the running executable
    /// (`/proc/self/exe`), which is `.build/<triple>/debug` under `swift test`.
    package static var binaryDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable: String
        if count > 0 {
            executable = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            executable = CommandLine.arguments.first ?? "."
        }
        return (executable as NSString).deletingLastPathComponent
    }

    /// The path of the executable `name` in `binaryDirectory`, or `name` itself when it contains a slash.
    package static func executablePath(_ name: String) -> String {
        name.contains("/") ? name : (binaryDirectory as NSString).appendingPathComponent(name)
    }

    /// The first executable named `name` on the test process's own `PATH` (for system tools such as `curl`).
    package static func findOnPath(_ name: String) -> String? {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = (String(directory) as NSString).appendingPathComponent(name)
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Spawns `name` (a binary of this package, or a path containing a slash) with `arguments`, the given
    /// standard input and exactly `environment`.
    package init(
        _ name: String,
        arguments: [String],
        stdin: StdinSource = .bytes([]),
        environment: [String: String]
    ) throws(ToolError) {
        POSIX.ignoreSIGPIPE
        let path = ToolProcess.executablePath(name)
        guard access(path, X_OK) == 0 else { throw .notFound(path) }
        self.path = path

        var parentFDs: [Int32] = []
        var childFDs: [Int32] = []
        func closeAll() {
            (parentFDs + childFDs).forEach(POSIX.closeQuietly)
        }
        let stdinPipe: (read: Int32, write: Int32)?
        let stdoutPipe: (read: Int32, write: Int32)
        let stderrPipe: (read: Int32, write: Int32)
        do {
            if case .devNull = stdin {
                stdinPipe = nil
            } else {
                let ends = try POSIX.makePipe()
                stdinPipe = ends
                parentFDs.append(ends.write)
                childFDs.append(ends.read)
            }
            stdoutPipe = try POSIX.makePipe()
            parentFDs.append(stdoutPipe.read)
            childFDs.append(stdoutPipe.write)
            stderrPipe = try POSIX.makePipe()
            parentFDs.append(stderrPipe.read)
            childFDs.append(stderrPipe.write)
        } catch {
            closeAll()
            throw .system(error)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinPipe {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        // Descriptors another test thread opened without close-on-exec must not leak into this child.
        if let addCloseFrom = ToolProcess.addCloseFrom { _ = addCloseFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP {
            sigaddset(&defaultSignals, Int32(signal))
        }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) }
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var childPID: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
            (envp + [nil]).withUnsafeBufferPointer { envpPointer in
                guard let argvBase = argvPointer.baseAddress, let envpBase = envpPointer.baseAddress else {
                    return EINVAL
                }
                return posix_spawn(&childPID, path, &actions, &attributes, argvBase, envpBase)
            }
        }
        childFDs.forEach(POSIX.closeQuietly)
        childFDs = []
        guard result == 0 else {
            closeAll()
            throw .system(SystemCallError("posix_spawn \(path)", result))
        }
        pid = childPID
        startedAt = POSIX.monotonicSeconds()
        exit = Mutex(nil)

        do {
            stdout = try OutputCollector(fd: stdoutPipe.read, name: "ToolProcess.stdout:\(childPID)")
            parentFDs.removeAll { $0 == stdoutPipe.read }
            stderr = try OutputCollector(fd: stderrPipe.read, name: "ToolProcess.stderr:\(childPID)")
            parentFDs.removeAll { $0 == stderrPipe.read }
        } catch {
            _ = kill(childPID, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(childPID, &status, 0)
            closeAll()
            throw .system(error)
        }

        switch stdin {
        case .bytes(let bytes):
            stdinFD = Mutex(-1)
            if let writeFD = stdinPipe?.write {
                let thread = Thread {
                    bytes.withUnsafeBytes { _ = POSIX.writeAll(writeFD, $0) }
                    POSIX.closeQuietly(writeFD)
                }
                thread.name = "ToolProcess.stdin:\(childPID)"
                thread.start()
            }
        case .devNull:
            stdinFD = Mutex(-1)
        case .pipe:
            stdinFD = Mutex(stdinPipe?.write ?? -1)
        }
    }

    deinit {
        if exit.withLock({ $0 == nil }) {
            _ = kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        }
        stdout.stop()
        stderr.stop()
        stdinFD.withLock { fd in
            POSIX.closeQuietly(fd)
            fd = -1
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because Swift's Glibc
    /// module does not declare it.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// The C type of `posix_spawn_file_actions_addclosefrom_np`.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Sends `signal` (e.g. `SIGINT`) to the child.
    package func send(signal: Int32) {
        if exit.withLock({ $0 == nil }) { _ = kill(pid, signal) }
    }

    /// Writes `bytes` to the child's standard input (spawned with `.pipe`); blocks while the pipe is full.
    package func writeStdin(_ bytes: [UInt8]) throws(ToolError) {
        let written: Bool? = stdinFD.withLock { fd in
            guard fd >= 0 else { return nil }
            return bytes.withUnsafeBytes { POSIX.writeAll(fd, $0) }
        }
        guard let written else { throw .stdinNotPiped }
        if !written { throw .system(SystemCallError("write stdin", errno)) }
    }

    /// Closes the child's standard input (end of file for the child). Does nothing if already closed.
    package func closeStdin() {
        stdinFD.withLock { fd in
            POSIX.closeQuietly(fd)
            fd = -1
        }
    }

    /// Closes the read end of the child's standard output, so its next write fails with EPIPE (or SIGPIPE).
    package func closeStdout() {
        stdout.closeEarly()
    }

    /// Standard output received so far.
    package var stdoutSoFar: [UInt8] { stdout.snapshot }

    /// Standard error received so far.
    package var stderrSoFar: [UInt8] { stderr.snapshot }

    /// The next standard output line (without the LF), or nil at end of output. Throws `.outputTimedOut` when no
    /// complete line arrives within `timeout` seconds. Lines read here still appear in the final result.
    package func readLine(timeout: Double = 10) throws(ToolError) -> String? {
        try stdout.readLine(deadline: POSIX.monotonicSeconds() + timeout, timeout: timeout)
    }

    /// Waits until standard output contains `text`; throws if it does not within `timeout` seconds.
    package func waitForStdout(containing text: String, timeout: Double = 10) throws(ToolError) {
        try stdout.waitFor(Array(text.utf8), deadline: POSIX.monotonicSeconds() + timeout, timeout: timeout)
    }

    /// Waits until standard error contains `text`; throws if it does not within `timeout` seconds.
    package func waitForStderr(containing text: String, timeout: Double = 10) throws(ToolError) {
        try stderr.waitFor(Array(text.utf8), deadline: POSIX.monotonicSeconds() + timeout, timeout: timeout)
    }

    /// Whether the child has exited (reaping it if so).
    package var hasExited: Bool { reap(block: false) != nil }

    /// Samples the child's peak resident set (`VmHWM`, in kB) every `interval` seconds until it exits, then waits for
    /// it as `wait(timeout:)` does.
    /// - Throws: `ToolError` from `wait`.
    package func waitSamplingPeakRSS(
        every interval: Double = 0.005, timeout: Double = 120
    ) throws(ToolError) -> (
        peakKB: Int, result: ToolResult
    ) {
        var peak = 0
        while !hasExited {
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            {
                peak = max(peak, value)
            }
            usleep(UInt32(interval * 1_000_000))
        }
        return (peak, try wait(timeout: timeout))
    }

    /// Waits for the child to exit and returns its status and output. When `timeout` seconds pass first, kills
    /// it (SIGKILL) and throws `.timedOut` with the output so far.
    package func wait(timeout: Double = 30) throws(ToolError) -> ToolResult {
        let deadline = POSIX.monotonicSeconds() + timeout
        var pause: UInt32 = 500
        var outcome = reap(block: false)
        while outcome == nil {
            if POSIX.monotonicSeconds() >= deadline {
                _ = kill(pid, SIGKILL)
                let killed = reap(block: true)
                closeStdin()
                throw .timedOut(seconds: timeout, partial: result(killed, outputDeadline: 0.5))
            }
            usleep(pause)
            pause = min(pause * 2, 10_000)
            outcome = reap(block: false)
        }
        closeStdin()
        return result(outcome, outputDeadline: 2)
    }

    /// The result once output is drained (giving up after `outputDeadline` seconds, e.g. when a grandchild holds
    /// the pipes open).
    private func result(
        _ outcome: (status: Int32, signal: Int32?, elapsed: Double)?, outputDeadline: Double
    )
        -> ToolResult
    {
        let deadline = POSIX.monotonicSeconds() + outputDeadline
        if !stdout.waitUntilFinished(deadline: deadline) { stdout.stop() }
        if !stderr.waitUntilFinished(deadline: deadline) { stderr.stop() }
        return ToolResult(
            status: outcome?.status ?? -1,
            terminatingSignal: outcome?.signal,
            stdout: stdout.snapshot,
            stderr: stderr.snapshot,
            elapsed: outcome?.elapsed ?? POSIX.monotonicSeconds() - startedAt
        )
    }

    /// Reaps the child if it exited (waiting when `block`), caching its status.
    private func reap(block: Bool) -> (status: Int32, signal: Int32?, elapsed: Double)? {
        exit.withLock { exit in
            if let exit { return exit }
            var raw: Int32 = 0
            var result: pid_t
            repeat {
                result = waitpid(pid, &raw, block ? 0 : WNOHANG)
            } while result < 0 && errno == EINTR
            guard result == pid else { return nil }
            let elapsed = POSIX.monotonicSeconds() - startedAt
            let low = raw & 0x7F
            if low == 0 {
                exit = ((raw >> 8) & 0xFF, nil, elapsed)
            } else {
                exit = (128 + low, low, elapsed)
            }
            return exit
        }
    }
}
