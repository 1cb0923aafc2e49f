import FjordModel
import FjordPipeline

/// Evaluates a log query: merges the selected streams in query direction, runs the pipeline lazily per stream and
/// stops as soon as `limit` entries are certain.
///
/// Every stream sits in a heap keyed either by its next candidate entry (already through the pipeline) or, before a
/// batch is decoded, by the newest (backward) / oldest (forward) timestamp that batch can hold. A batch is decoded
/// only when its bound reaches the top of the heap, so streams whose data lies beyond the `limit`-th entry are never
/// read. Ties on a timestamp are taken in stream-label order, like Loki's merge iterators.
struct LogQueryEvaluator {
    let streams: [SourceStream]
    let pipeline: LogPipeline
    /// Entries with `start <= ts < end` are returned.
    let start: Int64
    let end: Int64
    let direction: Direction
    let limit: Int
    let interval: Int64
    /// Add `__tenant_id__` to every stream (multi-tenant reads).
    let labelTenants: Bool

    private struct HeapItem {
        var time: Int64
        var isBound: Bool
        var stream: Int
    }

    /// One stream's reading state.
    private struct StreamState {
        var cursor: StreamCursor
        var processor: LineProcessor
        var batch: EntryBatch?
        /// The next index of `batch` to examine (batches are in query direction).
        var position = 0
        /// The current candidate: index in `batch`, rewritten line, output labels.
        var candidate = 0
        var candidateLine: [UInt8]?
        var candidateLabels = Labels()
        /// Tenant relabelling cache.
        var lastLabels = Labels()
        var lastOutput = Labels()
    }

    func run(statistics: inout QueryStatistics) async throws(QueryError) -> [ResultStream] {
        guard limit > 0, start < end else { return [] }
        let backward = direction == .backward
        // Stream rank = order of the stream label strings, used for ties.
        let keys = streams.map { stream in
            Array((labelTenants ? TenantScope.labeling(stream.labels, tenant: stream.tenant) : stream.labels)
                .canonicalString.utf8)
        }
        let order = streams.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
        var rank = [Int](repeating: 0, count: streams.count)
        for (position, index) in order.enumerated() { rank[index] = position }

        var heap = BinaryHeap<HeapItem>(capacity: streams.count) { lhs, rhs in
            if lhs.time != rhs.time { return backward ? lhs.time > rhs.time : lhs.time < rhs.time }
            if lhs.isBound != rhs.isBound { return lhs.isBound }
            return rank[lhs.stream] < rank[rhs.stream]
        }
        var states: [StreamState] = []
        states.reserveCapacity(streams.count)
        for (index, stream) in streams.enumerated() {
            let cursor = StreamCursor(blocks: stream.blocks, start: start, end: end, direction: direction,
                                      content: .full)
            states.append(StreamState(cursor: cursor, processor: pipeline.makeProcessor(streamLabels: stream.labels)))
            if let bound = cursor.nextBound {
                heap.push(HeapItem(time: bound, isBound: true, stream: index))
            }
        }

        var results: [ResultStream] = []
        var resultIndex: [Labels: Int] = [:]
        var emitted = 0
        var lastEmitted: Int64? = nil
        while emitted < limit, let top = heap.pop() {
            let index = top.stream
            if top.isBound {
                var cursor = states[index].cursor
                let batch: EntryBatch?
                do {
                    batch = try await cursor.next()
                } catch {
                    throw QueryError.storage(error)
                }
                states[index].cursor = cursor
                if let batch {
                    statistics.decompressedLines += Int64(batch.count)
                    statistics.decompressedBytes += Int64(batch.totalLineBytes)
                    states[index].position = 0
                    states[index].batch = batch
                }
            } else {
                // Emit the candidate, honouring `interval` like Loki's readStreams.
                let time = top.time
                var keep = true
                if interval > 0, let last = lastEmitted {
                    keep = backward ? time <= last - interval : time >= last + interval
                }
                if keep, let batch = states[index].batch {
                    let entryIndex = states[index].candidate
                    let labels = outputLabels(&states[index], stream: streams[index])
                    let metadata = batch.metadata(entryIndex)
                    let line = states[index].candidateLine ?? Array(batch.line(entryIndex))
                    let entry = ResultEntry(timestamp: time, line: line, structuredMetadata: metadata,
                                            parsed: parsedLabels(labels, stream: streams[index].labels,
                                                                 metadata: metadata))
                    if let existing = resultIndex[labels] {
                        results[existing].entries.append(entry)
                    } else {
                        resultIndex[labels] = results.count
                        let streamLabels = labelTenants
                            ? TenantScope.labeling(streams[index].labels, tenant: streams[index].tenant)
                            : streams[index].labels
                        results.append(ResultStream(labels: labels, streamLabels: streamLabels, entries: [entry]))
                    }
                    emitted += 1
                    lastEmitted = time
                }
            }
            if let next = advance(&states[index], statistics: &statistics) {
                heap.push(HeapItem(time: next.time, isBound: next.isBound, stream: index))
            }
        }
        statistics.totalEntriesReturned += Int64(emitted)
        results.sort { Labels.canonicalLess($0.labels, $1.labels) }
        return results
    }

    /// Moves a stream to its next candidate entry, or reports the bound of its next batch. Returns `nil` when the
    /// stream is exhausted.
    private func advance(_ state: inout StreamState, statistics: inout QueryStatistics)
        -> (time: Int64, isBound: Bool)?
    {
        if let batch = state.batch {
            var position = state.position
            let result: (time: Int64, isBound: Bool)? = batch.lineBytes.withUnsafeBytes { all in
                while position < batch.count {
                    let index = position
                    position += 1
                    let lineStart = Int(batch.lineStarts[index])
                    let lineEnd = Int(batch.lineStarts[index + 1])
                    let line = UnsafeRawBufferPointer(rebasing: all[lineStart..<lineEnd])
                    statistics.totalLinesProcessed += 1
                    statistics.totalBytesProcessed += Int64(line.count)
                    let time = batch.timestamps[index]
                    guard let processed = state.processor.process(timestamp: time, line: line,
                                                                   metadata: batch.metadata(index)) else { continue }
                    statistics.totalPostFilterLines += 1
                    state.candidate = index
                    state.candidateLine = processed.rewrittenLine
                    state.candidateLabels = processed.labels
                    return (time, false)
                }
                return nil
            }
            state.position = position
            if let result { return result }
            state.batch = nil
        }
        if let bound = state.cursor.nextBound { return (bound, true) }
        return nil
    }

    private func outputLabels(_ state: inout StreamState, stream: SourceStream) -> Labels {
        guard labelTenants else { return state.candidateLabels }
        if state.candidateLabels != state.lastLabels || state.lastOutput.isEmpty {
            state.lastLabels = state.candidateLabels
            state.lastOutput = TenantScope.labeling(state.candidateLabels, tenant: stream.tenant)
        }
        return state.lastOutput
    }

    /// The labels the pipeline added or changed: neither a stream label nor structured metadata with that value.
    private func parsedLabels(_ labels: Labels, stream: Labels, metadata: Labels) -> Labels {
        if labels == stream { return Labels() }
        return Labels(sortedPairs: labels.pairs.filter { pair in
            pair.name != TenantScope.label && stream[pair.name] != pair.value && metadata[pair.name] != pair.value
        })
    }
}
