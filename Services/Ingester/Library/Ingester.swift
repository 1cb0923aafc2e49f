public import FjordModel
public import FjordServiceAPI
import FjordStorage
public import FjordTail
import FjordWAL
public import Logging
import Metrics
import Synchronization

/// The ingester role: per-tenant streams in memory, the write-ahead log, and flushing chunks to the store.
///
/// Streams are spread over ``IngesterOptions/shardCount`` actors by fingerprint, so pushes to different streams are
/// applied in parallel. A push is applied to memory and logged to the WAL inside its shard (same order), then
/// acknowledged once the WAL has made it durable. ``open(options:sink:logger:now:)`` replays the WAL first.
public final class Ingester: PushTarget, IngesterAdmin, LogSource, TailTarget, Sendable {
    let options: IngesterOptions
    let sink: any ChunkSink
    let logger: Logger
    let wal: WALWriter?
    let shards: [IngesterShard]
    let streamLimit: StreamLimit
    let metrics: IngesterMetrics
    /// Serialises flush cycles (the loop, `/flush` and shutdown).
    let flushLock = FlushLock()
    /// Live tails: offered every push's accepted entries once they are durable.
    public let tails = TailRegistry()
    private let stopping = Atomic<Bool>(false)

    private init(options: IngesterOptions, sink: any ChunkSink, logger: Logger, wal: WALWriter?,
                 shards: [IngesterShard], streamLimit: StreamLimit) {
        self.options = options
        self.sink = sink
        self.logger = logger
        self.wal = wal
        self.shards = shards
        self.streamLimit = streamLimit
        metrics = IngesterMetrics()
    }

    /// Replays the WAL (when enabled) and opens it for appending. Problems found in the log (a torn tail after a
    /// crash, a corrupted record) are logged and counted; everything before them is kept.
    public static func open(options: IngesterOptions, sink: any ChunkSink, logger: Logger, now: Int64) throws -> Ingester {
        let shardCount = max(1, options.shardCount)
        var states = Array(repeating: ShardState(options: options), count: shardCount)
        var pins = Array(repeating: WALSegmentPins(), count: shardCount)
        var writer: WALWriter?
        if let directory = options.walDirectory {
            let report = try WALReader(directory: directory).replay { record, position in
                switch record {
                case .entries(let entries):
                    for stream in entries.streams {
                        let shard = Int(stream.fingerprint % UInt64(shardCount))
                        states[shard].replay(tenant: entries.tenant, stream: stream, now: now)
                        pins[shard].appended(tenant: entries.tenant, fingerprint: stream.fingerprint,
                                             counterAfter: stream.counterAfter, segment: position.segment)
                    }
                case .flush(let flush):
                    for mark in flush.marks {
                        let shard = Int(mark.fingerprint % UInt64(shardCount))
                        pins[shard].flushed(tenant: flush.tenant, fingerprint: mark.fingerprint, through: mark.flushedThrough)
                    }
                }
            }
            for problem in report.problems {
                // A torn or zero-filled tail is what a crash (kill -9, power loss) normally leaves behind.
                let level: Logger.Level = problem.isTornTail ? .warning : .error
                logger.log(level: level, "WAL replay found a damaged record; everything before it was kept",
                           metadata: ["wal.problem": "\(problem)"])
            }
            logger.info("WAL replayed", metadata: [
                "wal.segments": "\(report.segments)", "wal.records": "\(report.records)",
                "wal.entries": "\(report.entries)", "wal.skipped_flushed": "\(report.skippedFlushedEntries)",
                "wal.problems": "\(report.problems.count)",
            ])
            Counter(label: "loki_ingester_wal_replay_problems_total").increment(by: report.problems.count)
            Counter(label: "loki_ingester_wal_replayed_entries_total").increment(by: report.entries)
            let opened = try WALWriter(directory: directory, options: options.wal)
            let oldest = pins.map { $0.removableBefore(currentSegment: opened.currentSegment) }.min() ?? opened.currentSegment
            _ = try opened.removeSegments(before: oldest)
            writer = opened
        }
        let streamLimit = StreamLimit(limit: options.maxStreamsPerTenant)
        var tenantCounts: [String: Int] = [:]
        for state in states {
            for (tenant, streams) in state.tenants { tenantCounts[tenant, default: 0] += streams.count }
        }
        for (tenant, count) in tenantCounts { streamLimit.adjust(tenant: tenant, by: count) }
        let shards = zip(states, pins).map { IngesterShard(state: $0.0, pins: $0.1, wal: writer) }
        let ingester = Ingester(options: options, sink: sink, logger: logger, wal: writer, shards: shards,
                                streamLimit: streamLimit)
        ingester.metrics.streams.record(tenantCounts.values.reduce(0, +))
        return ingester
    }

    // MARK: - Push

    public func push(tenant: String, streams: [PushStream]) async throws(ServiceError) {
        if stopping.load(ordering: .relaxed) { throw ServiceError.unavailable("Ingester is stopping or already stopped.") }
        let now = WallClock.nowNanos()
        var byShard: [Int: [PushStream]] = [:]
        for stream in streams {
            byShard[Int(stream.labels.fingerprint % UInt64(shards.count)), default: []].append(stream)
        }
        // Shards are independent actors: append to all of them at once so one push never waits behind another
        // push's work on an unrelated shard, and concurrent pushes share WAL fsyncs.
        let outcomes: [(ticket: WALTicket?, result: ShardAppendResult, streamDelta: Int)]
        do {
            outcomes = try await withThrowingTaskGroup(
            of: (ticket: WALTicket?, result: ShardAppendResult, streamDelta: Int).self
        ) { group in
            for (index, shardStreams) in byShard {
                let shard = shards[index]
                let limit = streamLimit
                group.addTask {
                    try await shard.append(tenant: tenant, streams: shardStreams, now: now, streamLimit: limit)
                }
            }
            var collected: [(ticket: WALTicket?, result: ShardAppendResult, streamDelta: Int)] = []
            for try await outcome in group { collected.append(outcome) }
            return collected
            }
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError.internalError("\(error)")
        }
        var latest: WALTicket?
        var failure: StreamFailure?
        var accepted = 0
        var acceptedBytes = 0
        for (ticket, result, delta) in outcomes {
            streamLimit.adjust(tenant: tenant, by: delta)
            if let ticket, latest.map({ ticket > $0 }) ?? true { latest = ticket }
            if let last = result.failures.last { failure = last }
            accepted += result.acceptedEntries
            acceptedBytes += result.acceptedBytes
        }
        metrics.streams.record(streamLimit.snapshot.values.reduce(0, +))
        if let wal, let latest {
            do {
                try await wal.durable(latest)
            } catch {
                throw ServiceError(status: 500, message: "ingester WAL failed: \(error.message)")
            }
        }
        metrics.appendedEntries.increment(by: accepted)
        metrics.appendedBytes.increment(by: acceptedBytes)
        if tails.totalCount > 0 {
            let streams = outcomes.flatMap { $0.result.walStreams.map { TailedStream(labels: $0.labels, entries: $0.entries) } }
            let dropped = tails.offer(tenant: tenant, streams: streams)
            if dropped > 0 { metrics.tailDroppedEntries.increment(by: dropped) }
        }
        if let failure { throw ServiceError(status: failure.status, message: failure.message) }
    }

    // MARK: - Queries

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        var out: [StreamData] = []
        for shard in shards {
            out.append(contentsOf: await shard.select(tenant: tenant, matchers: matchers, start: start, end: end))
        }
        return out
    }

    // MARK: - Live tail

    public func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) async throws(ServiceError)
        -> any TailSubscription
    {
        if stopping.load(ordering: .relaxed) { throw ServiceError.unavailable("Ingester is stopping or already stopped.") }
        return tails.subscribe(tenant: tenant, matchers: matchers, bufferEntries: bufferEntries)
    }

    // MARK: - Admin

    public func flushAll() async throws(ServiceError) {
        do {
            try await flushCycle(force: true)
        } catch {
            throw ServiceError.internalError("flush failed: \(error)")
        }
    }

    public func notReadyReason() async -> String? {
        stopping.load(ordering: .relaxed) ? "Ingester is stopping" : nil
    }

    /// Stops accepting pushes, flushes if configured (always when the WAL is off), and closes the WAL.
    public func shutdown() async {
        stopping.store(true, ordering: .relaxed)
        tails.finishAll()
        if options.flushOnShutdown {
            do {
                try await flushCycle(force: true)
            } catch {
                logger.error("flush on shutdown failed; the WAL keeps the data", metadata: ["error": "\(error)"])
            }
        }
        if let wal {
            do {
                try await wal.close()
            } catch {
                logger.error("closing the WAL failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Active streams in memory.
    public func streamCount() async -> Int {
        var total = 0
        for shard in shards { total += await shard.streamCount }
        return total
    }
}
