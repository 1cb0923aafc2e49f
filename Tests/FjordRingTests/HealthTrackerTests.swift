import FjordRing
import Synchronization
import Testing

@Suite("Health tracking from the callers' observations")
struct HealthTrackerTests {
    static let second: Int64 = 1_000_000_000
    static let member = MemberAddress(host: "10.0.0.1", port: 9095)

    @Test("two consecutive failures mark a member unhealthy; one does not")
    func twoFailures() {
        var tracker = HealthTracker()
        #expect(tracker.status(of: Self.member, now: 0) == .healthy)
        tracker.record(.unreachable, for: Self.member, now: 0)
        #expect(tracker.status(of: Self.member, now: 0) == .suspect(failures: 1))
        #expect(tracker.isHealthy(Self.member, now: 0))
        tracker.record(.timeout, for: Self.member, now: Self.second / 10)
        #expect(tracker.status(of: Self.member, now: Self.second / 10) == .unhealthy(retryAt: Self.second / 10 + Self.second))
        #expect(!tracker.isHealthy(Self.member, now: Self.second / 2))
        #expect(tracker.unhealthyMembers(now: Self.second / 2) == [Self.member])
    }

    @Test("a success or an application error in between resets the count")
    func successResets() {
        var tracker = HealthTracker()
        tracker.record(.unreachable, for: Self.member, now: 0)
        tracker.record(.success, for: Self.member, now: 1)
        tracker.record(.unreachable, for: Self.member, now: 2)
        #expect(tracker.status(of: Self.member, now: 2) == .suspect(failures: 1))
        tracker.record(.rejected, for: Self.member, now: 3)
        tracker.record(.timeout, for: Self.member, now: 4)
        #expect(tracker.isHealthy(Self.member, now: 4))
    }

    @Test("failing for the whole failing period is enough, even with a single failure observed")
    func failingPeriod() {
        var tracker = HealthTracker(policy: HealthPolicy(failuresToMarkUnhealthy: 5))
        tracker.record(.timeout, for: Self.member, now: 0)
        #expect(tracker.isHealthy(Self.member, now: 4 * Self.second))
        #expect(tracker.status(of: Self.member, now: 5 * Self.second) == .unhealthy(retryAt: 6 * Self.second))
        #expect(tracker.status(of: Self.member, now: 6 * Self.second) == .retrying)
        // A failure recorded after the period marks it for good (with a fresh backoff).
        var other = HealthTracker(policy: HealthPolicy(failuresToMarkUnhealthy: 5))
        other.record(.timeout, for: Self.member, now: 0)
        other.record(.unavailable, for: Self.member, now: 5 * Self.second)
        #expect(other.status(of: Self.member, now: 5 * Self.second) == .unhealthy(retryAt: 6 * Self.second))
    }

    @Test("retried after the backoff; success heals, failure doubles the backoff up to the maximum")
    func backoff() {
        var tracker = HealthTracker(policy: HealthPolicy(initialBackoff: Self.second, maxBackoff: 3 * Self.second))
        tracker.record(.unreachable, for: Self.member, now: 0)
        tracker.record(.unreachable, for: Self.member, now: 0)
        #expect(tracker.status(of: Self.member, now: Self.second - 1) == .unhealthy(retryAt: Self.second))
        #expect(tracker.status(of: Self.member, now: Self.second) == .retrying)
        // A straggler failure before the retry time does not extend the backoff.
        tracker.record(.timeout, for: Self.member, now: Self.second / 2)
        #expect(tracker.status(of: Self.member, now: Self.second) == .retrying)
        tracker.record(.unreachable, for: Self.member, now: Self.second)
        #expect(tracker.status(of: Self.member, now: Self.second) == .unhealthy(retryAt: 3 * Self.second))
        tracker.record(.unreachable, for: Self.member, now: 3 * Self.second)
        #expect(tracker.status(of: Self.member, now: 3 * Self.second) == .unhealthy(retryAt: 6 * Self.second))  // capped at 3 s
        tracker.record(.unreachable, for: Self.member, now: 6 * Self.second)
        #expect(tracker.status(of: Self.member, now: 6 * Self.second) == .unhealthy(retryAt: 9 * Self.second))
        tracker.record(.success, for: Self.member, now: 9 * Self.second)
        #expect(tracker.status(of: Self.member, now: 9 * Self.second) == .healthy)
        // Healed: the next outage starts from the initial backoff again.
        tracker.record(.unreachable, for: Self.member, now: 10 * Self.second)
        tracker.record(.unreachable, for: Self.member, now: 10 * Self.second)
        #expect(tracker.status(of: Self.member, now: 10 * Self.second) == .unhealthy(retryAt: 11 * Self.second))
    }

    @Test("healthy instance sets follow the ring; forgetting removed members")
    func healthySets() throws {
        let ring = try RingFixtures.threeInstanceRing()
        var tracker = HealthTracker()
        let b = ring.instances[1].address
        tracker.record(.unreachable, for: b, now: 0)
        tracker.record(.unreachable, for: b, now: 0)
        #expect(tracker.healthyInstances(in: ring, now: 0) == InstanceSet([0, 2]))
        tracker.retain(only: [ring.instances[0].address])
        #expect(tracker.healthyInstances(in: ring, now: 0) == ring.allInstances)
    }

    @Test("the shared monitor uses the injected clock")
    func monitor() throws {
        let time = Mutex<Int64>(0)
        let monitor = HealthMonitor(clock: { time.withLock { $0 } })
        let ring = try RingFixtures.threeInstanceRing()
        monitor.record(.unreachable, for: ring.instances[2].address)
        monitor.record(.unreachable, for: ring.instances[2].address)
        #expect(monitor.healthyInstances(in: ring) == InstanceSet([0, 1]))
        #expect(monitor.unhealthyMembers() == [ring.instances[2].address])
        time.withLock { $0 = Self.second }
        #expect(monitor.status(of: ring.instances[2].address) == .retrying)
        monitor.record(.success, for: ring.instances[2].address)
        #expect(monitor.healthyInstances(in: ring) == ring.allInstances)
    }
}

@Suite("Instance sets")
struct InstanceSetTests {
    @Test("insert, remove, contains, count, iteration, equality across word counts")
    func basics() {
        var set = InstanceSet([3, 64, 130])
        #expect(set.contains(3) && set.contains(64) && set.contains(130))
        #expect(!set.contains(4) && !set.contains(-1) && !set.contains(1000))
        #expect(Array(set) == [3, 64, 130])
        #expect(set.count == 3)
        set.remove(130)
        #expect(set == InstanceSet([64, 3]))
        #expect(InstanceSet(all: 65).count == 65)
        #expect(Array(InstanceSet(all: 3)) == [0, 1, 2])
        #expect(InstanceSet().isEmpty)
        set.remove(3)
        set.remove(64)
        #expect(set == InstanceSet())
        #expect(set.hashValue == InstanceSet().hashValue)
    }
}
