public import FjordModel
public import FjordStorage

/// Where the ingester writes flushed chunks: the chunk store (object store + index) in every deployment.
public protocol ChunkSink: Sendable {
    /// Writes `chunks` of `tenant` durably and makes them visible to queries (index) before returning.
    func writeChunks(tenant: String, chunks: [(labels: Labels, chunk: MemoryChunk)]) async throws
}

/// Writes flushed chunks into a ``ChunkStore`` (chunk objects, then an index segment).
public struct ChunkStoreSink: ChunkSink {
    public let store: ChunkStore

    public init(store: ChunkStore) { self.store = store }

    public func writeChunks(tenant: String, chunks: [(labels: Labels, chunk: MemoryChunk)]) async throws {
        let encoded = chunks.map { item in (labels: item.labels, chunk: EncodedChunk(labels: item.labels, blocks: item.chunk.blocks)) }
        try await store.writeChunks(tenant: tenant, encoded)
    }
}
