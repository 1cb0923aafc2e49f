import Synchronization

/// Counts each tenant's live tails against `max_concurrent_tail_requests`.
final class TailLimiter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Takes a slot for `tenant`; the error text is Loki's when the tenant already has `limit` tails.
    func acquire(_ tenant: String, limit: Int) -> String? {
        counts.withLock { counts in
            let current = counts[tenant, default: 0]
            if current >= limit {
                return "max concurrent tail requests limit exceeded, count > limit (\(current + 1) > \(limit))"
            }
            counts[tenant] = current + 1
            return nil
        }
    }

    func release(_ tenant: String) {
        counts.withLock { counts in
            let left = counts[tenant, default: 1] - 1
            counts[tenant] = left > 0 ? left : nil
        }
    }
}
