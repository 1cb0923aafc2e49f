public import FjordModel

/// A query failed. `message` is Loki's text for the same failure; `status` is the HTTP status Loki answers with.
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How the failure maps to an HTTP status.
    public enum Kind: Sendable, Hashable {
        /// Bad query or parameters, limits, pipeline errors: HTTP 400.
        case badRequest
        /// Evaluation errors Loki does not classify (many-to-many matching, `approx_topk` disabled, storage
        /// failures): HTTP 500.
        case internalError
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The HTTP status Loki answers with.
    public var status: Int {
        switch kind {
        case .badRequest: return 400
        case .internalError: return 500
        }
    }

    public var description: String { message }

    /// `max_query_series` exceeded.
    public static func seriesLimit(_ limit: Int) -> QueryError {
        QueryError(.badRequest, "maximum number of series (\(limit)) reached for a single query; consider reducing "
            + "query cardinality by adding more specific stream selectors, reducing the time range, or aggregating "
            + "results with functions like sum(), count() or topk()")
    }

    /// A log query asked for more entries than `max_entries_limit_per_query`.
    public static func entriesLimit(requested: Int, limit: Int) -> QueryError {
        QueryError(.badRequest, "max entries limit per query exceeded, limit > max_entries_limit_per_query "
            + "(\(requested) > \(limit))")
    }

    /// A `[range]` is larger than `max_query_range`.
    public static func intervalLimit(range: Int64, limit: Int64) -> QueryError {
        QueryError(.badRequest, "[interval] value exceeds limit: [\(PromDuration.format(range))] > "
            + "[\(PromDuration.format(limit))]")
    }

    /// A metric sample still carries `__error__` (Loki's `logqlmodel.NewPipelineErr`).
    public static func pipelineError(series: Labels) -> QueryError {
        let type = series["__error__"] ?? ""
        return QueryError(.badRequest, "pipeline error: '\(type)' for series: '\(series.canonicalString)'.\n"
            + "Use a label filter to intentionally skip this error. (e.g | __error__!=\"\(type)\").\n"
            + "To skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
            + "The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )\n")
    }

    /// `approx_topk` without `shard_aggregations: [approx_topk]`.
    public static let approxTopkDisabled = QueryError(
        .internalError, "approx_topk is not enabled. See -limits.shard_aggregations")

    /// A storage read failed.
    static func storage(_ error: any Error) -> QueryError {
        QueryError(.internalError, String(describing: error))
    }
}
