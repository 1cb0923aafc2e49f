public import FjordLogQL
public import FjordModel
public import FjordPipeline
public import FjordServiceAPI

/// One live tail's processing, used by a single task: runs the query's pipeline on each offered entry (so the
/// labels sent are the processed ones, as in a log query), drops entries already sent (replicas, or an entry both
/// in the history and the live feed) and groups the rest into result streams sorted by labels, entries ascending.
public final class TailSession {
    public let selector: LogSelectorExpr
    let pipeline: LogPipeline
    private var processors: [Labels: LineProcessor] = [:]
    private var deduper: TailDeduper

    /// Compiles the selector's pipeline; throws for invalid regexes, templates or patterns.
    public init(selector: LogSelectorExpr, deduper: TailDeduper = TailDeduper()) throws(PipelineError) {
        self.selector = selector
        pipeline = try LogPipeline(stages: selector.pipeline)
        self.deduper = deduper
    }

    /// The recent history (a log query's answer, any order): remembered as sent and returned ascending.
    public func history(_ streams: [ResultStream], now: Int64) -> [ResultStream] {
        var out: [ResultStream] = []
        for var stream in streams {
            stream.entries.sort { $0.timestamp < $1.timestamp }
            stream.entries = stream.entries.filter { entry in
                deduper.firstSighting(labels: stream.labels, timestamp: entry.timestamp, line: entry.line[...], now: now)
            }
            if !stream.entries.isEmpty { out.append(stream) }
        }
        return out.sorted { $0.labels.canonicalString < $1.labels.canonicalString }
    }

    /// Runs the pipeline over a batch of live entries; repeats and filtered lines are left out.
    public func process(_ batch: TailBatch, now: Int64) -> [ResultStream] {
        var grouped: [Labels: ResultStream] = [:]
        for stream in batch.streams {
            let processor = processor(for: stream.labels)
            let entries = stream.entries
            for index in 0..<entries.count {
                let timestamp = entries.timestamps[index]
                let metadata = entries.metadata(index)
                let processed = entries.withLine(index) { line in
                    processor.process(timestamp: timestamp, line: line, metadata: metadata)
                }
                guard let processed else { continue }
                let line = processed.rewrittenLine ?? Array(entries.line(index))
                guard deduper.firstSighting(labels: processed.labels, timestamp: timestamp, line: line[...], now: now)
                else { continue }
                let entry = ResultEntry(
                    timestamp: timestamp, line: line, structuredMetadata: metadata,
                    parsed: TailSession.parsedLabels(processed.labels, stream: stream.labels, metadata: metadata))
                grouped[processed.labels, default: ResultStream(labels: processed.labels, streamLabels: stream.labels, entries: [])]
                    .entries.append(entry)
            }
        }
        var out = Array(grouped.values)
        for index in out.indices { out[index].entries.sort { $0.timestamp < $1.timestamp } }
        out.sort { $0.labels.canonicalString < $1.labels.canonicalString }
        return out
    }

    private func processor(for labels: Labels) -> LineProcessor {
        if let known = processors[labels] { return known }
        if processors.count > 10_000 { processors.removeAll(keepingCapacity: true) }
        let made = pipeline.makeProcessor(streamLabels: labels)
        processors[labels] = made
        return made
    }

    /// The labels the pipeline added or changed: neither a stream label nor structured metadata with that value.
    static func parsedLabels(_ labels: Labels, stream: Labels, metadata: Labels) -> Labels {
        if labels == stream { return Labels() }
        return Labels(sortedPairs: labels.pairs.filter { pair in
            stream[pair.name] != pair.value && metadata[pair.name] != pair.value
        })
    }
}
