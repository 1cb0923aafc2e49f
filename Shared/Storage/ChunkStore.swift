import FjordCompression
public import FjordModel

/// Flushed log data in an object store: the write side used by the ingester's flush (chunk objects plus an index
/// segment) and a ``LogSource`` for queriers.
///
/// Reads go through the index: ``select(tenant:matchers:start:end:)`` returns one lazy ``StoredBlock`` per block of
/// every overlapping chunk, built from the index alone; a block's first decode fetches its chunk (through a
/// bounded cache shared by all queries) and checks the chunk's and the block's CRC-32C.
public final class ChunkStore: LogSource, Sendable {
    public let objects: any ObjectStore
    public let index: IndexReader
    public let periods: IndexPeriods
    /// zstd level of index segments.
    public let indexCompressionLevel: Int32
    /// Chunk objects written at once by one ``writeChunks(tenant:_:)`` call.
    public let maxConcurrentWrites: Int
    let cache: ChunkCache

    /// A store over `objects`. `chunkCacheBytes` bounds the decoded-chunk cache (by chunk file size).
    public init(objects: any ObjectStore, periods: IndexPeriods = IndexPeriods(), chunkCacheBytes: Int = 256 << 20,
                maxCachedSegments: Int = 4096, indexCompressionLevel: Int32 = 3, maxConcurrentWrites: Int = 16) {
        self.objects = objects
        self.periods = periods
        self.index = IndexReader(store: objects, periods: periods, maxCachedSegments: maxCachedSegments)
        self.cache = ChunkCache(capacityBytes: chunkCacheBytes)
        self.indexCompressionLevel = indexCompressionLevel
        self.maxConcurrentWrites = maxConcurrentWrites
    }

    /// Rejects tenant IDs that cannot be a key segment (empty, `.`, `..`, containing `/`).
    static func validateTenant(_ tenant: String) throws(ObjectStoreError) {
        guard !tenant.isEmpty, tenant != ".", tenant != "..", !tenant.contains("/") else {
            throw ObjectStoreError(.invalidKey, key: tenant, message: "invalid tenant ID")
        }
    }

    // MARK: - Writing

    /// Writes chunks and then one index segment per index period they overlap (usually one), so readers never see
    /// a reference to a missing chunk. Returns the keys written. Writing the same chunks again is harmless.
    @discardableResult
    public func writeChunks(tenant: String, _ chunks: [(labels: Labels, chunk: EncodedChunk)]) async throws -> [String] {
        try ChunkStore.validateTenant(tenant)
        let chunks = chunks.filter { $0.chunk.entryCount > 0 }
        guard !chunks.isEmpty else { return [] }
        for (labels, chunk) in chunks {
            precondition(labels == chunk.labels, "writeChunks: labels \(labels) do not match the chunk's \(chunk.labels)")
        }
        let objects = self.objects
        var keys = try await concurrentMap(chunks.map(\.chunk), limit: maxConcurrentWrites) { chunk in
            let key = ChunkKey.make(tenant: tenant, chunk: chunk)
            try await objects.put(key, chunk.bytes)
            return key
        }
        var byPeriod: [Int64: [Labels: [ChunkRef]]] = [:]
        for (labels, chunk) in chunks {
            for period in periods.periods(from: chunk.from, through: chunk.through) {
                byPeriod[period, default: [:]][labels, default: []].append(ChunkRef(chunk))
            }
        }
        for (period, series) in byPeriod.sorted(by: { $0.key < $1.key }) {
            let segment = IndexSegment(series: series.map { IndexSeries(labels: $0.key, chunks: $0.value) })
            let bytes = segment.encode(level: indexCompressionLevel)
            let range = segment.timeRange
            let key = periods.segmentKey(tenant: tenant, period: period, segment: bytes, from: range.from, through: range.through)
            try await objects.put(key, bytes)
            keys.append(key)
        }
        return keys
    }

    /// Merges every index segment of `tenant` in `period` into one segment and deletes the merged ones (each flush
    /// writes a segment, so without this a day accumulates thousands). Safe while writers and readers run: new
    /// segments written meanwhile are left alone, and readers that miss a deleted segment list again. Returns the
    /// number of segments merged (0 when there was nothing to merge).
    @discardableResult
    public func compactIndex(tenant: String, period: Int64) async throws -> Int {
        try ChunkStore.validateTenant(tenant)
        let keys = try await objects.list(prefix: periods.prefix(tenant: tenant, period: period)).map(\.key)
            .filter { $0.hasSuffix(IndexSegment.fileExtension) }
        guard keys.count > 1 else { return 0 }
        let objects = self.objects
        let segments = try await concurrentMap(keys, limit: IndexReader.maxConcurrentFetches) { key in
            try IndexSegment(decoding: try await objects.get(key), context: "index segment \(key)")
        }
        var merged: [Labels: [ChunkIdentity: ChunkRef]] = [:]
        for segment in segments {
            for series in segment.series {
                for chunk in series.chunks { merged[series.labels, default: [:]][ChunkIdentity(chunk)] = chunk }
            }
        }
        let segment = IndexSegment(series: merged.map { labels, chunks in
            IndexSeries(labels: labels, chunks: chunks.values.sorted { $0.from != $1.from ? $0.from < $1.from : $0.through < $1.through })
        })
        let bytes = segment.encode(level: indexCompressionLevel)
        let range = segment.timeRange
        let key = periods.segmentKey(tenant: tenant, period: period, segment: bytes, from: range.from, through: range.through)
        try await objects.put(key, bytes)
        for old in keys where old != key { try await objects.delete(old) }
        return keys.count
    }

    // MARK: - Reading

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        let streams = try await index.streams(tenant: tenant, matchers: matchers, start: start, end: end)
        return streams.map { stream in
            var blocks: [any EntryBlock] = []
            for chunk in stream.chunks {
                let key = chunk.key(tenant: tenant)
                for (position, meta) in chunk.blocks.enumerated() where meta.maxTime >= start && meta.minTime < end {
                    blocks.append(StoredBlock(store: self, key: key, chunk: chunk, position: position))
                }
            }
            return StreamData(labels: stream.labels, blocks: blocks)
        }
    }

    /// The chunk behind `ref`, from the cache or the object store (whole-file CRC checked).
    public func chunk(tenant: String, ref: ChunkRef) async throws -> DecodedChunk {
        try await chunk(key: ref.key(tenant: tenant), ref: ref)
    }

    func chunk(key: String, ref: ChunkRef) async throws -> DecodedChunk {
        let objects = self.objects
        return try await cache.chunk(key) {
            let bytes = try await objects.get(key)
            guard bytes.count == ref.objectSize, CRC32C.checksum(bytes) == ref.checksum else {
                throw CorruptDataError(context: "chunk \(key)", message: "size or checksum differs from the index")
            }
            return (try DecodedChunk(bytes: bytes, context: "chunk \(key)"), bytes.count)
        }
    }
}

/// One block of a stored chunk as seen by a query: bounds from the index; the chunk is fetched on first decode.
public struct StoredBlock: EntryBlock, Sendable {
    let store: ChunkStore
    public let key: String
    public let chunk: ChunkRef
    /// Index of the block within its chunk.
    public let position: Int

    public var minTime: Int64 { chunk.blocks[position].minTime }
    public var maxTime: Int64 { chunk.blocks[position].maxTime }
    public var entryCount: Int { chunk.blocks[position].entryCount }

    public func decode(_ content: BlockContent) async throws -> EntryBatch {
        let decoded = try await store.chunk(key: key, ref: chunk)
        guard position < decoded.blocks.count, decoded.blockMetas[position] == chunk.blocks[position] else {
            throw CorruptDataError(context: "chunk \(key)", message: "block \(position) differs from the index")
        }
        return try decoded.blocks[position].decodeNow(content)
    }
}

