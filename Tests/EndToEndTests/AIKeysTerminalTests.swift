import AITestSupport
import Foundation
import Glibc
import Testing

/// T27: the passphrase prompt on a pseudo-terminal (util-linux `script`): no echo, and the terminal is restored
/// when ^C interrupts it.
@Suite struct AIKeysTerminalTests {
    static let script = "/usr/bin/script"

    /// Runs `command` with bash in a new pty; the test types into `stdin`.
    func terminal(_ home: KeysHome, _ command: String) throws -> ToolProcess {
        var values = home.environment()
        values["KEYS"] = KeysHome.binary
        values["SHELL"] = "/bin/bash"
        values["TERM"] = "dumb"
        return try ToolProcess(
            Self.script, arguments: ["-q", "-e", "-c", command, "/dev/null"], stdin: .pipe,
            environment: values)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script)))
    func typedPassphrase_isNotEchoed_andUnlocks() throws {
        let home = try KeysHome()
        let session = try terminal(home, #""$KEYS" get openai --reveal; echo "rc=$?""#)
        try session.waitForStdout(containing: "passphrase for ", timeout: 20)
        try session.writeStdin(Array((KeysHome.passphrase + "\r").utf8))
        try session.waitForStdout(containing: "rc=", timeout: 20)
        session.closeStdin()
        let result = try session.wait(timeout: 20)
        #expect(
            result.stdoutText.contains("sk-fixture-openai") && result.stdoutText.contains("rc=0"),
            "\(result.stdoutText)")
        #expect(!result.stdoutText.contains(KeysHome.passphrase))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script)))
    func interruptAtThePrompt_restoresEchoAndExits130() throws {
        let home = try KeysHome()
        let session = try terminal(home, #""$KEYS" get openai --reveal; echo "rc=$?"; stty -a"#)
        try session.waitForStdout(containing: "passphrase for ", timeout: 20)
        usleep(200_000)
        try session.writeStdin(Array("half typed".utf8) + [0x03])
        try session.waitForStdout(containing: "rc=", timeout: 20)
        usleep(300_000)
        session.closeStdin()
        let result = try session.wait(timeout: 20)
        let text = result.stdoutText
        #expect(text.contains("rc=130"), "\(text)")
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\r" || $0 == "\n" || $0 == ";" })
        #expect(words.contains("echo") && !words.contains("-echo"), "\(text)")
        #expect(!text.contains("half typed"))
    }
}
