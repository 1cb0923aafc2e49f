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

    func evaluate(statistics: inout QueryStatistics) async throws(QueryError) -> SeriesSet {
        let samples = try await collect(statistics: &statistics)
        let range = aggregation.range.range
        let offset = aggregation.range.offset
        if aggregation.operation == .absentOverTime {
            return try absent(samples, range: range, offset: offset)
        }
        var result = SeriesSet(stepCount: grid.count)
        result.series.reserveCapacity(samples.count)
        for series in samples {
            let output = try windows(series, range: range, offset: offset)
            if !output.steps.isEmpty { result.series.append(output) }
        }
        return result
    }

    // MARK: Reading samples

    private var storesValues: Bool {
        switch aggregation.operation {
        case .countOverTime, .absentOverTime: return false
        case .rate: return aggregation.range.unwrap != nil
        default: return true
        }
    }

    private func collect(statistics: inout QueryStatistics) async throws(QueryError) -> [SampleSeries] {
        let bounds = grid.sampleBounds(range: aggregation.range.range, offset: aggregation.range.offset)
        guard grid.count > 0 else { return [] }
        let streams = try await scope.selectStreams(from: source, start: bounds.after + 1, end: bounds.through + 1)
        let extractor: SampleExtractor
        do {
            let pipeline = try LogPipeline(stages: plan.stages)
            extractor = try SampleExtractor(pipeline: pipeline, operation: aggregation.operation,
                                            unwrap: aggregation.range.unwrap, grouping: plan.grouping)
        } catch {
            throw QueryError(.badRequest, error.message)
        }
        var collector = SampleCollector(plan: plan, labelTenants: scope.labelsResults)
        let content: BlockContent = plan.needsOnlySizes ? .timestampsAndSizes : .full
        let keepValues = storesValues
        for stream in streams {
            collector.beginStream()
            let processor = extractor.makeProcessor(streamLabels: stream.labels)
            var cursor = StreamCursor(blocks: stream.blocks, start: bounds.after + 1, end: bounds.through + 1,
                                      direction: .forward, content: content)
            while true {
                let next: EntryBatch?
                do {
                    next = try await cursor.next()
                } catch {
                    throw QueryError.storage(error)
                }
                guard let batch = next else { break }
                statistics.decompressedLines += Int64(batch.count)
                statistics.decompressedBytes += Int64(batch.totalLineBytes)
                statistics.totalLinesProcessed += Int64(batch.count)
                if plan.needsOnlySizes {
                    collectSizes(batch, 0..<batch.count, stream: stream, processor: processor, keepValues: keepValues,
                                 into: &collector, statistics: &statistics)
                } else if let failing = collectSamples(batch, 0..<batch.count, stream: stream, processor: processor,
                                                       keepValues: keepValues, into: &collector,
                                                       statistics: &statistics) {
                    // Loki fails at the first step whose window holds an erroring sample; stop reading now.
                    throw QueryError.pipelineError(series: failing)
                }
            }
        }
        return collector.finish()
    }

    /// No stage runs: the labels depend only on the structured metadata, asked from the extractor once per variant.
    private func collectSizes(_ batch: EntryBatch, _ entries: Range<Int>, stream: SourceStream,
                              processor: SampleProcessor, keepValues: Bool, into collector: inout SampleCollector,
                              statistics: inout QueryStatistics) {
        var lastMetadata: Labels? = nil
        var lastSeries = -1
        for index in entries {
            let lineLength = batch.lineLength(index)
            statistics.totalBytesProcessed += Int64(lineLength)
            statistics.totalPostFilterLines += 1
            let metadata = batch.metadata(index)
            if metadata != lastMetadata {
                lastMetadata = metadata
                let empty = UnsafeRawBufferPointer(start: nil, count: 0)
                guard let sample = processor.process(timestamp: batch.timestamps[index], line: empty,
                                                     metadata: metadata) else {
                    lastSeries = -1
                    continue
                }
                lastSeries = collector.seriesIndex(raw: sample.labels, tenant: stream.tenant)
            }
            guard lastSeries >= 0 else { continue }
            collector.append(series: lastSeries, time: batch.timestamps[index],
                             value: keepValues ? Double(lineLength) : nil)
        }
    }

    /// Runs the extractor on every entry. Returns the labels of a series that carries `__error__` inside a window.
    private func collectSamples(_ batch: EntryBatch, _ entries: Range<Int>, stream: SourceStream,
                                processor: SampleProcessor, keepValues: Bool, into collector: inout SampleCollector,
                                statistics: inout QueryStatistics) -> Labels? {
        batch.lineBytes.withUnsafeBytes { all in
            for index in entries {
                let lineStart = Int(batch.lineStarts[index])
                let lineEnd = Int(batch.lineStarts[index + 1])
                let line = UnsafeRawBufferPointer(rebasing: all[lineStart..<lineEnd])
                statistics.totalBytesProcessed += Int64(line.count)
                let time = batch.timestamps[index]
                guard let sample = processor.process(timestamp: time, line: line, metadata: batch.metadata(index))
                else { continue }
                statistics.totalPostFilterLines += 1
                let position = collector.seriesIndex(raw: sample.labels, tenant: stream.tenant)
                if collector.hasError(position),
                   grid.firstWindow(containing: time, range: aggregation.range.range,
                                    offset: aggregation.range.offset) != nil {
                    return collector.labels(position)
                }
                collector.append(series: position, time: time, value: keepValues ? sample.value : nil)
            }
            return nil
        }
    }

    // MARK: Windows

    /// The aggregated value at every step whose window holds samples of `series`.
    private func windows(_ series: SampleSeries, range: Int64, offset: Int64) throws(QueryError) -> StepSeries {
        var output = StepSeries(labels: series.labels)
        let isError = series.labels.index(of: "__error__") != nil
        let operation = aggregation.operation
        let seconds = RangeFunctions.seconds(range)
        let hasUnwrap = aggregation.range.unwrap != nil
        var failed = false
        series.times.withUnsafeBufferPointer { times in
            series.values.withUnsafeBufferPointer { values in
                var low = 0
                var high = 0
                for step in 0..<grid.count {
                    let window = grid.window(step, range: range, offset: offset)
                    while low < times.count, times[low] <= window.after { low += 1 }
                    if high < low { high = low }
                    while high < times.count, times[high] <= window.through { high += 1 }
                    guard high > low else { continue }
                    if isError {
                        failed = true
                        return
                    }
                    let value: Double
                    if values.isEmpty {
                        value = operation == .rate ? Double(high - low) / seconds : Double(high - low)
                    } else {
                        value = RangeFunctions.aggregate(
                            operation, range: range, parameter: aggregation.parameter, hasUnwrap: hasUnwrap,
                            times: UnsafeBufferPointer(rebasing: times[low..<high]),
                            values: UnsafeBufferPointer(rebasing: values[low..<high]))
                    }
                    output.append(step: step, value: value)
                }
            }
        }
        if failed { throw QueryError.pipelineError(series: series.labels) }
        return output
    }

    /// `absent_over_time`: 1 at every step whose window holds no sample at all.
    private func absent(_ samples: [SampleSeries], range: Int64, offset: Int64) throws(QueryError) -> SeriesSet {
        var present = [Bool](repeating: false, count: grid.count)
        for series in samples {
            let windows = try windows(series, range: range, offset: offset)
            for step in windows.steps { present[Int(step)] = true }
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
