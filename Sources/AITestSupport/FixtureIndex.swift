import AIBase
import AIWire
import Foundation

/// The fixtures and scenarios of `Tests/Fixtures/providers/index.json`, with their bodies loaded.
package struct FixtureIndex: Sendable {
    /// The directory the index was loaded from.
    package let directory: String
    /// Every fixture, in index order.
    package let fixtures: [Fixture]
    /// Every scenario, in index order.
    package let scenarios: [Scenario]
    /// The raw `conventions` object.
    package let conventions: JSON

    /// `Tests/Fixtures/providers` of the package this file was compiled from (found from `#filePath` by walking
    /// up to the directory holding `Package.swift`).
    package static var defaultDirectory: String {
        var directory = (#filePath as NSString).deletingLastPathComponent
        while directory.count > 1 {
            let manifest = (directory as NSString).appendingPathComponent("Package.swift")
            if FileManager.default.fileExists(atPath: manifest) {
                return (directory as NSString).appendingPathComponent("Tests/Fixtures/providers")
            }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return "Tests/Fixtures/providers"
    }

    /// Loads `index.json` and every body file from `directory`, checking body sizes and SHA-256 digests and that
    /// every scenario names known fixtures.
    package static func load(directory: String = defaultDirectory) throws(FixtureError) -> FixtureIndex {
        let indexPath = (directory as NSString).appendingPathComponent("index.json")
        guard let data = FileManager.default.contents(atPath: indexPath) else {
            throw FixtureError("cannot read \(indexPath)")
        }
        let json: JSON
        do {
            json = try JSON.parse([UInt8](data))
        } catch {
            throw FixtureError("\(indexPath) is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        guard let fixtureEntries = json["fixtures"]?.arrayValue else { throw FixtureError("\(indexPath): no fixtures") }
        var fixtures: [Fixture] = []
        var seen: Set<String> = []
        for entry in fixtureEntries {
            let fixture = try Fixture(json: entry, directory: directory)
            guard seen.insert(fixture.id).inserted else { throw FixtureError("duplicate fixture id \(fixture.id)") }
            fixtures.append(fixture)
        }
        var scenarios: [Scenario] = []
        for entry in json["scenarios"]?.arrayValue ?? [] {
            let scenario = try Scenario(json: entry)
            for id in scenario.responses where !seen.contains(id) {
                throw FixtureError("scenario \(scenario.id) names unknown fixture \(id)")
            }
            scenarios.append(scenario)
        }
        return FixtureIndex(
            directory: directory,
            fixtures: fixtures,
            scenarios: scenarios,
            conventions: json["conventions"] ?? .null
        )
    }

    private static let cachedDefault = Result { () throws(FixtureError) in try load() }

    /// The index from `defaultDirectory`, loaded once per process.
    package static func loadDefault() throws(FixtureError) -> FixtureIndex {
        try cachedDefault.get()
    }

    /// The fixture with `id`, or nil.
    package subscript(id: String) -> Fixture? {
        fixtures.first { $0.id == id }
    }

    /// The fixture with `id`; throws when there is none.
    package func fixture(_ id: String) throws(FixtureError) -> Fixture {
        guard let fixture = self[id] else { throw FixtureError("no fixture \(id) in \(directory)") }
        return fixture
    }

    /// The scenario with `id`; throws when there is none.
    package func scenario(_ id: String) throws(FixtureError) -> Scenario {
        guard let scenario = scenarios.first(where: { $0.id == id }) else {
            throw FixtureError("no scenario \(id) in \(directory)")
        }
        return scenario
    }

    /// The fixtures answering a scenario's requests, in order.
    package func fixtures(for scenario: Scenario) throws(FixtureError) -> [Fixture] {
        var result: [Fixture] = []
        for id in scenario.responses { result.append(try fixture(id)) }
        return result
    }

    /// A handler answering the Nth request with the Nth fixture of `ids` (validated, see `Fixture.handler`),
    /// repeating the last one after the list runs out.
    package func handler(
        sequence ids: [String],
        chunking: Fixture.Chunking = .whole,
        framing: FakeResponse.Framing? = nil,
        checkPath: Bool = true,
        skippingHeaders: Set<String> = []
    ) throws(FixtureError) -> FakeServer.Handler {
        var handlers: [FakeServer.Handler] = []
        for id in ids {
            let fixture = try fixture(id)
            handlers.append(
                fixture.handler(
                    chunking: chunking,
                    framing: framing,
                    checkPath: checkPath,
                    skippingHeaders: skippingHeaders
                )
            )
        }
        return FakeServer.sequence(handlers)
    }

    /// A handler for a scenario: its fixtures answer requests 1, 2, … in order (the last repeats).
    package func handler(
        for scenario: Scenario,
        chunking: Fixture.Chunking = .whole,
        framing: FakeResponse.Framing? = nil
    ) throws(FixtureError) -> FakeServer.Handler {
        try handler(sequence: scenario.responses, chunking: chunking, framing: framing)
    }
}
