import FjordModel
import FjordPipeline

/// Evaluates a log query: merges the selected streams in query direction, runs the pipeline lazily per stream and
/// stops as soon as `limit` entries are certain.
///
/// Every stream sits in a heap keyed either by its next candidate entry (already through the pipeline) or, before a
/// batch is decoded, by the newest (backward) / oldest (forward) timestamp that batch can hold. A batch is decoded
/// only when its bound reaches the top of the heap, so streams whose data lies beyond the `limit`-th entry are never
/// read. Ties on a timestamp are taken in stream-label order, like Loki's merge iterators.
///
/// Without `interval`, the streams are split into groups merged by concurrent workers that share a ``LimitCutoff``:
/// once the workers together hold `limit` entries, each stops at the first entry (or batch) beyond the `limit`-th,
/// so the total work stays that of one merge while full scans (rare needles) use every core.
struct LogQueryEvaluator: Sendable {
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
    /// How many workers may merge groups of streams concurrently (only without `interval`).
    let parallelism: Int

    /// Groups per worker: the streams are cut into more groups than cores because their cost is unknown in advance
    /// (a filter may match in a few streams only); with several groups per core the cores stay busy to the end.
    static let groupsPerWorker = 4

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

    /// One returned entry with the labels of its result stream and the rank of its stream (for ties).
    struct Emitted: Sendable {
        var labels: Labels
        var streamLabels: Labels
        var entry: ResultEntry
        var rank: Int
    }

    /// What one worker produced, in query direction.
    struct WorkerOutput: Sendable {
        var entries: [Emitted] = []
        var statistics = QueryStatistics()
    }

    func run(statistics: inout QueryStatistics) async throws(QueryError) -> [ResultStream] {
        guard limit > 0, start < end, !streams.isEmpty else { return [] }
        // Stream rank = order of the stream label strings, used for ties.
        let keys = streams.map { stream in
            Array((labelTenants ? TenantScope.labeling(stream.labels, tenant: stream.tenant) : stream.labels)
                .canonicalString.utf8)
        }
        let order = streams.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
        var rank = [Int](repeating: 0, count: streams.count)
        for (position, index) in order.enumerated() { rank[index] = position }

        let workers = interval == 0 ? min(parallelism * Self.groupsPerWorker, streams.count) : 1
        var emitted: [Emitted]
        if workers <= 1 {
            let output = try await merge(Array(streams.indices), rank: rank, cutoff: nil).get()
            statistics.add(output.statistics)
            emitted = output.entries
        } else {
            let groups = SourceStream.balancedGroups(streams, count: workers)
            let cutoff = LimitCutoff(limit: limit, direction: direction)
            let rank = rank
            let outputs = await withTaskGroup(of: Result<WorkerOutput, QueryError>.self) { group in
                for members in groups {
                    group.addTask { await merge(members, rank: rank, cutoff: cutoff) }
                }
                var outputs: [Result<WorkerOutput, QueryError>] = []
                for await output in group { outputs.append(output) }
                return outputs
            }
            var lists: [[Emitted]] = []
            for output in outputs {
                let worker = try output.get()
                statistics.add(worker.statistics)
                lists.append(worker.entries)
            }
            emitted = mergeLists(lists)
        }
        statistics.totalEntriesReturned += Int64(emitted.count)
        return Self.group(emitted)
    }

    /// Merges the workers' lists (each in query direction) and keeps the first `limit` entries.
    private func mergeLists(_ lists: [[Emitted]]) -> [Emitted] {
        let backward = direction == .backward
        func comesFirst(_ lhs: Emitted, _ rhs: Emitted) -> Bool {
            let left = lhs.entry.timestamp
            let right = rhs.entry.timestamp
            if left != right { return backward ? left > right : left < right }
            return lhs.rank < rhs.rank
        }
        var positions = [Int](repeating: 0, count: lists.count)
        var result: [Emitted] = []
        result.reserveCapacity(min(limit, lists.reduce(0) { $0 + $1.count }))
        while result.count < limit {
            var best = -1
            for (list, position) in positions.enumerated() where position < lists[list].count {
                if best < 0 || comesFirst(lists[list][position], lists[best][positions[best]]) { best = list }
            }
            if best < 0 { break }
            result.append(lists[best][positions[best]])
            positions[best] += 1
        }
        return result
    }

    /// Streams sorted by label string, entries in emission order.
    static func group(_ emitted: [Emitted]) -> [ResultStream] {
        var results: [ResultStream] = []
        var index: [Labels: Int] = [:]
        for item in emitted {
            if let existing = index[item.labels] {
                results[existing].entries.append(item.entry)
            } else {
                index[item.labels] = results.count
                results.append(ResultStream(labels: item.labels, streamLabels: item.streamLabels, entries: [item.entry]))
            }
        }
        let keys = results.map { Array($0.labels.canonicalString.utf8) }
        return results.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }.map { results[$0] }
    }

    /// The sequential core: merges the entries of the streams `members` in query direction until `limit` entries
    /// are emitted, or until `cutoff` says the remaining ones cannot be among the first `limit`.
    private func merge(_ members: [Int], rank: [Int], cutoff: LimitCutoff?) async -> Result<WorkerOutput, QueryError> {
        var output = WorkerOutput()
        let backward = direction == .backward
        // Heap items and states use positions in `members`.
        let memberRank = members.map { rank[$0] }
        var heap = BinaryHeap<HeapItem>(capacity: members.count) { lhs, rhs in
            if lhs.time != rhs.time { return backward ? lhs.time > rhs.time : lhs.time < rhs.time }
            if lhs.isBound != rhs.isBound { return lhs.isBound }
            return memberRank[lhs.stream] < memberRank[rhs.stream]
        }
        var states: [StreamState] = []
        states.reserveCapacity(members.count)
        let literals = RequiredLiterals.of(pipeline.stages)
        let content: BlockContent = literals.isEmpty ? .full : .fullIfContaining(literals)
        for (local, index) in members.enumerated() {
            let stream = streams[index]
            let cursor = StreamCursor(blocks: stream.blocks, start: start, end: end, direction: direction,
                                      content: content)
            states.append(StreamState(cursor: cursor, processor: pipeline.makeProcessor(streamLabels: stream.labels)))
            if let bound = cursor.nextBound {
                heap.push(HeapItem(time: bound, isBound: true, stream: local))
            }
        }

        var lastEmitted: Int64? = nil
        while output.entries.count < limit, let top = heap.pop() {
            if let cutoff, !cutoff.mayBeNeeded(top.time) { break }
            let local = top.stream
            let index = members[local]
            if top.isBound {
                var cursor = states[local].cursor
                let batch: EntryBatch?
                do {
                    batch = try await cursor.next()
                } catch {
                    return .failure(QueryError.storage(error))
                }
                states[local].cursor = cursor
                if let batch {
                    output.statistics.decompressedLines += Int64(batch.count)
                    output.statistics.decompressedBytes += Int64(batch.totalLineBytes)
                    states[local].position = 0
                    states[local].batch = batch
                }
            } else {
                // Emit the candidate, honouring `interval` like Loki's readStreams.
                let time = top.time
                var keep = true
                if interval > 0, let last = lastEmitted {
                    keep = backward ? time <= last - interval : time >= last + interval
                }
                if keep, let batch = states[local].batch {
                    let entryIndex = states[local].candidate
                    let labels = outputLabels(&states[local], stream: streams[index])
                    let metadata = batch.metadata(entryIndex)
                    let line = states[local].candidateLine ?? Array(batch.line(entryIndex))
                    let entry = ResultEntry(timestamp: time, line: line, structuredMetadata: metadata,
                                            parsed: parsedLabels(labels, stream: streams[index].labels,
                                                                 metadata: metadata))
                    let streamLabels = labelTenants
                        ? TenantScope.labeling(streams[index].labels, tenant: streams[index].tenant)
                        : streams[index].labels
                    output.entries.append(Emitted(labels: labels, streamLabels: streamLabels, entry: entry,
                                                  rank: rank[index]))
                    cutoff?.offer(time)
                    lastEmitted = time
                }
            }
            if let next = advance(&states[local], statistics: &output.statistics) {
                heap.push(HeapItem(time: next.time, isBound: next.isBound, stream: local))
            }
        }
        return .success(output)
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
