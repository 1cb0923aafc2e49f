import FjordModel
import Foundation

/// An answer normalised the way lcnorm does it (times relative to BASE, canonical order), built from an expected
/// file, from an engine result or from an HTTP response, and compared with lcnorm's rules
/// (see `NormalizedAnswer+Comparison.swift`).
public struct NormalizedAnswer: Sendable {
    /// A log stream: labels and (ns offset from BASE, line) entries.
    public struct Stream: Sendable {
        public var labels: [String: String]
        public var values: [(Int64, String)]
    }

    /// A matrix series has the same shape as a stream: labels and (ms offset from BASE, value text) points.
    public typealias Series = Stream

    /// A vector sample: labels, ms offset from BASE and the value as text.
    public struct Sample: Sendable {
        public var labels: [String: String]
        public var time: Int64
        public var value: String
    }

    /// What the answer holds.
    public enum Body: Sendable {
        /// A non-200 answer: HTTP status and the (normalised) body text.
        case error(status: Int, text: String)
        case streams([Stream])
        case matrix([Series])
        /// `ordered`: the query sorts by value (`sort`/`sort_desc`), so the server's order is kept.
        case vector([Sample], ordered: Bool)
        /// `time` is nil when Loki's bogus scalar timestamp was dropped.
        case scalar(time: Int64?, value: String)
        /// `/labels` and `/label/<name>/values`: sorted names or values.
        case names([String])
        /// `/series`: label sets sorted by their canonical key.
        case series([[String: String]])
    }

    public var body: Body
    /// The response's warnings, sorted (empty when there are none).
    public var warnings: [String] = []

    public init(body: Body, warnings: [String] = []) {
        self.body = body
        self.warnings = warnings
    }

    /// An error answer; the text is normalised like lcnorm's `normalize_error`.
    public init(status: Int, errorText: String) {
        body = .error(status: status, text: Lcnorm.normalizeError(errorText))
    }

    // MARK: From the expected file

    /// Reads `expected/<id>.json` (already normalised by lcnorm).
    public init(expected json: [String: Any]) throws {
        let status = (json["status"] as? NSNumber)?.intValue ?? -1
        warnings = json["warnings"] as? [String] ?? []
        if status != 200 {
            body = .error(status: status, text: json["error"] as? String ?? "")
            return
        }
        let result = json["result"]
        func pairs(_ item: [String: Any]) -> [(Int64, String)] {
            (item["values"] as? [[Any]] ?? []).map { pair in
                ((pair.first as? NSNumber)?.int64Value ?? 0, pair.count > 1 ? pair[1] as? String ?? "" : "")
            }
        }
        switch json["resultType"] as? String {
        case "streams":
            body = .streams((result as? [[String: Any]] ?? []).map { item in
                Stream(labels: item["labels"] as? [String: String] ?? [:], values: pairs(item))
            })
        case "matrix":
            body = .matrix((result as? [[String: Any]] ?? []).map { item in
                Series(labels: item["labels"] as? [String: String] ?? [:], values: pairs(item))
            })
        case "vector":
            let samples = (result as? [[String: Any]] ?? []).map { item in
                Sample(labels: item["labels"] as? [String: String] ?? [:],
                       time: (item["time"] as? NSNumber)?.int64Value ?? 0, value: item["value"] as? String ?? "")
            }
            body = .vector(samples, ordered: json["ordered"] as? Bool ?? false)
        case "scalar":
            let scalar = result as? [String: Any] ?? [:]
            body = .scalar(time: (scalar["time"] as? NSNumber)?.int64Value, value: scalar["value"] as? String ?? "")
        case nil where json["kind"] as? String == "series":
            body = .series(result as? [[String: String]] ?? [])
        case nil where ["labels", "label_values"].contains(json["kind"] as? String):
            body = .names(result as? [String] ?? [])
        default:
            throw ConformanceFixtures.FixtureError(description: "expected answer of unknown shape: \(json)")
        }
    }

    // MARK: From a query result (the engine's or a decoded response's)

    /// Normalises a result; `base` is BASE in Unix nanoseconds, `valueSorted` tells whether the query sorts a vector
    /// by value (``Lcnorm/isValueSorted(_:)``).
    public init(result: QueryResult, base: Int64, valueSorted: Bool) {
        let times = TimeNormalizer(baseSeconds: base / 1_000_000_000)
        let baseMillis = base / 1_000_000
        func dictionary(_ labels: Labels) -> [String: String] {
            Dictionary(labels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        }
        switch result.data {
        case .streams(let streams):
            body = Self.streams(streams.map { stream in
                (dictionary(stream.labels), stream.entries.map { ($0.timestamp, String(decoding: $0.line, as: UTF8.self)) })
            }, base: base, times: times)
        case .matrix(let series):
            body = Self.matrix(series.map { item in
                (dictionary(item.labels), item.points.map { ($0.timestampMillis, GoFloat.format($0.value)) })
            }, baseMillis: baseMillis, times: times)
        case .vector(let samples):
            body = Self.vector(samples.map { (dictionary($0.labels), $0.timestampMillis, GoFloat.format($0.value)) },
                               baseMillis: baseMillis, times: times, valueSorted: valueSorted)
        case .scalar(let time, let value):
            body = Self.scalar(timeMillis: time, value: GoFloat.format(value), baseMillis: baseMillis)
        }
        warnings = result.warnings.sorted()
    }

    // MARK: lcnorm's normalisation steps, shared by every source

    /// Streams: times relative to BASE, entries sharing a timestamp ordered by line, streams sorted by labels.
    static func streams(_ raw: [([String: String], [(Int64, String)])], base: Int64, times: TimeNormalizer) -> Body {
        var normalized = raw.map { labels, entries in
            var values = entries.map { ($0.0 - base, times.text($0.1)) }
            Lcnorm.orderRuns(&values, sameRun: { $0.0 == $1.0 }) {
                $0.1.unicodeScalars.lexicographicallyPrecedes($1.1.unicodeScalars)
            }
            return Stream(labels: times.labels(labels), values: values)
        }
        normalized.sort { lhs, rhs in
            let left = Lcnorm.labelsKey(lhs.labels)
            let right = Lcnorm.labelsKey(rhs.labels)
            if left != right { return left.utf8.lexicographicallyPrecedes(right.utf8) }
            return (lhs.values.first?.0 ?? 0) < (rhs.values.first?.0 ?? 0)
        }
        return .streams(normalized)
    }

    /// Matrix: times relative to BASE, points ordered by (time, value), series sorted by labels.
    static func matrix(_ raw: [([String: String], [(Int64, String)])], baseMillis: Int64,
                       times: TimeNormalizer) -> Body {
        var normalized = raw.map { labels, points in
            var values = points.map { ($0.0 - baseMillis, $0.1) }
            values.sort { $0.0 != $1.0 ? $0.0 < $1.0 : Lcnorm.numberKeyLess($0.1, $1.1) }
            return Series(labels: times.labels(labels), values: values)
        }
        normalized.sort { Lcnorm.labelsKey($0.labels).utf8.lexicographicallyPrecedes(Lcnorm.labelsKey($1.labels).utf8) }
        return .matrix(normalized)
    }

    /// Vector: sorted by labels, or in the server's order with runs of equal values sorted by labels.
    static func vector(_ raw: [([String: String], Int64, String)], baseMillis: Int64, times: TimeNormalizer,
                       valueSorted: Bool) -> Body {
        var normalized = raw.map { Sample(labels: times.labels($0.0), time: $0.1 - baseMillis, value: $0.2) }
        let byLabels: (Sample, Sample) -> Bool = {
            Lcnorm.labelsKey($0.labels).utf8.lexicographicallyPrecedes(Lcnorm.labelsKey($1.labels).utf8)
        }
        if valueSorted {
            Lcnorm.orderRuns(&normalized, sameRun: { Lcnorm.numberKey($0.value) == Lcnorm.numberKey($1.value) },
                             by: byLabels)
        } else {
            normalized.sort(by: byLabels)
        }
        return .vector(normalized, ordered: valueSorted)
    }

    /// Scalar: the time is dropped when it is more than 7 days from BASE (Loki 3.x's overflowed timestamp).
    static func scalar(timeMillis: Int64, value: String, baseMillis: Int64) -> Body {
        let relative = timeMillis &- baseMillis
        return .scalar(time: abs(relative) > 7 * 86_400_000 ? nil : relative, value: value)
    }
}
