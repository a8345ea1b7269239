import AITestSupport
import Foundation

/// A deterministic generator (SplitMix64) so random chunkings are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How a body is cut into chunks before a parser is fed with it.
enum BodyChunking: CustomStringConvertible {
    case whole
    /// Cut at these offsets (a fixture's `split_at`).
    case at([Int])
    /// Cut every N bytes (a fixture's `split_every`).
    case every(Int)
    case oneByte
    /// Mostly small pieces, sometimes large ones, zero-length ones too, from a seed.
    case random(seed: UInt64)

    var description: String {
        switch self {
        case .whole: "whole"
        case .at(let offsets): "split_at \(offsets.prefix(8))"
        case .every(let size): "every \(size)"
        case .oneByte: "1 byte"
        case .random(let seed): "random seed \(seed)"
        }
    }

    /// The seeds of the random chunkings `all` gives.
    static let seeds: [UInt64] = [1, 2, 3, 42, 1234, 99_991]

    /// Whole, 1 byte, the fixture's own chunk plan if it has one, and one random chunking per seed.
    static func all(plan: Fixture.ChunkPlan?) -> [BodyChunking] {
        var result: [BodyChunking] = [.whole, .oneByte]
        if let plan {
            if let size = plan.splitEvery { result.append(.every(size)) } else { result.append(.at(plan.splitAt)) }
        }
        return result + seeds.map { .random(seed: $0) }
    }

    /// The pieces `body` is cut into.
    func chunks(of body: [UInt8]) -> [[UInt8]] {
        var cuts: [Int]
        switch self {
        case .whole:
            cuts = []
        case .at(let offsets):
            cuts = offsets
        case .every(let size):
            cuts = Array(stride(from: size, to: body.count, by: size))
        case .oneByte:
            cuts = Array(0..<body.count)
        case .random(let seed):
            var generator = SeededGenerator(state: seed)
            cuts = []
            var offset = 0
            while offset < body.count {
                let size =
                    Int.random(in: 0...3, using: &generator) == 0
                    ? Int.random(in: 0...512, using: &generator) : Int.random(in: 0...9, using: &generator)
                offset += size
                cuts.append(min(offset, body.count))
            }
        }
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in cuts + [body.count] where cut >= start {
            pieces.append(Array(body[start..<cut]))
            start = cut
        }
        return pieces
    }
}

/// The bytes of a file of Tests/Fixtures/providers.
func fixtureBytes(_ relativePath: String) throws -> [UInt8] {
    [UInt8](
        try Data(contentsOf: URL(fileURLWithPath: FixtureIndex.defaultDirectory).appendingPathComponent(relativePath)))
}
