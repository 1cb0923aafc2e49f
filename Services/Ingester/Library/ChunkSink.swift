public import FjordModel
public import FjordStorage

/// Where the ingester writes flushed chunks: the chunk store (object store + index) in every deployment.
public protocol ChunkSink: Sendable {
    /// Writes `chunks` of `tenant` durably and makes them visible to queries (index) before returning.
    func writeChunks(tenant: String, chunks: [(labels: Labels, chunk: MemoryChunk)]) async throws
}
