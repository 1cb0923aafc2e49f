@testable import FjordIngester
import FjordConfig
import FjordModel
import FjordServiceAPI
import FjordStorage
import Testing

@Suite struct ShardStateTests {
    let base: Int64 = 1_795_316_400_000_000_000

    func options(_ change: (inout FjordConfiguration) -> Void = { _ in }) -> IngesterOptions {
        var config = FjordConfiguration()
        change(&config)
        return IngesterOptions(config: config)
    }

    func push(_ labels: Labels, _ lines: [(Int64, String)]) -> PushStream {
        var batch = EntryBatch()
        for (offset, line) in lines { batch.append(timestamp: base + offset, line: Array(line.utf8)) }
        return PushStream(labels: labels, entries: batch)
    }

    @Test func appendsCountEntriesAndLogOnlyAcceptedOnes() {
        var state = ShardState(options: options())
        let labels = Labels(["app": "a"])
        let first = state.append(tenant: "t", streams: [push(labels, [(1, "x"), (2, "y"), (2, "y")])], now: base) { _ in true }
        #expect(first.acceptedEntries == 2)  // the exact duplicate is dropped silently
        #expect(first.walStreams.first?.counterBefore == 0)
        #expect(first.walStreams.first?.counterAfter == 2)
        #expect(first.failures.isEmpty)
        let second = state.append(tenant: "t", streams: [push(labels, [(3, "z")])], now: base) { _ in true }
        #expect(second.walStreams.first?.counterBefore == 2)
        #expect(state.streamCount(tenant: "t") == 1)
    }

    @Test func outOfOrderBeyondTheWindowIsRejectedWithLokisText() {
        var state = ShardState(options: options())
        let labels = Labels(["app": "a"])
        _ = state.append(tenant: "t", streams: [push(labels, [(3 * 3_600_000_000_000, "late")])], now: base) { _ in true }
        let result = state.append(tenant: "t", streams: [push(labels, [(0, "too old")])], now: base) { _ in true }
        #expect(result.acceptedEntries == 0)
        let failure = result.failures.first
        #expect(failure?.status == 400)
        #expect(failure?.message.contains("ignored, reason: 'entry too far behind, entry timestamp is: 2026-11-22T03:00:00Z, oldest acceptable timestamp is: 2026-11-22T05:00:00Z',") == true)
        #expect(failure?.message.hasSuffix("user 't', total ignored: 1 out of 1 for stream: {app=\"a\"}") == true)
    }

    @Test func streamLimitRefusesNewStreamsOnly() {
        var state = ShardState(options: options())
        var admitted = 0
        let result = state.append(tenant: "t", streams: [push(Labels(["app": "a"]), [(1, "x")]),
                                                         push(Labels(["app": "b"]), [(1, "x")])],
                                  now: base) { _ in
            admitted += 1
            return admitted <= 1
        }
        #expect(result.acceptedEntries == 1)
        #expect(result.failures.first?.status == 429)
        #expect(state.streamCount == 1)
        var limited = ShardState(options: options())
        let refused = limited.append(tenant: "t", streams: [push(Labels(["app": "a"]), [(1, "x")])], now: base) { _ in false }
        #expect(refused.failures.first?.status == 429)
        #expect(refused.failures.first?.message.hasPrefix("maximum active stream limit exceeded when trying to create stream {app=\"a\"}") == true)
        #expect(limited.streamCount == 0)
    }

    @Test func forcedFlushMarksEverythingFlushedAndForgetsTheStream() {
        var state = ShardState(options: options())
        let labels = Labels(["app": "a"])
        _ = state.append(tenant: "t", streams: [push(labels, [(1, "x"), (2, "y")])], now: base) { _ in true }
        let jobs = state.collectFlushes(now: base, force: true)
        #expect(jobs.count == 1)
        #expect(jobs.first?.chunk.entryCount == 2)
        let marks = state.completeFlushes(jobs, now: base)
        #expect(marks["t"]?.first?.flushedThrough == 2)
        #expect(state.streamCount == 0)
        // Queries no longer see it in memory (it is in the store now).
        #expect(state.select(tenant: "t", matchers: [.equal("app", "a")], start: base, end: base + 10).isEmpty)
    }

    @Test func replaySkipsFlushedEntriesAndRestoresCounters() {
        var state = ShardState(options: options())
        let labels = Labels(["app": "a"])
        var batch = EntryBatch()
        batch.append(timestamp: base + 5, line: Array("after flush".utf8))
        state.replay(tenant: "t", stream: .init(labels: labels, counterBefore: 7, entries: batch), now: base)
        let next = state.append(tenant: "t", streams: [push(labels, [(6, "new")])], now: base) { _ in true }
        #expect(next.walStreams.first?.counterBefore == 8)
        let streams = state.select(tenant: "t", matchers: [.equal("app", "a")], start: base, end: base + 10)
        #expect(streams.first?.blocks.reduce(0) { $0 + $1.entryCount } == 2)
    }
}
