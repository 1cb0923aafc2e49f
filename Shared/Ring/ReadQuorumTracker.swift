/// Decides when a read sent to every instance of a ``ReadSet`` has enough answers, with dskit's `ReplicationSet.Do`
/// semantics. Pure: feed it each instance's answer, in any order.
///
/// - Not zone-aware (or no zone may fail): succeeds once `instances − maxErrors` instances answered; fails when more
///   than `maxErrors` failed.
/// - Zone-aware with `maxUnavailableZones > 0`: a zone succeeds when all its instances answered; the read succeeds once
///   `zones − maxUnavailableZones` zones succeeded and fails when more than `maxUnavailableZones` zones had a failure.
///   Only answers from succeeded zones are needed (``shouldInclude(instance:)``), though merging more is harmless.
///
/// Answers from instances that were not needed may still be merged: results are de-duplicated by the caller.
public struct ReadQuorumTracker<Failure: Sendable>: Sendable {
    public private(set) var decision: QuorumDecision<Failure>

    private let byZone: Bool
    private let maxErrors: Int
    private let minSucceeded: Int
    private var succeeded = 0
    private var failed = 0
    private var answered: Set<Int> = []
    private let members: Set<Int>
    // Zone-aware state, keyed by zone index.
    private let zoneOf: [Int: Int]
    private var waitingByZone: [Int: Int] = [:]
    private var failedZones: Set<Int> = []
    private let maxUnavailableZones: Int
    private let minSuccessfulZones: Int

    /// A tracker for `readSet`, whose instance zones come from `ring`.
    public init(readSet: ReadSet, ring: Ring) {
        members = Set(readSet.instances)
        byZone = readSet.isZoneAware && readSet.maxUnavailableZones > 0
        maxErrors = readSet.maxErrors
        minSucceeded = readSet.instances.count - readSet.maxErrors
        var zoneOf: [Int: Int] = [:]
        var waiting: [Int: Int] = [:]
        for instance in readSet.instances {
            let zone = ring.zoneIndex(of: instance)
            zoneOf[instance] = zone
            waiting[zone, default: 0] += 1
        }
        self.zoneOf = zoneOf
        waitingByZone = waiting
        maxUnavailableZones = readSet.maxUnavailableZones
        minSuccessfulZones = waiting.count - readSet.maxUnavailableZones
        decision = .pending
        if byZone ? minSuccessfulZones <= 0 : minSucceeded <= 0 { decision = .succeeded }
    }

    /// Records `instance`'s answer and returns the (possibly new) decision. Once final, it no longer changes.
    @discardableResult
    public mutating func record(instance: Int, outcome: ReplicaOutcome<Failure>) -> QuorumDecision<Failure> {
        precondition(members.contains(instance), "ReadQuorumTracker: instance \(instance) is not in the read set")
        precondition(answered.insert(instance).inserted, "ReadQuorumTracker: instance \(instance) answered twice")
        guard case .pending = decision else { return decision }
        if byZone {
            let zone = zoneOf[instance] ?? -1
            waitingByZone[zone, default: 0] -= 1
            if case .failure(let failure, _) = outcome {
                failedZones.insert(zone)
                if failedZones.count > maxUnavailableZones {
                    decision = .failed(instance: instance, failure: failure)
                    return decision
                }
            }
            let successfulZones = waitingByZone.filter { $0.value == 0 && !failedZones.contains($0.key) }.count
            if successfulZones >= minSuccessfulZones { decision = .succeeded }
            return decision
        }
        switch outcome {
        case .success:
            succeeded += 1
            if succeeded >= minSucceeded { decision = .succeeded }
        case .failure(let failure, _):
            failed += 1
            if failed > maxErrors { decision = .failed(instance: instance, failure: failure) }
        }
        return decision
    }

    /// Whether `instance`'s (successful) result belongs to the minimal set that meets the quorum; always true unless
    /// zone-aware, where only fully answered zones without failures count.
    public func shouldInclude(instance: Int) -> Bool {
        guard byZone else { return true }
        let zone = zoneOf[instance] ?? -1
        return !failedZones.contains(zone) && waitingByZone[zone] == 0
    }
}
