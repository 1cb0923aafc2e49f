import FjordCompactor
import FjordModel
import FjordStorage
import Foundation
import Logging
import Testing

@Suite struct CompactionPlannerTests {
    @Test func tablesWithSeveralSegmentsAreChosen() {
        let keys = [
            "a/index/index_20000/1.fidx", "a/index/index_20000/2.fidx", "a/index/index_20001/3.fidx",
            "b/index/index_20000/4.fidx", "b/index/index_20000/5.fidx", "b/index/index_20000/6.fidx",
            "b/chunks/00ff/x-y-z", "a/index/index_20000/.tmp", "weird/index/nope/7.fidx",
        ]
        let tables = CompactionPlanner().tablesToCompact(keys: keys, segmentExtension: ".fidx")
        #expect(tables == [.init(tenant: "a", period: 20000), .init(tenant: "b", period: 20000)])
    }

    @Test func compactorMergesSegmentsAndQueriesStillSeeEveryChunk() async throws {
        let store = ChunkStore(objects: MemoryObjectStore())
        let base: Int64 = 1_795_316_400_000_000_000
        for flush in 0..<3 {
            var batch = EntryBatch()
            batch.append(timestamp: base + Int64(flush) * 1_000_000_000, line: Array("line \(flush)".utf8))
            let labels = Labels(["app": "x"])
            let block = CompressedBlock.encode(batch)
            try await store.writeChunks(tenant: "t", [(labels, EncodedChunk(labels: labels, blocks: [block]))])
        }
        let compactor = Compactor(store: store, logger: Logger(label: "test"))
        #expect(try await compactor.runOnce() == 1)
        #expect(try await compactor.runOnce() == 0)
        let streams = try await store.select(tenant: "t", matchers: [.equal("app", "x")], start: base, end: base + 10_000_000_000)
        #expect(streams.count == 1)
        #expect(streams.first?.blocks.count == 3)
    }
}
