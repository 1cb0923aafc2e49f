import FjordEngine
import FjordModel
import Foundation

/// One case of `cases.json` (see the lokicompat README, "Cases").
struct ConformanceCase: Sendable, CustomStringConvertible {
    var id: String
    var kind: String
    var tenant: String
    var query: String
    var fields: [String: String]
    var hasRawParameters: Bool
    var method: String

    var description: String { id }

    static func loadAll() throws -> [ConformanceCase] {
        let url = ConformanceFixtures.directory.appendingPathComponent("cases.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let cases = document?["cases"] as? [[String: Any]] ?? []
        return cases.map { raw in
            var fields: [String: String] = [:]
            for key in ["start", "end", "time", "step", "limit", "direction", "interval", "time_format"] {
                if let value = raw[key] { fields[key] = "\(value)" }
            }
            return ConformanceCase(
                id: raw["id"] as? String ?? "?", kind: raw["kind"] as? String ?? "?",
                tenant: raw["tenant"] as? String ?? "fake", query: raw["query"] as? String ?? "",
                fields: fields, hasRawParameters: raw["params"] != nil,
                method: (raw["method"] as? String ?? "GET").uppercased())
        }
    }

    /// The query parameters as Loki's HTTP layer would hand them to the engine. Times are offsets from `base`.
    func parameters(base: Int64) throws -> QueryParameters {
        let tenants = Array(Set(tenant.split(separator: "|").map(String.init))).sorted()
        let limit = Int(fields["limit"] ?? "100") ?? 100
        let direction: Direction = fields["direction"]?.lowercased() == "forward" ? .forward : .backward
        if kind == "instant" {
            let time = base + (try Self.offset(fields["time"] ?? "0s"))
            return .instant(tenants: tenants, time: time, limit: limit, direction: direction)
        }
        let start = base + (try Self.offset(fields["start"] ?? "0s"))
        let end = base + (try Self.offset(fields["end"] ?? "0s"))
        var step = max((end - start) / 250 / 1_000_000_000, 1) * 1_000_000_000
        if let text = fields["step"] { step = try Self.secondsOrDuration(text) }
        let interval = try fields["interval"].map(Self.secondsOrDuration) ?? 0
        return .range(tenants: tenants, start: start, end: end, step: step, interval: interval, limit: limit,
                      direction: direction)
    }

    struct ParameterError: Error, CustomStringConvertible {
        var description: String
    }

    /// lcrun's offsets: `1h30m`, `-10m`, `90s`, or plain seconds.
    static func offset(_ text: String) throws -> Int64 {
        if let seconds = Double(text) { return Int64((seconds * 1e9).rounded()) }
        var body = Substring(text)
        var sign: Int64 = 1
        if body.first == "-" || body.first == "+" {
            if body.first == "-" { sign = -1 }
            body = body.dropFirst()
        }
        guard !body.isEmpty else { throw ParameterError(description: "bad offset \(text)") }
        return sign * (try PromDuration.parse(String(body)))
    }

    /// Loki's `parseSecondsOrDuration`: a float is seconds, anything else a Prometheus duration.
    static func secondsOrDuration(_ text: String) throws -> Int64 {
        if let seconds = Double(text) { return Int64((seconds * 1e9).rounded()) }
        return try PromDuration.parse(text)
    }
}
