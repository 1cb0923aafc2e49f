/// Where a record starts: segment number and byte offset of its frame inside the segment file.
public struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var segment: Int
    public var offset: Int

    public init(segment: Int, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }

    public var description: String { "\(WALSegmentFile.name(segment)) offset \(offset)" }
}

/// Something replay found wrong in a segment, and what it did about it.
public struct ReplayProblem: Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The 16-byte segment header is missing or wrong (text says how).
        case badSegmentHeader(String)
        /// The segment ends inside a record: a write that was cut short.
        case truncatedRecord
        /// Everything from here to the end of the segment is zero bytes (preallocated space never written).
        case zeroFilled
        /// The record's CRC-32C does not match its bytes.
        case checksumMismatch
        /// The frame header is impossible (unknown kind, zero header followed by data).
        case invalidFrame(String)
        /// The frame is intact but its payload does not decode (a bug or a newer format); only this record is lost.
        case undecodablePayload(String)

        public var description: String {
            switch self {
            case .badSegmentHeader(let text): "bad segment header: \(text)"
            case .truncatedRecord: "truncated record"
            case .zeroFilled: "zero-filled tail"
            case .checksumMismatch: "checksum mismatch"
            case .invalidFrame(let text): "invalid frame: \(text)"
            case .undecodablePayload(let text): "undecodable payload: \(text)"
            }
        }
    }

    /// What replay did.
    public enum Action: Sendable, Hashable, CustomStringConvertible {
        /// The last segment was cut at the problem's offset; `droppedBytes` bytes were removed.
        case truncatedSegment(droppedBytes: Int)
        /// An older segment: the rest of it (`bytes`) was skipped and left on disk; replay went on with the next one.
        case skippedRestOfSegment(bytes: Int)
        /// Only this record was skipped; replay went on with the next record.
        case skippedRecord
        /// Nothing was changed on disk (replay ran with `repair: false`); the rest of the segment was not read.
        case reportedOnly(bytes: Int)

        public var description: String {
            switch self {
            case .truncatedSegment(let bytes): "truncated the segment, dropping \(bytes) bytes"
            case .skippedRestOfSegment(let bytes): "skipped the remaining \(bytes) bytes of the segment"
            case .skippedRecord: "skipped the record"
            case .reportedOnly(let bytes): "left the remaining \(bytes) bytes unread"
            }
        }
    }

    public var segment: Int
    public var offset: Int
    public var reason: Reason
    public var action: Action
    /// The type of the record, when the frame was intact (undecodable payloads).
    public var recordType: WALRecordType?

    public init(segment: Int, offset: Int, reason: Reason, action: Action, recordType: WALRecordType? = nil) {
        self.segment = segment
        self.offset = offset
        self.reason = reason
        self.action = action
        self.recordType = recordType
    }

    /// True for the usual trace of a crash: the newest segment ends in a cut-short record or unwritten zeros.
    /// Other problems mean damaged storage or a bug and deserve louder alerts.
    public var isTornTail: Bool {
        guard case .truncatedSegment = action else { return false }
        switch reason {
        case .truncatedRecord, .zeroFilled: return true
        default: return false
        }
    }

    public var description: String { "wal \(WALSegmentFile.name(segment)) offset \(offset): \(reason); \(action)" }
}

/// The outcome of a replay, for the ingester to log and count in metrics.
public struct ReplayReport: Sendable, Hashable {
    /// Segment files read.
    public var segments: Int = 0
    /// Bytes of segment files read (in the delivering pass).
    public var bytes: Int = 0
    /// Records handed to the caller.
    public var records: Int = 0
    /// Entries handed to the caller (inside entries records).
    public var entries: Int = 0
    /// Entries left out because a later flush mark says they are in the store.
    public var skippedFlushedEntries: Int = 0
    /// Problems found, in log order.
    public var problems: [ReplayProblem] = []
    /// Number of the newest segment, nil for an empty log.
    public var lastSegment: Int?

    public init() {}
}
