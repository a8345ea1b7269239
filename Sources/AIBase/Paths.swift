import Glibc

/// Where the suite's files live (DESIGN §7): XDG directories with their usual fallbacks under `HOME`.
package struct Paths: Sendable {
    private let environment: Environment

    /// Paths for `environment`.
    package init(environment: Environment) {
        self.environment = environment
    }

    /// `HOME`, else the password database's home directory, else `/`.
    package var home: String {
        if let home = environment[.home] { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    package var configHome: String { environment[.xdgConfigHome] ?? home + "/.config" }
    /// `$XDG_DATA_HOME`, else `~/.local/share`.
    package var dataHome: String { environment[.xdgDataHome] ?? home + "/.local/share" }
    /// `$XDG_STATE_HOME`, else `~/.local/state`.
    package var stateHome: String { environment[.xdgStateHome] ?? home + "/.local/state" }

    /// The config file: `AI_CONFIG`, else `$XDG_CONFIG_HOME/ai/config.json`; and whether it was named explicitly.
    package var configFile: (path: String, explicit: Bool) {
        if let path = environment[.config] { return (path: path, explicit: true) }
        return (path: configHome + "/ai/config.json", explicit: false)
    }
}

/// Reading whole small files without Foundation.
package enum FileReader {
    /// The bytes of the file at `path`, or nil when it does not exist.
    /// - Throws: `AIError` (`io`) when it exists but cannot be read, or is larger than `limit`.
    package static func read(_ path: String, limit: Int = 16 << 20) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw AIError(.io, "cannot read \(path): \(MessageText.systemError())")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw AIError(.io, "cannot read \(path): \(MessageText.systemError())") }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
            if bytes.count > limit { throw AIError(.io, "\(path) is larger than \(limit >> 20) MiB") }
        }
    }
}
