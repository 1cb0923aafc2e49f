import Foundation

/// lcnorm's `compare`: differences between an expected answer (`self`) and an actual one, as short texts.
extension NormalizedAnswer {
    /// Differences between `self` (expected) and `actual`; empty means the answers agree.
    public func differences(from actual: NormalizedAnswer) -> [String] {
        var diffs = bodyDifferences(from: actual)
        if case .error = body { return diffs }
        if body.kindName == actual.body.kindName, warnings != actual.warnings {
            diffs.append("warnings: expected \(warnings) got \(actual.warnings)")
        }
        return diffs
    }

    private func bodyDifferences(from actual: NormalizedAnswer) -> [String] {
        switch (body, actual.body) {
        case (.error(let status, let text), .error(let actualStatus, let actualText)):
            if status != actualStatus {
                return ["HTTP status: expected \(status) got \(actualStatus)", "actual error: \(actualText.prefix(300))",
                        "expected error: \(text.prefix(300))"]
            }
            return text == actualText ? [] : ["error text differs:\n  expected: \(text)\n  actual:   \(actualText)"]
        case (.error(let status, let text), _):
            return ["HTTP status: expected \(status) got 200", "expected error: \(text.prefix(300))"]
        case (_, .error(let status, let text)):
            return ["HTTP status: expected 200 got \(status)", "actual error: \(text.prefix(300))"]
        case (.streams(let expected), .streams(let actual)):
            return Self.compareStreams(expected, actual)
        case (.matrix(let expected), .matrix(let actual)):
            return Self.compareKeyed(expected.map { (Lcnorm.labelsKey($0.labels), $0.values) },
                                     actual.map { (Lcnorm.labelsKey($0.labels), $0.values) })
        case (.vector(let expected, _), .vector(let actual, _)):
            return Self.compareKeyed(expected.map { (Lcnorm.labelsKey($0.labels), [($0.time, $0.value)]) },
                                     actual.map { (Lcnorm.labelsKey($0.labels), [($0.time, $0.value)]) })
        case (.scalar(let time, let value), .scalar(let actualTime, let actualValue)):
            if let time, time != actualTime {
                return ["scalar time: expected \(time) got \(actualTime.map(String.init) ?? "none")"]
            }
            return Lcnorm.valuesEqual(value, actualValue) ? [] : ["scalar: expected \(value) got \(actualValue)"]
        case (.names(let expected), .names(let actual)):
            return Self.compareLists(expected, actual)
        case (.series(let expected), .series(let actual)):
            return Self.compareLists(expected.map(Lcnorm.labelsKey), actual.map(Lcnorm.labelsKey))
        default:
            return ["resultType differs: expected \(body.kindName) got \(actual.body.kindName)"]
        }
    }

    private static func compareLists(_ expected: [String], _ actual: [String]) -> [String] {
        if expected == actual { return [] }
        var diffs = ["expected \(expected.count) items got \(actual.count)"]
        let expectedSet = Set(expected)
        let actualSet = Set(actual)
        if let missing = expected.first(where: { !actualSet.contains($0) }) { diffs.append("missing e.g. \(missing)") }
        if let extra = actual.first(where: { !expectedSet.contains($0) }) { diffs.append("unexpected e.g. \(extra)") }
        if diffs.count == 1 { diffs.append("order differs: expected \(expected.prefix(3)) got \(actual.prefix(3))") }
        return diffs
    }

    private static func compareStreams(_ expected: [Stream], _ actual: [Stream]) -> [String] {
        var diffs: [String] = []
        let expectedEntries = expected.reduce(0) { $0 + $1.values.count }
        let actualEntries = actual.reduce(0) { $0 + $1.values.count }
        if expectedEntries != actualEntries { diffs.append("entries: expected \(expectedEntries) got \(actualEntries)") }
        let expectedKeys = expected.map { Lcnorm.labelsKey($0.labels) }
        let actualKeys = actual.map { Lcnorm.labelsKey($0.labels) }
        if expectedKeys != actualKeys {
            diffs.append("streams: expected \(expectedKeys.count) got \(actualKeys.count)")
            let actualSet = Set(actualKeys)
            let expectedSet = Set(expectedKeys)
            if let missing = expectedKeys.first(where: { !actualSet.contains($0) }) {
                diffs.append("missing stream, e.g. \(missing)")
            }
            if let extra = actualKeys.first(where: { !expectedSet.contains($0) }) {
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
            let actualSet = Set(actualKeys)
            let expectedSet = Set(expectedKeys)
            let missing = expectedKeys.filter { !actualSet.contains($0) }
            let extra = actualKeys.filter { !expectedSet.contains($0) }
            if let first = missing.first { diffs.append("\(missing.count) series missing, e.g. \(first)") }
            if let first = extra.first { diffs.append("\(extra.count) unexpected series, e.g. \(first)") }
            if diffs.isEmpty {
                diffs.append("series order differs: expected \(expectedKeys.prefix(3)) got \(actualKeys.prefix(3))")
            }
            return diffs
        }
        var diffs: [String] = []
        for (index, item) in expected.enumerated() {
            let other = actual[index].1
            if item.1.map(\.0) != other.map(\.0) {
                diffs.append("\(item.0): timestamps differ (\(item.1.count) vs \(other.count) points; first expected "
                    + "\(item.1.prefix(4).map(\.0)) got \(other.prefix(4).map(\.0)))")
            } else if let point = zip(item.1, other).first(where: { !Lcnorm.valuesEqual($0.1, $1.1) }) {
                diffs.append("\(item.0) @\(point.0.0)ms: expected \(point.0.1) got \(point.1.1)")
            }
            if diffs.count >= 6 { break }
        }
        return diffs
    }
}

extension NormalizedAnswer.Body {
    /// A short name of the answer's shape for messages (`streams`, `matrix`, `HTTP 400` …).
    public var kindName: String {
        switch self {
        case .error(let status, _): return "HTTP \(status)"
        case .streams: return "streams"
        case .matrix: return "matrix"
        case .vector: return "vector"
        case .scalar: return "scalar"
        case .names: return "names"
        case .series: return "series"
        }
    }
}
