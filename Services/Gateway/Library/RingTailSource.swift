import FjordModel
import FjordRing
import FjordRuntime
import FjordServiceAPI
import FjordTail
import FjordWire
import Logging
import Synchronization

/// Live tail in cluster mode: subscribes on every ingester of the membership file over the wire (each stream lives
/// on RF of them, so every replica must be asked) and merges their batches into one bounded buffer; the tailer's
/// ``TailSession`` drops the replicas' repeats. ``tail(tenant:matchers:bufferEntries:)`` returns once each ingester
/// acknowledged its subscription or failed (at most `acknowledgeTimeout`), so the history query that follows
/// cannot miss a line; it fails only when no ingester acknowledged. A replica whose stream breaks is subscribed
/// again every second while the tail lasts. Tails use their own wire clients, so long-running tail requests
/// never take the request slots pushes and queries need.
public final class RingTailSource: TailTarget, Sendable {
    let watcher: MembershipWatcher
    let clients: WireClientCache
    let logger: Logger
    /// The server-side deadline of each subscription (the tail's own limit is enforced by the tailer).
    let subscriptionTimeout: Duration
    let acknowledgeTimeout: Duration

    public init(watcher: MembershipWatcher, clients: WireClientCache, logger: Logger, tailMaxDurationNanos: Int64,
                acknowledgeTimeout: Duration = .seconds(5)) {
        self.watcher = watcher
        self.clients = clients
        self.logger = logger
        subscriptionTimeout = .nanoseconds(tailMaxDurationNanos) + .seconds(60)
        self.acknowledgeTimeout = acknowledgeTimeout
    }

    public func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) async throws(ServiceError)
        -> any TailSubscription
    {
        let members = watcher.snapshot.membership.ingesters
        guard !members.isEmpty else { throw ServiceError.unavailable("no ingesters in the ring to tail") }
        let forwarding = TaskHolder()
        let merged = TailBuffer(capacity: bufferEntries * min(members.count, max(1, watcher.replicationFactor))) {
            forwarding.cancel()
        }
        let (acks, acknowledge) = AsyncStream.makeStream(of: ServiceError?.self)
        forwarding.set(Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                for member in members {
                    group.addTask {
                        await self.follow(member, tenant: tenant, matchers: matchers, bufferEntries: bufferEntries,
                                          into: merged, acknowledge: acknowledge)
                    }
                }
            }
        })
        let (acknowledged, lastError) = await collect(acks, expected: members.count)
        guard acknowledged > 0 else {
            merged.cancel()
            throw lastError ?? ServiceError.unavailable("no ingester acknowledged the tail within \(acknowledgeTimeout)")
        }
        return merged
    }

    /// Counts acknowledgements (nil) and failures until every member answered or the timeout passed.
    private func collect(_ acks: AsyncStream<ServiceError?>, expected: Int) async -> (Int, ServiceError?) {
        await withTaskGroup(of: (Int, ServiceError?)?.self) { group in
            group.addTask {
                var acknowledged = 0
                var answered = 0
                var lastError: ServiceError?
                for await outcome in acks {
                    answered += 1
                    if let outcome { lastError = outcome } else { acknowledged += 1 }
                    if answered == expected { break }
                }
                return (acknowledged, lastError)
            }
            group.addTask { [acknowledgeTimeout] in
                try? await Task.sleep(for: acknowledgeTimeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? (0, nil)
        }
    }

    /// One ingester's subscription, renewed every second after a failure until the tail is cancelled. The first
    /// attempt's acknowledgement or failure is reported once.
    private func follow(_ member: Member, tenant: String, matchers: [LabelMatcher], bufferEntries: Int,
                        into merged: TailBuffer, acknowledge: AsyncStream<ServiceError?>.Continuation) async {
        var reported = false
        func report(_ outcome: ServiceError?) {
            if !reported { acknowledge.yield(outcome) }
            reported = true
        }
        while !Task.isCancelled {
            do {
                let client = try clients.client(for: member.address)
                let stream = try await client.tail(tenant: tenant, matchers: matchers, bufferEntries: bufferEntries,
                                                   timeout: subscriptionTimeout)
                for try await batch in stream {
                    report(nil)
                    for tailed in batch.streams { merged.offer(tailed) }
                    merged.report(dropped: batch.dropped)
                }
            } catch let error as WireError {
                report(error.serviceError(peer: member.id))
                if !Task.isCancelled {
                    logger.debug("tail subscription failed; retrying", metadata: ["ingester": "\(member.id)", "error": "\(error)"])
                }
            } catch {
                report(ServiceError.unavailable("\(member.id): \(error)"))
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// The forwarding task of a tail, cancellable before it is even stored.
private final class TaskHolder: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func set(_ task: Task<Void, Never>) {
        let cancelNow = state.withLock { state -> Bool in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
