import AIBase
import Glibc

/// The environment a command tool gets: `PATH`, `HOME` and `LANG` from the run's, plus only the variables its
/// definition lists; the variables that hold providers' keys are never passed on, listed or not.
package struct CommandEnvironment: Sendable {
    /// The names every tool gets when the run has them.
    package static let base = ["PATH", "HOME", "LANG"]

    /// The run's environment.
    package var values: [String: String]
    /// Names never passed on (the providers' key variables).
    package var withheld: Set<String>

    /// An environment taken from `values`, never passing on `withheld`.
    package init(values: [String: String], withheld: Set<String>) {
        self.values = values
        self.withheld = withheld
    }

    /// `NAME=value` entries for a tool whose definition lists `names`.
    package func entries(listing names: [String]) -> [String] {
        var seen: Set<String> = []
        var entries: [String] = []
        for name in Self.base + names where !withheld.contains(name) && seen.insert(name).inserted {
            if let value = values[name] { entries.append("\(name)=\(value)") }
        }
        return entries
    }
}

/// Runs a command tool (DESIGN §11): argv exactly as written (never a shell; argv[0] looked up in `PATH` as
/// `execvp` does), the arguments JSON on its stdin, its stdout the result (at most `outputCap` bytes), its stderr
/// discarded, the environment `CommandEnvironment` gives, in a process group of its own that is killed whole at
/// the timeout, when the run is interrupted (`ToolProcesses.stopAll`), and when its leader exits.
package enum CommandTool {
    /// The most stdout kept: more is cut, and the result says so.
    package static let outputCap = 1 << 20

    /// Runs the tool `name` and waits for it. A failure to start, a non-zero exit, a signal and the timeout give
    /// an error output naming the tool and the reason; nothing throws.
    package static func run(
        name: String, argv: [String], input: String, timeout: Double, environment: [String]
    ) -> ToolOutput {
        var process: Spawned
        switch spawn(argv: argv, environment: environment) {
        case .failure(let error):
            return ToolOutput(content: "tool '\(name)' could not start '\(argv[0])': \(error)", isError: true)
        case .success(let started): process = started
        }
        let deadline = Monotonic.now() + timeout
        let exchange = process.exchange(input: Array(input.utf8), cap: outputCap, deadline: deadline)
        let status = process.finish(deadline: deadline)
        var text = exchange.cut ? validPrefix(exchange.output) : String(decoding: exchange.output, as: UTF8.self)
        if exchange.cut { text += "\n[output cut at \(outputCap) bytes]" }
        switch status {
        case .exited(0):
            return ToolOutput(content: text, isError: false)
        case .exited where exchange.cut, .signaled where exchange.cut:
            // Cut output ends the tool's stdout early; how the tool took that is not its failure.
            return ToolOutput(content: text, isError: false)
        case .exited(let code):
            return failure("tool '\(name)' failed: exit status \(code)", output: text)
        case .signaled(let signal):
            let reason =
                ToolProcesses.isStopped ? "was interrupted" : "was killed by signal \(signal)"
            return failure("tool '\(name)' \(reason)", output: text)
        case .timedOut:
            return failure("tool '\(name)' timed out after \(seconds(timeout)) s and was killed", output: text)
        }
    }

    private static func failure(_ reason: String, output: String) -> ToolOutput {
        ToolOutput(content: output.isEmpty ? reason : reason + "\n" + output, isError: true)
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && value < 1e15 ? String(Int(value)) : String(value)
    }

    /// The longest prefix of `bytes` that does not end inside a UTF-8 sequence, as text.
    package static func validPrefix(_ bytes: [UInt8]) -> String {
        var start = bytes.count
        while start > 0, bytes.count - start < 3, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        var end = bytes.count
        if start > 0 {
            let lead = bytes[start - 1]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if length > bytes.count - (start - 1) { end = start - 1 }
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// How a tool's process ended.
    enum Status: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
    }

    /// A started tool: its pid (also its process group's id), the parent's ends of its pipes, and a pidfd that
    /// turns readable when it exits (-1 without `pidfd_open`).
    private struct Spawned {
        let pid: pid_t
        var stdin: Int32
        var stdout: Int32
        var exits: Int32

        /// Writes `input` to the tool's stdin (then closes it) while reading its stdout, until stdout ends, the
        /// output passes `cap` (the read end is then closed), the tool exits (what its stdout holds then is read;
        /// a child it left behind cannot hold the result back) or the deadline.
        mutating func exchange(input: [UInt8], cap: Int, deadline: Double) -> (output: [UInt8], cut: Bool) {
            var output: [UInt8] = []
            var cut = false
            var written = 0
            if input.isEmpty { closeStdin() }
            var buffer = [UInt8](repeating: 0, count: 65536)
            /// Reads what stdout holds now; false when it ended or the output was cut.
            func drain() -> Bool {
                let count = buffer.withUnsafeMutableBytes { read(stdout, $0.baseAddress, $0.count) }
                if count > 0 {
                    let room = cap - output.count
                    output.append(contentsOf: buffer[..<min(count, room)])
                    if count > room {
                        cut = true
                        closeStdout()
                        return false
                    }
                    return true
                }
                if count < 0, errno == EINTR { return true }
                if count < 0, errno == EAGAIN { return false }
                closeStdout()
                return false
            }
            while stdout >= 0 {
                let left = deadline - Monotonic.now()
                guard left > 0 else { break }
                var entries = [
                    pollfd(fd: stdout, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: exits, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0),
                ]
                let ready = poll(&entries, nfds_t(entries.count), Int32(min(left * 1000 + 1, 1_000_000)))
                if ready < 0, errno != EINTR { break }
                guard ready > 0 else { continue }
                if stdin >= 0, entries[2].revents != 0 {
                    let count = input[written...].withUnsafeBytes { Glibc.write(stdin, $0.baseAddress, $0.count) }
                    if count > 0 { written += count }
                    if (count < 0 && errno != EAGAIN && errno != EINTR) || written == input.count { closeStdin() }
                }
                if entries[0].revents != 0 { _ = drain() }
                if stdout >= 0, entries[1].revents != 0 {
                    while stdout >= 0, drain() {}
                    break
                }
            }
            closeStdin()
            closeStdout()
            return (output, cut)
        }

        /// Waits for the tool's leader to exit until the deadline (then kills the group), kills what is left of
        /// its group and reaps it.
        func finish(deadline: Double) -> Status {
            defer { if exits >= 0 { close(exits) } }
            var info = siginfo_t()
            var timedOut = false
            var pause: UInt32 = 50
            while true {
                info = siginfo_t()
                let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
                if result == 0, info._sifields._sigchld.si_pid == pid { break }
                if result < 0, errno != EINTR { break }
                let left = deadline - Monotonic.now()
                if left <= 0, !timedOut {
                    timedOut = true
                    _ = kill(-pid, SIGKILL)
                }
                if exits >= 0 {
                    var entry = pollfd(fd: exits, events: Int16(POLLIN), revents: 0)
                    _ = poll(&entry, 1, timedOut ? 10 : Int32(min(left * 1000 + 1, 1_000_000)))
                } else {
                    usleep(pause)
                    pause = min(pause * 2, 2000)
                }
            }
            ToolProcesses.end(pid)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            if timedOut { return .timedOut }
            let signal = status & 0x7F
            return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        }

        mutating func closeStdin() {
            if stdin >= 0 { close(stdin) }
            stdin = -1
        }

        mutating func closeStdout() {
            if stdout >= 0 { close(stdout) }
            stdout = -1
        }
    }

    /// Starts `argv` (`ChildSpawn`) with exactly `environment`, its stderr `/dev/null`, unless the run is stopping;
    /// its pipes do not block.
    private static func spawn(argv: [String], environment: [String]) -> Result<Spawned, SpawnFailure> {
        let path = environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
        let started = ChildSpawn.start(argv: argv, environment: environment, path: path, errorOutput: nil) { start in
            let launched = ToolProcesses.launch(start)
            return (launched.pid, launched.stopped ? 0 : launched.failure)
        }
        return started.map { child in
            _ = fcntl(child.stdin, F_SETFL, fcntl(child.stdin, F_GETFL) | O_NONBLOCK)
            _ = fcntl(child.stdout, F_SETFL, fcntl(child.stdout, F_GETFL) | O_NONBLOCK)
            // A pidfd turns readable when the leader exits: no polling delay after a quick tool's end, and no wait
            // for a child that keeps its stdout open.
            let exits = pidfdOpen?(child.pid, 0) ?? -1
            return Spawned(pid: child.pid, stdin: child.stdin, stdout: child.stdout, exits: exits)
        }
    }

    /// glibc's `pidfd_open` (2.36+; Linux 5.3+), looked up at run time (Swift's Glibc module lacks it); without it the end of a
    /// tool is polled.
    private static let pidfdOpen: PidfdOpen? = {
        guard let symbol = dlsym(nil, "pidfd_open") else { return nil }
        return unsafeBitCast(symbol, to: PidfdOpen.self)
    }()

    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
}
