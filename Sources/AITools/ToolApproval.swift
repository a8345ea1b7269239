import Glibc

/// `--approve`: each call is shown on the controlling terminal and runs only when the user answers yes.
package enum ToolApproval {
    /// What the user said.
    package enum Answer: Sendable, Equatable {
        case yes
        case no
        /// There is no terminal to ask on: the call is refused.
        case noTerminal
    }

    /// The most of a call's arguments shown in the question.
    static let shownArguments = 2000

    /// Asks on `/dev/tty` whether the tool `name` may run with `arguments` (y/N); never reads stdin.
    package static func ask(name: String, arguments: String) -> Answer {
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { return .noTerminal }
        defer { close(descriptor) }
        var shown = arguments
        if shown.utf8.count > shownArguments {
            shown = String(decoding: Array(shown.utf8.prefix(shownArguments)), as: UTF8.self) + "…"
        }
        let question = Array("ai: run tool '\(name)' with \(shown)? [y/N] ".utf8)
        var offset = 0
        while offset < question.count {
            let count = question[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return .noTerminal }
            offset += count
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 64 {
            let count = read(descriptor, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1, byte != 0x0A else { break }
            line.append(byte)
        }
        let answer = String(decoding: line, as: UTF8.self).trimmingSpaces.lowercased()
        return answer == "y" || answer == "yes" ? .yes : .no
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
