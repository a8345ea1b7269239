import AIBase
import AITestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// T2/T3/T13 through the binary: every single-byte flip and every truncation of a committed vault is refused with
/// status 65, nothing on stdout and exactly one error line on stderr (hints aside), and the file is left as it was.
@Suite struct AIKeysCorruptionTests {
    /// Runs `ai-keys get openai` on each variant (four at a time) and returns the offsets that misbehaved.
    static func sweep(_ variants: [(label: Int, bytes: [UInt8])]) throws -> [String] {
        let home = try KeysHome(vault: nil)
        let failures = Mutex<[String]>([])
        let environment = home.environment(passphrase: true)
        concurrently(variants) { variant in
            let directory = home.root + "/v\(variant.label)"
            mkdir(directory, 0o700)
            let path = directory + "/vault"
            try? home.write(variant.bytes, to: path)
            var values = environment
            values["AI_VAULT"] = path
            let outcome: String?
            do {
                let result = try runTool(
                    KeysHome.binary, arguments: ["get", "openai"], stdin: .devNull,
                    environment: values)
                let untouched = home.read(path) == variant.bytes
                if result.status != 65 || !result.stdout.isEmpty || !result.hasOneErrorLine || !untouched {
                    outcome =
                        "\(variant.label): status \(result.status), stdout \(result.stdout.count) bytes, "
                        + "stderr \(result.stderrText)"
                } else {
                    outcome = nil
                }
            } catch {
                outcome = "\(variant.label): \(error)"
            }
            if let outcome { failures.withLock { $0.append(outcome) } }
            try? FileManager.default.removeItem(atPath: directory)
        }
        try? FileManager.default.removeItem(atPath: home.root)
        return failures.withLock { $0 }
    }

    @Test func everySingleByteFlip_is65WithNothingOnStdout() throws {
        let file = try KeysHome.fixture("v1-min.vault")
        let variants = (0..<file.count).map { offset -> (label: Int, bytes: [UInt8]) in
            var copy = file
            copy[offset] ^= 0xFF
            return (offset, copy)
        }
        let failures = try Self.sweep(variants)
        #expect(variants.count == 684)
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(5))")
    }

    @Test func everyTruncation_is65WithNothingOnStdout() throws {
        let file = try KeysHome.fixture("v1-min.vault")
        let variants = (0..<file.count).map { length in (label: length, bytes: Array(file[0..<length])) }
        let failures = try Self.sweep(variants)
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(5))")
    }

    @Test func regionsGiveTheirOwnMessages() throws {
        let home = try KeysHome()
        let file = try KeysHome.fixture("v1-min.vault")
        let cases: [(Int, String)] = [
            (0, "is not an ai-keys vault"), (9, "unsupported vault version"),
            (11, "unsupported vault flags"), (30, "vault header is corrupted"),
            (120, "vault header is corrupted"), (140, "is corrupted or was tampered with"),
            (400, "is corrupted or was tampered with"),
        ]
        for (offset, message) in cases {
            var copy = file
            copy[offset] ^= 0x01
            try home.write(copy, to: home.vaultPath)
            let result = try home.keys(["get", "openai"])
            #expect(result.firstErrorLine.contains(message), "offset \(offset): \(result.firstErrorLine)")
        }
        try home.write(Array(file[0..<100]), to: home.vaultPath)
        #expect(try home.keys(["get", "openai"]).firstErrorLine.contains("is truncated"))
    }
}
