import FjordModel
import FjordStorage
import Testing

@Suite struct ChunkStoreTests {
    private func read(_ stream: StreamData, start: Int64 = .min, end: Int64 = .max,
                      direction: Direction = .forward) async throws -> [TestEntry] {
        var cursor = StreamCursor(blocks: stream.blocks, start: start, end: end, direction: direction)
        return try await cursor.collect().testEntries
    }

    @Test func flushedChunksReadBackThroughTheStore() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let objects = try FilesystemObjectStore(root: directory.path)
        let store = ChunkStore(objects: objects)
        let (chunk, entries) = ChunkFormatTests.sampleChunk(seed: 8, entries: 2000)
        let keys = try await store.writeChunks(tenant: "tenant-a", [(ChunkFormatTests.labels, chunk)])
        #expect(keys.count == 2)
        #expect(keys[0] == ChunkKey.make(tenant: "tenant-a", chunk: chunk))
        #expect(try await objects.exists(keys[0]))

        let streams = try await store.select(tenant: "tenant-a", matchers: [.equal("app", "api")], start: .min, end: .max)
        #expect(streams.count == 1)
        #expect(streams[0].labels == ChunkFormatTests.labels)
        #expect(streams[0].blocks.count == chunk.blocks.count)
        let entriesRead = try await read(streams[0])
        #expect(entriesRead.count == entries.count)
        #expect(Set(entriesRead) == Set(entries))
        let backward = try await read(streams[0], direction: .backward)
        #expect(backward == entriesRead.reversed())

        // A time-restricted select returns only overlapping blocks.
        let middle = (chunk.from + chunk.through) / 2
        let narrow = try await store.select(tenant: "tenant-a", matchers: [], start: middle, end: middle + 1_000_000)
        #expect(narrow[0].blocks.count < chunk.blocks.count)
        #expect(try await read(narrow[0], start: middle, end: middle + 1_000_000).allSatisfy {
            $0.timestamp >= middle && $0.timestamp < middle + 1_000_000
        })
        #expect(try await store.select(tenant: "tenant-b", matchers: [], start: .min, end: .max).isEmpty)
        await #expect(throws: ObjectStoreError.self) {
            try await store.writeChunks(tenant: "../x", [(ChunkFormatTests.labels, chunk)])
        }
    }

    @Test func replicaChunksAreWrittenOnceAndMergedOnRead() async throws {
        let objects = MemoryObjectStore()
        let store = ChunkStore(objects: objects)
        let labels = Labels(["app": "api"])
        let first = EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(EntryBatch([TestEntry(1, "a"), TestEntry(2, "b")]))])
        let overlapping = EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(EntryBatch([TestEntry(2, "b"), TestEntry(3, "c")]))])
        try await store.writeChunks(tenant: "t", [(labels, first)])
        try await store.writeChunks(tenant: "t", [(labels, first)])  // a replica flushing the identical chunk
        try await store.writeChunks(tenant: "t", [(labels, overlapping)])
        #expect(try await objects.list(prefix: "t/chunks/").count == 2)
        let streams = try await store.select(tenant: "t", matchers: [], start: 0, end: 10)
        #expect(streams.count == 1 && streams[0].blocks.count == 2)
        #expect(try await read(streams[0]) == [TestEntry(1, "a"), TestEntry(2, "b"), TestEntry(3, "c")])
    }

    @Test func chunksAreCachedAndCorruptionIsReported() async throws {
        let objects = MemoryObjectStore()
        let store = ChunkStore(objects: objects)
        let (chunk, _) = ChunkFormatTests.sampleChunk(seed: 2, entries: 800)
        try await store.writeChunks(tenant: "t", [(ChunkFormatTests.labels, chunk)])
        let streams = try await store.select(tenant: "t", matchers: [], start: .min, end: .max)
        let before = objects.getCount
        for block in streams[0].blocks { _ = try await block.decode(.full) }
        #expect(objects.getCount == before + 1)  // one fetch serves every block

        // Replace the chunk object with a damaged copy; a fresh store (empty cache) reports it.
        let key = ChunkKey.make(tenant: "t", chunk: chunk)
        var damaged = chunk.bytes
        damaged[damaged.count / 2] ^= 0x40
        try await objects.put(key, damaged)
        let fresh = ChunkStore(objects: objects)
        let again = try await fresh.select(tenant: "t", matchers: [], start: .min, end: .max)
        await #expect(throws: CorruptDataError.self) { _ = try await again[0].blocks[0].decode(.full) }
        try await objects.delete(key)
        await #expect(throws: ObjectStoreError.self) { _ = try await again[0].blocks[0].decode(.full) }
    }
}
