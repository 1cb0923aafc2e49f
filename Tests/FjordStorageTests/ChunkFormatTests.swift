import FjordModel
import FjordStorage
import Testing

@Suite struct ChunkFormatTests {
    static let labels = Labels(["app": "api", "env": "prod"])

    /// A chunk of several blocks cut from a random stream; blocks overlap because entries arrive out of order.
    static func sampleChunk(seed: UInt64 = 1, entries: Int = 3000) -> (EncodedChunk, [TestEntry]) {
        var random = SeededRandom(seed: seed)
        var stream = MemoryStream(labels: labels, config: MemoryStreamConfig(blockSize: 8 * 1024, targetChunkSize: 1 << 30, syncPeriod: 0))
        var all: [TestEntry] = []
        for index in 0..<entries {
            let time = 1_000_000_000_000 + Int64(index) * 1_000_000 - Int64(random.next() % 50_000_000)
            let line = randomLine(&random, timestamp: time)
            let metadata = index % 5 == 0 ? Labels(["trace_id": "\(index % 7)"]) : Labels()
            if stream.append(timestamp: time, line: line, metadata: metadata, now: 0) == .appended {
                all.append(TestEntry(timestamp: time, bytes: line, metadata: metadata))
            }
        }
        let id = stream.chunks[0].id
        stream.closeChunk(id: id)
        return (EncodedChunk(labels: labels, blocks: stream.chunks[0].blocks), all)
    }

    @Test func roundTripThroughBytes() async throws {
        let (chunk, entries) = ChunkFormatTests.sampleChunk()
        #expect(chunk.blocks.count > 3)
        #expect(chunk.entryCount == entries.count)
        #expect(chunk.from == entries.map(\.timestamp).min() && chunk.through == entries.map(\.timestamp).max())
        let decoded = try DecodedChunk(bytes: chunk.bytes)
        #expect(decoded.labels == ChunkFormatTests.labels)
        #expect(decoded.blockMetas == chunk.blocks)
        var cursor = StreamCursor(blocks: decoded.blocks, start: .min, end: .max, direction: .forward)
        let read = try await cursor.collect().testEntries
        // The cursor returns entries by timestamp; equal timestamps keep arrival order.
        let expected = entries.enumerated().sorted {
            $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset
        }.map(\.element)
        #expect(read.count == expected.count)
        #expect(read.map(\.timestamp) == expected.map(\.timestamp))
        #expect(Set(read) == Set(expected))
    }

    @Test func footerAndMetasCanBeReadOnTheirOwn() throws {
        let (chunk, _) = ChunkFormatTests.sampleChunk(entries: 500)
        let footer = chunk.bytes.suffix(ChunkFormat.footerSize)
        let range = try ChunkFormat.metasRange(footer: footer, totalSize: chunk.bytes.count)
        let (labels, metas) = try ChunkFormat.parseMetas(chunk.bytes[range])
        #expect(labels == ChunkFormatTests.labels)
        #expect(metas == chunk.blocks)
        // One block from its byte range alone.
        let meta = metas[0]
        let block = ChunkBlock(meta: meta, storedBytes: chunk.bytes[meta.offset..<meta.offset + meta.length + 4], context: "b")
        #expect(try block.decodeNow(.timestampsAndSizes).count == meta.entryCount)
    }

    @Test func corruptChunksThrowTypedErrors() throws {
        let (chunk, _) = ChunkFormatTests.sampleChunk(seed: 5, entries: 400)
        var random = SeededRandom(seed: 99)
        for cut in stride(from: 0, to: chunk.bytes.count, by: max(1, chunk.bytes.count / 50)) {
            #expect(throws: CorruptDataError.self) { try DecodedChunk(bytes: Array(chunk.bytes[0..<cut])) }
        }
        var detected = 0
        for _ in 0..<300 {
            var damaged = chunk.bytes
            let position = Int(random.next() % UInt64(damaged.count))
            damaged[position] ^= UInt8(1 << (random.next() % 8))
            do {
                let decoded = try DecodedChunk(bytes: damaged, context: "test")
                for block in decoded.blocks { _ = try block.decodeNow(.full) }
                Issue.record("a flipped bit at \(position) went unnoticed")
            } catch {
                #expect(error.context.hasPrefix("test"))
                detected += 1
            }
        }
        #expect(detected == 300)
    }

    @Test func objectKeys() {
        let key = ChunkKey.make(tenant: "tenant-a", fingerprint: 0xAB, from: 1_795_316_400_000_000_000,
                                through: 1_795_316_460_000_000_000, checksum: 0xDEADBEEF)
        #expect(key == "tenant-a/chunks/00000000000000ab/18ea3ec0f96ee000-18ea3ecef1b63800-deadbeef")
        #expect(throws: Never.self) { try ObjectKey.validate(key) }
    }
}
