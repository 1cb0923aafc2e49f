import FjordModel
import FjordServiceAPI

extension QueryFrontend {
    /// A log query: splits run in query direction (newest first for `backward`), one at a time while each brings
    /// entries — the next one then probably completes `limit` — and `max_query_parallelism` ahead after an empty
    /// one, until `limit` entries are certain; later splits are cancelled. Splits known to be empty are answered from
    /// the cache without asking a querier.
    func logRange(_ request: QueryRequest, shape: QueryShape, limits: FrontendLimits)
        async throws(ServiceError) -> QueryResult
    {
        let splitter = QuerySplitter(interval: limits.splitInterval)
        let splits = splitter.logSplits(start: request.start, end: request.end, direction: request.direction)
        let cache = request.bypassCache || limits.splitInterval == 0 ? nil : self.cache
        var statistics = QueryStatistics()
        statistics.splits = Int64(splits.count)
        let cutoff = now() - limits.maxCacheFreshness

        let keys = splits.map {
            ResultsCacheKey.logEmpty(tenants: request.tenants, query: shape.normalized,
                                     interval: limits.splitInterval, bucket: $0.bucket)
        }
        var known = [EmptyExtents](repeating: EmptyExtents(), count: splits.count)
        if let cache {
            for (index, value) in await fetch(keys, from: cache, into: &statistics.logResultCache).enumerated() {
                guard case .emptyExtents(let empty) = value else { continue }
                statistics.logResultCache.entriesFound += 1
                known[index] = empty
            }
        }
        let skipped = splits.indices.map { known[$0].covers(start: splits[$0].start, end: splits[$0].end) }

        var merger = LogSplitMerger(limit: request.limit, direction: request.direction)
        // Splits run one at a time while they bring entries (the next one probably completes `limit`), all at once
        // after an empty one.
        var lastSplitHadEntries = true
        var writes: [(ResultsCacheKey, CachedValue)] = []
        try await OrderedFanOut.run(
            count: splits.count, parallelism: limits.maxQueryParallelism, alone: { lastSplitHadEntries },
            job: { [downstream] index -> Result<QueryResult?, ServiceError> in
                if skipped[index] { return .success(nil) }
                do throws(ServiceError) {
                    return .success(try await downstream.query(Self.part(of: request, splits[index])))
                } catch {
                    return .failure(error)
                }
            },
            consume: { (index: Int, answer: QueryResult?) throws(ServiceError) -> Bool in
                let split = splits[index]
                guard let answer else {
                    statistics.logResultCache.queryLengthServedNanos += split.end - split.start
                    return true
                }
                guard case .streams(let streams) = answer.data else {
                    throw ServiceError.internalError("a split of a log query did not return streams")
                }
                statistics.add(answer.statistics)
                statistics.subqueries += 1
                lastSplitHadEntries = streams.contains { !$0.entries.isEmpty }
                if streams.allSatisfy({ $0.entries.isEmpty }), split.start < cutoff {
                    let empty = known[index].adding(start: split.start, end: min(split.end, cutoff))
                    writes.append((keys[index], .emptyExtents(empty)))
                }
                switch merger.add(streams) {
                case .next:
                    return true
                case .complete:
                    return false
                case .rerun(let limit):
                    var part = Self.part(of: request, split)
                    part.limit = limit
                    let again = try await downstream.query(part)
                    statistics.add(again.statistics)
                    statistics.subqueries += 1
                    guard case .streams(let cut) = again.data else {
                        throw ServiceError.internalError("a split of a log query did not return streams")
                    }
                    _ = merger.add(cut)
                    return false
                }
            })
        if let cache { await store(writes, in: cache, into: &statistics.logResultCache) }
        let streams = merger.result
        statistics.totalEntriesReturned = Int64(merger.count)
        return QueryResult(data: .streams(streams), statistics: statistics)
    }

    /// The sub-query of one split.
    static func part(of request: QueryRequest, _ split: LogSplit) -> QueryRequest {
        var part = request
        part.start = split.start
        part.end = split.end
        part.bypassCache = true
        return part
    }
}
