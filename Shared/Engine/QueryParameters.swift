public import FjordModel

/// What a query evaluates over: tenants, time range, resolution and result shaping.
///
/// Times and durations are Unix nanoseconds / nanoseconds. An instant query has `start == end` and `step == 0`
/// (Loki's `GetRangeType`); a range query has `step > 0`.
public struct QueryParameters: Sendable, Hashable {
    /// Instant (`/query`) or range (`/query_range`) evaluation.
    public enum Kind: Sendable, Hashable {
        case instant
        case range
    }

    /// The tenants to read, sorted and de-duplicated (several for `a|b` multi-tenant reads). With more than one,
    /// every result series and stream gets a `__tenant_id__` label and selector matchers on `__tenant_id__`
    /// restrict the tenants.
    public var tenants: [String]
    public var kind: Kind
    /// Range start (inclusive for log queries, first evaluation time for metric queries).
    public var start: Int64
    /// Range end (exclusive for log queries, last possible evaluation time for metric queries).
    public var end: Int64
    /// Metric resolution in nanoseconds (0 for instant queries).
    public var step: Int64
    /// Log queries: minimum spacing between returned entries (0 = every entry).
    public var interval: Int64
    /// Log queries: maximum number of entries returned across all streams.
    public var limit: Int
    public var direction: Direction
    /// Align a range metric query's start down and end up to multiples of `step` counted from the Unix epoch, as
    /// Loki's query-frontend does. Idempotent, so split sub-queries may keep it on.
    public var alignToStep: Bool

    public init(tenants: [String], kind: Kind, start: Int64, end: Int64, step: Int64, interval: Int64 = 0,
                limit: Int = 100, direction: Direction = .backward, alignToStep: Bool = true) {
        self.tenants = tenants
        self.kind = kind
        self.start = start
        self.end = end
        self.step = step
        self.interval = interval
        self.limit = limit
        self.direction = direction
        self.alignToStep = alignToStep
    }

    /// A range query (`/query_range`).
    public static func range(tenants: [String], start: Int64, end: Int64, step: Int64, interval: Int64 = 0,
                             limit: Int = 100, direction: Direction = .backward) -> QueryParameters {
        QueryParameters(tenants: tenants, kind: .range, start: start, end: end, step: step, interval: interval,
                        limit: limit, direction: direction)
    }

    /// An instant query (`/query`) at `time`.
    public static func instant(tenants: [String], time: Int64, limit: Int = 100,
                               direction: Direction = .backward) -> QueryParameters {
        QueryParameters(tenants: tenants, kind: .instant, start: time, end: time, step: 0, limit: limit,
                        direction: direction)
    }
}

/// Per-query limits, with Loki's defaults (`pkg/validation/limits.go`, engine options).
public struct QueryLimits: Sendable, Hashable {
    /// `max_query_series`: distinct series a metric query may return.
    public var maxQuerySeries: Int
    /// `max_entries_limit_per_query`: the largest `limit` a log query may ask for.
    public var maxEntriesLimitPerQuery: Int
    /// `max_query_range`: the largest `[range]` of a range aggregation in nanoseconds (0 = unlimited).
    public var maxQueryRange: Int64
    /// Engine `max_look_back_period`: how far an instant log query looks back (nanoseconds).
    public var maxLookBackPeriod: Int64
    /// `shard_aggregations` contains `approx_topk`; when false (the default) `approx_topk` is rejected like Loki.
    public var approxTopkEnabled: Bool

    public init(maxQuerySeries: Int = 500, maxEntriesLimitPerQuery: Int = 5000, maxQueryRange: Int64 = 0,
                maxLookBackPeriod: Int64 = 30_000_000_000, approxTopkEnabled: Bool = false) {
        self.maxQuerySeries = maxQuerySeries
        self.maxEntriesLimitPerQuery = maxEntriesLimitPerQuery
        self.maxQueryRange = maxQueryRange
        self.maxLookBackPeriod = maxLookBackPeriod
        self.approxTopkEnabled = approxTopkEnabled
    }
}
