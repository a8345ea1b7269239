import AIBase
import Glibc
import Testing

/// System and library texts put into messages follow the grammar: lowercase, no final period, one line.
@Suite struct MessageTextTests {
    @Test(arguments: [
        ("No space left on device", "no space left on device"), ("Bad file descriptor", "bad file descriptor"),
        ("SSL certificate problem: self-signed.", "SSL certificate problem: self-signed"),
        ("OpenSSL SSL_read: error", "OpenSSL SSL_read: error"),
        ("HTTP/2 stream 1 was reset", "HTTP/2 stream 1 was reset"),
        (
            "Failed to connect to 127.0.0.1 port 1: Couldn't connect to server",
            "failed to connect to 127.0.0.1 port 1: Couldn't connect to server"
        ),
        ("Unknown option '-x'\n   or: something.", "unknown option '-x' or: something"), ("", ""),
        ("Wait...", "wait..."),
    ])
    func fitted_lowercasesTheFirstWordAndDropsTheFinalPeriod(_ text: String, _ expected: String) {
        #expect(MessageText.fitted(text) == expected)
    }

    @Test func systemError_isStrerrorInLowercase() {
        #expect(MessageText.systemError(ENOSPC) == "no space left on device")
        #expect(MessageText.systemError(EBADF) == "bad file descriptor")
        errno = ENOENT
        #expect(MessageText.systemError() == "no such file or directory")
    }
}
