public import FjordModel
public import FjordStorage

/// Decides, per stream, which lines delete requests remove. The compactor's shell builds one from the stored
/// delete requests; `nil` from ``lineDeleter(labels:requests:)`` means no request touches the stream.
public protocol DeleteLineFilter: Sendable {
    /// A predicate over (timestamp, line, structured metadata) that is true for lines to delete.
    func lineDeleter(labels: Labels, requests: [String]) -> (@Sendable (Int64, UnsafeRawBufferPointer, Labels) -> Bool)?
}

/// Builds the chunks of a ``ChunkRecipe``: reads the sources through ``StreamCursor`` (merged by time, identical
/// entries de-duplicated), drops deleted lines, and cuts blocks at `blockSize` uncompressed bytes and chunks at
/// `targetChunkSize` compressed bytes, like the ingester.
public struct ChunkRewriter: Sendable {
    public var blockSize: Int
    public var targetChunkSize: Int
    public var compressionLevel: Int32

    public init(blockSize: Int = 262_144, targetChunkSize: Int = 1_572_864, compressionLevel: Int32 = 1) {
        self.blockSize = blockSize
        self.targetChunkSize = targetChunkSize
        self.compressionLevel = compressionLevel
    }

    /// The new chunks (none when every line was deleted). Fetches each source through `store` (checksums checked).
    public func build(_ recipe: ChunkRecipe, tenant: String, store: ChunkStore,
                      deletes: (any DeleteLineFilter)?) async throws -> [EncodedChunk] {
        var blocks: [any EntryBlock] = []
        for source in recipe.sources {
            let chunk = try await store.chunk(tenant: tenant, ref: source)
            guard chunk.labels == recipe.labels else {
                throw CorruptDataError(context: "chunk \(source.key(tenant: tenant))",
                                       message: "labels \(chunk.labels) differ from the index's \(recipe.labels)")
            }
            blocks += chunk.blocks.map { $0 as any EntryBlock }
        }
        let deleter = recipe.deletes.isEmpty ? nil : deletes?.lineDeleter(labels: recipe.labels, requests: recipe.deletes)
        var cursor = StreamCursor(blocks: blocks, start: .min, end: .max, direction: .forward, content: .full)
        var output: [EncodedChunk] = []
        var chunkBlocks: [CompressedBlock] = []
        var chunkBytes = 0
        var pending = EntryBatch()
        var pendingBytes = 0
        func cutBlock() {
            guard !pending.isEmpty else { return }
            let block = CompressedBlock.encode(pending, level: compressionLevel)
            chunkBlocks.append(block)
            chunkBytes += block.compressedSize
            pending = EntryBatch()
            pendingBytes = 0
        }
        func cutChunk() {
            cutBlock()
            guard !chunkBlocks.isEmpty else { return }
            output.append(EncodedChunk(labels: recipe.labels, blocks: chunkBlocks))
            chunkBlocks = []
            chunkBytes = 0
        }
        while let batch = try await cursor.next() {
            for index in 0..<batch.count {
                let timestamp = batch.timestamps[index]
                let metadata = batch.metadata(index)
                if let deleter, batch.withLine(index, { deleter(timestamp, $0, metadata) }) { continue }
                let size = batch.lineLength(index) + metadata.pairs.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
                if chunkBytes > 0, chunkBytes + pendingBytes + size >= targetChunkSize { cutChunk() }
                pending.append(from: batch, at: index)
                pendingBytes += size
                if pendingBytes >= blockSize { cutBlock() }
            }
        }
        cutChunk()
        return output
    }
}
