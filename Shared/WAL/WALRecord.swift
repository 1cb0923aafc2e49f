import FjordModel

/// The kind of a WAL record, stored in the low bits of the frame's kind byte.
public enum WALRecordType: UInt8, Sendable, Hashable {
    /// Pushed entries of one tenant: ``WALEntriesRecord``.
    case entries = 1
    /// "Flushed to the store through counter N" marks of one tenant: ``WALFlushRecord``.
    case flush = 2
}

/// One stream's entries inside an ``WALEntriesRecord``.
///
/// Every stream counts the entries the ingester appended to it; entry `i` of `entries` has counter value
/// `counterBefore + i`. Flush marks refer to these values (see ``WALFlushMark``).
public struct WALStream: Sendable {
    /// The stream's labels.
    public var labels: Labels
    /// `labels.fingerprint`, stored so replay can key streams without hashing; checked on decode.
    public var fingerprint: UInt64
    /// The stream's entry counter before this append: how many entries the stream had received until then.
    public var counterBefore: UInt64
    /// The entries in push order (timestamps, lines, structured metadata). Must carry lines.
    public var entries: EntryBatch

    public init(labels: Labels, counterBefore: UInt64, entries: EntryBatch) {
        self.labels = labels
        self.fingerprint = labels.fingerprint
        self.counterBefore = counterBefore
        self.entries = entries
    }

    /// Counter value after this append (`counterBefore + entries.count`).
    public var counterAfter: UInt64 { counterBefore + UInt64(entries.count) }
}

/// The entries of one push (any number of streams) of one tenant.
public struct WALEntriesRecord: Sendable {
    public var tenant: String
    public var streams: [WALStream]

    public init(tenant: String, streams: [WALStream]) {
        self.tenant = tenant
        self.streams = streams
    }
}

/// "Every entry of stream `fingerprint` with counter value below `flushedThrough` that was logged before this mark is
/// in the store": replay skips those entries.
public struct WALFlushMark: Sendable, Hashable {
    public var fingerprint: UInt64
    /// Entries with counter values `< flushedThrough` are flushed.
    public var flushedThrough: UInt64

    public init(fingerprint: UInt64, flushedThrough: UInt64) {
        self.fingerprint = fingerprint
        self.flushedThrough = flushedThrough
    }
}

/// Flush marks of one tenant, usually written once per flush cycle.
public struct WALFlushRecord: Sendable, Hashable {
    public var tenant: String
    public var marks: [WALFlushMark]

    public init(tenant: String, marks: [WALFlushMark]) {
        self.tenant = tenant
        self.marks = marks
    }
}

/// One logical WAL record: what ``WALWriter/append(_:)`` takes and replay returns.
public enum WALRecord: Sendable {
    case entries(WALEntriesRecord)
    case flush(WALFlushRecord)

    /// The record's type tag.
    public var type: WALRecordType {
        switch self {
        case .entries: .entries
        case .flush: .flush
        }
    }

    /// The tenant the record belongs to.
    public var tenant: String {
        switch self {
        case .entries(let record): record.tenant
        case .flush(let record): record.tenant
        }
    }
}
