import AIBase
import AIWire

/// How a streamed body is cut into units: server-sent events (`SSEParser`) or NDJSON lines (`LineSplitter`).
package protocol StreamFraming {
    /// One unit handed to the decoder (valid only during the call).
    associatedtype Unit
    /// Cuts one chunk into units, first offering each stretch that starts a new unit to `shortcut(base, position,
    /// end)`, which may read whole units of its own and returns where it stopped.
    mutating func scan(
        _ bytes: UnsafeRawBufferPointer,
        shortcut: (UnsafePointer<UInt8>, Int, Int) throws -> Int,
        _ unit: (Unit) throws -> Void
    ) rethrows
    /// The body ended: the unterminated last unit's bytes, if the framing hands them on.
    mutating func finishUnits() -> [UInt8]?
}

extension SSEParser: StreamFraming {
    /// Drops an unterminated last event, as the SSE rules say.
    package mutating func finishUnits() -> [UInt8]? {
        _ = finish()
        return nil
    }
}

extension LineSplitter: StreamFraming {
    /// Splits like `feed(_:shortcut:_:)`.
    package mutating func scan(
        _ bytes: UnsafeRawBufferPointer,
        shortcut: (UnsafePointer<UInt8>, Int, Int) throws -> Int,
        _ unit: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        try feed(bytes, shortcut: shortcut, unit)
    }

    /// The unterminated last line.
    package mutating func finishUnits() -> [UInt8]? {
        finish()
    }
}

/// A stream decoder made of a framing, a shape reader and a provider's handling of one unit: the init, feed and
/// finish every provider's decoder shares.
///
/// Units arrive through `framing`; before the general parse, `shapes` reads the repeated text events by shape
/// (`EventShape`). Once `stopped` (the end marker arrived), the rest of the body is ignored. At the end,
/// `endProblem` says what is wrong with a stream that ended now, if anything: it becomes `incomplete`.
package protocol FramedStreamDecoder: StreamDecoder {
    /// The framing of the body.
    associatedtype Framing: StreamFraming
    /// The provider's name, for messages.
    var provider: String { get }
    /// The body's framing state.
    var framing: Framing { get set }
    /// The shape the next text events are first compared with.
    var shapes: ShapeReader { get set }
    /// Whether the stream's end marker arrived; later units are ignored.
    var stopped: Bool { get }
    /// Decodes one unit.
    /// - Throws: `AIError` for an error the unit reports or a unit that cannot be parsed.
    func handle(
        _ unit: Framing.Unit,
        emit: (ProviderEvent) throws -> Void,
        text: (JSONStringBody) throws -> Void
    ) throws
    /// What is wrong with a stream that ends now (`"was cut before message_stop"`), or nil when it is complete;
    /// `rest` is the unterminated last unit, if the framing kept one.
    /// - Throws: `AIError` for an error `rest` reports.
    func endProblem(rest: [UInt8]?, emit: (ProviderEvent) throws -> Void) throws -> String?
}

extension FramedStreamDecoder {
    /// How many units were read by shape.
    package var shapedEvents: Int { shapes.count }

    /// Decodes the next piece of the body.
    /// - Throws: `AIError` for an error reported inside the stream or a body that cannot be parsed.
    package func feed(
        _ bytes: UnsafeRawBufferPointer,
        emit: (ProviderEvent) throws -> Void,
        text: (JSONStringBody) throws -> Void
    ) throws {
        try framing.scan(
            bytes,
            shortcut: { base, start, end in
                stopped ? start : try shapes.read(base, from: start, to: end, text)
            }
        ) { unit in try handle(unit, emit: emit, text: text) }
    }

    /// The body ended.
    /// - Throws: `AIError` (`incomplete`) unless the stream is complete.
    package func finish(emit: (ProviderEvent) throws -> Void) throws {
        let rest = framing.finishUnits()
        if let problem = try endProblem(rest: rest, emit: emit) {
            throw AIError(.incomplete, "\(provider) stream \(problem)")
        }
    }
}
