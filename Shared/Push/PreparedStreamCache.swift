import Synchronization

/// A bounded, thread-safe map from a push's raw label string to its prepared form (parsed pairs, discovered
/// `service_name`, canonical text). Cleared wholesale when full: label strings of a healthy tenant are few, so a
/// full cache means churn and rebuilding it costs no more than not caching.
final class PreparedStreamCache: Sendable {
    private let entries = Mutex<[String: PushValidator.PreparedStream]>([:])
    private let capacity: Int

    init(capacity: Int = 50_000) {
        precondition(capacity > 0, "PreparedStreamCache capacity must be positive")
        self.capacity = capacity
    }

    subscript(key: String) -> PushValidator.PreparedStream? {
        get { entries.withLock { $0[key] } }
        set {
            entries.withLock { entries in
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
                entries[key] = newValue
            }
        }
    }
}
