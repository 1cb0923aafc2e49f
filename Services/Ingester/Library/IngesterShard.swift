import FjordModel
import FjordServiceAPI
import FjordWAL

/// One shard of an ingester: an actor around ``ShardState`` that also logs accepted entries to the WAL in the same
/// order they were applied, so per-stream counters in the log match memory.
actor IngesterShard {
    private var state: ShardState
    private var pins = WALSegmentPins()
    private let wal: WALWriter?

    init(state: ShardState, pins: WALSegmentPins, wal: WALWriter?) {
        self.state = state
        self.pins = pins
        self.wal = wal
    }

    /// Applies a push's streams and logs the accepted entries. Returns the WAL ticket to await (nil when nothing was
    /// logged or the WAL is off), the failures, and the change in the tenant's stream count.
    func append(tenant: String, streams: [PushStream], now: Int64, streamLimit: StreamLimit)
        throws(ServiceError) -> (ticket: WALTicket?, result: ShardAppendResult, streamDelta: Int)
    {
        let before = state.streamCount(tenant: tenant)
        let result = state.append(tenant: tenant, streams: streams, now: now) { tenant in
            streamLimit.allowsNewStream(tenant: tenant)
        }
        let delta = state.streamCount(tenant: tenant) - before
        var ticket: WALTicket?
        if let wal, !result.walStreams.isEmpty {
            do {
                let logged = try wal.append(.entries(WALEntriesRecord(tenant: tenant, streams: result.walStreams)))
                ticket = logged
                for stream in result.walStreams {
                    pins.appended(tenant: tenant, fingerprint: stream.fingerprint, counterAfter: stream.counterAfter,
                                  segment: logged.segment)
                }
            } catch {
                throw ServiceError(status: 503, message: "ingester cannot write its WAL: \(error.message)")
            }
        }
        return (ticket, result, delta)
    }

    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) -> [StreamData] {
        state.select(tenant: tenant, matchers: matchers, start: start, end: end)
    }

    func collectFlushes(now: Int64, force: Bool) -> [FlushJob] {
        state.collectFlushes(now: now, force: force)
    }

    /// Confirms flushed chunks; returns the flush marks per tenant and the stream-count change per tenant.
    func completeFlushes(_ jobs: [FlushJob], now: Int64) -> (marks: [String: [WALFlushMark]], streamDeltas: [String: Int]) {
        let tenants = Set(jobs.map(\.tenant))
        var before: [String: Int] = [:]
        for tenant in tenants { before[tenant] = state.streamCount(tenant: tenant) }
        let marks = state.completeFlushes(jobs, now: now)
        for (tenant, tenantMarks) in marks {
            for mark in tenantMarks {
                pins.flushed(tenant: tenant, fingerprint: mark.fingerprint, through: mark.flushedThrough)
            }
        }
        var deltas: [String: Int] = [:]
        for tenant in tenants { deltas[tenant] = state.streamCount(tenant: tenant) - (before[tenant] ?? 0) }
        return (marks, deltas)
    }

    /// The oldest WAL segment this shard's unflushed entries live in (or `current` when none).
    func removableBefore(currentSegment: Int) -> Int { pins.removableBefore(currentSegment: currentSegment) }

    func labelNames(tenant: String, matchers: [LabelMatcher]) -> Set<String> {
        state.labelNames(tenant: tenant, matchers: matchers)
    }

    var streamCount: Int { state.streamCount }
    var memoryUsage: (entries: Int, bytes: Int) { state.memoryUsage }
}
