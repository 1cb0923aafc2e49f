/// Walks one stream's blocks in a query's direction and yields its entries in `[start, end)` as ``EntryBatch``es.
///
/// Blocks may come from several places (an ingester's memory, chunks in the store, replicas) and may overlap in time.
/// The cursor sorts them by time and groups blocks whose `[minTime, maxTime]` intervals overlap:
/// - a group of one block is decoded on its own, only when the caller asks for the next batch;
/// - a group of several blocks is decoded together, merged by timestamp and de-duplicated: an entry identical to one
///   already emitted (same timestamp, line bytes and structured metadata) is dropped, as Loki's queriers do across
///   replicas.
///
/// Order: `forward` yields entries oldest first; entries with equal timestamps keep their stored (arrival) order, and
/// across merged blocks the block that starts earlier comes first. `backward` yields exactly the reverse of the
/// forward sequence (newest first, equal timestamps in reverse stored order), like Loki's backward iterators. Each
/// batch is itself in direction order, so a consumer walks every batch from index 0.
///
/// ``nextBound`` tells, without decoding anything, the earliest (forward) or latest (backward) timestamp the next
/// batch can contain, so a query that already has enough entries can stop early.
public struct StreamCursor: Sendable {
    /// Blocks whose time intervals overlap (transitively) and must be merged.
    private struct Group: Sendable {
        var blocks: [any EntryBlock]
        var minTime: Int64
        var maxTime: Int64
    }

    /// Groups in direction order.
    private let groups: [Group]
    private var position = 0
    public let start: Int64
    public let end: Int64
    public let direction: Direction
    public let content: BlockContent

    /// A cursor over `blocks` for entries with `start <= timestamp < end` (Unix nanoseconds).
    ///
    /// With `content == .timestampsAndSizes` batches carry timestamps, line sizes and metadata but no line bytes
    /// (`hasLines == false`); overlapping groups are still decoded fully so duplicates can be recognised.
    public init(blocks: [any EntryBlock], start: Int64, end: Int64, direction: Direction, content: BlockContent = .full) {
        self.start = start
        self.end = end
        self.direction = direction
        self.content = content
        let inRange = blocks.enumerated().filter { _, block in
            block.entryCount > 0 && block.maxTime >= start && block.minTime < end && block.minTime <= block.maxTime
        }
        let sorted = inRange.sorted { lhs, rhs in
            if lhs.element.minTime != rhs.element.minTime { return lhs.element.minTime < rhs.element.minTime }
            if lhs.element.maxTime != rhs.element.maxTime { return lhs.element.maxTime < rhs.element.maxTime }
            return lhs.offset < rhs.offset
        }.map(\.element)
        var grouped: [Group] = []
        for block in sorted {
            if var last = grouped.last, block.minTime <= last.maxTime {
                last.blocks.append(block)
                last.maxTime = max(last.maxTime, block.maxTime)
                grouped[grouped.count - 1] = last
            } else {
                grouped.append(Group(blocks: [block], minTime: block.minTime, maxTime: block.maxTime))
            }
        }
        groups = direction == .forward ? grouped : grouped.reversed()
    }

    /// True when no batch is left.
    public var isExhausted: Bool { position >= groups.count }

    /// The earliest (forward) or latest (backward) timestamp the next batch may contain, clamped to the range; `nil`
    /// when the cursor is exhausted. The next batch may turn out empty of entries at exactly this bound, never
    /// beyond it: forward batches never hold entries before it, backward batches never after it.
    public var nextBound: Int64? {
        guard position < groups.count else { return nil }
        let group = groups[position]
        switch direction {
        case .forward: return max(group.minTime, start)
        case .backward: return min(group.maxTime, end &- 1)
        }
    }

    /// The next non-empty batch in direction order, or `nil` when the stream has no more entries in range.
    public mutating func next() async throws -> EntryBatch? {
        while position < groups.count {
            let group = groups[position]
            position += 1
            var batch: EntryBatch
            if group.blocks.count == 1 {
                batch = try await group.blocks[0].decode(content)
                batch = StreamCursor.trim(batch, start: start, end: end)
            } else if content == .timestampsAndSizes, let merged = try await mergeSizesOnly(group) {
                batch = merged
            } else {
                // A literal filter drops the same entries from every block, so merging the filtered blocks gives
                // the filtered merge: identical entries are either all kept (and de-duplicated) or all dropped.
                let blockContent: BlockContent = content == .timestampsAndSizes ? .full : content
                var decoded: [EntryBatch] = []
                decoded.reserveCapacity(group.blocks.count)
                for block in group.blocks {
                    decoded.append(try await block.decode(blockContent))
                }
                batch = StreamCursor.merge(decoded, start: start, end: end)
            }
            if batch.isEmpty { continue }
            if content == .timestampsAndSizes, batch.hasLines {
                batch = EntryBatch(timestamps: batch.timestamps, lineStarts: batch.lineStarts, lineBytes: [],
                                   metadata: batch.metadata, hasLines: false)
            }
            if direction == .backward { batch = StreamCursor.reversed(batch) }
            return batch
        }
        return nil
    }

    /// Reads the whole stream into one batch (for tests and small reads).
    public mutating func collect() async throws -> EntryBatch {
        var all = EntryBatch()
        var first = true
        while let batch = try await next() {
            if first {
                all = batch
                first = false
                continue
            }
            for index in 0..<batch.count { all.append(from: batch, at: index) }
        }
        return all
    }

    // MARK: - Batch helpers

    /// First index whose timestamp is `>= value` in ascending `timestamps` (binary search).
    public static func lowerBound(_ timestamps: [Int64], _ value: Int64) -> Int {
        var low = 0
        var high = timestamps.count
        while low < high {
            let mid = (low + high) / 2
            if timestamps[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Keeps the entries of an ascending batch that lie in `[start, end)`; returns the batch itself when all do.
    static func trim(_ batch: EntryBatch, start: Int64, end: Int64) -> EntryBatch {
        let low = lowerBound(batch.timestamps, start)
        let high = lowerBound(batch.timestamps, end)
        if low == 0, high == batch.count { return batch }
        if low >= high { return EntryBatch() }
        let base = batch.lineStarts[low]
        let starts = batch.lineStarts[low...high].map { $0 - base }
        let bytes = batch.hasLines ? Array(batch.lineBytes[Int(base)..<Int(batch.lineStarts[high])]) : []
        let metadata = batch.metadata.isEmpty ? [] : Array(batch.metadata[low..<high])
        return EntryBatch(timestamps: Array(batch.timestamps[low..<high]), lineStarts: starts, lineBytes: bytes,
                          metadata: metadata, hasLines: batch.hasLines)
    }

    /// The entries of `batch` in reverse order (columns built directly: this runs for every backward query).
    static func reversed(_ batch: EntryBatch) -> EntryBatch {
        let count = batch.count
        if count <= 1 { return batch }
        var timestamps = [Int64]()
        timestamps.reserveCapacity(count)
        var starts = [UInt32]()
        starts.reserveCapacity(count + 1)
        starts.append(0)
        var bytes = [UInt8]()
        if batch.hasLines { bytes.reserveCapacity(batch.lineBytes.count) }
        var offset: UInt32 = 0
        for index in stride(from: count - 1, through: 0, by: -1) {
            timestamps.append(batch.timestamps[index])
            let start = Int(batch.lineStarts[index])
            let end = Int(batch.lineStarts[index + 1])
            if batch.hasLines { bytes.append(contentsOf: batch.lineBytes[start..<end]) }
            offset += UInt32(end - start)
            starts.append(offset)
        }
        return EntryBatch(timestamps: timestamps, lineStarts: starts, lineBytes: bytes,
                          metadata: batch.metadata.reversed(), hasLines: batch.hasLines)
    }

    /// Merges ascending batches by timestamp into one ascending batch restricted to `[start, end)`. Ties go to the
    /// earlier batch; an entry identical to one already emitted at the same timestamp is dropped.
    static func merge(_ batches: [EntryBatch], start: Int64, end: Int64) -> EntryBatch {
        var cursors = batches.map { lowerBound($0.timestamps, start) }
        let limits = batches.map { lowerBound($0.timestamps, end) }
        let capacity = zip(cursors, limits).reduce(0) { $0 + max(0, $1.1 - $1.0) }
        // Line bytes reserved up front (an upper bound): growing the buffer copied every merged line again.
        var out = EntryBatch(capacity: capacity, lineBytesCapacity: batches.reduce(0) { $0 + $1.totalLineBytes })
        // Entries already emitted at the current timestamp, as (batch, index), to recognise duplicates.
        var emittedAtTime: [(Int, Int)] = []
        var currentTime = Int64.min
        while true {
            var pick = -1
            var pickTime = Int64.max
            for (batchIndex, cursor) in cursors.enumerated() where cursor < limits[batchIndex] {
                let time = batches[batchIndex].timestamps[cursor]
                if pick < 0 || time < pickTime {
                    pick = batchIndex
                    pickTime = time
                }
            }
            if pick < 0 { break }
            let entry = cursors[pick]
            cursors[pick] += 1
            if pickTime != currentTime {
                currentTime = pickTime
                emittedAtTime.removeAll(keepingCapacity: true)
            }
            let batch = batches[pick]
            let duplicate = emittedAtTime.contains { other in
                identical(batch, entry, batches[other.0], other.1)
            }
            if duplicate { continue }
            emittedAtTime.append((pick, entry))
            out.append(from: batch, at: entry)
        }
        return out
    }

    /// Merges an overlapping group for a count-only read without decoding lines. Duplicates can only share a
    /// timestamp, so when no timestamp occurs in two different blocks there is nothing to de-duplicate; otherwise
    /// returns nil and the caller decodes the group fully.
    private func mergeSizesOnly(_ group: Group) async throws -> EntryBatch? {
        var batches: [EntryBatch] = []
        batches.reserveCapacity(group.blocks.count)
        for block in group.blocks { batches.append(try await block.decode(.timestampsAndSizes)) }
        var cursors = batches.map { StreamCursor.lowerBound($0.timestamps, start) }
        let limits = batches.map { StreamCursor.lowerBound($0.timestamps, end) }
        let capacity = zip(cursors, limits).reduce(0) { $0 + max(0, $1.1 - $1.0) }
        var out = EntryBatch(capacity: capacity)
        var lastTime = Int64.min
        var lastBatch = -1
        while true {
            var pick = -1
            var pickTime = Int64.max
            for (batchIndex, cursor) in cursors.enumerated() where cursor < limits[batchIndex] {
                let time = batches[batchIndex].timestamps[cursor]
                if pick < 0 || time < pickTime {
                    pick = batchIndex
                    pickTime = time
                }
            }
            if pick < 0 { break }
            if pickTime == lastTime, pick != lastBatch { return nil }
            lastTime = pickTime
            lastBatch = pick
            out.append(from: batches[pick], at: cursors[pick])
            cursors[pick] += 1
        }
        return out
    }

    /// True when two entries (known to share a timestamp) have the same line bytes and structured metadata.
    static func identical(_ lhs: EntryBatch, _ lhsIndex: Int, _ rhs: EntryBatch, _ rhsIndex: Int) -> Bool {
        guard lhs.lineLength(lhsIndex) == rhs.lineLength(rhsIndex) else { return false }
        guard lhs.metadata(lhsIndex) == rhs.metadata(rhsIndex) else { return false }
        return lhs.withLine(lhsIndex) { left in
            rhs.withLine(rhsIndex) { right in left.elementsEqual(right) }
        }
    }
}
