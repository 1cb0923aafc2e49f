public import FjordRing

/// Which ruler evaluates which rule group. The rulers of the membership file (`rulers:`) sit on a hash ring of their
/// own (tokens derived from their ids, as for ingesters, one replica); a group belongs to the ruler owning the token
/// after the group's key. With no rulers listed every ruler evaluates every group (a single ruler, the all-in-one).
public struct RuleSharding: Sendable {
    let ring: Ring?
    /// This ruler's id (`ring.instance_id`).
    public let instanceID: String

    /// - Parameter rulers: the membership file's rulers; `instanceID` is this process's id among them.
    public init(rulers: [Member], instanceID: String, tokensPerRuler: Int = Membership.defaultTokensPerIngester) {
        self.instanceID = instanceID
        ring = rulers.isEmpty ? nil : try? Ring(ingesters: rulers, tokensPerIngester: tokensPerRuler, replicationFactor: 1)
    }

    /// Every group is evaluated here.
    public static let single = RuleSharding(rulers: [], instanceID: "")

    /// Whether a ring is in use (rulers are listed).
    public var isSharded: Bool { ring != nil }

    /// The id of the ruler that evaluates `key`, or nil without a ring.
    public func owner(of key: RuleGroupKey) -> String? {
        guard let ring, let index = ring.replicaCandidates(for: RuleSharding.token(key), replicas: 1).first else {
            return nil
        }
        return ring.instances[index].id
    }

    /// True when this ruler evaluates `key`.
    public func owns(_ key: RuleGroupKey) -> Bool {
        guard ring != nil else { return true }
        return owner(of: key) == instanceID
    }

    /// The group's ring key: 32-bit FNV-1a over tenant, namespace and group name (Loki's `tokenForGroup`).
    public static func token(_ key: RuleGroupKey) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for part in [key.tenant, key.namespace, key.group] {
            for byte in part.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        }
        return hash
    }
}

/// When a group is evaluated: every `interval`, at a fixed offset within the interval derived from the group's key,
/// so groups spread over the interval and every evaluation time is predictable (Prometheus' `EvalTimestamp`).
public enum RuleSchedule {
    /// The latest evaluation time at or before `now` (Unix nanoseconds).
    public static func evaluationTime(atOrBefore now: Int64, interval: Int64, key: RuleGroupKey) -> Int64 {
        precondition(interval > 0, "RuleSchedule needs a positive interval, got \(interval) for \(key)")
        let offset = Int64(RuleSharding.token(key)) % interval
        let adjusted = now - offset
        var base = adjusted - adjusted % interval
        if adjusted % interval < 0 { base -= interval }
        return base + offset
    }

    /// The first evaluation time strictly after `previous`.
    public static func next(after previous: Int64, interval: Int64) -> Int64 { previous + interval }
}
