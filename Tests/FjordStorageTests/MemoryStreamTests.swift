import FjordModel
import FjordStorage
import Testing

@Suite struct MemoryStreamTests {
    static let hour: Int64 = 3600 * 1_000_000_000
    static let base: Int64 = 1_795_316_400 * 1_000_000_000  // 2026-11-22T03:00:00Z

    private func stream(_ config: MemoryStreamConfig = MemoryStreamConfig(syncPeriod: 0)) -> MemoryStream {
        MemoryStream(labels: Labels(["app": "api"]), config: config)
    }

    private func allEntries(_ stream: MemoryStream) async throws -> [TestEntry] {
        var cursor = StreamCursor(blocks: stream.blocks(start: .min, end: .max), start: .min, end: .max, direction: .forward)
        return try await cursor.collect().testEntries
    }

    @Test func rejectsEntriesOutsideTheOutOfOrderWindowWithLokisMessage() {
        var stream = stream()
        let base = MemoryStreamTests.base
        #expect(stream.append(timestamp: base, line: Array("a".utf8), now: 0) == .appended)
        #expect(stream.append(timestamp: base - MemoryStreamTests.hour, line: Array("at cutoff".utf8), now: 0) == .appended)
        let tooOld = stream.append(timestamp: base - MemoryStreamTests.hour - 1, line: Array("old".utf8), now: 0)
        #expect(tooOld == .rejected(EntryRejection(message:
            "entry too far behind, entry timestamp is: 2026-11-22T01:59:59Z, oldest acceptable timestamp is: 2026-11-22T02:00:00Z")))
        // The window moves with the highest timestamp.
        #expect(stream.append(timestamp: base + 2 * MemoryStreamTests.hour, line: Array("b".utf8), now: 0) == .appended)
        guard case .rejected = stream.append(timestamp: base + MemoryStreamTests.hour / 2, line: Array("c".utf8), now: 0) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(stream.highestTime == base + 2 * MemoryStreamTests.hour)
    }

    @Test func duplicateRules() async throws {
        var stream = stream(MemoryStreamConfig(blockSize: 64, syncPeriod: 0))
        let sm = Labels(["trace": "1"])
        #expect(stream.append(timestamp: 10, line: Array("x".utf8), metadata: sm, now: 0) == .appended)
        #expect(stream.append(timestamp: 10, line: Array("x".utf8), metadata: sm, now: 0) == .duplicate)
        #expect(stream.append(timestamp: 10, line: Array("x".utf8), now: 0) == .appended)  // different metadata
        #expect(stream.append(timestamp: 10, line: Array("y".utf8), now: 0) == .appended)
        #expect(stream.append(timestamp: 10, line: Array("x".utf8), metadata: sm, now: 0) == .duplicate)  // in head
        // Fill past the block size so the head is cut; the last entry is still recognised after the cut.
        let long = Array(String(repeating: "z", count: 80).utf8)
        #expect(stream.append(timestamp: 11, line: long, now: 0) == .appended)
        #expect(stream.chunks.last?.blocks.count == 1)
        #expect(stream.chunks.last?.head.isEmpty == true)
        #expect(stream.append(timestamp: 11, line: long, now: 0) == .duplicate)
        // After the cut an identical copy of an older entry is no longer recognised (as in Loki).
        #expect(stream.append(timestamp: 10, line: Array("y".utf8), now: 0) == .appended)
        let entries = try await allEntries(stream)
        #expect(stream.entryCount == 5)
        #expect(entries.count == 4)  // the replayed "y" is merged away by the cursor
    }

    @Test func cutsBlocksAndClosesFullChunks() async throws {
        let config = MemoryStreamConfig(blockSize: 1024, targetChunkSize: 4096, syncPeriod: 0)
        var stream = stream(config)
        var random = SeededRandom(seed: 3)
        var expected: [TestEntry] = []
        for index in 0..<2000 {
            let time = MemoryStreamTests.base + Int64(index) * 1_000_000
            let line = Array("entry \(index) \(random.next())".utf8)
            #expect(stream.append(timestamp: time, line: line, now: Int64(index)) == .appended)
            expected.append(TestEntry(timestamp: time, bytes: line))
        }
        #expect(stream.chunks.count > 2)
        for chunk in stream.chunks.dropLast() {
            #expect(chunk.isClosed && chunk.closeReason == .full)
            #expect(chunk.head.isEmpty)
            #expect(chunk.size < config.targetChunkSize)
            #expect(chunk.blocks.dropLast().allSatisfy { $0.uncompressedSize >= config.blockSize })
        }
        #expect(try await allEntries(stream) == expected)
        #expect(stream.entryCount == 2000)
    }

    @Test func syncCutAtPeriodBoundary() {
        let period: Int64 = 1000
        let config = MemoryStreamConfig(targetChunkSize: 100_000, syncPeriod: period, syncMinUtilization: 0)
        var stream = MemoryStream(labels: Labels(), config: config)
        // Labels() has the FNV offset basis as fingerprint; find where the period rolls over.
        let offset = Int64(stream.fingerprint % UInt64(period))
        let boundary = 10 * period - offset
        #expect(stream.append(timestamp: boundary - 10, line: Array("a".utf8), now: 0) == .appended)
        #expect(stream.append(timestamp: boundary - 5, line: Array("b".utf8), now: 0) == .appended)
        #expect(stream.chunks.count == 1)
        #expect(stream.append(timestamp: boundary + 1, line: Array("c".utf8), now: 0) == .appended)
        #expect(stream.chunks.count == 2)
        #expect(stream.chunks[0].closeReason == .synced)
        // An out-of-order entry never triggers a sync cut.
        #expect(stream.append(timestamp: boundary - 1, line: Array("d".utf8), now: 0) == .appended)
        #expect(stream.chunks.count == 2)
    }

    @Test func snapshotSeesBlocksAndHeadInRange() async throws {
        var stream = stream(MemoryStreamConfig(blockSize: 100, syncPeriod: 0))
        for index in 0..<50 {
            _ = stream.append(timestamp: Int64(index) * 10, line: Array("line number \(index)".utf8), now: 0)
        }
        let blocks = stream.blocks(start: 200, end: 300)
        #expect(!blocks.isEmpty)
        #expect(blocks.allSatisfy { $0.maxTime >= 200 && $0.minTime < 300 })
        var cursor = StreamCursor(blocks: blocks, start: 200, end: 300, direction: .backward)
        let batch = try await cursor.collect()
        #expect(batch.timestamps == stride(from: 290, through: 200, by: -10).map { Int64($0) })
    }

    @Test func flushLifecycle() {
        var stream = stream()
        _ = stream.append(timestamp: 1, line: Array("a".utf8), now: 100)
        guard let id = stream.chunks.first?.id else {
            Issue.record("no chunk")
            return
        }
        let policy = FlushPolicy(chunkIdlePeriod: 50)
        #expect(policy.decide(stream.flushStates, now: 120).isEmpty)
        let actions = policy.decide(stream.flushStates, now: 151)
        #expect(actions == [.flush(chunkID: id, reason: .idle)])
        stream.closeChunk(id: id)
        #expect(stream.chunk(id: id)?.isClosed == true)
        #expect(stream.chunk(id: id)?.blocks.count == 1)
        stream.markFlushed(id: id, at: 160)
        #expect(policy.decide(stream.flushStates, now: 160) == [.drop(chunkID: id)])
        stream.removeChunk(id: id)
        #expect(stream.chunks.isEmpty && stream.isEmpty)
        // The duplicate rule survives the chunk's removal.
        #expect(stream.append(timestamp: 1, line: Array("a".utf8), now: 200) == .duplicate)
    }
}
