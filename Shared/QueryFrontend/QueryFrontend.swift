import FjordEngine
import FjordLogQL
public import FjordModel
public import FjordServiceAPI

/// Loki's query-frontend in front of the queriers: applies the tenant's query limits, splits range queries by time
/// (``QuerySplitter``), runs the splits in parallel on the downstream queriers (`max_query_parallelism` at once;
/// in cluster mode the querier pool spreads them over every querier), answers what it can from the results cache,
/// and joins the parts into exactly the answer of the unsplit query.
///
/// The deciding logic lives in pure values (``QuerySplitter``, ``ExtentBookkeeping``, ``LogSplitMerger``,
/// ``CacheValueCodec``); this class does the I/O. Metadata calls pass through unchanged.
public final class QueryFrontend: QueryTarget, Sendable {
    let downstream: any QueryTarget
    let cache: (any ResultsCacheStore)?
    let limits: @Sendable ([String]) -> FrontendLimits
    let now: @Sendable () -> Int64

    /// - Parameters:
    ///   - downstream: the queriers (in process for the all-in-one, the querier pool in cluster mode).
    ///   - cache: the results cache; nil disables caching (`query_range.cache_results: false`).
    ///   - limits: the limits of a query's tenants.
    ///   - now: wall-clock Unix nanoseconds (for `max_cache_freshness_per_query` and `max_query_lookback`).
    public init(downstream: any QueryTarget, cache: (any ResultsCacheStore)?,
                limits: @escaping @Sendable ([String]) -> FrontendLimits, now: @escaping @Sendable () -> Int64) {
        self.downstream = downstream
        self.cache = cache
        self.limits = limits
        self.now = now
    }

    public func query(_ request: QueryRequest) async throws(ServiceError) -> QueryResult {
        let limits = limits(request.tenants)
        guard limits.maxQueryParallelism > 0 else { throw .queryingDisabled }
        let clock = ContinuousClock()
        let started = clock.now
        var result = try await QueryDeadline.run(limits.queryTimeout) { () throws(ServiceError) -> QueryResult in
            try await self.route(request, limits: limits)
        }
        let elapsed = clock.now - started
        result.statistics.execTimeSeconds = Double(elapsed.components.seconds)
            + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    /// Picks how to run a query. Anything the frontend cannot split safely goes to the queriers whole.
    private func route(_ request: QueryRequest, limits: FrontendLimits) async throws(ServiceError) -> QueryResult {
        // Parse errors, bad stages and instant log queries are the querier's to report, with Loki's texts.
        guard let expression = try? LogQLParser.parse(request.query), (try? expression.validateStages()) != nil else {
            return try await downstream.query(request)
        }
        let shape = QueryShape(expression)
        if request.isInstant {
            guard shape.kind == .metric else { return try await downstream.query(request) }
            return try await instantMetric(request, shape: shape, limits: limits)
        }
        var request = request
        let time = now()
        if limits.maxQueryLookback > 0 { request.start = max(request.start, time - limits.maxQueryLookback) }
        if limits.maxQueryLength > 0, request.end - request.start > limits.maxQueryLength {
            throw .queryTooLong(length: request.end - request.start, limit: limits.maxQueryLength)
        }
        switch shape.kind {
        case .metric:
            return try await metricRange(request, shape: shape, limits: limits)
        case .log:
            if request.limit > limits.maxEntriesLimitPerQuery {
                let error = QueryError.entriesLimit(requested: request.limit, limit: limits.maxEntriesLimitPerQuery)
                throw .badRequest(error.message)
            }
            // `interval` sampling keeps state from one entry to the next across the whole range: not splittable.
            guard request.interval == 0 else { return try await downstream.query(request) }
            return try await logRange(request, shape: shape, limits: limits)
        }
    }

    // MARK: Instant metric queries

    /// Not split (one evaluation time); cached by time once the data it reads is older than the freshness window.
    private func instantMetric(_ request: QueryRequest, shape: QueryShape, limits: FrontendLimits)
        async throws(ServiceError) -> QueryResult
    {
        guard let cache, !request.bypassCache, request.end <= now() - limits.maxCacheFreshness else {
            return try await downstream.query(request)
        }
        let key = ResultsCacheKey.instant(tenants: request.tenants, query: shape.normalized, time: request.end)
        var statistics = CacheStatistics()
        let found = await fetch([key], from: cache, into: &statistics)
        switch found[0] {
        case .vector(let samples):
            statistics.entriesFound = 1
            var result = QueryResult(data: .vector(samples))
            result.statistics.instantMetricResultCache = statistics
            result.statistics.totalEntriesReturned = Int64(samples.count)
            return result
        case .scalar(let timestampMillis, let value):
            statistics.entriesFound = 1
            var result = QueryResult(data: .scalar(timestampMillis: timestampMillis, value: value))
            result.statistics.instantMetricResultCache = statistics
            return result
        default:
            break
        }
        var result = try await downstream.query(request)
        result.statistics.subqueries += 1
        let value: CachedValue?
        switch result.data {
        case .vector(let samples): value = .vector(samples)
        case .scalar(let timestampMillis, let number): value = .scalar(timestampMillis: timestampMillis, value: number)
        default: value = nil
        }
        if let value {
            await store([(key, value)], in: cache, into: &statistics)
        }
        result.statistics.instantMetricResultCache.add(statistics)
        return result
    }

    // MARK: Cache I/O

    /// Looks up `keys`; a value that is missing, damaged or stored under another key is nil.
    func fetch(_ keys: [ResultsCacheKey], from cache: any ResultsCacheStore,
               into statistics: inout CacheStatistics) async -> [CachedValue?] {
        let clock = ContinuousClock()
        let started = clock.now
        let hashed = keys.map(\.hashed)
        let found = await cache.fetch(hashed)
        let elapsed = clock.now - started
        statistics.requests += 1
        statistics.entriesRequested += Int64(keys.count)
        statistics.downloadTimeNanos += elapsed.components.seconds * 1_000_000_000
            + elapsed.components.attoseconds / 1_000_000_000
        return zip(keys, hashed).map { key, hashed in
            guard let bytes = found[hashed] else { return nil }
            statistics.bytesReceived += Int64(bytes.count)
            return CacheValueCodec.decode(bytes, key: key)
        }
    }

    /// Writes entries (best effort).
    func store(_ entries: [(ResultsCacheKey, CachedValue)], in cache: any ResultsCacheStore,
               into statistics: inout CacheStatistics) async {
        guard !entries.isEmpty else { return }
        let encoded = entries.map { key, value in (key: key.hashed, value: CacheValueCodec.encode(value, key: key)) }
        await cache.store(encoded)
        statistics.requests += 1
        statistics.entriesStored += Int64(encoded.count)
        statistics.bytesSent += Int64(encoded.reduce(0) { $0 + $1.value.count })
    }

    // MARK: Metadata (not split, not cached)

    public func labelNames(_ request: MetadataRequest) async throws(ServiceError) -> [String] {
        try await downstream.labelNames(request)
    }

    public func labelValues(name: String, _ request: MetadataRequest) async throws(ServiceError) -> [String] {
        try await downstream.labelValues(name: name, request)
    }

    public func series(_ request: SeriesRequest) async throws(ServiceError) -> [Labels] {
        try await downstream.series(request)
    }

    public func indexStats(_ request: MetadataRequest) async throws(ServiceError) -> IndexStats {
        try await downstream.indexStats(request)
    }
}
