import FjordModel
import FjordStorage
import Testing

@Suite struct IndexTests {
    static let day: Int64 = 24 * 3600 * 1_000_000_000
    static let base: Int64 = 20_000 * day  // the start of index_20000

    private func ref(_ labels: Labels, from: Int64, through: Int64, entries: Int = 10, size: Int = 1000,
                     checksum: UInt32 = 1) -> ChunkRef {
        ChunkRef(fingerprint: labels.fingerprint, from: from, through: through, entryCount: entries, uncompressedSize: size,
                 objectSize: 100, checksum: checksum,
                 blocks: [ChunkBlockMeta(offset: 6, length: 90, entryCount: entries, minTime: from, maxTime: through,
                                         uncompressedSize: size)])
    }

    @Test func segmentRoundTripAndCorruption() throws {
        let api = Labels(["app": "api", "env": "prod"])
        let db = Labels(["app": "db", "env": "prod", "quoted": "a \"b\""])
        let segment = IndexSegment(series: [
            IndexSeries(labels: db, chunks: [ref(db, from: -5, through: 5)]),
            IndexSeries(labels: api, chunks: [ref(api, from: 1, through: 2), ref(api, from: 3, through: .max, checksum: 7)]),
        ])
        let bytes = segment.encode()
        let decoded = try IndexSegment(decoding: bytes)
        #expect(decoded.series == segment.series)
        #expect(Set(decoded.series.map(\.labels)) == [api, db])
        var random = SeededRandom(seed: 4)
        for _ in 0..<200 {
            var damaged = bytes
            damaged[Int(random.next() % UInt64(bytes.count))] ^= UInt8(1 << (random.next() % 8))
            #expect(throws: CorruptDataError.self) { try IndexSegment(decoding: damaged) }
        }
        for cut in 0..<bytes.count {
            #expect(throws: CorruptDataError.self) { try IndexSegment(decoding: Array(bytes[0..<cut])) }
        }
    }

    @Test func periods() {
        let periods = IndexPeriods()
        #expect(periods.period(of: IndexTests.base) == 20_000)
        #expect(periods.period(of: IndexTests.base - 1) == 19_999)
        #expect(periods.period(of: -1) == -1)
        #expect(periods.periods(from: IndexTests.base - 1, through: IndexTests.base) == 19_999...20_000)
        #expect(periods.tableName(19_800) == "index_19800")
        let key = periods.segmentKey(tenant: "t", period: 20_000, segment: [1, 2], from: 1, through: 2)
        #expect(key.hasPrefix("t/index/index_20000/0000000000000001-0000000000000002-"))
        #expect(periods.period(ofSegmentKey: key) == 20_000)
        #expect(periods.period(ofSegmentKey: "t/chunks/x") == nil)
    }

    /// A store with three streams of tenant `t` over two days and one stream of another tenant.
    private func populatedStore() async throws -> (ChunkStore, MemoryObjectStore) {
        let objects = MemoryObjectStore()
        let store = ChunkStore(objects: objects)
        let day = IndexTests.day
        let base = IndexTests.base
        func chunk(_ labels: Labels, _ times: [Int64]) -> (labels: Labels, chunk: EncodedChunk) {
            let batch = EntryBatch(times.map { TestEntry($0, "line at \($0) of \(labels)") })
            return (labels, EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(batch)]))
        }
        let api = Labels(["app": "api", "env": "prod"])
        let db = Labels(["app": "db", "env": "prod"])
        let web = Labels(["app": "web", "env": "dev", "team": "a"])
        try await store.writeChunks(tenant: "t", [chunk(api, [base + 10, base + 20]), chunk(db, [base + 100, base + 200])])
        // Spans midnight: listed in both periods.
        try await store.writeChunks(tenant: "t", [chunk(web, [base + day - 10, base + day + 10])])
        try await store.writeChunks(tenant: "t", [chunk(api, [base + day + 50, base + day + 60])])
        try await store.writeChunks(tenant: "other", [chunk(Labels(["app": "secret"]), [base + 10])])
        return (store, objects)
    }

    @Test func streamsMatchAndMerge() async throws {
        let (store, objects) = try await populatedStore()
        let base = IndexTests.base
        let day = IndexTests.day
        let index = store.index
        let all = try await index.streams(tenant: "t", matchers: [], start: base, end: base + 2 * day)
        #expect(all.map(\.labels["app"]) == ["api", "db", "web"])
        #expect(all[0].chunks.count == 2)
        #expect(all[2].chunks.count == 1)  // listed twice, returned once
        let prod = try await index.streams(tenant: "t", matchers: [.equal("env", "prod")], start: base, end: base + 2 * day)
        #expect(prod.map(\.labels["app"]) == ["api", "db"])
        let regex = try LabelMatcher(name: "app", kind: .regexMatch, value: "a.*|w.*")
        let notDev = try LabelMatcher(name: "env", kind: .notEqual, value: "dev")
        #expect(try await index.streams(tenant: "t", matchers: [regex, notDev], start: base, end: base + 2 * day).map(\.labels["app"]) == ["api"])
        // Time restriction: only the second day.
        let secondDay = try await index.streams(tenant: "t", matchers: [], start: base + day, end: base + 2 * day)
        #expect(secondDay.map(\.labels["app"]) == ["api", "web"])
        #expect(secondDay[0].chunks.map(\.from) == [base + day + 50])
        // Half-open end: a chunk starting exactly at `end` is excluded.
        #expect(try await index.streams(tenant: "t", matchers: [], start: base, end: base + 10).isEmpty)
        #expect(try await index.streams(tenant: "t", matchers: [], start: base, end: base + 11).count == 1)
        // Tenants are isolated.
        #expect(try await index.streams(tenant: "other", matchers: [], start: base, end: base + day).map(\.labels["app"]) == ["secret"])
        #expect(try await index.streams(tenant: "nobody", matchers: [], start: base, end: base + day).isEmpty)
        // Segments are cached: a second lookup lists but does not fetch again.
        let gets = objects.getCount
        _ = try await index.streams(tenant: "t", matchers: [], start: base, end: base + 2 * day)
        #expect(objects.getCount == gets)
        // A very long range lists the tenant's whole index once.
        #expect(try await index.streams(tenant: "t", matchers: [], start: 0, end: base + 100 * day).count == 3)
    }

    @Test func labelNamesValuesAndStats() async throws {
        let (store, _) = try await populatedStore()
        let base = IndexTests.base
        let day = IndexTests.day
        let index = store.index
        #expect(try await index.labelNames(tenant: "t", start: base, end: base + 2 * day) == ["app", "env", "team"])
        #expect(try await index.labelNames(tenant: "t", start: base, end: base + 1000) == ["app", "env"])
        #expect(try await index.labelValues(tenant: "t", name: "app", start: base, end: base + 2 * day) == ["api", "db", "web"])
        #expect(try await index.labelValues(tenant: "t", name: "app", start: base, end: base + 2 * day,
                                            matchers: [.equal("env", "dev")]) == ["web"])
        let stats = try await index.stats(tenant: "t", matchers: [.equal("env", "prod")], start: base, end: base + 2 * day)
        #expect(stats.streams == 2 && stats.chunks == 3 && stats.entries == 6)
        // Half of db's chunk [base+100, base+200] lies in [base+150, ...): half its entries and bytes.
        let partial = try await index.stats(tenant: "t", matchers: [.equal("app", "db")], start: base + 150, end: base + 2 * day)
        #expect(partial.entries == 1 && partial.chunks == 1 && partial.streams == 1)
        #expect(IndexReader.overlapFactor(start: 150, end: 1000, from: 100, through: 200) == 0.5)
        #expect(IndexReader.overlapFactor(start: 0, end: 10, from: 5, through: 5) == 1)
        #expect(IndexReader.overlapFactor(start: 0, end: 10, from: 11, through: 20) == 0)
    }
}

/// Runs a hook once, just before the first `get` of an index segment (to race compaction against a reader).
final class HookedStore: ObjectStore, @unchecked Sendable {
    let inner = MemoryObjectStore()
    var beforeFirstSegmentGet: (@Sendable () async throws -> Void)?

    func put(_ key: String, _ data: [UInt8]) async throws { try await inner.put(key, data) }
    func get(_ key: String) async throws -> [UInt8] {
        if key.hasSuffix(IndexSegment.fileExtension), let hook = beforeFirstSegmentGet {
            beforeFirstSegmentGet = nil
            try await hook()
        }
        return try await inner.get(key)
    }
    func get(_ key: String, range: Range<Int>) async throws -> [UInt8] { try await inner.get(key, range: range) }
    func list(prefix: String) async throws -> [ObjectInfo] { try await inner.list(prefix: prefix) }
    func delete(_ key: String) async throws { try await inner.delete(key) }
    func exists(_ key: String) async throws -> Bool { try await inner.exists(key) }
}

@Suite struct IndexCompactionTests {
    private func chunk(_ labels: Labels, _ times: [Int64]) -> (labels: Labels, chunk: EncodedChunk) {
        (labels, EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(EntryBatch(times.map { TestEntry($0, "x\($0)") }))]))
    }

    @Test func compactionMergesSegmentsWithoutChangingAnswers() async throws {
        let objects = MemoryObjectStore()
        let store = ChunkStore(objects: objects)
        let base = IndexTests.base
        let api = Labels(["app": "api"])
        let db = Labels(["app": "db"])
        try await store.writeChunks(tenant: "t", [chunk(api, [base + 1, base + 2])])
        try await store.writeChunks(tenant: "t", [chunk(api, [base + 3]), chunk(db, [base + 4])])
        try await store.writeChunks(tenant: "t", [chunk(api, [base + 3])])  // the same chunk again (a replica)
        let before = try await store.index.streams(tenant: "t", matchers: [], start: base, end: base + 10)
        #expect(try await objects.list(prefix: "t/index/").count == 3)
        #expect(try await store.compactIndex(tenant: "t", period: 20_000) == 3)
        #expect(try await objects.list(prefix: "t/index/").count == 1)
        #expect(try await store.compactIndex(tenant: "t", period: 20_000) == 0)
        // The reader had all three segments cached; it now sees the merged one only, with the same answer.
        let after = try await store.index.streams(tenant: "t", matchers: [], start: base, end: base + 10)
        #expect(after == before)
        #expect(after.map(\.chunks.count) == [2, 1])
        let fresh = ChunkStore(objects: objects)
        #expect(try await fresh.index.streams(tenant: "t", matchers: [], start: base, end: base + 10) == before)
    }

    @Test func readerRacingCompactionListsAgain() async throws {
        let objects = HookedStore()
        let writer = ChunkStore(objects: objects)
        let base = IndexTests.base
        try await writer.writeChunks(tenant: "t", [chunk(Labels(["app": "a"]), [base + 1])])
        try await writer.writeChunks(tenant: "t", [chunk(Labels(["app": "b"]), [base + 2])])
        objects.beforeFirstSegmentGet = { _ = try await writer.compactIndex(tenant: "t", period: 20_000) }
        let reader = ChunkStore(objects: objects)
        let streams = try await reader.index.streams(tenant: "t", matchers: [], start: base, end: base + 10)
        #expect(streams.map(\.labels["app"]) == ["a", "b"])
    }
}
