import FjordLogQL
import FjordModel
import FjordServiceAPI
@testable import FjordTail
import Testing

func batch(_ entries: [(Int64, String)]) -> EntryBatch {
    var out = EntryBatch()
    for (timestamp, line) in entries { out.append(timestamp: timestamp, line: Array(line.utf8)) }
    return out
}

let appA = Labels(sortedPairs: [LabelPair("app", "a")])
let appB = Labels(sortedPairs: [LabelPair("app", "b")])

@Suite struct TailBufferTests {
    @Test func aSlowReaderGetsDroppedEntriesInsteadOfBlockingTheProducer() async throws {
        let buffer = TailBuffer(capacity: 3)
        // The reader is not reading: every offer returns at once; past 3 entries the rest are dropped.
        #expect(buffer.offer(TailedStream(labels: appA, entries: batch([(1, "a1"), (2, "a2")]))) == 0)
        #expect(buffer.offer(TailedStream(labels: appB, entries: batch([(3, "b3"), (4, "b4"), (5, "b5")]))) == 2)
        for index in 0..<1000 {
            #expect(buffer.offer(TailedStream(labels: appA, entries: batch([(Int64(10 + index), "x")]))) == 1)
        }
        let first = try #require(try await buffer.next())
        #expect(first.entryCount == 3)
        #expect(first.streams.map(\.labels) == [appA, appB])
        #expect(first.streams[1].entries.timestamps == [3])
        // Drops are reported with labels and timestamps, at most `capacity` of them.
        #expect(first.dropped.count == 3)
        #expect(first.dropped[0] == DroppedTailEntry(timestamp: 4, labels: appB))
        #expect(first.dropped[1] == DroppedTailEntry(timestamp: 5, labels: appB))
        #expect(first.dropped[2] == DroppedTailEntry(timestamp: 10, labels: appA))
        // Reading frees the room.
        #expect(buffer.offer(TailedStream(labels: appA, entries: batch([(2000, "again")]))) == 0)
        let second = try #require(try await buffer.next())
        #expect(second.entryCount == 1)
        #expect(second.dropped.isEmpty)
    }

    @Test func aWaitingReaderWakesOnOfferAndEndsOnCancel() async throws {
        let buffer = TailBuffer(capacity: 10)
        async let read = buffer.next()
        try await Task.sleep(nanoseconds: 10_000_000)
        buffer.offer(TailedStream(labels: appA, entries: batch([(1, "hello")])))
        let got = try #require(try await read)
        #expect(got.streams.first?.entries.lineString(0) == "hello")
        async let ended = buffer.next()
        buffer.cancel()
        #expect(try await ended == nil)
        // After the end offers are ignored.
        #expect(buffer.offer(TailedStream(labels: appA, entries: batch([(2, "late")]))) == 0)
        #expect(try await buffer.next() == nil)
    }

    @Test func cancellingTheReadingTaskReturnsNil() async throws {
        let buffer = TailBuffer(capacity: 10)
        let task = Task { try await buffer.next() }
        task.cancel()
        #expect(try await task.value == nil)
    }

    @Test func aReadCutShortByCancellationLeavesLaterReadsWaiting() async throws {
        // `delay_for` tails give up reads that take too long; the next read must wait again, not spin.
        let buffer = TailBuffer(capacity: 10)
        let task = Task { try await buffer.next() }
        try await Task.sleep(nanoseconds: 10_000_000)
        task.cancel()
        #expect(try await task.value == nil)
        let waitsBefore = buffer.waitCount
        async let read = buffer.next()
        try await Task.sleep(nanoseconds: 50_000_000)
        buffer.offer(TailedStream(labels: appA, entries: batch([(1, "after")])))
        let got = try #require(try await read)
        #expect(got.entryCount == 1)
        #expect(buffer.waitCount - waitsBefore <= 2, "the reader spun \(buffer.waitCount - waitsBefore) times")
    }

    @Test func aFailureReachesTheReader() async throws {
        let buffer = TailBuffer(capacity: 10)
        buffer.fail(ServiceError.unavailable("ingester-1 closed the connection"))
        await #expect(throws: ServiceError.unavailable("ingester-1 closed the connection")) { try await buffer.next() }
    }
}

@Suite struct TailRegistryTests {
    @Test func offersOnlyToMatchingSubscriptionsOfTheTenant() async throws {
        let registry = TailRegistry()
        let matching = registry.subscribe(tenant: "t1", matchers: [LabelMatcher.equal("app", "a")], bufferEntries: 10)
        let otherTenant = registry.subscribe(tenant: "t2", matchers: [LabelMatcher.equal("app", "a")], bufferEntries: 10)
        #expect(registry.count(tenant: "t1") == 1)
        registry.offer(tenant: "t1", streams: [
            TailedStream(labels: appA, entries: batch([(1, "a")])), TailedStream(labels: appB, entries: batch([(2, "b")])),
        ])
        let got = try #require(try await matching.next())
        #expect(got.streams.map(\.labels) == [appA])
        otherTenant.offer(TailedStream(labels: appA, entries: batch([(9, "own")])))
        #expect(try await otherTenant.next()?.streams.first?.entries.timestamps == [9])
        matching.cancel()
        otherTenant.cancel()
        #expect(registry.count(tenant: "t1") == 0)
        #expect(registry.totalCount == 0)
        #expect(registry.offer(tenant: "t1", streams: [TailedStream(labels: appA, entries: batch([(3, "a")]))]) == 0)
    }
}

@Suite struct TailSessionTests {
    func selector(_ query: String) throws -> LogSelectorExpr {
        guard case .log(let selector) = try LogQLParser.parse(query) else { throw TailTestError() }
        return selector
    }

    struct TailTestError: Error {}

    @Test func runsThePipelineAndDropsReplicaRepeats() throws {
        let session = try TailSession(selector: selector("{app=\"a\"} |= \"keep\" | logfmt"))
        let lines = batch([(2, "keep level=warn"), (1, "keep level=info"), (3, "drop level=info")])
        // The same stream from three replicas.
        let replicas = TailBatch(streams: Array(repeating: TailedStream(labels: appA, entries: lines), count: 3))
        let out = session.process(replicas, now: 100)
        #expect(out.count == 2)
        #expect(out.map { $0.labels["level"] } == ["info", "warn"])
        #expect(out.flatMap(\.entries).map(\.timestamp) == [1, 2])
        #expect(out[0].streamLabels == appA)
        #expect(out[0].entries[0].parsed == Labels(sortedPairs: [LabelPair("level", "info")]))
        // A later repeat (a slow replica) is still recognised; history entries count as sent.
        #expect(session.process(TailBatch(streams: [TailedStream(labels: appA, entries: lines)]), now: 200).isEmpty)
    }

    @Test func historyIsSentOldestFirstAndNotRepeatedLive() throws {
        let session = try TailSession(selector: selector("{app=\"a\"}"))
        let history = [ResultStream(labels: appA, streamLabels: appA, entries: [
            ResultEntry(timestamp: 5, line: Array("five".utf8)), ResultEntry(timestamp: 4, line: Array("four".utf8)),
        ])]
        let sent = session.history(history, now: 10)
        #expect(sent.flatMap(\.entries).map(\.timestamp) == [4, 5])
        let live = session.process(TailBatch(streams: [TailedStream(labels: appA, entries: batch([(5, "five"), (6, "six")]))]),
                                   now: 11)
        #expect(live.flatMap(\.entries).map(\.timestamp) == [6])
    }

    @Test func theSeenSetForgetsAfterItsWindow() {
        var deduper = TailDeduper(windowNanos: 10, maxEntries: 100)
        let first = deduper.firstSighting(labels: appA, timestamp: 1, line: [1, 2][...], now: 0)
        let repeated = deduper.firstSighting(labels: appA, timestamp: 1, line: [1, 2][...], now: 5)
        let otherStream = deduper.firstSighting(labels: appB, timestamp: 1, line: [1, 2][...], now: 5)
        let afterWindow = deduper.firstSighting(labels: appA, timestamp: 1, line: [1, 2][...], now: 20)
        #expect(first && !repeated && otherStream && afterWindow)
        #expect(deduper.count == 1)
    }
}

@Suite struct TailDelayQueueTests {
    func stream(_ labels: Labels, _ timestamps: [Int64]) -> ResultStream {
        ResultStream(labels: labels, streamLabels: labels,
                     entries: timestamps.map { ResultEntry(timestamp: $0, line: Array("t\($0)".utf8)) })
    }

    @Test func holdsEntriesUntilTheyAreOldEnoughThenSendsThemSorted() {
        var queue = TailDelayQueue(delayNanos: 100)
        queue.add([stream(appA, [50, 10])])
        queue.add([stream(appB, [30]), stream(appA, [20])])
        #expect(queue.earliest == 10)
        #expect(queue.takeDue(now: 105).isEmpty)
        let due = queue.takeDue(now: 130)
        #expect(due.map(\.labels) == [appA, appB])
        #expect(due[0].entries.map(\.timestamp) == [10, 20])
        #expect(due[1].entries.map(\.timestamp) == [30])
        #expect(queue.earliest == 50)
        #expect(queue.takeDue(now: 1000).flatMap(\.entries).map(\.timestamp) == [50])
        #expect(queue.isEmpty)
    }
}
