public import FjordModel
public import FjordServiceAPI
import Synchronization

/// The ingester's live tails: per tenant, the subscriptions with their stream matchers. ``offer(tenant:streams:)``
/// runs on the push path after the entries are durable: one atomic load when nobody tails, otherwise a short lock
/// to copy the tenant's subscriptions and a non-blocking offer to each matching buffer.
public final class TailRegistry: Sendable {
    private struct Subscriber: Sendable {
        let matchers: [LabelMatcher]
        let buffer: TailBuffer
    }

    private let subscribers = Mutex<[String: [UInt64: Subscriber]]>([:])
    private let nextID = Atomic<UInt64>(1)
    private let active = Atomic<Int>(0)

    public init() {}

    /// A new subscription for `tenant`'s streams matching `matchers`; it unregisters itself when cancelled.
    public func subscribe(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) -> TailBuffer {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let buffer = TailBuffer(capacity: bufferEntries) { [weak self] in self?.remove(tenant: tenant, id: id) }
        subscribers.withLock { $0[tenant, default: [:]][id] = Subscriber(matchers: matchers, buffer: buffer) }
        active.add(1, ordering: .relaxed)
        return buffer
    }

    private func remove(tenant: String, id: UInt64) {
        let removed = subscribers.withLock { all -> Bool in
            guard all[tenant]?.removeValue(forKey: id) != nil else { return false }
            if all[tenant]?.isEmpty == true { all[tenant] = nil }
            return true
        }
        if removed { active.subtract(1, ordering: .relaxed) }
    }

    /// Live subscriptions of `tenant`.
    public func count(tenant: String) -> Int { subscribers.withLock { $0[tenant]?.count ?? 0 } }

    /// Live subscriptions of every tenant.
    public var totalCount: Int { active.load(ordering: .relaxed) }

    /// Offers newly stored entries to every subscription of `tenant` whose matchers the stream satisfies. Returns
    /// how many entries slow subscribers dropped.
    @discardableResult
    public func offer(tenant: String, streams: [TailedStream]) -> Int {
        guard active.load(ordering: .relaxed) > 0 else { return 0 }
        guard let tenantSubscribers = subscribers.withLock({ $0[tenant].map { Array($0.values) } }) else { return 0 }
        var dropped = 0
        for stream in streams {
            for subscriber in tenantSubscribers where stream.labels.matches(subscriber.matchers) {
                dropped += subscriber.buffer.offer(stream)
            }
        }
        return dropped
    }

    /// Ends every subscription (shutdown): their readers see the end.
    public func finishAll() {
        let all = subscribers.withLock { all -> [Subscriber] in
            defer { all = [:] }
            return all.values.flatMap(\.values)
        }
        active.store(0, ordering: .relaxed)
        for subscriber in all { subscriber.buffer.finish() }
    }
}
