import AIBase
import AITools
import Glibc
import Synchronization

/// SIGINT, SIGTERM and a closed stdout (DESIGN §9).
///
/// SIGPIPE is ignored so a write to a closed pipe returns EPIPE. SIGINT and SIGTERM are blocked in every
/// thread and taken by one thread with `sigwait`; it asks transfers to stop, kills running tools' process groups, runs the interrupt handler
/// (which writes the `cancelled` lines), restores the terminal and exits 130 (143 for SIGTERM). When
/// stdout is a pipe, another thread waits for its reader to go away and then ends the tool at once
/// with status 0, even while a request is waiting for its first byte.
package enum Signals {
    private static let handler = Mutex<(@Sendable () -> Void)?>(nil)

    /// Installs the handling; call before any other thread starts.
    package static func install() {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let blocked = set
        Threads.detach {
            var set = blocked
            while true {
                var number: Int32 = 0
                guard sigwait(&set, &number) == 0 else { continue }
                Cancellation.request()
                ToolProcesses.stopAll()
                let current = handler.withLock { $0 }
                current?()
                Terminal.restore()
                _exit(number == SIGINT ? ExitStatus.interrupted.rawValue : 128 + number)
            }
        }
        watchStandardOutput()
    }

    /// Sets what runs on SIGINT/SIGTERM before the exit (writing the `cancelled` records).
    package static func onInterrupt(_ body: @escaping @Sendable () -> Void) {
        handler.withLock { $0 = body }
    }

    private static func watchStandardOutput() {
        var info = stat()
        guard fstat(1, &info) == 0 else { return }
        let type = info.st_mode & S_IFMT
        guard type == S_IFIFO || type == S_IFSOCK else { return }
        Threads.detach {
            var entry = pollfd(fd: 1, events: 0, revents: 0)
            while true {
                let ready = poll(&entry, 1, -1)
                if ready < 0, errno == EINTR { continue }
                if ready > 0, entry.revents & Int16(POLLERR | POLLHUP) != 0 {
                    Cancellation.request()
                    ToolProcesses.stopAll()
                    Terminal.restore()
                    _exit(0)
                }
                if ready < 0 || entry.revents & Int16(POLLNVAL) != 0 { return }
            }
        }
    }
}
