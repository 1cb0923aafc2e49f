#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(Dispatch)
import Dispatch
#endif

/// An open segment file, as handed from the opening code to the writer thread.
struct OpenSegment: Sendable {
    var number: Int
    var fd: Int32
    /// Bytes written so far (the header included).
    var written: Int
    /// Size on disk (the preallocated size, or `written`).
    var diskBytes: Int
    var path: String

    /// Creates segment `number`: header written, space reserved, and (unless fsync is `never`) file and directory
    /// entry durable before any record in it is acknowledged.
    static func create(_ number: Int, directory: String, options: WALOptions) throws(WALError) -> OpenSegment {
        let path = WALSegmentFile.path(number, in: directory)
        let fd = try PosixFile.create(path)
        do throws(WALError) {
            try PosixFile.writeAll(fd, WALSegmentFile.header(number), path: path)
            var diskBytes = WALSegmentFile.headerSize
            if options.preallocate, PosixFile.preallocate(fd, size: options.segmentSize) {
                diskBytes = max(diskBytes, options.segmentSize)
            }
            if options.fsync != .never {
                try PosixFile.syncAll(fd, path: path)
                try PosixFile.syncDirectory(directory)
            }
            return OpenSegment(number: number, fd: fd, written: WALSegmentFile.headerSize, diskBytes: diskBytes, path: path)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Cuts unused preallocated space, fsyncs (when `sync`) and closes the file.
    mutating func finish(sync: Bool) throws(WALError) {
        defer {
            close(fd)
            fd = -1
        }
        if diskBytes != written {
            try PosixFile.truncate(fd, to: written, path: path)
            diskBytes = written
        }
        if sync { try PosixFile.syncAll(fd, path: path) }
    }
}

/// The writer thread's loop: takes appended frames in batches, writes them, fsyncs per policy, rotates segments and
/// resumes the tasks waiting for durability. Runs on a dedicated thread because `write` and `fsync` block.
final class WriterThreadLoop {
    private let core: WriterCore
    private var file: OpenSegment
    private var lastSync = DispatchTime.now()
    private var options: WALOptions { core.options }

    init(core: WriterCore, file: OpenSegment) {
        self.core = core
        self.file = file
    }

    /// What the thread does next, decided under the lock.
    private enum Step {
        case sleep(timeout: DispatchTime?)
        case work(Batch)
    }

    private struct Batch {
        var chunks: [PendingChunk]
        var sequence: UInt64
        var syncRequested: Bool
        var closing: Bool
        var trim: Bool
        var rotateTo: Int?
    }

    func run() {
        while true {
            switch nextStep() {
            case .sleep(let timeout):
                if let timeout { _ = core.wakeup.wait(timeout: timeout) } else { core.wakeup.wait() }
            case .work(var batch):
                if perform(&batch) { return }
            }
        }
    }

    private func nextStep() -> Step {
        let intervalDeadline = syncDeadline
        return core.state.withLock { state -> Step in
            state.writerIdle = false
            let syncRequested = state.syncRequested > state.syncedSequence
            let intervalDue = intervalDeadline.map { DispatchTime.now() >= $0 } ?? false
            let unsynced = state.writtenSequence > state.syncedSequence
            if state.chunks.isEmpty, !state.closing, !syncRequested, !state.trimRequested, state.rotateTo == nil,
               !(intervalDue && unsynced) {
                state.writerIdle = true
                return .sleep(timeout: unsynced ? intervalDeadline : nil)
            }
            var chunks: [PendingChunk] = []
            swap(&chunks, &state.chunks)
            let sequence = chunks.last?.lastSequence ?? state.writtenSequence
            let trim = state.trimRequested
            state.trimRequested = false
            let rotateTo = state.rotateTo
            state.rotateTo = nil
            return .work(Batch(chunks: chunks, sequence: sequence, syncRequested: syncRequested, closing: state.closing,
                               trim: trim, rotateTo: rotateTo))
        }
    }

    /// When the `interval` policy wants its next fsync; nil for the other policies.
    private var syncDeadline: DispatchTime? {
        guard case .interval(let milliseconds) = options.fsync else { return nil }
        return lastSync + .milliseconds(max(milliseconds, 0))
    }

    /// Writes and syncs one batch and publishes the result. Returns true when the thread must exit.
    private func perform(_ batch: inout Batch) -> Bool {
        var written = 0
        var synced = false
        var failure: WALError?
        do throws(WALError) {
            for chunk in batch.chunks {
                if chunk.segment != file.number { try rotate(to: chunk.segment) }
                try PosixFile.writeAll(file.fd, chunk.bytes, path: file.path)
                file.written += chunk.bytes.count
                file.diskBytes = max(file.diskBytes, file.written)
                written += chunk.bytes.count
            }
            if let target = batch.rotateTo, !batch.closing, file.number < target { try rotate(to: target) }
            if mustSync(batch) {
                try PosixFile.syncData(file.fd, path: file.path)
                lastSync = DispatchTime.now()
                synced = true
            }
            if batch.trim, !batch.closing, file.diskBytes > file.written {
                // Give back the preallocated tail; later appends extend the file until the next rotation.
                try PosixFile.truncate(file.fd, to: file.written, path: file.path)
                file.diskBytes = file.written
                if options.fsync != .never { try PosixFile.syncAll(file.fd, path: file.path) }
            }
            if batch.closing {
                try file.finish(sync: true)
                synced = true
                try PosixFile.syncDirectory(core.directory)
            }
        } catch {
            failure = error
        }
        return publish(&batch, written: written, synced: synced, failure: failure)
    }

    private func mustSync(_ batch: Batch) -> Bool {
        if batch.syncRequested || batch.closing { return true }
        switch options.fsync {
        case .always: return !batch.chunks.isEmpty
        case .never: return false
        case .interval: return syncDeadline.map { DispatchTime.now() >= $0 } ?? true
        }
    }

    /// Closes the current segment and opens the next one.
    private func rotate(to number: Int) throws(WALError) {
        precondition(number == file.number + 1, "WAL writer: rotating from segment \(file.number) to \(number)")
        let old = file.number
        try file.finish(sync: options.fsync != .never)
        let finished = file.written
        file = try OpenSegment.create(number, directory: core.directory, options: options)
        let next = file
        core.state.withLock { state in
            state.otherSegments[old] = finished
            state.fileSegment = next.number
            state.fileDiskBytes = next.diskBytes
        }
    }

    /// Records what was written and synced, resumes satisfied waiters, and handles close and failure.
    private func publish(_ batch: inout Batch, written: Int, synced: Bool, failure: WALError?) -> Bool {
        var toResume: [(CheckedContinuation<Result<Void, WALError>, Never>, Result<Void, WALError>)] = []
        let exit = core.state.withLock { state -> Bool in
            state.bufferedBytes -= batch.chunks.reduce(0) { $0 + $1.bytes.count }
            state.writtenBytes += UInt64(written)
            state.fileDiskBytes = file.diskBytes
            // Hand the (now uniquely owned) buffers back for reuse, so appends rarely allocate.
            while var chunk = batch.chunks.popLast() {
                guard state.spare.count < 4, chunk.bytes.capacity <= 64 << 20 else { continue }
                chunk.bytes.removeAll(keepingCapacity: true)
                state.spare.append(chunk.bytes)
            }
            if let failure {
                state.failure = failure
                state.closed = true
                state.chunks = []
                for waiter in state.waiters { toResume.append((waiter.continuation, .failure(failure))) }
                for waiter in state.closeWaiters { toResume.append((waiter, .failure(failure))) }
                state.waiters = []
                state.closeWaiters = []
                return true
            }
            state.writtenSequence = batch.sequence
            if synced {
                state.syncedSequence = batch.sequence
                state.fsyncs += 1
            }
            for waiter in state.takeSatisfiedWaiters() { toResume.append((waiter.continuation, .success(()))) }
            guard batch.closing, state.chunks.isEmpty else { return false }
            state.closed = true
            for waiter in state.waiters { toResume.append((waiter.continuation, .success(()))) }
            for waiter in state.closeWaiters { toResume.append((waiter, .success(()))) }
            state.waiters = []
            state.closeWaiters = []
            return true
        }
        if exit {
            if file.fd >= 0 { close(file.fd) }
            file.fd = -1
            core.lock.release()
        }
        for (continuation, result) in toResume { continuation.resume(returning: result) }
        return exit
    }
}
