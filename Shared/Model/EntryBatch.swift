/// Order in which a query walks entries: oldest first (`forward`) or newest first (`backward`, Loki's default).
public enum Direction: String, Sendable, Hashable {
    case forward
    case backward
}

/// A run of log entries of one stream stored column by column: timestamps, line boundaries, line bytes and
/// structured metadata. Query code works on these bytes directly; it never builds a `String` per line.
///
/// Entries are in ascending timestamp order unless a producer documents otherwise. When a batch was decoded without
/// its lines (``BlockContent/timestampsAndSizes``), `lineBytes` is empty but ``lineLength(_:)`` still answers.
public struct EntryBatch: Sendable {
    /// Unix nanoseconds of each entry.
    public private(set) var timestamps: [Int64]
    /// `lineStarts[i]..<lineStarts[i+1]` is entry `i`'s line inside `lineBytes`; always `count + 1` values.
    public private(set) var lineStarts: [UInt32]
    /// The concatenated line bytes (empty when lines were not decoded).
    public private(set) var lineBytes: [UInt8]
    /// Structured metadata per entry: empty when no entry has any, otherwise exactly `count` values.
    public private(set) var metadata: [Labels]
    /// False when the batch carries only timestamps and line sizes.
    public private(set) var hasLines: Bool

    /// An empty batch that will carry lines.
    public init(capacity: Int = 0, lineBytesCapacity: Int = 0) {
        timestamps = []
        timestamps.reserveCapacity(capacity)
        lineStarts = [0]
        lineStarts.reserveCapacity(capacity + 1)
        lineBytes = []
        lineBytes.reserveCapacity(lineBytesCapacity)
        metadata = []
        hasLines = true
    }

    /// A batch from already-built columns. `lineStarts` must have `timestamps.count + 1` values starting at 0;
    /// `lineBytes` may be empty if `hasLines` is false; `metadata` is empty or one value per entry.
    public init(timestamps: [Int64], lineStarts: [UInt32], lineBytes: [UInt8], metadata: [Labels], hasLines: Bool) {
        precondition(lineStarts.count == timestamps.count + 1, "EntryBatch: \(lineStarts.count) line starts for \(timestamps.count) entries")
        precondition(metadata.isEmpty || metadata.count == timestamps.count, "EntryBatch: metadata count mismatch")
        precondition(!hasLines || Int(lineStarts.last ?? 0) == lineBytes.count, "EntryBatch: line bytes do not match offsets")
        self.timestamps = timestamps
        self.lineStarts = lineStarts
        self.lineBytes = lineBytes
        self.metadata = metadata
        self.hasLines = hasLines
    }

    /// Number of entries.
    @inlinable public var count: Int { timestamps.count }
    @inlinable public var isEmpty: Bool { timestamps.isEmpty }

    /// Appends one entry. `line` is copied.
    public mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata entryMetadata: Labels = Labels()) {
        precondition(hasLines, "cannot append a line to a batch decoded without lines")
        timestamps.append(timestamp)
        lineBytes.append(contentsOf: line)
        lineStarts.append(UInt32(lineBytes.count))
        appendMetadata(entryMetadata)
    }

    /// Appends one entry from a byte collection.
    public mutating func append(timestamp: Int64, line: some Collection<UInt8>, metadata entryMetadata: Labels = Labels()) {
        precondition(hasLines, "cannot append a line to a batch decoded without lines")
        timestamps.append(timestamp)
        lineBytes.append(contentsOf: line)
        lineStarts.append(UInt32(lineBytes.count))
        appendMetadata(entryMetadata)
    }

    /// Appends entry `index` of `other`.
    public mutating func append(from other: EntryBatch, at index: Int) {
        if other.hasLines {
            other.withLine(index) { append(timestamp: other.timestamps[index], line: $0, metadata: other.metadata(index)) }
        } else {
            precondition(!hasLines || isEmpty, "cannot mix batches with and without lines")
            hasLines = false
            timestamps.append(other.timestamps[index])
            lineStarts.append(lineStarts[lineStarts.count - 1] + UInt32(other.lineLength(index)))
            appendMetadata(other.metadata(index))
        }
    }

    private mutating func appendMetadata(_ entryMetadata: Labels) {
        if entryMetadata.isEmpty {
            if !metadata.isEmpty { metadata.append(entryMetadata) }
        } else {
            if metadata.isEmpty, timestamps.count > 1 {
                metadata = Array(repeating: Labels(), count: timestamps.count - 1)
            }
            metadata.append(entryMetadata)
        }
    }

    /// Byte length of entry `index`'s line.
    @inlinable public func lineLength(_ index: Int) -> Int { Int(lineStarts[index + 1] &- lineStarts[index]) }

    /// Entry `index`'s line bytes.
    public func line(_ index: Int) -> ArraySlice<UInt8> {
        precondition(hasLines, "batch was decoded without lines")
        return lineBytes[Int(lineStarts[index])..<Int(lineStarts[index + 1])]
    }

    /// Entry `index`'s line as a `String` (for responses and tests; not for per-line query work).
    public func lineString(_ index: Int) -> String {
        String(decoding: line(index), as: UTF8.self)
    }

    /// Calls `body` with entry `index`'s line bytes without copying.
    @inlinable
    public func withLine<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(hasLines, "batch was decoded without lines")
        let start = Int(lineStarts[index])
        let end = Int(lineStarts[index + 1])
        return try lineBytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
        }
    }

    /// Structured metadata of entry `index` (empty when it has none).
    @inlinable public func metadata(_ index: Int) -> Labels { metadata.isEmpty ? Labels() : metadata[index] }

    /// Total line bytes of the batch.
    public var totalLineBytes: Int { Int(lineStarts.last ?? 0) }
}

/// Which parts of a block a reader needs decoded.
public enum BlockContent: Sendable, Hashable {
    /// Timestamps and line sizes only: enough for `count_over_time`, `rate`, `bytes_over_time` without a pipeline.
    case timestampsAndSizes
    /// Everything: timestamps, lines and structured metadata.
    case full
    /// Everything, for a query whose every result line contains each of these byte strings (leading `|= "…"`
    /// filters). A block may leave out entries whose lines it can prove lack one of them (an empty batch when it
    /// proves that for every line); every entry whose line contains all of them is returned as with ``full``.
    case fullIfContaining([[UInt8]])

    /// True when line bytes are needed.
    public var includesLines: Bool { self != .timestampsAndSizes }
}

/// A stored run of one stream's entries whose decoding is deferred until a query needs it.
///
/// Blocks come from an ingester's memory (compressed blocks, or a snapshot of the head block) or from chunks in the
/// object store. Blocks of the same stream may overlap in time (replicas, a chunk flushed twice after a crash); the
/// reader (`StreamCursor`) merges overlapping blocks and drops identical entries.
public protocol EntryBlock: Sendable {
    /// Smallest timestamp in the block.
    var minTime: Int64 { get }
    /// Largest timestamp in the block.
    var maxTime: Int64 { get }
    /// Number of entries.
    var entryCount: Int { get }
    /// Decodes the block: entries in ascending timestamp order; entries with equal timestamps keep arrival order.
    func decode(_ content: BlockContent) async throws -> EntryBatch
}

/// One stream's labels and the blocks that hold its entries for a query's time range.
public struct StreamData: Sendable {
    public var labels: Labels
    public var blocks: [any EntryBlock]

    public init(labels: Labels, blocks: [any EntryBlock]) {
        self.labels = labels
        self.blocks = blocks
    }
}

/// Anything a query can read streams from: an ingester's memory, the chunk store, or a merge of both.
public protocol LogSource: Sendable {
    /// Streams of `tenant` whose labels satisfy every matcher and that may hold entries in `[start, end)`
    /// (Unix nanoseconds). Blocks entirely outside the range may be omitted; blocks partly inside are returned whole.
    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData]
}
