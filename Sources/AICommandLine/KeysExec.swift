import AIBase
import AIKeys
import ArgumentParser
import Glibc

/// `ai-keys exec`: replaces this process with a command whose environment carries one key.
///
/// The key goes into the new program's environment only (readable by the same uid through
/// `/proc/PID/environ`: documented, and the reason the suite's own tools ask the agent instead). The signal mask
/// and SIGPIPE are put back to their defaults first, since the tools block SIGINT/SIGTERM and ignore SIGPIPE.
package enum ChildProcess {
    /// Execs `path` with `arguments` (argv[0] first) and the environment plus `variable=secret`.
    /// - Throws: `ExitCode` 127 when the program is missing, 126 when it cannot be executed (after printing why).
    package static func replace(path: String, arguments: [String], variable: String, secret: SecretBytes) throws {
        let prefix = Array((variable + "=").utf8)
        let entry = try KeysCommand.keys { () throws(KeysError) in
            try SecretBytes(count: prefix.count + secret.count + 1)
        }
        entry.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            prefix.withUnsafeBytes { if let from = $0.baseAddress { base.copyMemory(from: from, byteCount: $0.count) } }
            secret.withUnsafeBytes { source in
                if let from = source.baseAddress {
                    (base + prefix.count).copyMemory(from: from, byteCount: source.count)
                }
            }
            buffer[buffer.count - 1] = 0
        }
        var environment: [UnsafeMutablePointer<CChar>?] = []
        var pointer = environ
        while let current = pointer.pointee {
            if strncmp(current, variable + "=", prefix.count) != 0 { environment.append(current) }
            pointer += 1
        }
        let argv = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        signal(SIGPIPE, SIG_DFL)
        entry.withUnsafeMutableBytes { buffer in
            environment.append(buffer.baseAddress?.assumingMemoryBound(to: CChar.self))
            environment.append(nil)
            _ = (argv + [nil]).withUnsafeBufferPointer { arguments in
                environment.withUnsafeBufferPointer { variables in
                    guard let argumentBase = arguments.baseAddress, let variableBase = variables.baseAddress else {
                        return Int32(-1)
                    }
                    return execve(path, argumentBase, variableBase)
                }
            }
        }
        let code = errno
        signal(SIGPIPE, SIG_IGN)
        Diagnostics.error("cannot run '\(path)': \(KeysFileSystem.describe(code))")
        throw ExitCode(code == ENOENT ? 127 : 126)
    }
}
