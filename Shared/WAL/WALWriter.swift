import Foundation

/// The ingester's write-ahead log writer: appends records to numbered segment files in a directory, with group commit.
///
/// Use:
/// ```swift
/// let report = try WALReader(directory: dir).replay { record, position in ... }   // first, on start
/// let wal = try WALWriter(directory: dir)
/// let ticket = try wal.append(.entries(record))   // cheap, synchronous, keeps call order
/// try await wal.durable(ticket)                    // then acknowledge the push
/// ...
/// try await wal.close()
/// ```
///
/// `append` encodes and compresses the record on the caller's thread, then copies the frame into the pending buffer
/// under a lock (call order = log order). A dedicated thread takes everything pending, writes it with one `write` per
/// segment and, with ``WALFsyncPolicy/always``, one `fdatasync` for the whole batch; every task waiting in `durable`
/// for a record of that batch then resumes. A new writer always starts a new segment after the existing ones.
///
/// If a write or fsync fails, the writer fails for good: waiting and later calls throw the error.
public final class WALWriter: Sendable {
    /// The WAL directory.
    public var directory: String { core.directory }
    /// The writer's settings.
    public var options: WALOptions { core.options }

    private let core: WriterCore

    /// Opens the log in `directory` (created when missing) for appending, in a new segment numbered after the last
    /// existing one. Takes the directory lock until ``close()``.
    public init(directory: String, options: WALOptions = WALOptions()) throws(WALError) {
        precondition(options.segmentSize > WALSegmentFile.headerSize, "WALOptions.segmentSize \(options.segmentSize) is too small")
        try PosixFile.makeDirectory(directory)
        let lock = try WALDirectoryLock(directory: directory)
        let existing = try WALSegmentFile.list(in: directory)
        let first = (existing.last?.number ?? -1) + 1
        let file = try OpenSegment.create(first, directory: directory, options: options)
        var others: [Int: Int] = [:]
        for segment in existing { others[segment.number] = segment.size }
        let state = WriterState(segment: first, fileDiskBytes: file.diskBytes, otherSegments: others)
        core = WriterCore(directory: directory, options: options, state: state, lock: lock)
        let thread = Thread { [core] in WriterThreadLoop(core: core, file: file).run() }
        thread.name = "fjord-wal-writer"
        thread.start()
    }

    deinit { core.beginClose() }

    /// Adds `record` to the log and returns its ticket. Does not wait for the disk: await ``durable(_:)`` before
    /// acknowledging. Throws when the writer is closed or failed, when the record exceeds 1 GiB, or when
    /// ``WALOptions/maxBufferedBytes`` bytes already wait for the disk (back-pressure: reject the push, retry later).
    @discardableResult
    public func append(_ record: WALRecord) throws(WALError) -> WALTicket {
        var scratch = core.takeScratch()
        defer { core.returnScratch(scratch) }
        let (body, payloadSize) = try WALFrame.encode(record, options: core.options, into: &scratch)
        let frameSize = scratch.count + (body?.count ?? 0)
        let options = core.options
        let (ticket, wake) = try core.state.withLock { state throws(WALError) -> (WALTicket, Bool) in
            if let failure = state.failure { throw failure }
            if state.closing { throw WALError.closed }
            if state.bufferedBytes > 0, state.bufferedBytes + frameSize > options.maxBufferedBytes {
                throw WALError("write buffer full: \(state.bufferedBytes) bytes wait for the disk (limit \(options.maxBufferedBytes))")
            }
            if state.segmentBytes > WALSegmentFile.headerSize, state.segmentBytes + frameSize > options.segmentSize {
                state.segment += 1
                state.segmentBytes = WALSegmentFile.headerSize
            }
            state.segmentBytes += frameSize
            state.lastSequence += 1
            let last = state.chunks.count - 1
            if last < 0 || state.chunks[last].segment != state.segment {
                state.chunks.append(PendingChunk(segment: state.segment, bytes: state.spare.popLast() ?? [], lastSequence: 0))
            }
            let chunk = state.chunks.count - 1
            state.chunks[chunk].bytes.append(contentsOf: scratch)
            if let body { state.chunks[chunk].bytes.append(contentsOf: body) }
            state.chunks[chunk].lastSequence = state.lastSequence
            state.bufferedBytes += frameSize
            state.appendedRecords += 1
            state.appendedPayloadBytes += UInt64(payloadSize)
            return (WALTicket(sequence: state.lastSequence, segment: state.segment), state.claimWakeup())
        }
        core.wake(if: wake)
        return ticket
    }

    /// Returns once the record of `ticket` is durable under the fsync policy: fsynced for ``WALFsyncPolicy/always``,
    /// written to the kernel otherwise. Records become durable in sequence order, so this also covers every record
    /// with a smaller `sequence` (awaiting the largest ticket of several appends is enough).
    /// Not cancellable: it ends when the writer gets there or fails.
    public func durable(_ ticket: WALTicket) async throws(WALError) {
        try await waitFor(ticket.sequence, needsSync: core.options.fsync == .always)
    }

    /// Appends and waits until the record is durable.
    @discardableResult
    public func appendDurably(_ record: WALRecord) async throws(WALError) -> WALTicket {
        let ticket = try append(record)
        try await durable(ticket)
        return ticket
    }

    /// Waits until everything appended so far is durable under the fsync policy.
    public func flush() async throws(WALError) {
        let last = core.state.withLock { $0.lastSequence }
        try await waitFor(last, needsSync: core.options.fsync == .always)
    }

    /// Fsyncs everything appended so far, whatever the policy, and waits for it.
    public func sync() async throws(WALError) {
        let (target, wake) = core.state.withLock { state -> (UInt64, Bool) in
            state.syncRequested = max(state.syncRequested, state.lastSequence)
            return (state.lastSequence, state.syncRequested > state.syncedSequence && state.claimWakeup())
        }
        core.wake(if: wake)
        try await waitFor(target, needsSync: true)
    }

    /// Closes the current segment (if it holds any record) and starts the next one now, so that once everything
    /// logged so far is flushed the ingester can delete every older segment. Returns the new current segment.
    @discardableResult
    public func rotate() async throws(WALError) -> Int {
        let (target, wake) = try core.state.withLock { state throws(WALError) -> (Int, Bool) in
            if let failure = state.failure { throw failure }
            if state.closing { throw WALError.closed }
            if state.segmentBytes > WALSegmentFile.headerSize {
                state.segment += 1
                state.segmentBytes = WALSegmentFile.headerSize
                state.rotateTo = state.segment
            }
            return (state.segment, state.claimWakeup())
        }
        core.wake(if: wake)
        // Rare operation: wait for the writer thread to open the new segment.
        while true {
            let (open, failure) = core.state.withLock { ($0.fileSegment, $0.failure) }
            if let failure { throw failure }
            if open >= target { return target }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    /// Gives back the open segment's unused preallocated space (the writer thread does it shortly). The ingester calls
    /// this when a flush left nothing unflushed, so an idle WAL takes only the bytes it holds.
    public func releaseUnusedSpace() {
        let wake = core.state.withLock { state -> Bool in
            state.trimRequested = true
            return state.claimWakeup()
        }
        core.wake(if: wake)
    }

    /// Writes and fsyncs everything appended, closes the segment (cutting unused preallocated space) and releases the
    /// directory. Later appends throw ``WALError/closed``. Throws the writer's failure if it failed.
    public func close() async throws(WALError) {
        core.beginClose()
        try await waitForClose()
    }

    private func waitForClose() async throws(WALError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, WALError>, Never>) in
            let immediate = core.state.withLock { state -> Result<Void, WALError>? in
                if state.closed { return state.failure.map { .failure($0) } ?? .success(()) }
                state.closeWaiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        try result.get()
    }

    /// Segment the next append goes to.
    public var currentSegment: Int { core.state.withLock { $0.segment } }

    /// Sizes, counters and positions for metrics.
    public var stats: WALStats { core.state.withLock { $0.stats } }

    /// Deletes every segment numbered below `segment` (the caller has flushed all their entries to the store).
    /// The segment the writer has open, and later ones, are never removed: the boundary is lowered to it.
    /// Returns the number of files removed and their bytes.
    @discardableResult
    public func removeSegments(before segment: Int) throws(WALError) -> (files: Int, bytes: Int) {
        let victims = core.state.withLock { state -> [(Int, Int)] in
            let limit = min(segment, state.fileSegment)
            return state.otherSegments.filter { $0.key < limit }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        guard !victims.isEmpty else { return (0, 0) }
        var removed: [Int] = []
        var failure: WALError?
        for (number, _) in victims {
            do throws(WALError) {
                try PosixFile.remove(WALSegmentFile.path(number, in: core.directory))
                removed.append(number)
            } catch {
                failure = error
                break
            }
        }
        let bytes = core.state.withLock { state -> Int in
            removed.reduce(0) { $0 + (state.otherSegments.removeValue(forKey: $1) ?? 0) }
        }
        if let failure { throw failure }
        try PosixFile.syncDirectory(core.directory)
        return (removed.count, bytes)
    }

    private func waitFor(_ sequence: UInt64, needsSync: Bool) async throws(WALError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, WALError>, Never>) in
            let immediate = core.state.withLock { state -> Result<Void, WALError>? in
                if let failure = state.failure { return .failure(failure) }
                if state.isAcknowledged(sequence, needsSync: needsSync) { return .success(()) }
                if state.closed { return .failure(.closed) }
                state.waiters.append(DurabilityWaiter(sequence: sequence, needsSync: needsSync, continuation: continuation))
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        try result.get()
    }
}
