import Glibc
import Synchronization

/// The terminal the tools may change (echo off while a passphrase is typed); restored on every exit path.
package enum Terminal {
    private static let saved = Mutex<termios?>(nil)

    /// Whether `descriptor` is a terminal.
    package static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1
    }

    /// Remembers the terminal state of `descriptor` before changing it.
    package static func save(_ state: termios) {
        saved.withLock { $0 = state }
    }

    /// Puts back a saved terminal state, if any.
    package static func restore() {
        guard var state = saved.withLock({ $0 }) else { return }
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard descriptor >= 0 else { return }
        tcsetattr(descriptor, TCSANOW, &state)
        close(descriptor)
    }
}
