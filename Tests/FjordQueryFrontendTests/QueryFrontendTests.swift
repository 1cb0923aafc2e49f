import FjordConformanceKit
import FjordEngine
import FjordModel
import FjordQueryFrontend
import FjordServiceAPI
import Testing

/// The frontend's limits (Loki's texts), statistics and cache behaviour on a small fixed data set.
@Suite struct QueryFrontendTests {
    static let second: Int64 = 1_000_000_000
    static let hour = 3600 * second
    static let base = GeneratedData.base

    static let source: MemoryLogSource = {
        var builder = MemoryLogSource.Builder(blockSize: 10)
        for index in 0..<(6 * 60) {
            let app = index % 3 == 0 ? "web" : "api"
            builder.add(labels: Labels(["app": app]), time: base + Int64(index) * 60 * second,
                        line: "n=\(index) size=\(index % 17)")
        }
        return builder.build()
    }()

    func frontend(_ limits: FrontendLimits = FrontendLimits(), cache: InMemoryResultsCache? = nil,
                  calls: CallCounter = CallCounter(), now: Int64 = base + 24 * hour) -> QueryFrontend {
        QueryFrontend(downstream: EngineTarget(source: Self.source, calls: calls), cache: cache,
                      limits: { _ in limits }, now: { now })
    }

    func range(_ query: String, hours: Int64 = 6, step: Int64 = 60, limit: Int = 100) -> QueryRequest {
        QueryRequest(tenants: ["fake"], query: query, start: Self.base, end: Self.base + hours * Self.hour,
                     step: step * Self.second, limit: limit)
    }

    @Test func limitsAnswerWithLokisTexts() async {
        await #expect(throws: ServiceError(status: 429, message: "querying is disabled, please contact your Loki operator")) {
            try await frontend(FrontendLimits(maxQueryParallelism: 0)).query(range("count_over_time({app=\"api\"}[5m])"))
        }
        await #expect(throws: ServiceError.badRequest("the query time range exceeds the limit (query length: 6h0m0s, limit: 1h0m0s)")) {
            try await frontend(FrontendLimits(maxQueryLength: Self.hour)).query(range("count_over_time({app=\"api\"}[5m])"))
        }
        await #expect(throws: ServiceError.badRequest("max entries limit per query exceeded, limit > max_entries_limit_per_query (101 > 100)")) {
            try await frontend(FrontendLimits(maxEntriesLimitPerQuery: 100)).query(range("{app=\"api\"}", limit: 101))
        }
        let seriesText = QueryError.seriesLimit(1).message
        await #expect(throws: ServiceError.badRequest(seriesText)) {
            try await frontend(FrontendLimits(maxQuerySeries: 1)).query(range("count_over_time({app=~\".+\"}[5m])"))
        }
        // Parse errors come from the querier unchanged.
        await #expect(throws: ServiceError.self) {
            try await frontend().query(range("count_over_time({app=\"api\"}"))
        }
    }

    @Test func splitsAreCountedAndRunInParallel() async throws {
        let calls = CallCounter()
        let result = try await frontend(calls: calls).query(range("sum(count_over_time({app=~\".+\"}[5m]))"))
        #expect(result.statistics.splits == 7)  // 00:00…06:00 inclusive: six full hours and the 06:00 step
        #expect(result.statistics.subqueries == 7)
        #expect(calls.value == 7)
        #expect(result.statistics.totalLinesProcessed > 0)
        #expect(result.statistics.totalEntriesReturned == 361)
    }

    @Test func aRepeatedQueryIsServedFromTheCache() async throws {
        let cache = InMemoryResultsCache(maxBytes: 1 << 20, ttl: 0, now: { 0 })
        let calls = CallCounter()
        let frontend = frontend(cache: cache, calls: calls)
        let request = range("sum by (app) (rate({app=~\".+\"}[5m]))")
        let first = try await frontend.query(request)
        #expect(first.statistics.resultCache.entriesRequested == 7)
        #expect(first.statistics.resultCache.entriesFound == 0)
        #expect(first.statistics.resultCache.entriesStored == 7)
        #expect(first.statistics.resultCache.bytesSent > 0)
        let callsAfterFirst = calls.value
        let second = try await frontend.query(request)
        #expect(calls.value == callsAfterFirst)
        #expect(second.statistics.resultCache.entriesFound == 7)
        #expect(second.statistics.resultCache.bytesReceived == first.statistics.resultCache.bytesSent)
        #expect(second.statistics.resultCache.queryLengthServedNanos == 6 * Self.hour + 60 * Self.second)
        #expect(ResultComparison.difference(second.data, first.data) == nil)

        // A range that reaches further asks only for the new steps.
        var longer = request
        longer.end += Self.hour
        _ = try await frontend.query(longer)
        #expect(calls.value == callsAfterFirst + 2)  // the rest of the 06:00 bucket and the 07:00 step

        // Cache-Control: no-cache.
        var bypass = request
        bypass.bypassCache = true
        let uncached = try await frontend.query(bypass)
        #expect(uncached.statistics.resultCache.entriesRequested == 0)
    }

    @Test func recentStepsAreNotCached() async throws {
        let cache = InMemoryResultsCache(maxBytes: 1 << 20, ttl: 0, now: { 0 })
        // Now is 03:05; with 10 minutes freshness only steps up to 02:55 are cached.
        let frontend = frontend(cache: cache, now: Self.base + 3 * Self.hour + 5 * 60 * Self.second)
        let request = range("count_over_time({app=\"web\"}[5m])", hours: 3)
        _ = try await frontend.query(request)
        let again = try await frontend.query(request)
        #expect(again.statistics.resultCache.entriesFound == 3)
        #expect(again.statistics.resultCache.queryLengthServedNanos == 176 * 60 * Self.second)  // steps 00:00…02:55
    }

    @Test func logQueriesStopAtTheLimitNewestFirst() async throws {
        let calls = CallCounter()
        let result = try await frontend(calls: calls).query(range("{app=\"api\"}", limit: 10))
        // Backward: the newest split (05:00–06:00) has 40 api lines, enough for the limit.
        #expect(calls.value <= 6)
        guard case .streams(let streams) = result.data else {
            Issue.record("expected streams")
            return
        }
        #expect(streams.flatMap(\.entries).count == 10)
        #expect(streams.flatMap(\.entries).allSatisfy { $0.timestamp >= Self.base + 5 * Self.hour })
    }

    @Test func emptyLogSplitsAreCachedAndSkipped() async throws {
        let cache = InMemoryResultsCache(maxBytes: 1 << 20, ttl: 0, now: { 0 })
        let calls = CallCounter()
        let frontend = frontend(cache: cache, calls: calls)
        let request = range("{app=\"api\"} |= \"nothing like this\"")
        _ = try await frontend.query(request)
        let before = calls.value
        let again = try await frontend.query(request)
        #expect(calls.value == before)
        #expect(again.statistics.logResultCache.entriesFound == 6)
    }

    @Test func instantQueriesAreCachedByTime() async throws {
        let cache = InMemoryResultsCache(maxBytes: 1 << 20, ttl: 0, now: { 0 })
        let calls = CallCounter()
        let frontend = frontend(cache: cache, calls: calls)
        let time = Self.base + 2 * Self.hour
        let request = QueryRequest(tenants: ["fake"], query: "sort_desc(sum by (app) (count_over_time({app=~\".+\"}[1h])))",
                                   start: time, end: time, step: 0, isInstant: true)
        let first = try await frontend.query(request)
        let second = try await frontend.query(request)
        #expect(calls.value == 1)
        #expect(second.statistics.instantMetricResultCache.entriesFound == 1)
        #expect(ResultComparison.difference(second.data, first.data) == nil)
    }
}
