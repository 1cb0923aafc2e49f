import FjordLogQL
import FjordModel
import FjordPipeline

/// Reads streams for one range aggregation and turns their entries into samples grouped by series. Independent
/// readers may run on disjoint sets of streams concurrently; their series are merged afterwards.
struct SampleReader: Sendable {
    /// What one reader produced.
    struct Readout: Sendable {
        var series: [SampleSeries]
        var statistics: QueryStatistics
    }

    let aggregation: RangeAggregation
    let plan: ExtractionPlan
    let grid: StepGrid
    let labelTenants: Bool
    let extractor: SampleExtractor
    /// Entries with `after < ts ≤ through` are read.
    let bounds: (after: Int64, through: Int64)

    init(aggregation: RangeAggregation, plan: ExtractionPlan, grid: StepGrid, labelTenants: Bool) throws(QueryError) {
        self.aggregation = aggregation
        self.plan = plan
        self.grid = grid
        self.labelTenants = labelTenants
        bounds = grid.sampleBounds(range: aggregation.range.range, offset: aggregation.range.offset)
        do {
            let pipeline = try LogPipeline(stages: plan.stages)
            extractor = try SampleExtractor(pipeline: pipeline, operation: aggregation.operation,
                                            unwrap: aggregation.range.unwrap, grouping: plan.grouping)
        } catch {
            throw QueryError(.badRequest, error.message)
        }
    }

    /// Values are kept unless every value is 1 (counting).
    private var storesValues: Bool {
        switch aggregation.operation {
        case .countOverTime, .absentOverTime: return false
        case .rate: return aggregation.range.unwrap != nil
        default: return true
        }
    }

    func read(_ streams: [SourceStream]) async -> Result<Readout, QueryError> {
        var statistics = QueryStatistics()
        var collector = SampleCollector(plan: plan, labelTenants: labelTenants)
        let literals = RequiredLiterals.of(plan.stages)
        let content: BlockContent = plan.needsOnlySizes
            ? .timestampsAndSizes : (literals.isEmpty ? .full : .fullIfContaining(literals))
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
                    return .failure(QueryError.storage(error))
                }
                guard let batch = next else { break }
                statistics.decompressedLines += Int64(batch.count)
                statistics.decompressedBytes += Int64(batch.totalLineBytes)
                statistics.totalLinesProcessed += Int64(batch.count)
                if plan.needsOnlySizes {
                    collectSizes(batch, stream: stream, processor: processor, keepValues: keepValues,
                                 into: &collector, statistics: &statistics)
                } else if let failing = collectSamples(batch, stream: stream, processor: processor,
                                                       keepValues: keepValues, into: &collector,
                                                       statistics: &statistics) {
                    // Loki fails at the first step whose window holds an erroring sample; stop reading now.
                    return .failure(QueryError.pipelineError(series: failing))
                }
            }
        }
        return .success(Readout(series: collector.finish(), statistics: statistics))
    }

    /// No stage runs: the labels depend only on the structured metadata, asked from the extractor once per run of
    /// entries with the same metadata; timestamps (and sizes) are appended a run at a time.
    private func collectSizes(_ batch: EntryBatch, stream: SourceStream, processor: SampleProcessor, keepValues: Bool,
                              into collector: inout SampleCollector, statistics: inout QueryStatistics) {
        let count = batch.count
        statistics.totalBytesProcessed += Int64(batch.totalLineBytes)
        statistics.totalPostFilterLines += Int64(count)
        var start = 0
        var lastMetadata: Labels? = nil
        var lastSeries = -1
        batch.timestamps.withUnsafeBufferPointer { times in
            while start < count {
                var end = count
                let metadata = batch.metadata(start)
                if !batch.metadata.isEmpty {
                    end = start + 1
                    while end < count, batch.metadata[end] == metadata { end += 1 }
                }
                if metadata != lastMetadata {
                    lastMetadata = metadata
                    let empty = UnsafeRawBufferPointer(start: nil, count: 0)
                    if let sample = processor.process(timestamp: times[start], line: empty, metadata: metadata) {
                        lastSeries = collector.seriesIndex(raw: sample.labels, tenant: stream.tenant)
                    } else {
                        lastSeries = -1
                    }
                }
                if lastSeries >= 0 {
                    let sizes = keepValues ? (start..<end).map { Double(batch.lineLength($0)) } : []
                    collector.append(series: lastSeries, times: UnsafeBufferPointer(rebasing: times[start..<end]),
                                     values: sizes)
                }
                start = end
            }
        }
    }

    /// Runs the extractor on every entry. Returns the labels of a series that carries `__error__` inside a window.
    private func collectSamples(_ batch: EntryBatch, stream: SourceStream, processor: SampleProcessor,
                                keepValues: Bool, into collector: inout SampleCollector,
                                statistics: inout QueryStatistics) -> Labels? {
        batch.lineBytes.withUnsafeBytes { all in
            for index in 0..<batch.count {
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
}
