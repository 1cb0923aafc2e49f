public import FjordModel

/// The uncompressed, appendable tail of a stream's open chunk: accepts entries in any order, like Loki's unordered
/// head block.
///
/// - An entry identical (timestamp, line bytes, structured metadata) to one already in the head is dropped.
/// - Entries with the same timestamp but a different line or metadata are all kept, in arrival order.
/// - ``uncompressedSize`` counts line bytes plus metadata name and value bytes (Loki's head size).
///
/// Entries are stored in arrival order; ``sortedBatch()`` orders them by timestamp (stable) when the head is cut.
/// While entries arrive in order (the common case) duplicates are found by looking at the tail; the first
/// out-of-order entry switches to a hash index of timestamps.
public struct HeadBlock: Sendable {
    /// Entries in arrival order.
    public private(set) var entries = EntryBatch()
    public private(set) var uncompressedSize = 0
    public private(set) var minTime = Int64.max
    public private(set) var maxTime = Int64.min
    /// True while arrival order is also timestamp order.
    public private(set) var isSorted = true
    /// Once out of order: timestamp → index of the latest entry with that timestamp.
    private var latestAtTime: [Int64: Int32] = [:]
    /// Once out of order: index → previous entry with the same timestamp, or -1.
    private var previousAtTime: [Int32] = []

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// What ``append(timestamp:line:metadata:)`` did.
    public enum AppendResult: Sendable, Hashable {
        /// Stored at this index (arrival order).
        case appended(Int)
        /// Dropped: identical to the entry at this index.
        case duplicate(of: Int)
    }

    /// Adds an entry unless an identical one is already in the head.
    @discardableResult
    public mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels = Labels()) -> AppendResult {
        if let existing = findIdentical(timestamp: timestamp, line: line, metadata: metadata) {
            return .duplicate(of: existing)
        }
        let index = entries.count
        if isSorted, !entries.isEmpty, timestamp < maxTime {
            buildTimeIndex()
            isSorted = false
        }
        entries.append(timestamp: timestamp, line: line, metadata: metadata)
        if !isSorted {
            previousAtTime.append(latestAtTime[timestamp] ?? -1)
            latestAtTime[timestamp] = Int32(index)
        }
        minTime = min(minTime, timestamp)
        maxTime = max(maxTime, timestamp)
        uncompressedSize += line.count + HeadBlock.metadataSize(metadata)
        return .appended(index)
    }

    /// Adds an entry from a byte array.
    @discardableResult
    public mutating func append(timestamp: Int64, line: [UInt8], metadata: Labels = Labels()) -> AppendResult {
        line.withUnsafeBytes { append(timestamp: timestamp, line: $0, metadata: metadata) }
    }

    /// True when the entry at `index` has this timestamp, line and metadata.
    public func entry(at index: Int, equals timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> Bool {
        guard entries.timestamps[index] == timestamp, entries.lineLength(index) == line.count else { return false }
        guard entries.withLine(index, { $0.elementsEqual(line) }) else { return false }
        return entries.metadata(index) == metadata
    }

    private func findIdentical(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> Int? {
        if entries.isEmpty { return nil }
        if isSorted {
            if timestamp > maxTime { return nil }
            // Entries with this timestamp sit together in an ascending run.
            var index = StreamCursor.lowerBound(entries.timestamps, timestamp)
            while index < entries.count, entries.timestamps[index] == timestamp {
                if entry(at: index, equals: timestamp, line: line, metadata: metadata) { return index }
                index += 1
            }
            return nil
        }
        var candidate = latestAtTime[timestamp].map(Int.init) ?? -1
        while candidate >= 0 {
            if entry(at: candidate, equals: timestamp, line: line, metadata: metadata) { return candidate }
            candidate = Int(previousAtTime[candidate])
        }
        return nil
    }

    private mutating func buildTimeIndex() {
        previousAtTime = []
        previousAtTime.reserveCapacity(entries.count * 2)
        latestAtTime = [:]
        latestAtTime.reserveCapacity(entries.count * 2)
        for (index, timestamp) in entries.timestamps.enumerated() {
            previousAtTime.append(latestAtTime[timestamp] ?? -1)
            latestAtTime[timestamp] = Int32(index)
        }
    }

    /// The entries ordered by timestamp; equal timestamps keep arrival order.
    public func sortedBatch() -> EntryBatch {
        HeadBlock.sorted(entries, isSorted: isSorted)
    }

    /// An immutable copy for queries (copy-on-write: cheap until the head changes).
    public func snapshot() -> HeadSnapshot {
        HeadSnapshot(entries: entries, isSorted: isSorted, minTime: minTime, maxTime: maxTime)
    }

    /// Stable sort of a batch by timestamp.
    static func sorted(_ batch: EntryBatch, isSorted: Bool) -> EntryBatch {
        if isSorted { return batch }
        let order = batch.timestamps.indices.sorted { lhs, rhs in
            let left = batch.timestamps[lhs]
            let right = batch.timestamps[rhs]
            return left < right || (left == right && lhs < rhs)
        }
        var out = EntryBatch(capacity: batch.count, lineBytesCapacity: batch.totalLineBytes)
        for index in order { out.append(from: batch, at: index) }
        return out
    }

    /// Bytes of a metadata set as Loki counts them: names plus values.
    public static func metadataSize(_ metadata: Labels) -> Int {
        var size = 0
        for pair in metadata.pairs { size += pair.name.utf8.count + pair.value.utf8.count }
        return size
    }
}

/// A query's view of a head block at one moment: immutable and shareable; sorting happens when it is decoded.
public struct HeadSnapshot: EntryBlock, Sendable {
    let entries: EntryBatch
    let isSorted: Bool
    public let minTime: Int64
    public let maxTime: Int64
    public var entryCount: Int { entries.count }

    public func decode(_ content: BlockContent) async throws -> EntryBatch {
        let sorted = HeadBlock.sorted(entries, isSorted: isSorted)
        if content == .timestampsAndSizes {
            return EntryBatch(timestamps: sorted.timestamps, lineStarts: sorted.lineStarts, lineBytes: [],
                              metadata: sorted.metadata, hasLines: false)
        }
        return sorted
    }
}
