/// Why a chunk is flushed; the raw values are Loki's `reason` label values.
public enum FlushReason: String, Sendable, Hashable, CaseIterable {
    /// The chunk reached the target size and was closed.
    case full
    /// The chunk was closed at a synchronisation boundary (`sync_period`).
    case synced
    /// Nothing was appended for `chunk_idle_period`.
    case idle
    /// The chunk's entries span more than `max_chunk_age`.
    case maxAge = "max_age"
    /// A flush was requested (`/flush`, shutdown) for a chunk no other rule selects.
    case forced
}

/// The facts about one in-memory chunk that flush decisions depend on.
public struct ChunkFlushState: Sendable, Hashable {
    public var id: UInt64
    public var isClosed: Bool
    /// `full` or `synced` when the stream closed the chunk itself.
    public var closeReason: FlushReason?
    /// Wall-clock Unix ns of the last append.
    public var lastUpdated: Int64
    /// Smallest and largest entry timestamps (Unix ns; meaningless when `entryCount == 0`).
    public var minTime: Int64
    public var maxTime: Int64
    public var entryCount: Int
    /// Wall-clock Unix ns of a successful flush, or nil.
    public var flushedAt: Int64?

    public init(id: UInt64, isClosed: Bool, closeReason: FlushReason?, lastUpdated: Int64, minTime: Int64,
                maxTime: Int64, entryCount: Int, flushedAt: Int64?) {
        self.id = id
        self.isClosed = isClosed
        self.closeReason = closeReason
        self.lastUpdated = lastUpdated
        self.minTime = minTime
        self.maxTime = maxTime
        self.entryCount = entryCount
        self.flushedAt = flushedAt
    }
}

/// One thing the ingester's flush loop should do with a chunk.
public enum FlushAction: Sendable, Hashable {
    /// Close the chunk (if open) and write it to the store.
    case flush(chunkID: UInt64, reason: FlushReason)
    /// Forget the chunk: it was flushed at least `retainPeriod` ago, or it holds no entries.
    case drop(chunkID: UInt64)
}

/// Decides which of a stream's chunks to flush, like Loki's ingester flush loop (`shouldFlushChunk`,
/// `collectChunksToFlush`, `removeFlushedChunks`). Pure: takes the chunks' state and `now`, returns actions.
public struct FlushPolicy: Sendable, Hashable {
    /// A chunk with no append for longer than this is flushed (`chunk_idle_period`, default 30m).
    public var chunkIdlePeriod: Int64
    /// A chunk whose entries span more than this is flushed (`max_chunk_age`, default 2h).
    public var maxChunkAge: Int64
    /// How long a flushed chunk stays in memory for queries (`chunk_retain_period`, default 0).
    public var retainPeriod: Int64

    public init(chunkIdlePeriod: Int64 = 30 * 60 * 1_000_000_000, maxChunkAge: Int64 = 2 * 3600 * 1_000_000_000,
                retainPeriod: Int64 = 0) {
        self.chunkIdlePeriod = chunkIdlePeriod
        self.maxChunkAge = maxChunkAge
        self.retainPeriod = retainPeriod
    }

    /// Why `chunk` should be flushed at `now` on its own merits, or nil.
    public func reason(for chunk: ChunkFlushState, now: Int64) -> FlushReason? {
        if chunk.isClosed { return chunk.closeReason == .synced ? .synced : .full }
        if now &- chunk.lastUpdated > chunkIdlePeriod { return .idle }
        if chunk.entryCount > 0, chunk.maxTime &- chunk.minTime > maxChunkAge { return .maxAge }
        return nil
    }

    /// The actions for one stream's chunks (oldest first). With `force`, every unflushed chunk is flushed (reason
    /// `forced` unless a rule applies). A single open chunk that no rule selects is left alone.
    public func decide(_ chunks: [ChunkFlushState], now: Int64, force: Bool = false) -> [FlushAction] {
        var actions: [FlushAction] = []
        for chunk in chunks {
            if let flushedAt = chunk.flushedAt {
                if now &- flushedAt >= retainPeriod { actions.append(.drop(chunkID: chunk.id)) }
                continue
            }
            let ruled = reason(for: chunk, now: now)
            guard force || ruled != nil else { continue }
            if chunk.entryCount == 0 {
                actions.append(.drop(chunkID: chunk.id))
                continue
            }
            actions.append(.flush(chunkID: chunk.id, reason: ruled ?? .forced))
        }
        return actions
    }
}
