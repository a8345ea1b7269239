import AIBase
import AIWire
import Glibc

/// The process's arguments as the bytes it was given.
///
/// `CommandLine.arguments` has already replaced bytes that are not UTF-8 with U+FFFD, which would change a prompt
/// (or a file name) without a word; these are read from `argv` itself.
package enum RawArguments {
    /// The arguments after the program name, as bytes.
    package static func current() -> [[UInt8]] {
        (1..<max(1, Int(CommandLine.argc))).map { index in
            guard let argument = CommandLine.unsafeArgv[index] else { return [] }
            return UnsafeRawPointer(argument).withMemoryRebound(to: UInt8.self, capacity: strlen(argument) + 1) {
                Array(UnsafeBufferPointer(start: $0, count: strlen(argument)))
            }
        }
    }

    /// Refuses the first argument that is not valid UTF-8, naming it by position (as the shell's `$1`) and
    /// showing it with its bad bytes as `\xNN`.
    /// - Throws: `AIError` (`input`, 65), as the same bytes on stdin are.
    package static func checkUTF8(_ arguments: [[UInt8]]) throws(AIError) {
        for (index, bytes) in arguments.enumerated() where !bytes.withUnsafeBufferPointer(UTF8Validation.isValid) {
            throw AIError(.input, "invalid UTF-8 in argument \(index + 1) ('\(shown(bytes))')")
        }
    }

    /// The argument for a message: its characters, bytes that are not UTF-8 and control characters as `\xNN`,
    /// cut after 40 characters.
    static func shown(_ bytes: [UInt8]) -> String {
        var text = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var characters = 0
        while characters < 40 {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    text += escaped(UInt8(scalar.value))
                } else {
                    text.unicodeScalars.append(scalar)
                }
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<offset + length] { text += escaped(byte) }
                offset += length
            case .emptyInput:
                return text
            }
            characters += 1
        }
        return offset < bytes.count ? text + "…" : text
    }

    private static func escaped(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
