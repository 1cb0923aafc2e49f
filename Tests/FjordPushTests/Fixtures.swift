import FjordModel
import FjordPush
import Foundation

/// Loads the captured Promtail requests shipped with the tests.
enum Fixtures {
    static func data(_ path: String) throws -> Data {
        guard let base = Bundle.module.resourceURL else { throw FixtureError("no resource bundle") }
        return try Data(contentsOf: base.appendingPathComponent("Fixtures/" + path))
    }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try data(path)) }

    /// The expected content of `promtail/push-00N.decoded.json`.
    static func expectedStreams(_ name: String) throws -> [PushStreamContent] {
        let json = try JSONSerialization.jsonObject(with: data("promtail/\(name).decoded.json"))
        guard let root = json as? [String: Any], let streams = root["streams"] as? [[String: Any]] else {
            throw FixtureError("unexpected decoded.json shape")
        }
        return try streams.map { stream in
            guard let labels = stream["labels"] as? String, let entries = stream["entries"] as? [[String: Any]] else {
                throw FixtureError("unexpected stream shape")
            }
            return PushStreamContent(labels: labels, entries: try entries.map { entry in
                guard let ts = entry["ts_ns"] as? String, let nanos = Int64(ts), let line = entry["line"] as? String else {
                    throw FixtureError("unexpected entry shape")
                }
                let metadata = (entry["structured_metadata"] as? [String: String] ?? [:])
                    .sorted { $0.key < $1.key }.map { LabelPair($0.key, $0.value) }
                return PushEntryContent(timestamp: nanos, line: line, metadata: metadata)
            })
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Runs `body` and returns the ``PushError`` it threw, if any (keeps tests readable).
func pushError(_ body: () throws -> Void) -> PushError? {
    do {
        try body()
        return nil
    } catch {
        return error as? PushError
    }
}
