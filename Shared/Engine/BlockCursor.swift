import FjordModel

/// Reads one stream's blocks as non-overlapping batches in query direction (stand-in for the storage layer's
/// `StreamCursor` until it lands).
///
/// Overlapping blocks (replicas, a chunk flushed twice) are decoded together, merged by timestamp and cleared of
/// identical entries (same timestamp, line and structured metadata). Each batch holds entries in ascending
/// timestamp order; batches come newest-first for `backward`. ``nextBound`` is the newest (backward) or oldest
/// (forward) timestamp the next batch can hold, so a reader can stop before decoding it.
struct BlockCursor {
    private struct Cluster {
        var blocks: [any EntryBlock]
        var minTime: Int64
        var maxTime: Int64
    }

    private var clusters: [Cluster]
    private var position = 0
    private let content: BlockContent
    private let direction: Direction

    /// A cursor over the blocks that may hold entries in `from...through`.
    init(blocks: [any EntryBlock], from: Int64, through: Int64, direction: Direction, content: BlockContent) {
        self.content = content
        self.direction = direction
        let relevant = blocks
            .filter { $0.entryCount > 0 && $0.maxTime >= from && $0.minTime <= through }
            .sorted { $0.minTime < $1.minTime }
        var clusters: [Cluster] = []
        for block in relevant {
            if let last = clusters.last, block.minTime <= last.maxTime {
                clusters[clusters.count - 1].blocks.append(block)
                clusters[clusters.count - 1].maxTime = max(last.maxTime, block.maxTime)
            } else {
                clusters.append(Cluster(blocks: [block], minTime: block.minTime, maxTime: block.maxTime))
            }
        }
        self.clusters = direction == .backward ? clusters.reversed() : clusters
    }

    /// The bound of the next batch in query direction, or `nil` when the cursor is exhausted.
    var nextBound: Int64? {
        guard position < clusters.count else { return nil }
        let cluster = clusters[position]
        return direction == .backward ? cluster.maxTime : cluster.minTime
    }

    /// Decodes the next batch (entries ascending), or returns `nil` when the cursor is exhausted.
    mutating func next() async throws -> EntryBatch? {
        guard position < clusters.count else { return nil }
        let cluster = clusters[position]
        position += 1
        if cluster.blocks.count == 1 {
            return Self.removingDuplicates(try await cluster.blocks[0].decode(content))
        }
        var batches: [EntryBatch] = []
        batches.reserveCapacity(cluster.blocks.count)
        for block in cluster.blocks {
            batches.append(try await block.decode(content))
        }
        return Self.removingDuplicates(Self.merge(batches))
    }

    /// Merges ascending batches by timestamp; equal timestamps keep batch order.
    static func merge(_ batches: [EntryBatch]) -> EntryBatch {
        let total = batches.reduce(0) { $0 + $1.count }
        let bytes = batches.reduce(0) { $0 + $1.totalLineBytes }
        var merged = EntryBatch(capacity: total, lineBytesCapacity: bytes)
        var cursors = [Int](repeating: 0, count: batches.count)
        for _ in 0..<total {
            var best = -1
            var bestTime = Int64.max
            for (index, batch) in batches.enumerated() where cursors[index] < batch.count {
                let time = batch.timestamps[cursors[index]]
                if time < bestTime {
                    best = index
                    bestTime = time
                }
            }
            merged.append(from: batches[best], at: cursors[best])
            cursors[best] += 1
        }
        return merged
    }

    /// Drops entries identical to an earlier entry with the same timestamp (needs lines to compare).
    static func removingDuplicates(_ batch: EntryBatch) -> EntryBatch {
        guard batch.hasLines, batch.count > 1 else { return batch }
        var duplicate: [Bool]? = nil
        var runStart = 0
        let timestamps = batch.timestamps
        for index in 1...batch.count {
            if index < batch.count, timestamps[index] == timestamps[runStart] { continue }
            if index - runStart > 1 {
                for later in (runStart + 1)..<index {
                    for earlier in runStart..<later where batch.line(earlier) == batch.line(later)
                        && batch.metadata(earlier) == batch.metadata(later) {
                        if duplicate == nil { duplicate = [Bool](repeating: false, count: batch.count) }
                        duplicate?[later] = true
                        break
                    }
                }
            }
            runStart = index
        }
        guard let duplicate else { return batch }
        var kept = EntryBatch(capacity: batch.count, lineBytesCapacity: batch.totalLineBytes)
        for index in 0..<batch.count where !duplicate[index] {
            kept.append(from: batch, at: index)
        }
        return kept
    }
}
