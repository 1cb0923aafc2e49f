/// What one replica answered: to its share of a push, or to a read.
public enum ReplicaOutcome<Failure: Sendable>: Sendable {
    case success
    /// `isClientError`: the ingester rejected the data (Loki: a 4xx status), as opposed to failing to process it.
    case failure(Failure, isClientError: Bool)
}

/// The state of a whole push or read.
public enum QuorumDecision<Failure: Sendable>: Sendable {
    /// Still waiting for answers.
    case pending
    /// Every stream reached its quorum (writes) / enough instances answered (reads).
    case succeeded
    /// Quorum can no longer be reached; `failure` is the error to report, from `instance`.
    case failed(instance: Int, failure: Failure)

    public var isFinal: Bool {
        if case .pending = self { return false }
        return true
    }
}

/// The streams of one push that go to one ingester.
public struct InstanceBatch: Sendable, Hashable {
    /// Ring instance index.
    public var instance: Int
    /// Indexes of the push's streams this instance must receive, ascending.
    public var streams: [Int]

    public init(instance: Int, streams: [Int]) {
        self.instance = instance
        self.streams = streams
    }
}

/// Decides when a push that was split across ingesters has succeeded or failed, with Loki's semantics (dskit
/// `DoBatch` / `batchTracker.record`). Pure: feed it each ingester's answer, in any order.
///
/// - A stream succeeds once `minSuccess` of its replicas acknowledged it; the push succeeds when every stream did.
/// - A stream fails when client errors or server errors (counted separately) exceed `maxFailures`, or when its last
///   replica answered without the stream reaching quorum. The first stream to fail fails the push with that error.
/// - Once decided, the decision never changes (later answers are ignored).
public struct WriteQuorumTracker<Failure: Sendable>: Sendable {
    /// The per-ingester batches to send: for each instance, the indexes of the streams it must receive.
    public let streamsByInstance: [InstanceBatch]
    /// The push's state so far.
    public var decision: QuorumDecision<Failure> { current }

    @usableFromInline var current: QuorumDecision<Failure>

    @usableFromInline var items: [Item]
    @usableFromInline var pendingStreams: Int
    /// Instance index → position in `streamsByInstance` (-1: not part of this push).
    @usableFromInline let positionOfInstance: [Int]
    @usableFromInline var answered: [Bool]

    @usableFromInline
    struct Item: Sendable {
        @usableFromInline var minSuccess: Int
        @usableFromInline var maxFailures: Int
        @usableFromInline var remaining: Int
        @usableFromInline var succeeded = 0
        @usableFromInline var clientFailures = 0
        @usableFromInline var serverFailures = 0
        @usableFromInline var lastFailure: (instance: Int, failure: Failure)?
        @usableFromInline var done = false

        @usableFromInline
        init(minSuccess: Int, maxFailures: Int, remaining: Int) {
            self.minSuccess = minSuccess
            self.maxFailures = maxFailures
            self.remaining = remaining
        }
    }

    /// A tracker for a push whose stream `i` goes to `replicationSets[i]`.
    @inlinable
    public init(replicationSets: [ReplicationSet]) {
        var batches: [InstanceBatch] = []
        var position: [Int] = []
        items = []
        items.reserveCapacity(replicationSets.count)
        for (stream, set) in replicationSets.enumerated() {
            precondition(set.minSuccess >= 1 && set.minSuccess <= set.instances.count,
                         "WriteQuorumTracker: stream \(stream) needs \(set.minSuccess) of \(set.instances.count) replicas")
            items.append(Item(minSuccess: set.minSuccess, maxFailures: set.maxFailures, remaining: set.instances.count))
            for instance in set.instances {
                precondition(instance >= 0, "WriteQuorumTracker: negative instance index \(instance)")
                if instance >= position.count { position.append(contentsOf: repeatElement(-1, count: instance - position.count + 1)) }
                let at = position[instance]
                if at >= 0 {
                    batches[at].streams.append(stream)
                } else {
                    position[instance] = batches.count
                    batches.append(InstanceBatch(instance: instance, streams: [stream]))
                }
            }
        }
        streamsByInstance = batches
        positionOfInstance = position
        answered = [Bool](repeating: false, count: batches.count)
        pendingStreams = replicationSets.count
        current = replicationSets.isEmpty ? .succeeded : .pending
    }

    /// The instances this push sends to, in first-use order.
    public var instances: [Int] { streamsByInstance.map(\.instance) }

    /// Records `instance`'s answer for its whole batch and returns the (possibly new) decision.
    @inlinable @discardableResult
    public mutating func record(instance: Int, outcome: ReplicaOutcome<Failure>) -> QuorumDecision<Failure> {
        let at = instance >= 0 && instance < positionOfInstance.count ? positionOfInstance[instance] : -1
        precondition(at >= 0, "WriteQuorumTracker: instance \(instance) was not part of this push")
        precondition(!answered[at], "WriteQuorumTracker: instance \(instance) answered twice")
        answered[at] = true
        for stream in streamsByInstance[at].streams where !items[stream].done {
            switch outcome {
            case .failure(let failure, let isClientError):
                items[stream].lastFailure = (instance, failure)
                let count: Int
                if isClientError {
                    items[stream].clientFailures += 1
                    count = items[stream].clientFailures
                } else {
                    items[stream].serverFailures += 1
                    count = items[stream].serverFailures
                }
                items[stream].remaining -= 1
                if count > items[stream].maxFailures || items[stream].remaining == 0 {
                    items[stream].done = true
                    fail(instance: instance, failure: failure)
                }
            case .success:
                items[stream].succeeded += 1
                items[stream].remaining -= 1
                if items[stream].succeeded >= items[stream].minSuccess {
                    items[stream].done = true
                    pendingStreams -= 1
                    if pendingStreams == 0, case .pending = current { current = .succeeded }
                } else if items[stream].remaining == 0 {
                    // Answers ran out below quorum (e.g. client error, server error, success): report the last error.
                    items[stream].done = true
                    if let last = items[stream].lastFailure { fail(instance: last.instance, failure: last.failure) }
                }
            }
        }
        return current
    }

    @usableFromInline
    mutating func fail(instance: Int, failure: Failure) {
        if case .pending = current { current = .failed(instance: instance, failure: failure) }
    }
}
