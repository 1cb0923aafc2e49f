import FjordEngine
import FjordModel
import Foundation

/// An answer normalised the way lcnorm does it (times relative to BASE, canonical order), built either from an
/// expected file or from the engine's result, and compared with lcnorm's rules.
struct NormalizedAnswer {
    struct Stream {
        var labels: [String: String]
        var values: [(Int64, String)]
    }

    /// A matrix series has the same shape as a stream: labels and (time, text) pairs.
    typealias Series = Stream

    struct Sample {
        var labels: [String: String]
        var time: Int64
        var value: String
    }

    enum Body {
        case error(status: Int, text: String)
        case streams([Stream])
        case matrix([Series])
        case vector([Sample], ordered: Bool)
        case scalar(time: Int64?, value: String)
    }

    var body: Body

    // MARK: From the expected file

    init(expected json: [String: Any]) throws {
        let status = (json["status"] as? NSNumber)?.intValue ?? -1
        if status != 200 {
            body = .error(status: status, text: json["error"] as? String ?? "")
            return
        }
        let result = json["result"]
        switch json["resultType"] as? String {
        case "streams":
            let streams = (result as? [[String: Any]] ?? []).map { item in
                Stream(labels: item["labels"] as? [String: String] ?? [:],
                       values: (item["values"] as? [[Any]] ?? []).map { pair in
                           ((pair[0] as? NSNumber)?.int64Value ?? 0, pair[1] as? String ?? "")
                       })
            }
            body = .streams(streams)
        case "matrix":
            let series = (result as? [[String: Any]] ?? []).map { item in
                Series(labels: item["labels"] as? [String: String] ?? [:],
                       values: (item["values"] as? [[Any]] ?? []).map { pair in
                           ((pair[0] as? NSNumber)?.int64Value ?? 0, pair[1] as? String ?? "")
                       })
            }
            body = .matrix(series)
        case "vector":
            let samples = (result as? [[String: Any]] ?? []).map { item in
                Sample(labels: item["labels"] as? [String: String] ?? [:],
                       time: (item["time"] as? NSNumber)?.int64Value ?? 0, value: item["value"] as? String ?? "")
            }
            body = .vector(samples, ordered: json["ordered"] as? Bool ?? false)
        case "scalar":
            let scalar = result as? [String: Any] ?? [:]
            body = .scalar(time: (scalar["time"] as? NSNumber)?.int64Value, value: scalar["value"] as? String ?? "")
        default:
            throw CocoaError(.coderReadCorrupt)
        }
    }

    // MARK: From the engine

    init(error: QueryError) {
        body = .error(status: error.status, text: Self.normalizeError(error.message))
    }

    init(status: Int, errorText: String) {
        body = .error(status: status, text: Self.normalizeError(errorText))
    }

    init(result: QueryResult, base: Int64, valueSorted: Bool) {
        let times = TimeNormalizer(baseSeconds: base / 1_000_000_000)
        let baseMillis = base / 1_000_000
        func dictionary(_ labels: Labels) -> [String: String] {
            times.labels(Dictionary(labels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }))
        }
        switch result.data {
        case .streams(let streams):
            var normalized = streams.map { stream in
                var values = stream.entries.map { entry in
                    (entry.timestamp - base, times.text(String(decoding: entry.line, as: UTF8.self)))
                }
                Self.orderRuns(&values) { $0.1.unicodeScalars.lexicographicallyPrecedes($1.1.unicodeScalars) }
                return Stream(labels: dictionary(stream.labels), values: values)
            }
            normalized.sort { lhs, rhs in
                let left = Self.labelsKey(lhs.labels)
                let right = Self.labelsKey(rhs.labels)
                if left != right { return left.utf8.lexicographicallyPrecedes(right.utf8) }
                return (lhs.values.first?.0 ?? 0) < (rhs.values.first?.0 ?? 0)
            }
            body = .streams(normalized)
        case .matrix(let series):
            var normalized = series.map { item in
                var values = item.points.map { ($0.timestampMillis - baseMillis, GoFloat.format($0.value)) }
                values.sort { $0.0 != $1.0 ? $0.0 < $1.0 : Self.numberKeyLess($0.1, $1.1) }
                return Series(labels: dictionary(item.labels), values: values)
            }
            normalized.sort { Self.labelsKey($0.labels).utf8.lexicographicallyPrecedes(Self.labelsKey($1.labels).utf8) }
            body = .matrix(normalized)
        case .vector(let samples):
            var normalized = samples.map {
                Sample(labels: dictionary($0.labels), time: $0.timestampMillis - baseMillis,
                       value: GoFloat.format($0.value))
            }
            if valueSorted {
                Self.orderRuns(&normalized, sameRun: { Self.numberKey($0.value) == Self.numberKey($1.value) }) {
                    Self.labelsKey($0.labels).utf8.lexicographicallyPrecedes(Self.labelsKey($1.labels).utf8)
                }
            } else {
                normalized.sort {
                    Self.labelsKey($0.labels).utf8.lexicographicallyPrecedes(Self.labelsKey($1.labels).utf8)
                }
            }
            body = .vector(normalized, ordered: valueSorted)
        case .scalar(let time, let value):
            let relative = time - baseMillis
            body = .scalar(time: abs(relative) > 7 * 86_400_000 ? nil : relative, value: GoFloat.format(value))
        }
    }

    // MARK: Comparison (lcnorm.compare)

    /// Differences between `self` (expected) and `actual`; empty means the answers agree.
    func differences(from actual: NormalizedAnswer) -> [String] {
        switch (body, actual.body) {
        case (.error(let status, let text), .error(let actualStatus, let actualText)):
            if status != actualStatus { return ["HTTP status: expected \(status) got \(actualStatus): \(actualText)"] }
            return text == actualText ? [] : ["error text differs:\n  expected: \(text)\n  actual:   \(actualText)"]
        case (.error(let status, let text), _):
            return ["expected HTTP \(status) (\(text.prefix(200))), got a result"]
        case (_, .error(let status, let text)):
            return ["HTTP status: expected 200 got \(status): \(text.prefix(300))"]
        case (.streams(let expected), .streams(let actual)):
            return Self.compareStreams(expected, actual)
        case (.matrix(let expected), .matrix(let actual)):
            return Self.compareKeyed(expected.map { (Self.labelsKey($0.labels), $0.values) },
                                     actual.map { (Self.labelsKey($0.labels), $0.values) })
        case (.vector(let expected, _), .vector(let actual, _)):
            return Self.compareKeyed(expected.map { (Self.labelsKey($0.labels), [($0.time, $0.value)]) },
                                     actual.map { (Self.labelsKey($0.labels), [($0.time, $0.value)]) })
        case (.scalar(let time, let value), .scalar(let actualTime, let actualValue)):
            if let time, time != actualTime { return ["scalar time: expected \(time) got \(String(describing: actualTime))"] }
            return Self.valuesEqual(value, actualValue) ? [] : ["scalar: expected \(value) got \(actualValue)"]
        default:
            return ["resultType differs: expected \(body) got \(actual.body)"]
        }
    }

    private static func compareStreams(_ expected: [Stream], _ actual: [Stream]) -> [String] {
        var diffs: [String] = []
        let expectedEntries = expected.reduce(0) { $0 + $1.values.count }
        let actualEntries = actual.reduce(0) { $0 + $1.values.count }
        if expectedEntries != actualEntries { diffs.append("entries: expected \(expectedEntries) got \(actualEntries)") }
        let expectedKeys = expected.map { labelsKey($0.labels) }
        let actualKeys = actual.map { labelsKey($0.labels) }
        if expectedKeys != actualKeys {
            diffs.append("streams: expected \(expectedKeys.count) got \(actualKeys.count)")
            if let missing = expectedKeys.first(where: { !actualKeys.contains($0) }) {
                diffs.append("missing stream, e.g. \(missing)")
            }
            if let extra = actualKeys.first(where: { !expectedKeys.contains($0) }) {
                diffs.append("unexpected stream, e.g. \(extra)")
            }
            return diffs
        }
        for (index, stream) in expected.enumerated() {
            let other = actual[index].values
            if stream.values.count != other.count {
                diffs.append("\(expectedKeys[index]): \(stream.values.count) entries expected, \(other.count) returned")
            }
            let pairs = Array(zip(stream.values, other))
            if let first = pairs.firstIndex(where: { $0.0.0 != $0.1.0 || $0.0.1 != $0.1.1 }) {
                diffs.append("\(expectedKeys[index]) entry \(first): expected \(pairs[first].0) got \(pairs[first].1)")
            }
            if diffs.count >= 6 { break }
        }
        return diffs
    }

    private static func compareKeyed(_ expected: [(String, [(Int64, String)])], _ actual: [(String, [(Int64, String)])])
        -> [String]
    {
        let expectedKeys = expected.map(\.0)
        let actualKeys = actual.map(\.0)
        if expectedKeys != actualKeys {
            var diffs: [String] = []
            let missing = expectedKeys.filter { !actualKeys.contains($0) }
            let extra = actualKeys.filter { !expectedKeys.contains($0) }
            if let first = missing.first { diffs.append("\(missing.count) series missing, e.g. \(first)") }
            if let first = extra.first { diffs.append("\(extra.count) unexpected series, e.g. \(first)") }
            if diffs.isEmpty { diffs.append("series order differs: expected \(expectedKeys.prefix(3)) got \(actualKeys.prefix(3))") }
            return diffs
        }
        var diffs: [String] = []
        for (index, item) in expected.enumerated() {
            let other = actual[index].1
            if item.1.map(\.0) != other.map(\.0) {
                diffs.append("\(item.0): timestamps differ (\(item.1.count) vs \(other.count) points; first expected "
                    + "\(item.1.prefix(4).map(\.0)) got \(other.prefix(4).map(\.0)))")
            } else if let point = zip(item.1, other).first(where: { !valuesEqual($0.1, $1.1) }) {
                diffs.append("\(item.0) @\(point.0.0)ms: expected \(point.0.1) got \(point.1.1)")
            }
            if diffs.count >= 6 { break }
        }
        return diffs
    }

    // MARK: lcnorm helpers

    /// `for series: '{...}'.` names whichever erroring series Loki met first; lcnorm replaces it.
    static func normalizeError(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let start = trimmed.range(of: "for series: '"),
              let end = trimmed.range(of: "'.", range: start.upperBound..<trimmed.endIndex) else { return trimmed }
        return String(trimmed[..<start.upperBound]) + "<series>" + String(trimmed[end.lowerBound...])
    }

    /// `{k="v", …}` with keys sorted and values JSON-quoted (`json.dumps(ensure_ascii=False)`).
    static func labelsKey(_ labels: [String: String]) -> String {
        let keys = labels.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        return "{" + keys.map { "\($0)=\(jsonQuote(labels[$0] ?? ""))" }.joined(separator: ", ") + "}"
    }

    static func jsonQuote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// lcnorm `_num_key`: numbers first (by value), then unparsable, then NaN.
    static func numberKey(_ text: String) -> (Int, Double) {
        guard let value = parseValue(text) else { return (1, 0) }
        if value.isNaN { return (2, 0) }
        return (0, value)
    }

    static func numberKeyLess(_ lhs: String, _ rhs: String) -> Bool {
        let left = numberKey(lhs)
        let right = numberKey(rhs)
        return left.0 != right.0 ? left.0 < right.0 : left.1 < right.1
    }

    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }

    /// Relative tolerance 1e-9 (absolute 1e-12 near zero); NaN and infinities exactly.
    static func valuesEqual(_ lhs: String, _ rhs: String) -> Bool {
        if lhs == rhs { return true }
        guard let left = parseValue(lhs), let right = parseValue(rhs) else { return false }
        if left.isNaN || right.isNaN { return left.isNaN && right.isNaN }
        if left.isInfinite || right.isInfinite { return left == right }
        return abs(left - right) <= max(1e-9 * max(abs(left), abs(right)), 1e-12)
    }

    /// Orders runs of neighbours with the same key (`sameRun`) by `less`, keeping everything else in place.
    static func orderRuns<T>(_ items: inout [T], sameRun: (T, T) -> Bool, by less: (T, T) -> Bool) {
        var start = 0
        while start < items.count {
            var end = start + 1
            while end < items.count, sameRun(items[start], items[end]) { end += 1 }
            if end - start > 1 { items[start..<end].sort(by: less) }
            start = end
        }
    }

    /// Entries of one stream sharing a timestamp are ordered by line.
    static func orderRuns(_ values: inout [(Int64, String)], by less: ((Int64, String), (Int64, String)) -> Bool) {
        orderRuns(&values, sameRun: { $0.0 == $1.0 }, by: less)
    }
}
