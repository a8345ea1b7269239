/// The body of a response as a sequence of writes, each with the pause to take before it.
final class BodyPieces {
    private let body: [UInt8]
    private var boundaries: [Int] = []
    private var nextBoundary = 0
    private var position = 0
    private var delayMs = 0
    private var generator: (() -> [UInt8]?)?
    private var every = 0

    /// No body at all.
    static var empty: BodyPieces { BodyPieces(FakeResponse(body: [])) }

    init(_ response: FakeResponse) {
        if let stream = response.stream {
            body = []
            generator = stream.makePieces()
            return
        }
        body = response.body
        switch response.chunking {
        case .whole:
            boundaries = [body.count]
        case .splitAt(let offsets, let delay):
            boundaries = Set(offsets.filter { $0 > 0 && $0 < body.count }).sorted() + [body.count]
            delayMs = delay
        case .every(let size, let delay):
            every = max(size, 1)
            delayMs = delay
            if size <= 0 { boundaries = [body.count] }
        case .bytewise(let delay):
            every = 1
            delayMs = delay
        }
    }

    /// The next write and the pause before it, or nil at the end of the body.
    func next() -> (ArraySlice<UInt8>, Int)? {
        if let generator {
            guard let piece = generator() else { return nil }
            return (piece[...], 0)
        }
        guard position < body.count else { return nil }
        let end: Int
        if boundaries.isEmpty {
            end = min(body.count, position + every)
        } else {
            guard nextBoundary < boundaries.count else { return nil }
            end = boundaries[nextBoundary]
            nextBoundary += 1
        }
        defer { position = end }
        return (body[position..<end], delayMs)
    }
}
