import FjordStorage
import Testing

@Suite struct FlushPolicyTests {
    static let minute: Int64 = 60 * 1_000_000_000
    let policy = FlushPolicy()

    private func chunk(_ id: UInt64, closed: Bool = false, reason: FlushReason? = nil, lastUpdated: Int64 = 0,
                       span: Int64 = 0, entries: Int = 10, flushedAt: Int64? = nil) -> ChunkFlushState {
        ChunkFlushState(id: id, isClosed: closed, closeReason: reason, lastUpdated: lastUpdated, minTime: 1_000,
                        maxTime: 1_000 + span, entryCount: entries, flushedAt: flushedAt)
    }

    @Test func defaultsAreLokis() {
        #expect(policy.chunkIdlePeriod == 30 * FlushPolicyTests.minute)
        #expect(policy.maxChunkAge == 120 * FlushPolicyTests.minute)
        #expect(policy.retainPeriod == 0)
    }

    @Test func reasons() {
        let minute = FlushPolicyTests.minute
        let now = 1_000 * minute
        #expect(policy.decide([chunk(1, lastUpdated: now - 30 * minute)], now: now).isEmpty)  // exactly idle period: not yet
        #expect(policy.decide([chunk(1, lastUpdated: now - 30 * minute - 1)], now: now) == [.flush(chunkID: 1, reason: .idle)])
        #expect(policy.decide([chunk(1, lastUpdated: now, span: 120 * minute)], now: now).isEmpty)
        #expect(policy.decide([chunk(1, lastUpdated: now, span: 120 * minute + 1)], now: now)
                == [.flush(chunkID: 1, reason: .maxAge)])
        #expect(policy.decide([chunk(1, closed: true, reason: .full, lastUpdated: now)], now: now)
                == [.flush(chunkID: 1, reason: .full)])
        #expect(policy.decide([chunk(1, closed: true, reason: .synced, lastUpdated: now)], now: now)
                == [.flush(chunkID: 1, reason: .synced)])
        // A chunk closed for flushing whose flush failed is retried as `full`, as in Loki.
        #expect(policy.decide([chunk(1, closed: true, lastUpdated: now)], now: now) == [.flush(chunkID: 1, reason: .full)])
    }

    @Test func forcedFlushKeepsRuleReasons() {
        let now = 1_000 * FlushPolicyTests.minute
        let chunks = [chunk(1, closed: true, reason: .full, lastUpdated: now), chunk(2, lastUpdated: now),
                      chunk(3, lastUpdated: now, entries: 0)]
        #expect(policy.decide(chunks, now: now, force: true)
                == [.flush(chunkID: 1, reason: .full), .flush(chunkID: 2, reason: .forced), .drop(chunkID: 3)])
    }

    @Test func retainPeriodAndFlushedChunks() {
        let minute = FlushPolicyTests.minute
        let retaining = FlushPolicy(retainPeriod: 5 * minute)
        let flushed = chunk(1, closed: true, reason: .full, flushedAt: 10 * minute)
        #expect(retaining.decide([flushed], now: 14 * minute).isEmpty)
        #expect(retaining.decide([flushed], now: 15 * minute) == [.drop(chunkID: 1)])
        #expect(policy.decide([flushed], now: 10 * minute, force: true) == [.drop(chunkID: 1)])
    }

    @Test func reasonLabelValues() {
        #expect(FlushReason.allCases.map(\.rawValue) == ["full", "synced", "idle", "max_age", "forced"])
    }
}
