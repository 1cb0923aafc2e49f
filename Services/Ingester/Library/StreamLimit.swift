import Synchronization

/// Counts active streams per tenant across shards and enforces `max_global_streams_per_user` (0 = unlimited).
final class StreamLimit: Sendable {
    private let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    init(limit: Int) { self.limit = limit }

    /// True if `tenant` may create one more stream.
    func allowsNewStream(tenant: String) -> Bool {
        guard limit > 0 else { return true }
        return counts.withLock { ($0[tenant] ?? 0) < limit }
    }

    /// Applies a change in the tenant's stream count.
    func adjust(tenant: String, by delta: Int) {
        guard delta != 0 else { return }
        counts.withLock { counts in
            let value = (counts[tenant] ?? 0) + delta
            counts[tenant] = value > 0 ? value : nil
        }
    }

    /// Active streams of every tenant.
    var snapshot: [String: Int] { counts.withLock { $0 } }
}
