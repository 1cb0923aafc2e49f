public import FjordModel
public import FjordServiceAPI
import Synchronization

/// A tail subscription's bounded buffer: producers ``offer(_:)`` entries without ever waiting; past `capacity`
/// unread entries the rest are dropped and remembered (labels and timestamp, at most `capacity` of them) so the
/// reader can report them as `dropped_entries`. The reader takes everything at once with ``next()``.
public final class TailBuffer: TailSubscription {
    private struct State {
        var streams: [TailedStream] = []
        var entries = 0
        var dropped: [DroppedTailEntry] = []
        var waiter: CheckedContinuation<Void, Never>?
        /// Numbers the ``next()`` calls, so a cancellation is tied to the call it interrupted.
        var reads: UInt64 = 0
        /// The call whose task was cancelled: its continuation, even one installed after the cancellation, does not
        /// wait. Later calls are not affected (a timed-out `delay_for` read must not make the next read spin).
        var interruptedRead: UInt64 = 0
        /// Times a reader went to wait (for tests: a reader that spins shows up here).
        var waits = 0
        var ended = false
        var failure: ServiceError?

        func isReady(for read: UInt64) -> Bool {
            entries > 0 || !dropped.isEmpty || ended || failure != nil || interruptedRead == read
        }
    }

    /// Most unread entries held.
    public let capacity: Int
    private let state = Mutex(State())
    private let onCancel: Mutex<(@Sendable () -> Void)?>

    /// A buffer for `capacity` entries (at least 1); `onCancel` runs once when the reader cancels.
    public init(capacity: Int, onCancel: (@Sendable () -> Void)? = nil) {
        self.capacity = max(1, capacity)
        self.onCancel = Mutex(onCancel)
    }

    /// Adds what fits of `stream`'s entries and records the rest as dropped. Never blocks (one short lock).
    /// Returns how many entries were dropped.
    @discardableResult
    public func offer(_ stream: TailedStream) -> Int {
        guard !stream.entries.isEmpty else { return 0 }
        let waiter: CheckedContinuation<Void, Never>?
        let droppedCount: Int
        (waiter, droppedCount) = state.withLock { state in
            guard !state.ended else { return (nil, 0) }
            let room = capacity - state.entries
            let count = stream.entries.count
            if count <= room {
                state.streams.append(stream)
                state.entries += count
            } else {
                if room > 0 {
                    var kept = EntryBatch(capacity: room)
                    for index in 0..<room { kept.append(from: stream.entries, at: index) }
                    state.streams.append(TailedStream(labels: stream.labels, entries: kept))
                    state.entries += room
                }
                let first = max(room, 0)
                for index in first..<count where state.dropped.count < capacity {
                    state.dropped.append(DroppedTailEntry(timestamp: stream.entries.timestamps[index], labels: stream.labels))
                }
            }
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, max(0, count - max(room, 0)))
        }
        waiter?.resume()
        return droppedCount
    }

    /// Adds drops reported by an upstream buffer (an ingester's), within the same bound.
    public func report(dropped: [DroppedTailEntry]) {
        guard !dropped.isEmpty else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.ended else { return nil }
            state.dropped.append(contentsOf: dropped.prefix(max(0, capacity - state.dropped.count)))
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Ends the subscription with a backend failure: the reader's next ``next()`` throws it.
    public func fail(_ error: ServiceError) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.failure == nil && !state.ended { state.failure = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Ends the subscription normally (the producer finished): the reader gets what is left, then nil.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// How often readers went to wait so far (a test hook: an idle reader waits once per wake-up, never spins).
    var waitCount: Int { state.withLock { $0.waits } }

    public func next() async throws(ServiceError) -> TailBatch? {
        let read = state.withLock { state -> UInt64 in
            state.reads &+= 1
            return state.reads
        }
        while true {
            enum Step { case batch(TailBatch), end, failure(ServiceError), wait }
            let step = state.withLock { state -> Step in
                if state.entries > 0 || !state.dropped.isEmpty {
                    let batch = TailBatch(streams: state.streams, dropped: state.dropped)
                    state.streams = []
                    state.dropped = []
                    state.entries = 0
                    return .batch(batch)
                }
                if let failure = state.failure { return .failure(failure) }
                if state.ended { return .end }
                return .wait
            }
            switch step {
            case .batch(let batch): return batch
            case .end: return nil
            case .failure(let error): throw error
            case .wait: break
            }
            if Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        state.waits += 1
                        if state.isReady(for: read) { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    state.interruptedRead = read
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
            if Task.isCancelled { return nil }
        }
    }

    public func cancel() {
        finish()
        let callback = onCancel.withLock { callback -> (@Sendable () -> Void)? in
            defer { callback = nil }
            return callback
        }
        callback?()
    }
}
