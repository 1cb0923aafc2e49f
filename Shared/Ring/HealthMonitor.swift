import Synchronization

/// A ``HealthTracker`` shared by concurrent requests: every call locks briefly. `clock` returns monotonic
/// nanoseconds (inject a fake one in tests).
public final class HealthMonitor: Sendable {
    private let tracker: Mutex<HealthTracker>
    private let clock: @Sendable () -> Int64

    public init(policy: HealthPolicy = HealthPolicy(), clock: @escaping @Sendable () -> Int64 = HealthMonitor.monotonicNow) {
        tracker = Mutex(HealthTracker(policy: policy))
        self.clock = clock
    }

    /// Records an observation about `address`, now.
    public func record(_ observation: HealthObservation, for address: MemberAddress) {
        let now = clock()
        tracker.withLock { $0.record(observation, for: address, now: now) }
    }

    /// The status of `address` now.
    public func status(of address: MemberAddress) -> HealthStatus {
        let now = clock()
        return tracker.withLock { $0.status(of: address, now: now) }
    }

    /// The ring instances usable now.
    public func healthyInstances(in ring: Ring) -> InstanceSet {
        let now = clock()
        return tracker.withLock { $0.healthyInstances(in: ring, now: now) }
    }

    /// Members currently skipped.
    public func unhealthyMembers() -> [MemberAddress] {
        let now = clock()
        return tracker.withLock { $0.unhealthyMembers(now: now) }
    }

    /// Forgets members no longer in the membership.
    public func retain(only addresses: Set<MemberAddress>) {
        tracker.withLock { $0.retain(only: addresses) }
    }

    /// Nanoseconds of `ContinuousClock` since an arbitrary fixed origin (monotonic).
    @Sendable
    public static func monotonicNow() -> Int64 {
        let elapsed = ContinuousClock.now - origin
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }

    private static let origin = ContinuousClock.now
}
