/// The per-tenant limits the query frontend applies, with Loki's defaults (`pkg/validation/limits.go`).
public struct FrontendLimits: Sendable, Hashable {
    /// `split_queries_by_interval` (0 disables splitting, and with it the results cache of range queries).
    public var splitInterval: Int64
    /// `max_query_length`: longest `end − start` of a range query (0 = unlimited).
    public var maxQueryLength: Int64
    /// `max_query_lookback`: queries are clamped to data newer than now minus this (0 = unlimited).
    public var maxQueryLookback: Int64
    /// `max_query_parallelism`: sub-queries of one query in flight at once; 0 disables querying (429).
    public var maxQueryParallelism: Int
    /// `max_entries_limit_per_query`: the largest `limit` of a log query.
    public var maxEntriesLimitPerQuery: Int
    /// `max_query_series`: most series a metric query may return.
    public var maxQuerySeries: Int
    /// `query_timeout`: the whole query, all its splits included (0 = none).
    public var queryTimeout: Int64
    /// `max_cache_freshness_per_query`: results for times newer than now minus this are never cached.
    public var maxCacheFreshness: Int64

    public init(splitInterval: Int64 = 3_600_000_000_000, maxQueryLength: Int64 = 721 * 3_600_000_000_000,
                maxQueryLookback: Int64 = 0, maxQueryParallelism: Int = 32, maxEntriesLimitPerQuery: Int = 5000,
                maxQuerySeries: Int = 500, queryTimeout: Int64 = 60_000_000_000,
                maxCacheFreshness: Int64 = 600_000_000_000) {
        self.splitInterval = splitInterval
        self.maxQueryLength = maxQueryLength
        self.maxQueryLookback = maxQueryLookback
        self.maxQueryParallelism = maxQueryParallelism
        self.maxEntriesLimitPerQuery = maxEntriesLimitPerQuery
        self.maxQuerySeries = maxQuerySeries
        self.queryTimeout = queryTimeout
        self.maxCacheFreshness = maxCacheFreshness
    }

    /// The most restrictive of several tenants' limits (Loki's rule for multi-tenant queries: the smallest positive
    /// value; 0 = unlimited loses to any bound).
    public static func mostRestrictive(_ all: [FrontendLimits]) -> FrontendLimits {
        guard var result = all.first else { return FrontendLimits() }
        func smallestPositive(_ lhs: Int64, _ rhs: Int64) -> Int64 {
            lhs == 0 ? rhs : (rhs == 0 ? lhs : min(lhs, rhs))
        }
        for other in all.dropFirst() {
            result.splitInterval = smallestPositive(result.splitInterval, other.splitInterval)
            result.maxQueryLength = smallestPositive(result.maxQueryLength, other.maxQueryLength)
            result.maxQueryLookback = smallestPositive(result.maxQueryLookback, other.maxQueryLookback)
            result.maxQueryParallelism = min(result.maxQueryParallelism, other.maxQueryParallelism)
            result.maxEntriesLimitPerQuery = min(result.maxEntriesLimitPerQuery, other.maxEntriesLimitPerQuery)
            result.maxQuerySeries = min(result.maxQuerySeries, other.maxQuerySeries)
            result.queryTimeout = smallestPositive(result.queryTimeout, other.queryTimeout)
            result.maxCacheFreshness = max(result.maxCacheFreshness, other.maxCacheFreshness)
        }
        return result
    }
}
