import Synchronization
#if canImport(Dispatch)
import Dispatch
#endif

/// Identifies an appended record: its place in the append order and the segment it goes to.
/// Pass it to ``WALWriter/durable(_:)``; keep `segment` to know which segments a stream's unflushed data pins.
public struct WALTicket: Sendable, Hashable, Comparable {
    /// 1 for the first record appended by this writer, then +1 per append.
    public let sequence: UInt64
    /// Segment number the record is written to.
    public let segment: Int

    public static func < (lhs: WALTicket, rhs: WALTicket) -> Bool { lhs.sequence < rhs.sequence }
}

/// Numbers for metrics: where the log is, how big it is and how hard the writer works.
public struct WALStats: Sendable, Hashable {
    /// Segment the next append goes to.
    public var currentSegment: Int
    /// Oldest segment still on disk.
    public var oldestSegment: Int
    /// Segment files on disk.
    public var segmentCount: Int
    /// Bytes the segment files take on disk (the open segment counts its preallocated size).
    public var diskBytes: Int
    /// Records appended since the writer opened.
    public var appendedRecords: UInt64
    /// Their uncompressed payload bytes.
    public var appendedPayloadBytes: UInt64
    /// Framed (compressed) bytes written to segment files since the writer opened.
    public var writtenBytes: UInt64
    /// `fdatasync` calls on segment files since the writer opened.
    public var fsyncs: UInt64
    /// Appended bytes waiting for the writer thread.
    public var bufferedBytes: Int
}

/// Frames appended for one segment and not yet written.
struct PendingChunk {
    var segment: Int
    var bytes: [UInt8]
    var lastSequence: UInt64
}

/// A task suspended in `durable`, `flush`, or `sync`.
struct DurabilityWaiter {
    var sequence: UInt64
    /// True when only an fsync (not a mere write) satisfies it.
    var needsSync: Bool
    var continuation: CheckedContinuation<Result<Void, WALError>, Never>
}

/// Everything appenders and the writer thread share, guarded by one mutex.
struct WriterState {
    var chunks: [PendingChunk] = []
    var bufferedBytes = 0
    /// Emptied buffers with capacity, reused for new chunks.
    var spare: [[UInt8]] = []

    var lastSequence: UInt64 = 0
    var writtenSequence: UInt64 = 0
    var syncedSequence: UInt64 = 0
    var syncRequested: UInt64 = 0
    /// Cut the open segment's unused preallocated space at the next opportunity (after a full flush).
    var trimRequested = false
    /// Start this segment now even without a record for it (``WALWriter/rotate()``).
    var rotateTo: Int?

    /// Segment of the next append and its size including everything appended to it.
    var segment: Int
    var segmentBytes: Int
    /// Segment file the writer thread has open, and its size on disk.
    var fileSegment: Int
    var fileDiskBytes: Int
    /// On-disk sizes of every other segment file.
    var otherSegments: [Int: Int]

    var waiters: [DurabilityWaiter] = []
    var closeWaiters: [CheckedContinuation<Result<Void, WALError>, Never>] = []
    var closing = false
    var closed = false
    var failure: WALError?
    /// True while the writer thread sleeps on the semaphore; whoever clears it signals.
    var writerIdle = false

    var appendedRecords: UInt64 = 0
    var appendedPayloadBytes: UInt64 = 0
    var writtenBytes: UInt64 = 0
    var fsyncs: UInt64 = 0

    init(segment: Int, fileDiskBytes: Int, otherSegments: [Int: Int]) {
        self.segment = segment
        self.segmentBytes = WALSegmentFile.headerSize
        self.fileSegment = segment
        self.fileDiskBytes = fileDiskBytes
        self.otherSegments = otherSegments
    }

    func isAcknowledged(_ sequence: UInt64, needsSync: Bool) -> Bool {
        needsSync ? syncedSequence >= sequence : writtenSequence >= sequence
    }

    /// Removes and returns the waiters whose records are now acknowledged.
    mutating func takeSatisfiedWaiters() -> [DurabilityWaiter] {
        guard !waiters.isEmpty else { return [] }
        var ready: [DurabilityWaiter] = []
        var rest: [DurabilityWaiter] = []
        for waiter in waiters {
            if isAcknowledged(waiter.sequence, needsSync: waiter.needsSync) { ready.append(waiter) } else { rest.append(waiter) }
        }
        waiters = rest
        return ready
    }

    /// Clears the idle flag; returns true when the caller must signal the writer thread.
    mutating func claimWakeup() -> Bool {
        defer { writerIdle = false }
        return writerIdle
    }

    var stats: WALStats {
        let oldest = otherSegments.keys.min().map { min($0, fileSegment) } ?? fileSegment
        return WALStats(
            currentSegment: segment,
            oldestSegment: oldest,
            segmentCount: otherSegments.count + 1,
            diskBytes: otherSegments.values.reduce(fileDiskBytes, +),
            appendedRecords: appendedRecords,
            appendedPayloadBytes: appendedPayloadBytes,
            writtenBytes: writtenBytes,
            fsyncs: fsyncs,
            bufferedBytes: bufferedBytes
        )
    }
}

/// The part of a writer that its thread shares with callers: options, state and the wake-up semaphore.
final class WriterCore: Sendable {
    let directory: String
    let options: WALOptions
    let state: Mutex<WriterState>
    let wakeup = DispatchSemaphore(value: 0)
    let lock: WALDirectoryLock

    init(directory: String, options: WALOptions, state: WriterState, lock: WALDirectoryLock) {
        self.directory = directory
        self.options = options
        self.state = Mutex(state)
        self.lock = lock
    }

    /// Encoding buffers kept between appends (one per concurrent appender), so encoding rarely allocates.
    private let scratchPool = Mutex<[[UInt8]]>([])

    func takeScratch() -> [UInt8] {
        scratchPool.withLock { $0.popLast() } ?? []
    }

    func returnScratch(_ buffer: [UInt8]) {
        guard buffer.capacity <= 64 << 20 else { return }
        scratchPool.withLock { pool in
            if pool.count < 8 { pool.append(buffer) }
        }
    }

    /// Signals the writer thread if it sleeps.
    func wake(if needed: Bool) {
        if needed { wakeup.signal() }
    }

    /// Starts closing (idempotent); the writer thread drains, fsyncs and exits.
    func beginClose() {
        let wake = state.withLock { state -> Bool in
            guard !state.closing else { return false }
            state.closing = true
            return state.claimWakeup()
        }
        self.wake(if: wake)
    }
}
