/// Where a spawned tool's standard input comes from.
package enum StdinSource: Sendable {
    /// These bytes, written by a background thread, then end of file.
    case bytes([UInt8])
    /// `/dev/null` (immediate end of file).
    case devNull
    /// A pipe the caller writes with `ToolProcess.writeStdin(_:)` and ends with `closeStdin()`.
    case pipe

    /// The UTF-8 bytes of `text`, then end of file.
    package static func text(_ text: String) -> StdinSource { .bytes(Array(text.utf8)) }
}
