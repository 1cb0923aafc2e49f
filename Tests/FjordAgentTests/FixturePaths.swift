import Foundation

/// Paths of the test fixtures (this target's own and the Promtail captures kept with the push tests).
enum FixturePaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func agent(_ name: String) -> String {
        testsDirectory.appendingPathComponent("FjordAgentTests/Fixtures/\(name)").path
    }

    static func promtail(_ name: String) -> String {
        testsDirectory.appendingPathComponent("FjordPushTests/Fixtures/promtail/\(name)").path
    }

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
}
