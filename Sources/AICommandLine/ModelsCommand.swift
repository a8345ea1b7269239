import AIBase
import AICatalog
import AIProviders
import AITransport
import AIWire
import ArgumentParser
import Glibc

/// `ai-models`: which providers answer, which models they have, a model's details, pulling local models.
///
/// The work is `Catalog`'s; this writes its rows on stdout and its failures on stderr.
package enum ModelsCommand {
    /// One line per provider: name, kind, base_url, key source, available, latency_ms, capabilities.
    /// Providers are probed at once; the status is 0 whatever they answer (it is a report).
    /// - Throws: `AIError` for a bad config file.
    package static func providers(_ options: ModelsOptions) throws {
        for row in Catalog.providerRows(try options.settings()) { try JSONLWriter.standardOutput.write(row) }
    }

    /// One line per model of the chosen provider, or of every provider with `all` (asked at once; an
    /// unreachable one becomes an error line and sets the status, the others still print).
    /// - Throws: `AIError` before anything is listed; `ExitCode` with the first failed provider's status.
    package static func list(_ options: ModelsOptions, all: Bool) throws {
        var status: ExitStatus?
        for (provider, result) in try Catalog.models(try options.settings(), all: all) {
            switch result {
            case .success(let rows):
                for row in rows { try JSONLWriter.standardOutput.write(row) }
            case .failure(let error):
                try JSONLWriter.standardOutput.write(.object(["provider": .string(provider), "error": error.record]))
                Diagnostics.error(error.message, hints: error.hints)
                status = status ?? error.exitStatus
            }
        }
        if let status { throw ExitCode(status.rawValue) }
    }

    /// The provider's details of one model, as one line.
    /// - Throws: `AIError` (after writing its error line).
    package static func info(_ options: ModelsOptions, model: String) throws {
        let settings = try options.settings()
        do {
            try JSONLWriter.standardOutput.write(try Catalog.info(settings, model: model))
        } catch let error as AIError {
            let provider = JSON.string(settings.defaults.provider)
            try JSONLWriter.standardOutput.write(.object(["provider": provider, "error": error.record]))
            throw error
        }
    }

    /// Pulls a model into Ollama: its progress lines on stdout, a progress bar on stderr when that is a
    /// terminal (and `NO_COLOR` is unset), the final `{"status":"success"}` line; Ctrl-C ends it with 130.
    /// - Throws: `AIError` (after writing its error line).
    package static func pull(_ options: ModelsOptions, model: String) throws {
        let settings = try options.settings()
        let output = JSONLWriter.standardOutput
        Signals.onInterrupt {
            output.writeFinal(.object(["error": AIError(.cancelled, "interrupted", retryable: false).record]))
            PullProgress.clear()
            Diagnostics.error("interrupted")
        }
        let bar = Terminal.isTerminal(2) && settings.environment[.noColor] == nil ? PullProgress() : nil
        do {
            try Catalog.pull(settings, model: model) { line in
                try output.write(line)
                bar?.show(line)
            }
            PullProgress.clear()
        } catch let error as AIError {
            PullProgress.clear()
            try output.write(.object(["error": error.record]))
            throw error
        }
    }
}

/// The one-line progress bar on a terminal's stderr.
private final class PullProgress {
    func show(_ line: JSON) {
        let status = line["status"]?.stringValue ?? ""
        var text = "\r\u{1B}[K" + status
        if let total = line["total"]?.doubleValue, total > 0 {
            let completed = line["completed"]?.doubleValue ?? 0
            let fraction = min(1, completed / total)
            let width = 24
            let filled = Int(fraction * Double(width))
            text += " [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
            text += "\(Int(fraction * 100))% \(Self.size(completed))/\(Self.size(total))"
        }
        _ = Array(text.utf8).withUnsafeBytes { JSONLWriter.writeAll(2, $0) }
    }

    static func clear() {
        guard Terminal.isTerminal(2) else { return }
        _ = Array("\r\u{1B}[K".utf8).withUnsafeBytes { JSONLWriter.writeAll(2, $0) }
    }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = bytes
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
