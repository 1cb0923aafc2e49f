import FjordEngine
import FjordModel
import FjordServiceAPI

extension QueryFrontend {
    /// A range metric query: step-aligned splits, each answered from cached extents plus computed gaps, joined.
    ///
    /// A split (or gap) that fails with a query error (400/500) makes the frontend run the whole query once more
    /// unsplit and answer with that outcome: which error a query reports (the first erroring series, the first
    /// failing step) depends on evaluation order, and only the unsplit run has the unsplit order.
    func metricRange(_ request: QueryRequest, shape: QueryShape, limits: FrontendLimits)
        async throws(ServiceError) -> QueryResult
    {
        let splitter = QuerySplitter(interval: limits.splitInterval)
        let interval = splitter.metricInterval(maxRange: shape.maxRange)
        let splits = splitter.metricSplits(start: request.start, end: request.end, step: request.step,
                                           maxRange: shape.maxRange)
        let cache = request.bypassCache || interval == 0 || !ExtentBookkeeping.canCache(step: request.step)
            ? nil : self.cache
        var statistics = QueryStatistics()
        statistics.splits = Int64(splits.count)
        // Steps at or before this are cached once computed; the data of later ones may still change.
        let cutoff = now() - limits.maxCacheFreshness

        // Plan every split against what the cache holds.
        var plans = splits.map { ExtentPlan(pieces: [.missing(start: $0.start, end: $0.end)]) }
        var cached = [[MatrixExtent]](repeating: [], count: splits.count)
        let keys = splits.map {
            ResultsCacheKey.metricRange(tenants: request.tenants, query: shape.normalized, step: request.step,
                                        interval: interval, bucket: $0.bucket)
        }
        if let cache {
            let bookkeeping = ExtentBookkeeping(step: request.step)
            let found = await fetch(keys, from: cache, into: &statistics.resultCache)
            for (index, value) in found.enumerated() {
                guard case .matrixExtents(let extents) = value else { continue }
                statistics.resultCache.entriesFound += 1
                cached[index] = bookkeeping.usable(extents)
                plans[index] = bookkeeping.plan(start: splits[index].start, end: splits[index].end,
                                                extents: cached[index])
                let computed = plans[index].missing.reduce(Int64(0)) { $0 + ($1.end - $1.start + request.step) }
                statistics.resultCache.queryLengthServedNanos +=
                    splits[index].end - splits[index].start + request.step - computed
            }
        }

        // Compute every gap, `max_query_parallelism` at a time.
        let jobs = plans.enumerated().flatMap { split, plan in plan.missing.map { (split: split, range: $0) } }
        var computed = [[Series]](repeating: [], count: jobs.count)
        do throws(ServiceError) {
            try await OrderedFanOut.run(
                count: jobs.count, parallelism: limits.maxQueryParallelism,
                job: { [downstream] index in
                    var part = request
                    part.start = jobs[index].range.start
                    part.end = jobs[index].range.end
                    part.bypassCache = true
                    do throws(ServiceError) {
                        return .success(try await downstream.query(part))
                    } catch {
                        return .failure(error)
                    }
                },
                consume: { (index: Int, result: QueryResult) throws(ServiceError) -> Bool in
                    guard case .matrix(let series) = result.data else {
                        throw ServiceError.internalError("a split of a range metric query did not return a matrix")
                    }
                    computed[index] = series
                    statistics.add(result.statistics)
                    statistics.subqueries += 1
                    return true
                })
        } catch where error.status == 400 || error.status == 500 {
            var whole = request
            whole.bypassCache = true
            var result = try await downstream.query(whole)
            result.statistics.subqueries += 1
            return result
        }

        // Assemble each split from its pieces, in time order.
        var next = 0
        var answers: [[Series]] = []
        var writes: [(ResultsCacheKey, CachedValue)] = []
        for (index, plan) in plans.enumerated() {
            var pieces: [[Series]] = []
            var fresh: [MatrixExtent] = []
            for piece in plan.pieces {
                switch piece {
                case .cached(let series):
                    pieces.append(series)
                case .missing(let start, let end):
                    pieces.append(computed[next])
                    fresh.append(MatrixExtent(start: start, end: end, series: computed[next]))
                    next += 1
                }
            }
            answers.append(MatrixPieces.join(pieces))
            if cache != nil {
                let bookkeeping = ExtentBookkeeping(step: request.step)
                let storable = fresh.compactMap { bookkeeping.cacheable($0, cutoff: cutoff) }
                if !storable.isEmpty {
                    writes.append((keys[index], .matrixExtents(bookkeeping.merge(cached[index] + storable))))
                }
            }
        }
        if let cache { await store(writes, in: cache, into: &statistics.resultCache) }

        let matrix = MatrixPieces.join(answers)
        if matrix.count > limits.maxQuerySeries {
            throw .badRequest(QueryError.seriesLimit(limits.maxQuerySeries).message)
        }
        statistics.totalEntriesReturned = Int64(MatrixPieces.pointCount(matrix))
        return QueryResult(data: .matrix(matrix), statistics: statistics)
    }
}
