import FjordModel
import Foundation

/// One case of `cases.json` (see the lokicompat README, "Cases"): a request to run against the conformance data set
/// and the id of the answer real Loki gave (`expected/<id>.json`).
public struct ConformanceCase: Sendable, Identifiable, CustomStringConvertible {
    public var id: String
    public var family: String
    /// `range`, `instant`, `labels`, `label_values` or `series`.
    public var kind: String
    /// `X-Scope-OrgID`: `tenant-a`, `tenant-b` or `tenant-a|tenant-b`; nil when the case sends none.
    public var tenant: String?
    /// The LogQL query; for `labels`/`label_values` the optional selector (empty when absent).
    public var query: String
    /// `start`, `end`, `time`, `step`, `limit`, `direction`, `interval`, `time_format` as written in the case.
    public var fields: [String: String]
    /// The label name of a `label_values` case.
    public var name: String?
    /// The `match[]` selectors of a `series` case.
    public var match: [String]
    /// Raw parameter overrides, in case order: `nil` removes the parameter.
    public var rawParameters: [(name: String, value: String?)]
    /// `GET`, or `POST` for a form-encoded body.
    public var method: String

    public var description: String { id }

    public var hasRawParameters: Bool { !rawParameters.isEmpty }

    /// Every case of `cases.json`, in file order.
    public static func loadAll() throws -> [ConformanceCase] {
        try load(from: ConformanceFixtures.directory.appendingPathComponent("cases.json"))
    }

    /// The cases of a `cases.json`-shaped file (`{"cases": [...]}`).
    public static func load(from url: URL) throws -> [ConformanceCase] {
        guard let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let cases = document["cases"] as? [[String: Any]]
        else { throw ConformanceFixtures.FixtureError(description: "cases.json has no `cases` list") }
        return try cases.map(ConformanceCase.init(json:))
    }

    init(json raw: [String: Any]) throws {
        guard let id = raw["id"] as? String, let kind = raw["kind"] as? String else {
            throw ConformanceFixtures.FixtureError(description: "case without id or kind: \(raw)")
        }
        var fields: [String: String] = [:]
        for key in ["start", "end", "time", "step", "limit", "direction", "interval", "time_format"] {
            if let value = raw[key] { fields[key] = Self.text(value) }
        }
        var overrides: [(name: String, value: String?)] = []
        if let params = raw["params"] as? [String: Any] {
            for key in params.keys.sorted() {
                overrides.append((key, params[key] is NSNull ? nil : params[key].map(Self.text)))
            }
        }
        self.id = id
        self.kind = kind
        family = raw["family"] as? String ?? ""
        tenant = raw["tenant"] as? String
        query = raw["query"] as? String ?? ""
        self.fields = fields
        name = raw["name"] as? String
        match = raw["match"] as? [String] ?? []
        rawParameters = overrides
        method = (raw["method"] as? String ?? "GET").uppercased()
    }

    /// Python's `str(value)` for the scalars a case holds.
    private static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }

    struct ParameterError: Error, CustomStringConvertible {
        var description: String
    }

    /// lcrun `offset_ns`: `1h30m`, `-10m`, `1.5h`, `90s`, `500ms`, `2d`, or plain seconds; nanoseconds.
    public static func offset(_ text: String) throws -> Int64 {
        if let seconds = Double(text) { return Int64((seconds * 1e9).rounded()) }
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign: Int64 = 1
        if body.first == "-" || body.first == "+" {
            if body.first == "-" { sign = -1 }
            body = body.dropFirst()
        }
        guard !body.isEmpty else { throw ParameterError(description: "bad offset \(text)") }
        var total: Int64 = 0
        while !body.isEmpty {
            let number = body.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            body = body.dropFirst(number.count)
            let unit: Int64
            if body.hasPrefix("ms") {
                unit = 1_000_000
                body = body.dropFirst(2)
            } else {
                switch body.first {
                case "s": unit = 1_000_000_000
                case "m": unit = 60_000_000_000
                case "h": unit = 3_600_000_000_000
                case "d": unit = 86_400_000_000_000
                default: throw ParameterError(description: "bad offset \(text)")
                }
                body = body.dropFirst()
            }
            guard let value = Double(number) else { throw ParameterError(description: "bad offset \(text)") }
            total += Int64((value * Double(unit)).rounded())
        }
        return sign * total
    }

    /// Loki's `parseSecondsOrDuration`: a float is seconds, anything else a Prometheus duration; nanoseconds.
    public static func secondsOrDuration(_ text: String) throws -> Int64 {
        if let seconds = Double(text) { return Int64((seconds * 1e9).rounded()) }
        return try PromDuration.parse(text)
    }
}
