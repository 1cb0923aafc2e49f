import FjordEngine
import FjordLogQL
import FjordModel
import Synchronization
import Testing

/// Counts block decodes, to show which blocks a query never reads.
final class DecodeCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

struct CountingBlock: EntryBlock {
    let inner: MemoryBlock
    let counter: DecodeCounter
    var minTime: Int64 { inner.minTime }
    var maxTime: Int64 { inner.maxTime }
    var entryCount: Int { inner.entryCount }
    func decode(_ content: BlockContent) async throws -> EntryBatch {
        counter.increment()
        return try await inner.decode(content)
    }
}

/// A source returning fixed streams for every tenant.
struct FixedSource: LogSource {
    let streams: [StreamData]
    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        streams.filter { $0.labels.matches(matchers) }
    }
}

func batch(_ entries: [(Int64, String)]) -> EntryBatch {
    var batch = EntryBatch()
    for (time, line) in entries { batch.append(timestamp: time, line: Array(line.utf8)) }
    return batch
}

@Suite struct LogQueryTests {
    let app = labels(["app": "a"])
    let other = labels(["app": "b"])

    func source() -> MemoryLogSource {
        var builder = MemoryLogSource.Builder(blockSize: 2)
        for index in 0..<5 {
            builder.add(labels: app, time: base + Int64(index * 2) * second, line: "a\(index)")
            builder.add(labels: other, time: base + Int64(index * 2 + 1) * second, line: "b\(index)")
        }
        return builder.build()
    }

    func run(_ selector: LogSelectorExpr, _ parameters: QueryParameters, source: (any LogSource)? = nil,
             limits: QueryLimits = QueryLimits()) async throws -> [ResultStream] {
        let engine = QueryEngine(source: source ?? self.source(), limits: limits)
        let result = try await engine.execute(.log(selector), parameters)
        guard case .streams(let streams) = result.data else {
            Issue.record("expected streams, got \(result.data)")
            return []
        }
        return streams
    }

    func lines(_ streams: [ResultStream]) -> [[String]] {
        streams.map { $0.entries.map { String(decoding: $0.line, as: UTF8.self) } }
    }

    @Test func backwardLimitTakesTheNewestEntriesAcrossStreams() async throws {
        let streams = try await run(
            LogSelectorExpr(matchers: [regex("app", ".+")]),
            .range(tenants: ["fake"], start: base, end: base + 100 * second, step: second, limit: 3))
        #expect(streams.map(\.labels) == [app, other])
        #expect(lines(streams) == [["a4"], ["b4", "b3"]])
    }

    @Test func forwardLimitTakesTheOldestEntries() async throws {
        let streams = try await run(
            LogSelectorExpr(matchers: [regex("app", ".+")]),
            .range(tenants: ["fake"], start: base, end: base + 100 * second, step: second, limit: 4,
                   direction: .forward))
        #expect(lines(streams) == [["a0", "a1"], ["b0", "b1"]])
    }

    @Test func rangeIncludesStartAndExcludesEnd() async throws {
        let streams = try await run(
            LogSelectorExpr(matchers: [equal("app", "a")]),
            .range(tenants: ["fake"], start: base + 2 * second, end: base + 6 * second, step: second, limit: 100))
        #expect(lines(streams) == [["a2", "a1"]])
    }

    @Test func lineFilterRunsBeforeTheLimit() async throws {
        let streams = try await run(
            LogSelectorExpr(matchers: [regex("app", ".+")], pipeline: [contains("1")]),
            .range(tenants: ["fake"], start: base, end: base + 100 * second, step: second, limit: 10))
        #expect(lines(streams) == [["a1"], ["b1"]])
    }

    @Test func intervalKeepsEntriesSpacedInQueryDirection() async throws {
        let streams = try await run(
            LogSelectorExpr(matchers: [regex("app", ".+")]),
            .range(tenants: ["fake"], start: base, end: base + 100 * second, step: second, interval: 3 * second,
                   limit: 100))
        // Backward from b4 (9 s): next ≤ 6 s is a3 (6 s), then ≤ 3 s is b1 (3 s), then ≤ 0 s is a0.
        #expect(lines(streams) == [["a3", "a0"], ["b4", "b1"]])
    }

    @Test func limitAboveTheMaximumIsRejectedWithLokisText() async throws {
        await #expect(throws: QueryError.entriesLimit(requested: 6000, limit: 5000)) {
            _ = try await run(LogSelectorExpr(matchers: [equal("app", "a")]),
                              .range(tenants: ["fake"], start: base, end: base + second, step: second, limit: 6000))
        }
        #expect(QueryError.entriesLimit(requested: 6000, limit: 5000).message
            == "max entries limit per query exceeded, limit > max_entries_limit_per_query (6000 > 5000)")
    }

    @Test func stopsBeforeDecodingBlocksOlderThanTheLimit() async throws {
        let counter = DecodeCounter()
        let newBlock = CountingBlock(inner: MemoryBlock(batch: batch([(base + 100 * second, "new1"),
                                                                      (base + 101 * second, "new2")])),
                                     counter: counter)
        let oldBlock = CountingBlock(inner: MemoryBlock(batch: batch([(base + 1 * second, "old1"),
                                                                      (base + 2 * second, "old2")])),
                                     counter: counter)
        let source = FixedSource(streams: [
            StreamData(labels: app, blocks: [oldBlock, newBlock]),
            StreamData(labels: other, blocks: [CountingBlock(inner: MemoryBlock(batch: batch([(base + 3 * second, "x")])),
                                                             counter: counter)]),
        ])
        let streams = try await run(
            LogSelectorExpr(matchers: [regex("app", ".+")]),
            .range(tenants: ["fake"], start: base, end: base + 200 * second, step: second, limit: 2), source: source)
        #expect(lines(streams) == [["new2", "new1"]])
        #expect(counter.value == 1)
    }

    @Test func overlappingBlocksAreMergedAndDeduplicated() async throws {
        let first = MemoryBlock(batch: batch([(base + 1 * second, "one"), (base + 3 * second, "three")]))
        let replica = MemoryBlock(batch: batch([(base + 1 * second, "one"), (base + 2 * second, "two"),
                                                (base + 3 * second, "three")]))
        let source = FixedSource(streams: [StreamData(labels: app, blocks: [first, replica])])
        let streams = try await run(
            LogSelectorExpr(matchers: [equal("app", "a")]),
            .range(tenants: ["fake"], start: base, end: base + 10 * second, step: second, limit: 100,
                   direction: .forward), source: source)
        #expect(lines(streams) == [["one", "two", "three"]])
    }

    @Test func multiTenantReadsLabelEveryStreamWithItsTenant() async throws {
        var builder = MemoryLogSource.Builder()
        builder.add(tenant: "t1", labels: app, time: base + second, line: "from t1")
        builder.add(tenant: "t2", labels: app, time: base + 2 * second, line: "from t2")
        let source = builder.build()
        let parameters = QueryParameters.range(tenants: ["t1", "t2"], start: base, end: base + 10 * second,
                                               step: second)
        let all = try await run(LogSelectorExpr(matchers: [equal("app", "a")]), parameters, source: source)
        #expect(all.map(\.labels) == [labels(["app": "a", "__tenant_id__": "t1"]),
                                      labels(["app": "a", "__tenant_id__": "t2"])])
        let onlyT2 = try await run(LogSelectorExpr(matchers: [equal("app", "a"), equal("__tenant_id__", "t2")]),
                                   parameters, source: source)
        #expect(lines(onlyT2) == [["from t2"]])
    }

    @Test func structuredMetadataSplitsStreamsAndIsReported() async throws {
        var builder = MemoryLogSource.Builder()
        builder.add(labels: app, time: base + second, line: "plain")
        builder.add(labels: app, time: base + 2 * second, line: "tagged", metadata: labels(["trace": "t1"]))
        let streams = try await run(LogSelectorExpr(matchers: [equal("app", "a")]),
                                    .range(tenants: ["fake"], start: base, end: base + 10 * second, step: second),
                                    source: builder.build())
        // Sorted by label string: `{app="a", trace="t1"}` < `{app="a"}` because ',' < '}'.
        #expect(streams.map(\.labels) == [labels(["app": "a", "trace": "t1"]), app])
        #expect(streams[0].streamLabels == app)
        #expect(streams[0].entries.first?.structuredMetadata == labels(["trace": "t1"]))
        #expect(streams[0].entries.first?.parsed.isEmpty == true)
    }

    @Test func instantLogQueryLooksBackThirtySeconds() async throws {
        let streams = try await run(LogSelectorExpr(matchers: [equal("app", "a")]),
                                    .instant(tenants: ["fake"], time: base + 31 * second),
                                    source: {
                                        var builder = MemoryLogSource.Builder()
                                        builder.add(labels: app, time: base, line: "too old")
                                        builder.add(labels: app, time: base + 2 * second, line: "recent")
                                        return builder.build()
                                    }())
        #expect(lines(streams) == [["recent"]])
    }
}
