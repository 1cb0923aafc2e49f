public import FjordLogQL
import FjordEngine

/// What the query frontend needs to know about a parsed query to split and cache it.
public struct QueryShape: Sendable, Hashable {
    /// Log queries return streams; metric queries return samples.
    public enum Kind: Sendable, Hashable {
        case log
        case metric
    }

    public let kind: Kind
    /// The query as LogQL's printer writes it: equal for queries that differ only in spacing, comments or the
    /// spelling of durations and numbers; part of every cache key.
    public let normalized: String
    /// The largest `[range]` of the expression (0 for log queries and literals).
    public let maxRange: Int64

    public init(_ expression: Expr) {
        normalized = expression.description
        switch expression {
        case .log:
            kind = .log
            maxRange = 0
        case .metric(let metric):
            kind = .metric
            maxRange = metric.rangeAggregations.map(\.range.range).max() ?? 0
        }
    }
}
