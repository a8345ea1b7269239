import Foundation

/// A process that outlives its parent's end: it ignores SIGTERM and SIGHUP and has no stdin, so only SIGKILL to
/// its process group ends it.
enum Stubborn {
    /// Starts this executable as a stubborn child in our process group.
    static func spawn(pidFile: String) {
        // posix_spawn keeps the child in our process group (Foundation's Process may give it one of its own).
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let words: [String] = [CommandLine.arguments[0], "--stubborn", pidFile]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let result = posix_spawn(&pid, CommandLine.arguments[0], &actions, nil, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        argv.forEach { free($0) }
        if result != 0 {
            TestMCPServer.writeError("ai-test-mcp-server: cannot start the stubborn child: errno \(result)")
        }
        // Wait for the pid file so the test sees the child before it asks for anything.
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: pidFile) { usleep(10_000) }
    }

    /// Ignores what ends a polite process, writes its pid, and sleeps.
    static func run(pidFile: String) -> Never {
        signal(SIGTERM, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        let temporary = pidFile + ".tmp"
        _ = FileManager.default.createFile(atPath: temporary, contents: Data("\(getpid())\n".utf8))
        _ = rename(temporary, pidFile)
        while true { sleep(60) }
    }
}
