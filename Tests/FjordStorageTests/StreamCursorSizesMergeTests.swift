import FjordModel
import FjordStorage
import Testing

/// Count-only reads of overlapping blocks merge without decoding lines unless two blocks share a timestamp (the only
/// way they can hold duplicates); either way the counts equal a full decode's.
@Suite struct StreamCursorSizesMergeTests {
    func block(_ entries: [(Int64, String)]) -> CompressedBlock {
        var batch = EntryBatch()
        for (time, line) in entries.sorted(by: { $0.0 < $1.0 }) { batch.append(timestamp: time, line: Array(line.utf8)) }
        return CompressedBlock.encode(batch)
    }

    func count(_ blocks: [any EntryBlock], _ content: BlockContent, direction: Direction = .forward) async throws -> (Int, [Int64]) {
        var cursor = StreamCursor(blocks: blocks, start: 0, end: 1_000, direction: direction, content: content)
        var total = 0
        var times: [Int64] = []
        while let batch = try await cursor.next() {
            total += batch.count
            times += batch.timestamps
        }
        return (total, times)
    }

    @Test func interleavedBlocksWithoutSharedTimestamps() async throws {
        let blocks: [any EntryBlock] = [block([(1, "a"), (5, "b"), (9, "c")]), block([(2, "d"), (6, "e"), (10, "f")])]
        let sizes = try await count(blocks, .timestampsAndSizes)
        let full = try await count(blocks, .full)
        #expect(sizes.0 == 6)
        #expect(sizes.1 == [1, 2, 5, 6, 9, 10])
        #expect(sizes.1 == full.1)
        let backward = try await count(blocks, .timestampsAndSizes, direction: .backward)
        #expect(backward.1 == [10, 9, 6, 5, 2, 1])
    }

    @Test func sharedTimestampsFallBackToFullDeduplication() async throws {
        // The same entry in two blocks (a replica, or a chunk flushed twice) and a same-time different line.
        let blocks: [any EntryBlock] = [block([(1, "a"), (5, "dup"), (9, "c")]), block([(5, "dup"), (5, "other"), (10, "f")])]
        let sizes = try await count(blocks, .timestampsAndSizes)
        let full = try await count(blocks, .full)
        #expect(full.0 == 5)
        #expect(sizes.0 == full.0)
        #expect(sizes.1 == full.1)
    }
}
