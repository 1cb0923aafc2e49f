import FjordModel
import FjordStorage
import Testing

@Suite struct StreamCursorTests {
    private func read(_ blocks: [any EntryBlock], _ start: Int64 = .min, _ end: Int64 = .max,
                      _ direction: Direction = .forward) async throws -> [TestEntry] {
        var cursor = StreamCursor(blocks: blocks, start: start, end: end, direction: direction)
        var result: [TestEntry] = []
        while let batch = try await cursor.next() { result += batch.testEntries }
        return result
    }

    @Test func nonOverlappingBlocksAreDecodedOneAtATime() async throws {
        let first = TestBlock([TestEntry(1, "a"), TestEntry(2, "b")])
        let second = TestBlock([TestEntry(5, "c"), TestEntry(6, "d")])
        let third = TestBlock([TestEntry(9, "e")])
        var cursor = StreamCursor(blocks: [third, first, second], start: .min, end: .max, direction: .forward)
        #expect(cursor.nextBound == 1)
        let batch = try await cursor.next()
        #expect(batch?.testEntries == [TestEntry(1, "a"), TestEntry(2, "b")])
        #expect(first.decodeCount == 1 && second.decodeCount == 0 && third.decodeCount == 0)
        #expect(cursor.nextBound == 5)
        _ = try await cursor.next()
        #expect(cursor.nextBound == 9)
        _ = try await cursor.next()
        #expect(cursor.nextBound == nil)
        #expect(try await cursor.next() == nil)
    }

    @Test func backwardIsTheExactReverse() async throws {
        let blocks: [any EntryBlock] = [
            TestBlock([TestEntry(1, "a"), TestEntry(3, "c1"), TestEntry(3, "c2")]),
            TestBlock([TestEntry(7, "x"), TestEntry(8, "y")]),
        ]
        let forward = try await read(blocks)
        let backward = try await read(blocks, .min, .max, .backward)
        #expect(backward == forward.reversed())
        var cursor = StreamCursor(blocks: blocks, start: .min, end: .max, direction: .backward)
        #expect(cursor.nextBound == 8)
        _ = try await cursor.next()
        #expect(cursor.nextBound == 3)
    }

    @Test func overlappingBlocksMergeAndDeduplicate() async throws {
        let sm = Labels(["k": "v"])
        let replicaA = TestBlock([TestEntry(1, "a"), TestEntry(4, "d"), TestEntry(4, "d2"), TestEntry(6, "f", sm)])
        let replicaB = TestBlock([TestEntry(2, "b"), TestEntry(4, "d2"), TestEntry(4, "d"), TestEntry(6, "f"), TestEntry(6, "f", sm)])
        let later = TestBlock([TestEntry(6, "g"), TestEntry(10, "z")])
        let entries = try await read([later, replicaB, replicaA])
        #expect(entries == [
            TestEntry(1, "a"), TestEntry(2, "b"), TestEntry(4, "d"), TestEntry(4, "d2"), TestEntry(6, "f", sm),
            TestEntry(6, "f"), TestEntry(6, "g"), TestEntry(10, "z"),
        ])
        #expect(try await read([later, replicaB, replicaA], .min, .max, .backward) == entries.reversed())
    }

    @Test func overlappingBlocksAreFilteredBeforeTheyAreMerged() async throws {
        let sm = Labels(["k": "v"])
        let entriesA = [TestEntry(1, "a needle"), TestEntry(4, "d"), TestEntry(4, "d2 needle"), TestEntry(6, "f needle", sm)]
        let entriesB = [TestEntry(2, "b"), TestEntry(4, "d2 needle"), TestEntry(4, "d"), TestEntry(6, "f needle"),
                        TestEntry(6, "f needle", sm)]
        let needle = Array("needle".utf8)
        for direction in [Direction.forward, .backward] {
            let replicaA = LiteralFilteringBlock(entriesA)
            let replicaB = LiteralFilteringBlock(entriesB)
            var cursor = StreamCursor(blocks: [replicaB, replicaA], start: .min, end: .max, direction: direction,
                                      content: .fullIfContaining([needle]))
            var filtered: [TestEntry] = []
            while let batch = try await cursor.next() { filtered += batch.testEntries }
            #expect(replicaA.contents == [.fullIfContaining([needle])] && replicaB.contents == [.fullIfContaining([needle])])
            let all = try await read([TestBlock(entriesB), TestBlock(entriesA)], .min, .max, direction)
            #expect(filtered == all.filter { String(decoding: $0.line, as: UTF8.self).contains("needle") })
        }
    }

    @Test func rangeIsHalfOpen() async throws {
        let blocks: [any EntryBlock] = [
            TestBlock((0..<10).map { TestEntry(Int64($0) * 10, "e\($0)") }),
            TestBlock((10..<20).map { TestEntry(Int64($0) * 10, "e\($0)") }),
        ]
        let entries = try await read(blocks, 35, 120)
        #expect(entries.map(\.timestamp) == [40, 50, 60, 70, 80, 90, 100, 110])
        var cursor = StreamCursor(blocks: blocks, start: 35, end: 120, direction: .backward)
        #expect(cursor.nextBound == 119)
        let newest = try await cursor.next()
        #expect(newest?.timestamps == [110, 100])
        #expect(try await read(blocks, 500, 600).isEmpty)
        #expect(try await read(blocks, 50, 50).isEmpty)
    }

    @Test func timestampsAndSizesDropsLinesButDeduplicates() async throws {
        let blocks: [any EntryBlock] = [
            CompressedBlock.encode(EntryBatch([TestEntry(1, "aa"), TestEntry(2, "bbb")])),
            CompressedBlock.encode(EntryBatch([TestEntry(2, "bbb"), TestEntry(3, "c")])),
            CompressedBlock.encode(EntryBatch([TestEntry(9, "zzzz")])),
        ]
        var cursor = StreamCursor(blocks: blocks, start: .min, end: .max, direction: .forward, content: .timestampsAndSizes)
        let merged = try await cursor.next()
        #expect(merged?.hasLines == false)
        #expect(merged?.timestamps == [1, 2, 3])
        #expect(merged.map { batch in (0..<batch.count).map { batch.lineLength($0) } } == [2, 3, 1])
        let single = try await cursor.next()
        #expect(single?.hasLines == false && single?.timestamps == [9])
    }

    @Test(arguments: [11, 12, 13])
    func randomMergeMatchesReference(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        var blocks: [any EntryBlock] = []
        var all: [TestEntry] = []
        for _ in 0..<6 {
            let start = Int64(random.next() % 100)
            let entries = (0..<Int(random.next() % 30)).map { _ in
                TestEntry(start + Int64(random.next() % 40), "l\(random.next() % 4)")
            }
            let block = TestBlock(entries)
            blocks.append(block)
            all += block.entries
        }
        // Reference: unique entries by (timestamp, line), sorted by timestamp.
        var seen = Set<TestEntry>()
        let unique = all.sorted { $0.timestamp < $1.timestamp }.filter { seen.insert($0).inserted }
        let forward = try await read(blocks, 20, 110)
        #expect(forward.map(\.timestamp) == unique.filter { $0.timestamp >= 20 && $0.timestamp < 110 }.map(\.timestamp))
        #expect(Set(forward) == Set(unique.filter { $0.timestamp >= 20 && $0.timestamp < 110 }))
        #expect(try await read(blocks, 20, 110, .backward) == forward.reversed())
    }
}

/// A block that honours ``BlockContent/fullIfContaining(_:)`` by leaving out lines without every literal, and
/// records what it was asked for.
private final class LiteralFilteringBlock: EntryBlock, @unchecked Sendable {
    let block: TestBlock
    private(set) var contents: [BlockContent] = []

    init(_ entries: [TestEntry]) { block = TestBlock(entries) }

    var minTime: Int64 { block.minTime }
    var maxTime: Int64 { block.maxTime }
    var entryCount: Int { block.entryCount }

    func decode(_ content: BlockContent) async throws -> EntryBatch {
        contents.append(content)
        guard case .fullIfContaining(let literals) = content else { return EntryBatch(block.entries) }
        return EntryBatch(block.entries.filter { entry in
            literals.allSatisfy { String(decoding: entry.line, as: UTF8.self).contains(String(decoding: $0, as: UTF8.self)) }
        })
    }
}
