import FjordModel
import FjordPush
import FjordStorage

/// One stream inside an ingester: its in-memory chunks plus the bookkeeping that ties them to the WAL.
///
/// Every appended entry gets the next value of `counter` (its position in the stream's append order, which is also the
/// order of the WAL). Each chunk covers a contiguous counter range, so after flushing chunks in order the stream can
/// tell the WAL "entries below N are in the store" (`flushedThrough`).
struct StreamState: Sendable {
    var memory: MemoryStream
    /// Entries appended so far (the counter of the next entry).
    var counter: UInt64 = 0
    /// Entries below this counter are in the store.
    var flushedThrough: UInt64 = 0
    /// Per chunk id: the counter after its last entry (exclusive end of its range).
    var chunkCounterEnds: [UInt64: UInt64] = [:]
    /// Per-stream rate limiter (`per_stream_rate_limit`).
    var rate: IngestionRateLimiter

    init(labels: Labels, config: MemoryStreamConfig, rateBytes: Int, burstBytes: Int) {
        memory = MemoryStream(labels: labels, config: config)
        rate = IngestionRateLimiter(bytesPerSecond: Double(rateBytes), burstBytes: burstBytes)
    }

    /// Appends one entry; on success records it in the counter bookkeeping.
    mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels, now: Int64) -> AppendOutcome {
        let outcome = memory.append(timestamp: timestamp, line: line, metadata: metadata, now: now)
        if case .appended = outcome {
            counter += 1
            if let open = memory.lastChunkID { chunkCounterEnds[open] = counter }
        }
        return outcome
    }

    /// After chunks were written to the store: the counter every entry below which is stored, given the chunks
    /// still in memory (a chunk flushed out of order does not advance it past an unflushed older chunk).
    mutating func advanceFlushedThrough() -> UInt64 {
        var through = counter
        for chunk in memory.chunks where chunk.flushedAt == nil && !chunk.isEmpty {
            // The first unflushed chunk starts right after the previous chunk's end.
            let end = chunkCounterEnds[chunk.id] ?? counter
            let start = end - UInt64(chunk.entryCount)
            through = min(through, start)
            break
        }
        flushedThrough = max(flushedThrough, through)
        return flushedThrough
    }
}
