public import FjordConfig
import FjordMemcached
public import FjordQueryFrontend
public import FjordServiceAPI
public import Logging

/// Builds the query frontend the gateway puts in front of its queriers, from the configuration: limits from
/// `limits_config`, and with `query_range.cache_results` the results cache on memcached (when addresses are set) or
/// the embedded in-memory LRU.
public enum QueryFrontendSetup {
    public static func make(config: FjordConfiguration, downstream: any QueryTarget, logger: Logger)
        throws -> QueryFrontend
    {
        let limits = frontendLimits(config.limits)
        return QueryFrontend(downstream: downstream, cache: try cache(config, logger: logger),
                             limits: { _ in limits }, now: { WallClockNanos.now() })
    }

    /// The frontend's share of `limits_config` (the same for every tenant until per-tenant overrides exist).
    public static func frontendLimits(_ limits: FjordConfiguration.Limits) -> FrontendLimits {
        FrontendLimits(
            splitInterval: limits.splitQueriesByIntervalNanos, maxQueryLength: limits.maxQueryLengthNanos,
            maxQueryLookback: limits.maxQueryLookbackNanos, maxQueryParallelism: limits.maxQueryParallelism,
            maxEntriesLimitPerQuery: limits.maxEntriesLimitPerQuery, maxQuerySeries: limits.maxQuerySeries,
            queryTimeout: limits.queryTimeoutNanos, maxCacheFreshness: limits.maxCacheFreshnessPerQueryNanos)
    }

    static func cache(_ config: FjordConfiguration, logger: Logger) throws -> (any ResultsCacheStore)? {
        let settings = config.queryRange
        guard settings.cacheResults else { return nil }
        let addresses = settings.memcachedAddresses.split(separator: ",").map(String.init).filter { !$0.isEmpty }
        guard !addresses.isEmpty else {
            return InMemoryResultsCache(maxBytes: settings.embeddedCacheMaxSizeMB << 20,
                                        ttl: settings.embeddedCacheTTLNanos, now: { WallClockNanos.now() })
        }
        let client = try MemcachedClient(configuration: MemcachedConfiguration(
            servers: addresses, timeout: settings.memcachedTimeoutNanos,
            maxIdleConnectionsPerServer: settings.memcachedMaxIdleConns, maxItemSize: settings.memcachedMaxItemSize))
        logger.info("results cache on memcached", metadata: ["addresses": "\(addresses.joined(separator: ","))"])
        return MemcachedResultsCache(client: client,
                                     expirationSeconds: Int(settings.memcachedExpirationNanos / 1_000_000_000),
                                     logger: logger)
    }
}
