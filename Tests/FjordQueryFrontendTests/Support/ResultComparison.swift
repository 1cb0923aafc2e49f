import FjordModel
import FjordServiceAPI

/// Exact comparison of query outcomes: same data (floats by bit pattern, so NaN and −0 count), or the same error.
enum ResultComparison {
    /// Nil when equal, otherwise the first difference.
    static func difference(_ lhs: Result<QueryResult, ServiceError>, _ rhs: Result<QueryResult, ServiceError>) -> String? {
        switch (lhs, rhs) {
        case (.failure(let left), .failure(let right)):
            return left == right ? nil : "errors differ: \(left) vs \(right)"
        case (.success(let left), .failure(let right)):
            return "got a result, expected error \(right) (result: \(summary(left.data)))"
        case (.failure(let left), .success(let right)):
            return "got error \(left), expected a result (\(summary(right.data)))"
        case (.success(let left), .success(let right)):
            return difference(left.data, right.data)
        }
    }

    static func difference(_ lhs: QueryResultData, _ rhs: QueryResultData) -> String? {
        switch (lhs, rhs) {
        case (.matrix(let left), .matrix(let right)):
            guard left.count == right.count else {
                return "series counts differ: \(left.count) vs \(right.count): \(left.map(\.labels)) vs \(right.map(\.labels))"
            }
            for (a, b) in zip(left, right) {
                guard a.labels == b.labels else { return "series labels differ: \(a.labels) vs \(b.labels)" }
                guard a.points.count == b.points.count else {
                    return "\(a.labels): \(a.points.count) vs \(b.points.count) points: \(a.points.map(\.timestampMillis)) vs \(b.points.map(\.timestampMillis))"
                }
                for (p, q) in zip(a.points, b.points)
                where p.timestampMillis != q.timestampMillis || p.value.bitPattern != q.value.bitPattern {
                    return "\(a.labels) point differs: \(p) vs \(q)"
                }
            }
            return nil
        case (.vector(let left), .vector(let right)):
            guard left.count == right.count else { return "vector sizes differ: \(left.count) vs \(right.count)" }
            for (a, b) in zip(left, right)
            where a.labels != b.labels || a.timestampMillis != b.timestampMillis || a.value.bitPattern != b.value.bitPattern {
                return "sample differs: \(a) vs \(b)"
            }
            return nil
        case (.scalar(let t1, let v1), .scalar(let t2, let v2)):
            return t1 == t2 && v1.bitPattern == v2.bitPattern ? nil : "scalars differ"
        case (.streams(let left), .streams(let right)):
            guard left.count == right.count else {
                return "stream counts differ: \(left.count) vs \(right.count): \(left.map(\.labels)) vs \(right.map(\.labels))"
            }
            for (a, b) in zip(left, right) {
                guard a.labels == b.labels, a.streamLabels == b.streamLabels else {
                    return "stream labels differ: \(a.labels) vs \(b.labels)"
                }
                guard a.entries.count == b.entries.count else {
                    return "\(a.labels): \(a.entries.count) vs \(b.entries.count) entries"
                }
                for (e, f) in zip(a.entries, b.entries)
                where e.timestamp != f.timestamp || e.line != f.line || e.structuredMetadata != f.structuredMetadata
                    || e.parsed != f.parsed {
                    return "\(a.labels) entry differs at \(e.timestamp) / \(f.timestamp)"
                }
            }
            return nil
        default:
            return "result types differ: \(summary(lhs)) vs \(summary(rhs))"
        }
    }

    static func summary(_ data: QueryResultData) -> String {
        switch data {
        case .matrix(let series): return "matrix of \(series.count)"
        case .vector(let samples): return "vector of \(samples.count)"
        case .scalar: return "scalar"
        case .streams(let streams): return "streams of \(streams.count)"
        }
    }
}
