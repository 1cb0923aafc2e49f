import FjordConformanceKit
@testable import FjordEngine
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

/// Log queries merged by concurrent workers (streams split between them) answer exactly like one sequential merge.
@Suite struct ParallelLogQueryTests {
    @Test func cutoffTracksTheLimitThBestTimestamp() {
        let newest = LimitCutoff(limit: 3, direction: .backward)
        #expect(newest.mayBeNeeded(.min))
        for time: Int64 in [10, 30, 20] { newest.offer(time) }
        #expect(!newest.mayBeNeeded(9) && newest.mayBeNeeded(10))
        newest.offer(25)
        #expect(!newest.mayBeNeeded(19) && newest.mayBeNeeded(20))
        newest.offer(5)
        #expect(!newest.mayBeNeeded(19))
        let oldest = LimitCutoff(limit: 2, direction: .forward)
        for time: Int64 in [50, 40, 45] { oldest.offer(time) }
        #expect(oldest.mayBeNeeded(45) && !oldest.mayBeNeeded(46))
    }

    @Test func streamsAreSplitIntoBalancedGroups() {
        let block = { (count: Int) -> any EntryBlock in
            var batch = EntryBatch()
            for index in 0..<count { batch.append(timestamp: base + Int64(index), line: Array("x".utf8)) }
            return MemoryBlock(batch: batch)
        }
        let streams = [9, 1, 5, 4, 3].enumerated().map { position, count in
            SourceStream(labels: labels(["s": "\(position)"]), tenant: "fake", blocks: [block(count)])
        }
        let groups = SourceStream.balancedGroups(streams, count: 2)
        #expect(groups.count == 2)
        let loads = groups.map { $0.reduce(0) { $0 + streams[$1].blocks[0].entryCount } }
        // Largest first onto the lighter group: 9 | 5+4 | then 3 onto the first, 1 onto the second.
        #expect(loads.sorted() == [10, 12])
        #expect(groups.flatMap { $0 }.sorted() == [0, 1, 2, 3, 4])
    }

    static let source: MemoryLogSource = {
        var builder = MemoryLogSource.Builder(blockSize: 300)
        var state: UInt64 = 7
        for stream in 0..<6 {
            var time = base
            for index in 0..<6000 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                time += Int64(state >> 44) + 1
                let word = state >> 60 == 0 ? "rare" : "common"
                builder.add(labels: labels(["app": "s\(stream)"]), time: time, line: "\(word) \(stream)-\(index)")
            }
        }
        return builder.build()
    }()

    @Test(arguments: [(Direction.backward, 100, "common"), (.backward, 5000, "rare"), (.forward, 700, "common"),
                      (.forward, 5000, "rare"), (.backward, 5000, "nothing matches")])
    func parallelSlicesMatchOneSequentialPass(direction: Direction, limit: Int, word: String) async throws {
        let expression = Expr.log(LogSelectorExpr(matchers: [regex("app", ".+")], pipeline: [contains(word)]))
        let parameters = QueryParameters.range(tenants: ["fake"], start: base, end: base + 100_000 * second,
                                               step: second, limit: limit, direction: direction)
        let sequential = try await QueryEngine(source: Self.source, parallelism: 1).execute(expression, parameters)
        let sliced = try await QueryEngine(source: Self.source, parallelism: 4).execute(expression, parameters)
        guard case .streams(let one) = sequential.data, case .streams(let many) = sliced.data else {
            Issue.record("expected streams")
            return
        }
        #expect(one.map(\.labels) == many.map(\.labels))
        #expect(one.map { $0.entries.map(\.timestamp) } == many.map { $0.entries.map(\.timestamp) })
        #expect(one.map { $0.entries.map(\.line) } == many.map { $0.entries.map(\.line) })
        #expect(sequential.statistics.totalEntriesReturned == sliced.statistics.totalEntriesReturned)
    }
}
