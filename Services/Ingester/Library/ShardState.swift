import FjordModel
import FjordServiceAPI
import FjordStorage
import FjordWAL

/// A closed chunk picked for flushing, with what is needed to write it and to confirm it afterwards.
struct FlushJob: Sendable {
    var tenant: String
    var labels: Labels
    var chunkID: UInt64
    var chunk: MemoryChunk
    var reason: FlushReason
}

/// What one shard did with a push: the WAL record to log (accepted entries only) and the per-stream errors.
struct ShardAppendResult: Sendable {
    var walStreams: [WALStream] = []
    var failures: [StreamFailure] = []
    var acceptedEntries = 0
    var acceptedBytes = 0
    var newStreams = 0
}

/// Entries of one stream that the ingester refused, rendered like Loki's per-stream push error.
struct StreamFailure: Sendable {
    var status: Int
    var message: String
}

/// The pure core of an ingester shard: the streams of every tenant that hash to this shard, with no I/O and no
/// clock of its own (`now` is passed in). The actor ``IngesterShard`` wraps it; WAL replay fills it directly.
struct ShardState: Sendable {
    let options: IngesterOptions
    private(set) var tenants: [String: [Labels: StreamState]] = [:]

    init(options: IngesterOptions) { self.options = options }

    var streamCount: Int { tenants.values.reduce(0) { $0 + $1.count } }

    func streamCount(tenant: String) -> Int { tenants[tenant]?.count ?? 0 }

    /// Appends validated streams of a push. `admitStream` is asked before a new stream is created (tenant stream
    /// limit across shards); returning false refuses the stream with Loki's 429 text.
    mutating func append(
        tenant: String, streams: [PushStream], now: Int64, admitStream: (String) -> Bool
    ) -> ShardAppendResult {
        var result = ShardAppendResult()
        for stream in streams {
            appendStream(tenant: tenant, stream: stream, now: now, admitStream: admitStream, into: &result)
        }
        return result
    }

    private mutating func appendStream(
        tenant: String, stream: PushStream, now: Int64, admitStream: (String) -> Bool, into result: inout ShardAppendResult
    ) {
        let isNew = tenants[tenant]?[stream.labels] == nil
        if isNew {
            guard admitStream(tenant) else {
                result.failures.append(StreamFailure(
                    status: 429,
                    message: "maximum active stream limit exceeded when trying to create stream \(stream.labels.canonicalString), reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '\(tenant)'"))
                return
            }
        }
        // Mutate the stream in place inside the dictionaries: copying it out would copy its head block (up to
        // 256 KiB of lines) on every push.
        let options = self.options
        let outcome = ShardState.appendEntries(
            stream.entries, labels: stream.labels, now: now, options: options,
            to: &tenants[tenant, default: [:]][stream.labels, default: StreamState(
                labels: stream.labels, config: options.stream, rateBytes: options.perStreamRateBytes,
                burstBytes: options.perStreamBurstBytes)])
        if isNew {
            if outcome.accepted.isEmpty {
                tenants[tenant]?[stream.labels] = nil
                if tenants[tenant]?.isEmpty == true { tenants[tenant] = nil }
            } else {
                result.newStreams += 1
            }
        }
        if !outcome.accepted.isEmpty {
            result.walStreams.append(WALStream(labels: stream.labels, counterBefore: outcome.counterBefore, entries: outcome.accepted))
            result.acceptedEntries += outcome.accepted.count
            result.acceptedBytes += outcome.accepted.totalLineBytes
        }
        if !outcome.rejected.isEmpty {
            var message = ""
            for (timestamp, reason) in outcome.rejected.prefix(options.maxReturnedStreamErrors) {
                message += "entry with timestamp \(GoTime.goString(timestamp)) ignored, reason: '\(reason)',\n"
            }
            message += "user '\(tenant)', total ignored: \(outcome.rejected.count) out of \(stream.entries.count) for stream: \(stream.labels.canonicalString)"
            result.failures.append(StreamFailure(status: outcome.rateLimited ? 429 : 400, message: message))
        }
    }

    /// What appending one push's entries to one stream did.
    private struct EntriesOutcome {
        var accepted: EntryBatch
        var counterBefore: UInt64
        var rejected: [(Int64, String)]
        var rateLimited: Bool
    }

    /// Appends `entries` to `state`: per-stream rate limit first (all or nothing, like Loki), then each entry.
    private static func appendEntries(
        _ entries: EntryBatch, labels: Labels, now: Int64, options: IngesterOptions, to state: inout StreamState
    ) -> EntriesOutcome {
        let streamBytes = entries.totalLineBytes
        let counterBefore = state.counter
        if options.perStreamRateBytes > 0, !state.rate.allow(bytes: streamBytes, now: now) {
            let message = "Per stream rate limit exceeded (limit: \(humanBytes(options.perStreamRateBytes))/sec) while attempting to ingest for stream '\(labels.canonicalString)' totaling \(humanBytes(streamBytes)), consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased"
            return EntriesOutcome(accepted: EntryBatch(), counterBefore: counterBefore,
                                  rejected: entries.timestamps.map { ($0, message) }, rateLimited: true)
        }
        // Usually every entry is appended: then the WAL logs the incoming batch as it is (no copy). Otherwise the
        // appended ones are copied out once the first skipped entry shows up.
        var accepted: EntryBatch?
        var rejected: [(Int64, String)] = []
        for index in 0..<entries.count {
            let timestamp = entries.timestamps[index]
            let metadata = entries.metadata(index)
            let outcome = entries.withLine(index) { line in
                state.append(timestamp: timestamp, line: line, metadata: metadata, now: now)
            }
            if case .appended = outcome {
                accepted?.append(from: entries, at: index)
                continue
            }
            if accepted == nil {
                var copy = EntryBatch(capacity: entries.count, lineBytesCapacity: streamBytes)
                for earlier in 0..<index { copy.append(from: entries, at: earlier) }
                accepted = copy
            }
            if case .rejected(let rejection) = outcome { rejected.append((timestamp, rejection.message)) }
        }
        return EntriesOutcome(accepted: accepted ?? entries, counterBefore: counterBefore, rejected: rejected,
                              rateLimited: false)
    }

    /// Re-applies a replayed WAL stream (no validation, no limits: it was accepted before).
    mutating func replay(tenant: String, stream: WALStream, now: Int64) {
        let options = self.options
        ShardState.replayEntries(
            stream, now: now,
            into: &tenants[tenant, default: [:]][stream.labels, default: StreamState(
                labels: stream.labels, config: options.stream, rateBytes: options.perStreamRateBytes,
                burstBytes: options.perStreamBurstBytes)])
    }

    private static func replayEntries(_ stream: WALStream, now: Int64, into state: inout StreamState) {
        if state.counter < stream.counterBefore {
            // Entries before this record were flushed (their flush mark removed them from the replay).
            state.counter = stream.counterBefore
            state.flushedThrough = max(state.flushedThrough, stream.counterBefore)
        }
        let entries = stream.entries
        let skip = Int(min(UInt64(entries.count), state.counter - stream.counterBefore))
        for index in skip..<entries.count {
            let timestamp = entries.timestamps[index]
            let metadata = entries.metadata(index)
            _ = entries.withLine(index) { line in
                state.append(timestamp: timestamp, line: line, metadata: metadata, now: now)
            }
        }
        // Keep counters aligned with the log even if an entry was (unexpectedly) refused on replay.
        state.counter = max(state.counter, stream.counterAfter)
    }

    /// Streams of `tenant` matching `matchers` with their in-memory blocks overlapping `[start, end)`.
    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) -> [StreamData] {
        guard let streams = tenants[tenant] else { return [] }
        var out: [StreamData] = []
        for (labels, state) in streams where labels.matches(matchers) {
            let blocks = state.memory.blocks(start: start, end: end)
            if !blocks.isEmpty { out.append(StreamData(labels: labels, blocks: blocks)) }
        }
        return out
    }

    /// Picks chunks to flush (closing them) per the flush policy; with `force` every non-empty chunk.
    mutating func collectFlushes(now: Int64, force: Bool) -> [FlushJob] {
        var jobs: [FlushJob] = []
        for (tenant, streams) in tenants {
            for (labels, var state) in streams {
                let actions = options.flush.decide(state.memory.flushStates, now: now, force: force)
                guard !actions.isEmpty else { continue }
                for action in actions {
                    switch action {
                    case .flush(let chunkID, let reason):
                        state.memory.closeChunk(id: chunkID)
                        if let chunk = state.memory.chunk(id: chunkID) {
                            jobs.append(FlushJob(tenant: tenant, labels: labels, chunkID: chunkID, chunk: chunk, reason: reason))
                        }
                    case .drop(let chunkID):
                        state.memory.removeChunk(id: chunkID)
                        state.chunkCounterEnds[chunkID] = nil
                    }
                }
                tenants[tenant]?[labels] = state
            }
        }
        return jobs
    }

    /// Confirms written chunks: marks them flushed and drops them from memory, advances each stream's
    /// `flushedThrough`, forgets streams left empty. Returns the WAL flush marks to log, per tenant.
    mutating func completeFlushes(_ jobs: [FlushJob], now: Int64) -> [String: [WALFlushMark]] {
        var touched: [String: Set<Labels>] = [:]
        for job in jobs {
            guard var state = tenants[job.tenant]?[job.labels] else { continue }
            state.memory.markFlushed(id: job.chunkID, at: now)
            touched[job.tenant, default: []].insert(job.labels)
            tenants[job.tenant]?[job.labels] = state
        }
        var marks: [String: [WALFlushMark]] = [:]
        for (tenant, labelSets) in touched {
            for labels in labelSets {
                guard var state = tenants[tenant]?[labels] else { continue }
                let through = state.advanceFlushedThrough()
                marks[tenant, default: []].append(WALFlushMark(fingerprint: labels.fingerprint, flushedThrough: through))
                for action in options.flush.decide(state.memory.flushStates, now: now) {
                    if case .drop(let chunkID) = action {
                        state.memory.removeChunk(id: chunkID)
                        state.chunkCounterEnds[chunkID] = nil
                    }
                }
                if state.memory.isEmpty, state.flushedThrough == state.counter {
                    tenants[tenant]?[labels] = nil
                } else {
                    tenants[tenant]?[labels] = state
                }
            }
            if tenants[tenant]?.isEmpty == true { tenants[tenant] = nil }
        }
        return marks
    }

    /// Label names of `tenant`'s in-memory streams matching `matchers` (for `/labels`).
    func labelNames(tenant: String, matchers: [LabelMatcher]) -> Set<String> {
        var names: Set<String> = []
        for labels in tenants[tenant]?.keys ?? [:].keys where labels.matches(matchers) {
            for pair in labels { names.insert(pair.name) }
        }
        return names
    }

    /// Total entries and line bytes held in memory.
    var memoryUsage: (entries: Int, bytes: Int) {
        var entries = 0
        var bytes = 0
        for streams in tenants.values {
            for state in streams.values {
                for chunk in state.memory.chunks {
                    entries += chunk.entryCount
                    bytes += chunk.size
                }
            }
        }
        return (entries, bytes)
    }
}

/// go-humanize `Bytes` (SI units), as Loki prints sizes in per-stream rate errors.
func humanBytes(_ bytes: Int) -> String {
    if bytes < 10 { return "\(bytes) B" }
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
    var exponent = 0
    var scaled = Double(bytes)
    while scaled >= 1000, exponent < units.count - 1 {
        scaled /= 1000
        exponent += 1
    }
    let rounded = (scaled * 10).rounded() / 10
    if rounded < 10 {
        let tenths = Int((rounded * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[exponent])"
    }
    return "\(Int(rounded.rounded())) \(units[exponent])"
}
