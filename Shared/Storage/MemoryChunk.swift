public import FjordModel

/// One chunk of a stream in an ingester's memory: compressed blocks plus the head block that is still filling.
///
/// A chunk is *open* until it is closed (full, synced, or chosen for flushing); a closed chunk takes no more entries
/// and its head has been cut into a block.
public struct MemoryChunk: Sendable {
    /// Identifies the chunk within its stream (increasing).
    public let id: UInt64
    public private(set) var blocks: [CompressedBlock] = []
    public private(set) var head = HeadBlock()
    public private(set) var isClosed = false
    /// Why the stream closed the chunk on its own (`full` or `synced`); nil while open or when closed for flushing.
    public private(set) var closeReason: FlushReason?
    /// Wall-clock time (Unix ns) of the last append attempt, for the idle rule.
    public internal(set) var lastUpdated: Int64
    /// Wall-clock time the chunk was written to the store, or nil.
    public internal(set) var flushedAt: Int64?
    /// Sum of the blocks' encoded sizes.
    public private(set) var blocksSize = 0
    /// Sum of the blocks' uncompressed sizes (line + metadata bytes).
    public private(set) var blocksUncompressedSize = 0
    public private(set) var minTime = Int64.max
    public private(set) var maxTime = Int64.min
    private var blockEntries = 0

    init(id: UInt64, now: Int64) {
        self.id = id
        self.lastUpdated = now
    }

    public var entryCount: Int { blockEntries + head.count }
    public var isEmpty: Bool { entryCount == 0 }
    /// Encoded blocks plus the uncompressed head: the size Loki compares with the target chunk size.
    public var size: Int { blocksSize + head.uncompressedSize }
    /// Line plus metadata bytes of every entry.
    public var uncompressedSize: Int { blocksUncompressedSize + head.uncompressedSize }

    mutating func appendToHead(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> HeadBlock.AppendResult {
        precondition(!isClosed, "append to closed chunk \(id)")
        let result = head.append(timestamp: timestamp, line: line, metadata: metadata)
        if case .appended = result {
            minTime = min(minTime, timestamp)
            maxTime = max(maxTime, timestamp)
        }
        return result
    }

    /// Compresses the head into a block (no-op for an empty head).
    mutating func cutHead(level: Int32) {
        guard !head.isEmpty else { return }
        let block = CompressedBlock.encode(head.sortedBatch(), level: level)
        blocks.append(block)
        blocksSize += block.compressedSize
        blocksUncompressedSize += block.uncompressedSize
        blockEntries += block.entryCount
        head = HeadBlock()
    }

    /// Cuts the head and stops accepting entries.
    mutating func close(reason: FlushReason?, level: Int32) {
        guard !isClosed else { return }
        cutHead(level: level)
        isClosed = true
        closeReason = reason
    }

    /// The chunk's blocks plus a snapshot of its head, for queries.
    public func queryBlocks() -> [any EntryBlock] {
        var result: [any EntryBlock] = blocks
        if !head.isEmpty { result.append(head.snapshot()) }
        return result
    }

    /// What the flush policy needs to know about this chunk.
    public var flushState: ChunkFlushState {
        ChunkFlushState(id: id, isClosed: isClosed, closeReason: closeReason, lastUpdated: lastUpdated,
                        minTime: minTime, maxTime: maxTime, entryCount: entryCount, flushedAt: flushedAt)
    }
}
