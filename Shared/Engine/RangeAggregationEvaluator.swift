import FjordLogQL
import FjordModel
import FjordPipeline

/// Evaluates a range aggregation (`count_over_time`, `rate`, `avg_over_time(... | unwrap x)` …) at every step of
/// the grid: reads the entries once, extracts samples per series, then slides each step's window over every
/// series' sorted samples with two pointers.
struct RangeAggregationEvaluator {
    let aggregation: RangeAggregation
    let plan: ExtractionPlan
    let grid: StepGrid
    let scope: TenantScope
    let source: any LogSource
    /// How many tasks read streams concurrently.
    let parallelism: Int

    func evaluate(statistics: inout QueryStatistics) async throws(QueryError) -> SeriesSet {
        // Series in label order: the result (and which erroring series is reported) does not depend on the order
        // streams were read in, so a query split by steps gives exactly the unsplit answer.
        var samples = try await collect(statistics: &statistics).sorted { Labels.canonicalLess($0.labels, $1.labels) }
        let windows = WindowEvaluator(grid: grid, aggregation: aggregation)
        for series in samples where series.hasError {
            let range = aggregation.range.range
            let offset = aggregation.range.offset
            if series.times.contains(where: { grid.firstWindow(containing: $0, range: range, offset: offset) != nil }) {
                throw QueryError.pipelineError(series: series.labels)
            }
        }
        if !windows.isAdditive {
            for position in samples.indices { samples[position].sortByTime() }
        }
        if aggregation.operation == .absentOverTime {
            return absent(samples, windows: windows)
        }
        var result = SeriesSet(stepCount: grid.count)
        result.series.reserveCapacity(samples.count)
        for series in samples {
            let output = windows.evaluate(series)
            if !output.steps.isEmpty { result.series.append(output) }
        }
        return result
    }

    // MARK: Reading samples

    private func collect(statistics: inout QueryStatistics) async throws(QueryError) -> [SampleSeries] {
        let bounds = grid.sampleBounds(range: aggregation.range.range, offset: aggregation.range.offset)
        guard grid.count > 0 else { return [] }
        // Streams in canonical order, cut into contiguous groups whose results are joined in group order: samples
        // with equal timestamps in one series then always come in (stream, stored) order, whatever the range read
        // and however many readers ran.
        let streams = try await scope.selectStreams(from: source, start: bounds.after + 1, end: bounds.through + 1)
            .pruned(by: aggregation.range.selector.pipeline)
            .canonicallyOrdered()
        let reader = try SampleReader(aggregation: aggregation, plan: plan, grid: grid,
                                      labelTenants: scope.labelsResults)
        let groups = SourceStream.contiguousGroups(streams, count: min(parallelism, streams.count))
            .map { members in Array(streams[members]) }
        if groups.count <= 1 {
            let readout = try await reader.read(streams).get()
            statistics.add(readout.statistics)
            return SampleCollector.merge([readout.series])
        }
        let readouts = await withTaskGroup(of: (Int, Result<SampleReader.Readout, QueryError>).self) { group in
            for (index, part) in groups.enumerated() {
                group.addTask { (index, await reader.read(part)) }
            }
            var results = [Result<SampleReader.Readout, QueryError>?](repeating: nil, count: groups.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        var parts: [[SampleSeries]] = []
        for result in readouts {
            let readout = try result.get()
            statistics.add(readout.statistics)
            parts.append(readout.series)
        }
        return SampleCollector.merge(parts)
    }

    /// `absent_over_time`: 1 at every step whose window holds no sample at all.
    private func absent(_ samples: [SampleSeries], windows: WindowEvaluator) -> SeriesSet {
        var present = [Bool](repeating: false, count: grid.count)
        for series in samples {
            for step in windows.evaluate(series).steps { present[Int(step)] = true }
        }
        var output = StepSeries(labels: Self.absentLabels(aggregation.range.selector.matchers))
        for step in 0..<grid.count where !present[step] {
            output.append(step: step, value: 1)
        }
        return SeriesSet(stepCount: grid.count, series: output.steps.isEmpty ? [] : [output])
    }

    /// The labels of `absent_over_time`'s series: the selector's equality matchers, minus every name that is also
    /// used by another matcher.
    static func absentLabels(_ matchers: [LabelMatcher]) -> Labels {
        var labels = Labels()
        var removed: [String] = []
        for matcher in matchers {
            if matcher.kind == .equal, labels[matcher.name] == nil {
                labels.set(matcher.name, matcher.value)
            } else {
                removed.append(matcher.name)
            }
        }
        for name in removed { labels.remove(name) }
        return labels
    }
}
