/// When the WAL writer calls `fdatasync`, and therefore when ``WALWriter/durable(_:)`` returns.
public enum WALFsyncPolicy: Sendable, Hashable {
    /// Acknowledge only after the record is fsynced; concurrent appends share one fsync (group commit). Default.
    case always
    /// Write as records arrive and acknowledge after the write; fsync at most every `milliseconds`.
    /// A machine crash can lose the last interval; a process crash loses nothing acknowledged.
    case interval(milliseconds: Int)
    /// Write and acknowledge; never fsync (not even on rotation) except once in `close()`. For tests and
    /// throwaway data: a machine crash can lose anything the kernel had not written back.
    case never
}

/// Settings of a ``WALWriter``.
public struct WALOptions: Sendable, Hashable {
    /// A segment is closed and the next one started when a record would make it larger than this.
    /// A single record larger than this gets a segment of its own. Default 64 MiB.
    public var segmentSize: Int
    /// Durability policy; default ``WALFsyncPolicy/always``.
    public var fsync: WALFsyncPolicy
    /// Payloads smaller than this are stored uncompressed. Default 512 bytes.
    public var compressionThreshold: Int
    /// zstd level for payloads (1 = fastest). Default 1.
    public var compressionLevel: Int32
    /// Appends throw once this many bytes wait for the writer thread (the disk cannot keep up). Default 256 MiB.
    public var maxBufferedBytes: Int
    /// Reserve each new segment's full size on disk up front (`posix_fallocate`), which makes each fsync cheaper.
    /// After a crash the unused tail reads as zeros; replay treats it as the end of the log. Default true.
    public var preallocate: Bool

    public init(
        segmentSize: Int = 64 << 20,
        fsync: WALFsyncPolicy = .always,
        compressionThreshold: Int = 512,
        compressionLevel: Int32 = 1,
        maxBufferedBytes: Int = 256 << 20,
        preallocate: Bool = true
    ) {
        self.segmentSize = segmentSize
        self.fsync = fsync
        self.compressionThreshold = compressionThreshold
        self.compressionLevel = compressionLevel
        self.maxBufferedBytes = maxBufferedBytes
        self.preallocate = preallocate
    }
}
