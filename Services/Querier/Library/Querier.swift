public import FjordConfig
public import FjordDeletion
import FjordEngine
import FjordLogQL
public import FjordModel
public import FjordStorage
public import FjordServiceAPI
public import Logging

/// The querier role: parses LogQL, applies the tenant's query limits and evaluates queries over the ingesters'
/// memory and the chunk store.
public final class Querier: QueryTarget, Sendable {
    let ingesters: any LogSource
    let store: ChunkStore?
    /// Delete requests whose lines queries hide (nil: deletion disabled).
    let deletes: DeleteRequestCache?
    let limits: FjordConfiguration.Limits
    let queryIngestersWithin: Int64
    let logger: Logger

    /// - Parameters:
    ///   - ingesters: recent data (asked only when the query's end is within `query_ingesters_within` of now).
    ///   - store: flushed chunks (nil while no store exists).
    ///   - ingestersInProcess: the ingester lives in this process (all-in-one): asking it costs nothing, so it is
    ///     always asked, and data pushed with old timestamps is visible before it is flushed.
    public init(ingesters: any LogSource, store: ChunkStore?, config: FjordConfiguration, logger: Logger,
                ingestersInProcess: Bool = false, deletes: DeleteRequestCache? = nil) {
        self.deletes = config.limits.deletionMode == "disabled" ? nil : deletes
        self.ingesters = ingesters
        self.store = store
        limits = config.limits
        queryIngestersWithin = ingestersInProcess ? 0 : config.querier.queryIngestersWithinNanos
        self.logger = logger
    }

    /// The sources a query over `[start, end]` reads, ingesters first.
    func source(end: Int64, now: Int64) -> any LogSource {
        var sources: [any LogSource] = []
        if queryIngestersWithin == 0 || end >= now - queryIngestersWithin { sources.append(ingesters) }
        if let store { sources.append(store) }
        guard let deletes else { return MergedSource(sources) }
        return DeleteFilteringSource(inner: MergedSource(sources)) { tenant in try await deletes.requests(tenant: tenant) }
    }

    var engineLimits: QueryLimits {
        QueryLimits(maxQuerySeries: limits.maxQuerySeries, maxEntriesLimitPerQuery: limits.maxEntriesLimitPerQuery,
                    maxQueryRange: limits.maxQueryRangeNanos)
    }

    public func query(_ request: QueryRequest) async throws(ServiceError) -> QueryResult {
        let expr: Expr
        do {
            expr = try LogQLParser.parse(request.query)
            try expr.validateStages()
        } catch {
            throw .badRequest(error.message)
        }
        if request.isInstant, case .log = expr {
            throw .badRequest("log queries are not supported as an instant query type, please change your query to a range query type")
        }
        var start = request.start
        let end = request.end
        if limits.maxQueryLookbackNanos > 0 {
            start = max(start, Clock.nowNanos() - limits.maxQueryLookbackNanos)
        }
        if limits.maxQueryLengthNanos > 0, !request.isInstant, end - start > limits.maxQueryLengthNanos {
            throw .queryTooLong(length: end - start, limit: limits.maxQueryLengthNanos)
        }
        let parameters: QueryParameters
        if request.isInstant {
            parameters = .instant(tenants: request.tenants, time: request.end, limit: request.limit, direction: request.direction)
        } else {
            parameters = QueryParameters(
                tenants: request.tenants, kind: .range, start: start, end: end, step: request.step,
                interval: request.interval, limit: request.limit, direction: request.direction)
        }
        let engine = QueryEngine(source: source(end: end, now: Clock.nowNanos()), limits: engineLimits)
        return try await QueryDeadline.run(limits.queryTimeoutNanos) { () throws(ServiceError) -> QueryResult in
            let outcome: Result<QueryResult, QueryError>
            do {
                outcome = .success(try await engine.execute(expr, parameters))
            } catch let error as QueryError {
                outcome = .failure(error)
            } catch {
                throw ServiceError.internalError("\(error)")
            }
            switch outcome {
            case .success(let result): return result
            case .failure(let error): throw ServiceError(status: error.status, message: error.message)
            }
        }
    }

    public func labelNames(_ request: MetadataRequest) async throws(ServiceError) -> [String] {
        let streams = try await selectForMetadata(request)
        var names: Set<String> = []
        for stream in streams { for pair in stream.labels { names.insert(pair.name) } }
        return names.sorted { Labels.nameLess($0, $1) }
    }

    public func labelValues(name: String, _ request: MetadataRequest) async throws(ServiceError) -> [String] {
        let streams = try await selectForMetadata(request)
        var values: Set<String> = []
        for stream in streams { if let value = stream.labels[name] { values.insert(value) } }
        return values.sorted { Labels.nameLess($0, $1) }
    }

    public func series(_ request: FjordServiceAPI.SeriesRequest) async throws(ServiceError) -> [Labels] {
        var matcherSets: [[LabelMatcher]] = []
        for selector in request.selectors where !selector.trimmingSpaces.isEmpty && selector.trimmingSpaces != "{}" {
            do {
                matcherSets.append(try LogQLParser.parseMatchers(selector, validate: false))
            } catch {
                throw .badRequest(error.message)
            }
        }
        if matcherSets.isEmpty { matcherSets = [[]] }
        var seen: Set<Labels> = []
        var out: [Labels] = []
        for matchers in matcherSets {
            for stream in try await select(tenants: request.tenants, matchers: matchers, start: request.start, end: request.end)
            where seen.insert(stream.labels).inserted {
                out.append(stream.labels)
            }
        }
        return out.sorted { Labels.nameLess($0.canonicalString, $1.canonicalString) }
    }

    /// Like Loki, index statistics come from the store's index only (data still in ingesters is not counted).
    public func indexStats(_ request: MetadataRequest) async throws(ServiceError) -> FjordServiceAPI.IndexStats {
        let matchers = try parseSelector(request.selector, required: true)
        var total = FjordServiceAPI.IndexStats()
        guard let store else { return total }
        for tenant in request.tenants {
            do {
                let stats = try await store.index.stats(tenant: tenant, matchers: matchers, start: request.start, end: request.end)
                total.streams += stats.streams
                total.chunks += stats.chunks
                total.bytes += stats.bytes
                total.entries += stats.entries
            } catch {
                throw .internalError("\(error)")
            }
        }
        return total
    }

    private func parseSelector(_ selector: String?, required: Bool) throws(ServiceError) -> [LabelMatcher] {
        if let selector, !selector.isEmpty {
            do {
                return try LogQLParser.parseMatchers(selector, validate: true)
            } catch {
                throw .badRequest(error.message)
            }
        }
        if required {
            throw .badRequest("parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will")
        }
        return []
    }

    private func selectForMetadata(_ request: MetadataRequest) async throws(ServiceError) -> [StreamData] {
        let matchers = try parseSelector(request.selector, required: false)
        return try await select(tenants: request.tenants, matchers: matchers, start: request.start, end: request.end)
    }

    /// Streams of every tenant; with several tenants each stream gets `__tenant_id__`.
    private func select(tenants: [String], matchers: [LabelMatcher], start: Int64, end: Int64) async throws(ServiceError) -> [StreamData] {
        let source = source(end: end, now: Clock.nowNanos())
        var out: [StreamData] = []
        for tenant in tenants {
            do {
                var streams = try await source.select(tenant: tenant, matchers: matchers, start: start, end: end)
                if tenants.count > 1 {
                    for index in streams.indices { streams[index].labels.set("__tenant_id__", tenant) }
                }
                out.append(contentsOf: streams)
            } catch {
                throw .internalError("\(error)")
            }
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
