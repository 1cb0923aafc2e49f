public import FjordLogQL
public import FjordModel
import FjordPipeline
import Foundation

/// Evaluates parsed LogQL queries over a ``LogSource`` and answers exactly what Loki answers: streams for log
/// queries, a matrix (range) or vector/scalar (instant) for metric queries, with Loki's error texts and limits.
///
/// The engine is a value: it holds the source and the limits and can be shared across tasks. Each call reads the
/// source once per range aggregation or log selector.
public struct QueryEngine: Sendable {
    public let source: any LogSource
    public let limits: QueryLimits
    /// How many tasks read the streams of one range aggregation concurrently.
    public let parallelism: Int

    /// An engine over `source`; `parallelism` defaults to the number of active processors.
    public init(source: any LogSource, limits: QueryLimits = QueryLimits(), parallelism: Int? = nil) {
        self.source = source
        self.limits = limits
        self.parallelism = max(1, parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Evaluates `expression` with `parameters`.
    public func execute(_ expression: Expr, _ parameters: QueryParameters) async throws(QueryError) -> QueryResult {
        let clock = ContinuousClock()
        let started = clock.now
        // Loki builds the pipelines before evaluating and rejects bad stages with a parse error (HTTP 400).
        do {
            try expression.validateStages()
        } catch {
            throw QueryError(.badRequest, error.message)
        }
        var result: QueryResult
        switch expression {
        case .log(let selector):
            result = try await logQuery(selector, parameters)
        case .metric(let metric):
            result = try await metricQuery(metric, parameters)
        }
        let elapsed = clock.now - started
        result.statistics.execTimeSeconds = Double(elapsed.components.seconds)
            + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    // MARK: Log queries

    private func logQuery(_ selector: LogSelectorExpr, _ parameters: QueryParameters) async throws(QueryError)
        -> QueryResult
    {
        if parameters.limit > limits.maxEntriesLimitPerQuery {
            throw QueryError.entriesLimit(requested: parameters.limit, limit: limits.maxEntriesLimitPerQuery)
        }
        // An instant log query looks back `max_look_back_period` (Loki's `DefaultEvaluator.NewIterator`).
        var start = parameters.start
        if parameters.kind == .instant { start -= limits.maxLookBackPeriod }
        let pipeline: LogPipeline
        do {
            pipeline = try LogPipeline(stages: selector.pipeline)
        } catch {
            throw QueryError(.badRequest, error.message)
        }
        let scope = TenantScope(tenants: parameters.tenants, matchers: selector.matchers)
        var statistics = QueryStatistics()
        var streams: [ResultStream] = []
        if start < parameters.end, parameters.limit > 0 {
            let selected = try await scope.selectStreams(from: source, start: start, end: parameters.end)
                .pruned(by: selector.pipeline)
            let evaluator = LogQueryEvaluator(
                streams: selected, pipeline: pipeline, start: start, end: parameters.end,
                direction: parameters.direction, limit: parameters.limit, interval: parameters.interval,
                labelTenants: scope.labelsResults, parallelism: parallelism)
            streams = try await evaluator.run(statistics: &statistics)
        }
        return QueryResult(data: .streams(streams), statistics: statistics)
    }

    // MARK: Metric queries

    private func metricQuery(_ metric: MetricExpr, _ parameters: QueryParameters) async throws(QueryError)
        -> QueryResult
    {
        if limits.maxQueryRange > 0 {
            for aggregation in metric.rangeAggregations where aggregation.range.range > limits.maxQueryRange {
                throw QueryError.intervalLimit(range: aggregation.range.range, limit: limits.maxQueryRange)
            }
        }
        let grid = Self.grid(parameters)
        if let literal = MetricEvaluator.literalValue(metric) {
            switch parameters.kind {
            case .instant:
                return QueryResult(data: .scalar(timestampMillis: parameters.start / 1_000_000, value: literal))
            case .range:
                return QueryResult(data: .matrix(ResultAssembly.literalMatrix(literal, grid: grid)))
            }
        }
        var evaluator = MetricEvaluator(source: source, tenants: parameters.tenants, grid: grid, limits: limits,
                                        parallelism: parallelism, instant: parameters.kind == .instant)
        let set = try await evaluator.evaluate(metric)
        let data: QueryResultData
        switch parameters.kind {
        case .instant:
            data = .vector(try ResultAssembly.vector(set, grid: grid, maxSeries: limits.maxQuerySeries,
                                                     keepOrder: metric.isSortable))
        case .range:
            data = .matrix(try ResultAssembly.matrix(set, grid: grid, maxSeries: limits.maxQuerySeries))
        }
        var statistics = evaluator.statistics
        switch data {
        case .matrix(let series): statistics.totalEntriesReturned = Int64(series.reduce(0) { $0 + $1.points.count })
        case .vector(let samples): statistics.totalEntriesReturned = Int64(samples.count)
        default: break
        }
        return QueryResult(data: data, statistics: statistics)
    }

    /// The evaluation times of a metric query.
    static func grid(_ parameters: QueryParameters) -> StepGrid {
        switch parameters.kind {
        case .instant:
            return .instant(at: parameters.start)
        case .range:
            return .range(start: parameters.start, end: parameters.end, step: max(parameters.step, 1),
                          align: parameters.alignToStep)
        }
    }
}
