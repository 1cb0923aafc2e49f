/// Where one stream's write goes: the healthy replicas chosen for its key and how many must acknowledge it.
///
/// Loki semantics (dskit `defaultReplicationStrategy.Filter`): `minSuccess = RF/2 + 1` counts the unhealthy replicas
/// that were skipped, so with RF=3 and one replica down the other two must both succeed (`maxFailures = 0`).
public struct ReplicationSet: Sendable, Hashable {
    /// Healthy replicas to send to (instance indexes, clockwise ring order).
    public var instances: [Int]
    /// Acknowledgements needed for the stream to count as written.
    public var minSuccess: Int
    /// Failures tolerated: `instances.count - minSuccess`.
    public var maxFailures: Int
    /// Replicas the walk selected but the caller considered unhealthy (not sent to).
    public var unhealthy: [Int]

    public init(instances: [Int], minSuccess: Int, maxFailures: Int, unhealthy: [Int] = []) {
        self.instances = instances
        self.minSuccess = minSuccess
        self.maxFailures = maxFailures
        self.unhealthy = unhealthy
    }
}

/// Which ingesters a read must ask, and how many may fail (dskit `GetReplicationSetForOperation(Read)`).
public struct ReadSet: Sendable, Hashable {
    /// Healthy instances to query (ascending index).
    public var instances: [Int]
    /// Errors tolerated when not zone-aware: `healthy − (max(N, RF) − RF/2)`.
    public var maxErrors: Int
    /// Zones that may fail when zone-aware: `(min(zones, RF)/2 + 1) − 1 − zones already failing`.
    public var maxUnavailableZones: Int
    public var isZoneAware: Bool

    public init(instances: [Int], maxErrors: Int, maxUnavailableZones: Int = 0, isZoneAware: Bool = false) {
        self.instances = instances
        self.maxErrors = maxErrors
        self.maxUnavailableZones = maxUnavailableZones
        self.isZoneAware = isZoneAware
    }
}

extension Ring {
    /// The write replicas of `key` among `healthy` instances, or dskit's error when fewer than `minSuccess` of the
    /// selected replicas are healthy (`at least 2 live replicas required, could only find 1 - unhealthy instances: …`).
    ///
    /// `replicationFactor` defaults to the ring's (precomputed, fastest); another value walks the ring on the spot.
    public func replicationSet(for key: UInt32, replicationFactor: Int? = nil,
                               healthy: InstanceSet) throws(RingError) -> ReplicationSet {
        guard !tokens.isEmpty else { throw RingError.emptyRing }
        let factor = replicationFactor ?? self.replicationFactor
        guard factor >= 1 else { throw RingError.invalidReplicationFactor(factor) }
        // dskit: "if more instances than RF were selected, use that count" (never the case without extension).
        let minSuccess = factor / 2 + 1
        var chosen: [Int] = []
        chosen.reserveCapacity(factor)
        var skipped: [Int] = []
        if factor == self.replicationFactor {
            // Precomputed walk: no intermediate array.
            let base = position(after: key) * factor
            for slot in 0..<factor {
                let instance = Int(preferences[base + slot])
                if instance < 0 { break }
                if healthy.contains(instance) { chosen.append(instance) } else { skipped.append(instance) }
            }
        } else {
            for instance in replicaCandidates(for: key, replicas: factor) {
                if healthy.contains(instance) { chosen.append(instance) } else { skipped.append(instance) }
            }
        }
        guard chosen.count >= minSuccess else {
            throw RingError.tooFewLiveReplicas(
                required: minSuccess, found: chosen.count,
                unhealthy: skipped.map { instances[$0].address.description }, zoneAware: isZoneAware)
        }
        return ReplicationSet(instances: chosen, minSuccess: minSuccess, maxFailures: chosen.count - minSuccess,
                              unhealthy: skipped)
    }

    /// Replication sets for many keys (one push); fails on the first key that cannot reach quorum, like Loki's
    /// distributor, which rejects the whole push.
    public func replicationSets(for keys: [UInt32], healthy: InstanceSet) throws(RingError) -> [ReplicationSet] {
        var sets: [ReplicationSet] = []
        sets.reserveCapacity(keys.count)
        for key in keys { sets.append(try replicationSet(for: key, healthy: healthy)) }
        return sets
    }

    /// The instances a read must query: every healthy ingester, with the errors a read may tolerate and still see
    /// every acknowledged write (dskit `GetReplicationSetForOperation`).
    public func readSet(healthy: InstanceSet) throws(RingError) -> ReadSet {
        guard !tokens.isEmpty else { throw RingError.emptyRing }
        let healthyInstances = instances.indices.filter { healthy.contains($0) }
        if isZoneAware {
            var failingZones = Set<Int>()
            for instance in instances.indices where !healthy.contains(instance) {
                failingZones.insert(zoneOfInstance[instance])
            }
            let replicatedZones = min(zones.count, replicationFactor)
            let minSuccessZones = replicatedZones / 2 + 1
            var maxUnavailableZones = minSuccessZones - 1
            if failingZones.count > maxUnavailableZones { throw RingError.tooManyUnhealthyInstances }
            // A zone with one failure is not worth asking: its replicas are elsewhere too.
            let kept = healthyInstances.filter { !failingZones.contains(zoneOfInstance[$0]) }
            maxUnavailableZones -= failingZones.count
            return ReadSet(instances: kept, maxErrors: 0, maxUnavailableZones: maxUnavailableZones, isZoneAware: true)
        }
        let required = max(instances.count, replicationFactor) - replicationFactor / 2
        if healthyInstances.count < required { throw RingError.tooManyUnhealthyInstances }
        return ReadSet(instances: healthyInstances, maxErrors: healthyInstances.count - required)
    }

    /// The zone index of an instance (-1 without zones); used by zone-aware read tracking.
    public func zoneIndex(of instance: Int) -> Int { zoneOfInstance[instance] }
}
