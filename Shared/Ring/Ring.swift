/// One ingester on the ring.
public struct RingInstance: Sendable, Hashable {
    /// Position in ``Ring/instances`` (instances are ordered by id); the key for ``InstanceSet`` and quorum trackers.
    public let index: Int
    public let id: String
    public let address: MemberAddress
    public let zone: String?
    /// The instance's tokens, ascending.
    public let tokens: [UInt32]
}

/// An immutable hash ring of ingesters, built from the membership file, answering "which ingesters hold this stream"
/// the way Loki's dskit ring does: the key's replicas start at the first token strictly greater than the key (wrapping
/// to the first token) and walk clockwise collecting `replicationFactor` distinct instances, one per zone when the
/// ingesters have zones.
///
/// Each instance's replica list is precomputed per token range for the ring's replication factor, so a lookup is a
/// binary search plus a health filter. Health is not part of the ring: callers pass the set of instances they currently
/// believe healthy (see ``HealthTracker``).
public struct Ring: Sendable {
    /// Ingesters ordered by id; `instances[i].index == i`.
    public let instances: [RingInstance]
    /// Replicas per stream (Loki's `replication_factor`, default 3).
    public let replicationFactor: Int
    /// True when ingesters have zones: a stream's replicas are then in distinct zones.
    public let isZoneAware: Bool
    /// Distinct zones, sorted (empty when not zone-aware).
    public let zones: [String]

    /// All tokens ascending (ties ordered by instance index).
    @usableFromInline let tokens: [UInt32]
    /// Owner instance index of `tokens[i]`.
    let owners: [Int32]
    /// Zone index of each instance (-1 without zones).
    let zoneOfInstance: [Int]
    /// For each token position, the replica walk starting there: `replicationFactor` slots, -1 where fewer exist.
    let preferences: [Int32]

    /// Builds the ring of `membership`'s ingesters.
    public init(membership: Membership, replicationFactor: Int = 3) throws(RingError) {
        try self.init(ingesters: membership.ingesters, tokensPerIngester: membership.tokensPerIngester,
                      replicationFactor: replicationFactor)
    }

    /// Builds a ring of `ingesters`; those without listed tokens get `tokensPerIngester` derived tokens.
    public init(ingesters: [Member], tokensPerIngester: Int = Membership.defaultTokensPerIngester,
                replicationFactor: Int = 3) throws(RingError) {
        guard replicationFactor >= 1 else { throw RingError.invalidReplicationFactor(replicationFactor) }
        let sorted = ingesters.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        for (left, right) in zip(sorted, sorted.dropFirst()) where left.id == right.id {
            throw RingError("duplicate ingester id \"\(left.id)\"")
        }
        let zoneNames = Set(sorted.compactMap(\.zone)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let zoneIndex = Dictionary(uniqueKeysWithValues: zoneNames.enumerated().map { ($1, $0) })
        var instances: [RingInstance] = []
        var entries: [(token: UInt32, owner: Int32)] = []
        for (index, member) in sorted.enumerated() {
            let tokens = member.tokens(derivedCount: tokensPerIngester).sorted()
            instances.append(RingInstance(index: index, id: member.id, address: member.address, zone: member.zone, tokens: tokens))
            for token in tokens { entries.append((token, Int32(index))) }
        }
        entries.sort { $0.token != $1.token ? $0.token < $1.token : $0.owner < $1.owner }
        self.instances = instances
        self.replicationFactor = replicationFactor
        self.isZoneAware = !zoneNames.isEmpty
        self.zones = zoneNames
        self.tokens = entries.map(\.token)
        self.owners = entries.map(\.owner)
        self.zoneOfInstance = sorted.map { member in member.zone.flatMap { zoneIndex[$0] } ?? -1 }

        var preferences = [Int32](repeating: -1, count: entries.count * replicationFactor)
        var walk: [Int] = []
        for position in 0..<entries.count {
            Ring.walk(from: position, replicas: replicationFactor, owners: owners, zoneOfInstance: zoneOfInstance,
                      zoneCount: zoneNames.count, instanceCount: instances.count, into: &walk)
            for (slot, instance) in walk.enumerated() {
                preferences[position * replicationFactor + slot] = Int32(instance)
            }
        }
        self.preferences = preferences
    }

    /// Number of tokens on the ring.
    public var tokenCount: Int { tokens.count }

    /// The instance with `id`, if any.
    public func instance(id: String) -> RingInstance? {
        instances.first { $0.id == id }
    }

    /// The instance listening on `address`, if any.
    public func instance(address: MemberAddress) -> RingInstance? {
        instances.first { $0.address == address }
    }

    /// Every instance index (for "all healthy").
    public var allInstances: InstanceSet { InstanceSet(all: instances.count) }

    /// Position of the first token strictly greater than `key`, wrapping to 0 (dskit `searchToken`).
    @inlinable
    public func position(after key: UInt32) -> Int {
        var low = 0
        var high = tokens.count
        while low < high {
            let mid = (low &+ high) >> 1
            if tokens[mid] <= key { low = mid + 1 } else { high = mid }
        }
        return low == tokens.count ? 0 : low
    }

    /// The replica walk for `key` before any health filtering: up to `replicas` distinct instances (one per zone when
    /// zone-aware) in clockwise order. Uses the precomputed lists when `replicas == replicationFactor`.
    public func replicaCandidates(for key: UInt32, replicas: Int? = nil) -> [Int] {
        guard !tokens.isEmpty else { return [] }
        let start = position(after: key)
        let wanted = replicas ?? replicationFactor
        if wanted == replicationFactor {
            var result: [Int] = []
            result.reserveCapacity(replicationFactor)
            let base = start * replicationFactor
            for slot in 0..<replicationFactor {
                let instance = preferences[base + slot]
                if instance < 0 { break }
                result.append(Int(instance))
            }
            return result
        }
        var result: [Int] = []
        Ring.walk(from: start, replicas: wanted, owners: owners, zoneOfInstance: zoneOfInstance, zoneCount: zones.count,
                  instanceCount: instances.count, into: &result)
        return result
    }

    /// dskit `findInstancesForKey`: walk clockwise from `start` collecting distinct instances until `replicas` (or
    /// every instance) are found; when zone-aware, at most one per zone, stopping once every zone has one.
    static func walk(from start: Int, replicas: Int, owners: [Int32], zoneOfInstance: [Int], zoneCount: Int,
                     instanceCount: Int, into result: inout [Int]) {
        result.removeAll(keepingCapacity: true)
        let wanted = min(instanceCount, replicas)
        var zonesFound = zoneCount > 0 ? [Bool](repeating: false, count: zoneCount) : []
        var zonesFoundCount = 0
        var position = start
        var iterations = 0
        while result.count < wanted, iterations < owners.count {
            if zoneCount > 0, zonesFoundCount == zoneCount { break }
            iterations += 1
            let owner = Int(owners[position])
            position += 1
            if position == owners.count { position = 0 }
            if result.contains(owner) { continue }
            if zoneCount > 0 {
                let zone = zoneOfInstance[owner]
                if zone >= 0 {
                    if zonesFound[zone] { continue }
                    zonesFound[zone] = true
                    zonesFoundCount += 1
                }
            }
            result.append(owner)
        }
    }
}
