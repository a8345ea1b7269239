import AIBase
import Glibc

/// The state the prompt's signal handler needs; a C signal handler cannot capture, so it lives in globals that
/// are written only while no handler is installed.
nonisolated(unsafe) private var promptDescriptor: Int32 = -1
nonisolated(unsafe) private var promptSaved = termios()
nonisolated(unsafe) private var promptSilent = termios()

/// Puts the terminal back, then lets the signal take its default action; after a stop (^Z) it turns echo off
/// again and re-arms itself (OpenBSD `readpassphrase`). Uses only async-signal-safe calls.
private let promptSignalHandler: @convention(c) (Int32) -> Void = { signal in
    _ = tcsetattr(promptDescriptor, TCSAFLUSH, &promptSaved)
    var defaultAction = sigaction()
    defaultAction.__sigaction_handler.sa_handler = SIG_DFL
    sigemptyset(&defaultAction.sa_mask)
    var previous = sigaction()
    _ = sigaction(signal, &defaultAction, &previous)
    var unblock = sigset_t()
    sigemptyset(&unblock)
    sigaddset(&unblock, signal)
    _ = pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    _ = raise(signal)
    // Still running: the signal stopped the process (TSTP, TTIN, TTOU) and SIGCONT resumed it.
    _ = sigaction(signal, &previous, nil)
    _ = tcsetattr(promptDescriptor, TCSAFLUSH, &promptSilent)
}

/// A passphrase prompt on `/dev/tty` with echo off, the terminal restored on every exit and every signal.
///
/// Never falls back to stdin: without a controlling terminal it fails with `KeysError.noTerminal` (age's
/// `WithTerminal`, readpassphrase's `RPP_REQUIRE_TTY`). The prompt text goes to the terminal, not to stderr.
package enum TerminalPrompt {
    /// The signals that would otherwise leave the terminal without echo.
    private static let signals: [Int32] = [SIGHUP, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2, SIGTSTP, SIGTTIN, SIGTTOU]

    /// Whether a controlling terminal can be opened.
    package static var isAvailable: Bool {
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    /// Shows `prompt` on the terminal and reads one line with echo off.
    /// - Throws: `KeysError.noTerminal`, `.passphraseTooLong`, `.interrupted`.
    package static func read(_ prompt: String) throws(KeysError) -> SecretBytes {
        let descriptor = KeysFileSystem.retrying { open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw .noTerminal }
        defer { close(descriptor) }
        var saved = termios()
        guard tcgetattr(descriptor, &saved) == 0 else { throw .noTerminal }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO | ECHOE | ECHOK | ECHONL)
        silent.c_lflag |= tcflag_t(ICANON)
        promptDescriptor = descriptor
        promptSaved = saved
        promptSilent = silent
        Terminal.save(saved)
        _ = KeysFileSystem.retrying { tcsetattr(descriptor, TCSAFLUSH, &silent) }
        var previous: [sigaction] = []
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = promptSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            var old = sigaction()
            _ = sigaction(signal, &action, &old)
            previous.append(old)
        }
        defer {
            _ = KeysFileSystem.retrying { tcsetattr(descriptor, TCSAFLUSH, &saved) }
            for (signal, var old) in zip(signals, previous) { _ = sigaction(signal, &old, nil) }
            Array("\n".utf8).withUnsafeBytes { _ = KeysFileSystem.writeAll(descriptor, $0) }
        }
        Array(prompt.utf8).withUnsafeBytes { _ = KeysFileSystem.writeAll(descriptor, $0) }
        return try Passphrase.readLine(descriptor, endsAtCR: true) { .noTerminal }
    }
}
