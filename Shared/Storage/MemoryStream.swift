public import FjordModel

/// Sizes and windows of an in-memory stream, with Loki's defaults.
public struct MemoryStreamConfig: Sendable, Hashable {
    /// Uncompressed head size at which the head is compressed into a block (`chunk_block_size`, 256 KiB).
    public var blockSize: Int
    /// Size (encoded blocks + uncompressed head) at which a chunk is closed (`chunk_target_size`, 1.5 MiB).
    public var targetChunkSize: Int
    /// `max_chunk_age` (2h); half of it is the out-of-order window.
    public var maxChunkAge: Int64
    /// Chunks are also cut when an in-order entry crosses a multiple of this (offset by the stream fingerprint) so
    /// replicas cut at the same entries (`sync_period`, 1h; 0 disables).
    public var syncPeriod: Int64
    /// A sync cut happens only when the chunk is at least this full (`sync_min_utilization`, 0.1).
    public var syncMinUtilization: Double
    /// zstd level for blocks (1).
    public var compressionLevel: Int32

    public init(blockSize: Int = 262_144, targetChunkSize: Int = 1_572_864, maxChunkAge: Int64 = 2 * 3600 * 1_000_000_000,
                syncPeriod: Int64 = 3600 * 1_000_000_000, syncMinUtilization: Double = 0.1, compressionLevel: Int32 = 1) {
        self.blockSize = blockSize
        self.targetChunkSize = targetChunkSize
        self.maxChunkAge = maxChunkAge
        self.syncPeriod = syncPeriod
        self.syncMinUtilization = syncMinUtilization
        self.compressionLevel = compressionLevel
    }
}

/// What happened to one appended entry.
public enum AppendOutcome: Sendable, Hashable {
    /// Stored.
    case appended
    /// Silently skipped: identical to the stream's last accepted entry or to an entry in the head block.
    case duplicate
    /// Refused; the rejection carries Loki's message.
    case rejected(EntryRejection)
}

/// Why an entry was refused, with Loki's exact text.
public struct EntryRejection: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    /// `entry too far behind, entry timestamp is: <RFC3339>, oldest acceptable timestamp is: <RFC3339>`.
    public static func tooFarBehind(entry: Int64, cutoff: Int64) -> EntryRejection {
        EntryRejection(message: "entry too far behind, entry timestamp is: \(GoTime.rfc3339(entry)), "
                       + "oldest acceptable timestamp is: \(GoTime.rfc3339(cutoff))")
    }

    public var description: String { message }
}

/// The state an ingester keeps for one stream: its chunks (the last one open), the out-of-order window and the
/// duplicate rules. A value type with no I/O: the ingester wraps it in its own synchronisation.
///
/// Rules (Loki's `stream.go`): an entry identical to the last accepted one is skipped; an entry older than
/// `highestTime - maxChunkAge/2` is rejected; otherwise it goes to the open chunk's head block (which drops exact
/// duplicates). A chunk is closed when the next entry would bring it to `targetChunkSize`; the head is compressed
/// into a block when it reaches `blockSize`.
public struct MemoryStream: Sendable {
    public let labels: Labels
    public let fingerprint: UInt64
    public let config: MemoryStreamConfig
    /// Oldest first; the last one is open unless closed.
    public private(set) var chunks: [MemoryChunk] = []
    /// Largest accepted timestamp, or nil before the first entry.
    public private(set) var highestTime: Int64?
    private var nextChunkID: UInt64 = 1
    private var lastEntry = LastEntry.none

    /// The last accepted entry, by reference into the open head while it is there (no copy per append).
    private enum LastEntry: Sendable {
        case none
        case head(chunkID: UInt64, index: Int)
        case copy(timestamp: Int64, line: [UInt8], metadata: Labels)
    }

    public init(labels: Labels, config: MemoryStreamConfig = MemoryStreamConfig()) {
        self.labels = labels
        self.fingerprint = labels.fingerprint
        self.config = config
    }

    /// The id of the last chunk (the open one unless it was closed), without copying it.
    public var lastChunkID: UInt64? { chunks.isEmpty ? nil : chunks[chunks.count - 1].id }

    /// Number of entries in memory.
    public var entryCount: Int { chunks.reduce(0) { $0 + $1.entryCount } }
    public var isEmpty: Bool { chunks.allSatisfy(\.isEmpty) }

    /// Appends one entry at wall-clock time `now` (Unix ns).
    public mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels = Labels(),
                                now: Int64) -> AppendOutcome {
        if lastEntryEquals(timestamp: timestamp, line: line, metadata: metadata) { return .duplicate }
        if let highest = highestTime {
            let cutoff = highest &- config.maxChunkAge / 2
            if timestamp < cutoff { return .rejected(.tooFarBehind(entry: timestamp, cutoff: cutoff)) }
        }
        let entrySize = line.count + HeadBlock.metadataSize(metadata)
        let index = openChunkIndex(timestamp: timestamp, entrySize: entrySize, now: now)
        chunks[index].lastUpdated = now
        let result = chunks[index].appendToHead(timestamp: timestamp, line: line, metadata: metadata)
        let chunkID = chunks[index].id
        switch result {
        case .appended(let position), .duplicate(of: let position):
            lastEntry = .head(chunkID: chunkID, index: position)
        }
        if highestTime.map({ timestamp > $0 }) ?? true { highestTime = timestamp }
        if chunks[index].head.uncompressedSize >= config.blockSize {
            detachLastEntry(from: index)
            chunks[index].cutHead(level: config.compressionLevel)
        }
        if case .appended = result { return .appended }
        return .duplicate
    }

    /// Appends one entry from a byte array.
    public mutating func append(timestamp: Int64, line: [UInt8], metadata: Labels = Labels(), now: Int64) -> AppendOutcome {
        line.withUnsafeBytes { append(timestamp: timestamp, line: $0, metadata: metadata, now: now) }
    }

    /// The open chunk to append to, closing the current one when it is full or at a sync boundary.
    private mutating func openChunkIndex(timestamp: Int64, entrySize: Int, now: Int64) -> Int {
        if let last = chunks.indices.last, !chunks[last].isClosed {
            let isEmpty = chunks[last].isEmpty
            let size = chunks[last].size
            if !isEmpty, size + entrySize >= config.targetChunkSize {
                closeChunk(at: last, reason: .full)
            } else if !isEmpty, shouldSyncCut(timestamp: timestamp, chunkSize: size) {
                closeChunk(at: last, reason: .synced)
            } else {
                return last
            }
        }
        chunks.append(MemoryChunk(id: nextChunkID, now: now))
        nextChunkID += 1
        return chunks.count - 1
    }

    /// Loki's `cutChunkForSynchronization`: an in-order entry that rolls over a sync period boundary.
    private func shouldSyncCut(timestamp: Int64, chunkSize: Int) -> Bool {
        guard config.syncPeriod > 0, let highest = highestTime, timestamp >= highest else { return false }
        let period = UInt64(config.syncPeriod)
        let current = (UInt64(bitPattern: timestamp) &+ fingerprint) % period
        let previous = (UInt64(bitPattern: highest) &+ fingerprint) % period
        guard current < previous else { return false }
        if config.syncMinUtilization <= 0 { return true }
        return Double(chunkSize) / Double(config.targetChunkSize) > config.syncMinUtilization
    }

    private func lastEntryEquals(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> Bool {
        switch lastEntry {
        case .none:
            return false
        case .head(let chunkID, let index):
            // Only the open (last) chunk has a head; the entry is copied out before a head is cut.
            guard let last = chunks.indices.last, chunks[last].id == chunkID, index < chunks[last].head.count else {
                return false
            }
            return chunks[last].head.entry(at: index, equals: timestamp, line: line, metadata: metadata)
        case .copy(let lastTime, let lastLine, let lastMetadata):
            return lastTime == timestamp && lastLine.elementsEqual(line) && lastMetadata == metadata
        }
    }

    /// Copies the last entry out of chunk `index`'s head before the head is cut.
    private mutating func detachLastEntry(from index: Int) {
        guard case .head(let chunkID, let position) = lastEntry, chunks[index].id == chunkID else { return }
        let entries = chunks[index].head.entries
        lastEntry = .copy(timestamp: entries.timestamps[position], line: Array(entries.line(position)),
                          metadata: entries.metadata(position))
    }

    private mutating func closeChunk(at index: Int, reason: FlushReason?) {
        detachLastEntry(from: index)
        chunks[index].close(reason: reason, level: config.compressionLevel)
    }

    // MARK: - Queries

    /// The stream's blocks that may hold entries in `[start, end)`: every in-memory chunk's compressed blocks plus
    /// a snapshot of the open head. Immutable values, safe to hand to another task.
    public func blocks(start: Int64, end: Int64) -> [any EntryBlock] {
        var result: [any EntryBlock] = []
        for chunk in chunks where !chunk.isEmpty && chunk.maxTime >= start && chunk.minTime < end {
            for block in chunk.queryBlocks() where block.maxTime >= start && block.minTime < end {
                result.append(block)
            }
        }
        return result
    }

    // MARK: - Flushing

    /// The state of every chunk, for ``FlushPolicy/decide(_:now:force:)``.
    public var flushStates: [ChunkFlushState] { chunks.map(\.flushState) }

    /// The chunk with this id.
    public func chunk(id: UInt64) -> MemoryChunk? { chunks.first { $0.id == id } }

    /// Closes a chunk for flushing (cuts its head); no-op when already closed or unknown.
    public mutating func closeChunk(id: UInt64) {
        guard let index = chunks.firstIndex(where: { $0.id == id }) else { return }
        closeChunk(at: index, reason: chunks[index].closeReason)
    }

    /// Records a successful flush at wall-clock `now`.
    public mutating func markFlushed(id: UInt64, at now: Int64) {
        guard let index = chunks.firstIndex(where: { $0.id == id }) else { return }
        chunks[index].flushedAt = now
    }

    /// Forgets a chunk (after flushing and the retain period).
    public mutating func removeChunk(id: UInt64) {
        guard let index = chunks.firstIndex(where: { $0.id == id }) else { return }
        detachLastEntry(from: index)
        chunks.remove(at: index)
    }
}
