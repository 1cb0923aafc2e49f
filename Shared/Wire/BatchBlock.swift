public import FjordModel

/// An ``EntryBlock`` over entries already in memory, in ascending timestamp order: what a select answer's
/// non-stored blocks (head snapshots and the like, sent as batches) become on the receiving side.
public struct BatchBlock: EntryBlock, Sendable {
    public let batch: EntryBatch
    public let minTime: Int64
    public let maxTime: Int64
    public var entryCount: Int { batch.count }

    /// Wraps `batch`, whose timestamps must be ascending (checked; a receiver turns a violation into a typed error
    /// before calling this).
    public init(sorted batch: EntryBatch) {
        precondition(BatchBlock.isAscending(batch.timestamps), "BatchBlock needs entries in ascending timestamp order")
        self.batch = batch
        minTime = batch.timestamps.first ?? 0
        maxTime = batch.timestamps.last ?? 0
    }

    public func decode(_ content: BlockContent) async throws -> EntryBatch {
        // `.fullIfContaining` may return every entry: only `.timestampsAndSizes` drops the lines.
        if content.includesLines || !batch.hasLines { return batch }
        return EntryBatch(timestamps: batch.timestamps, lineStarts: batch.lineStarts, lineBytes: [],
                          metadata: batch.metadata, hasLines: false)
    }

    static func isAscending(_ timestamps: [Int64]) -> Bool {
        var previous = Int64.min
        for timestamp in timestamps {
            if timestamp < previous { return false }
            previous = timestamp
        }
        return true
    }
}
