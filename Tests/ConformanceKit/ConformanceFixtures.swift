import Foundation

/// The conformance fixtures (`Tests/Fixtures/conformance`): cases, Loki's recorded answers and the data set, located
/// from this file's path so every test target finds the same copy.
public enum ConformanceFixtures {
    /// `Tests/Fixtures/conformance`.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // ConformanceKit
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Fixtures/conformance")
    }

    /// A fixture file is missing or does not have the documented shape.
    public struct FixtureError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Real Loki's normalised answer to case `id` (`expected/<id>.json`).
    public static func expectedAnswer(_ id: String) throws -> NormalizedAnswer {
        let url = directory.appendingPathComponent("expected/\(id).json")
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw FixtureError(description: "expected/\(id).json is not a JSON object")
        }
        return try NormalizedAnswer(expected: json)
    }
}
