import FjordRing

/// A deterministic, seeded simulation of gateways pushing through the ring into ingesters that crash, restart and get
/// partitioned, with reads merging the healthy replicas. No network, no wall clock: time is a counter in nanoseconds.
///
/// Ingesters keep what they acknowledged across crashes (the WAL's promise); the lead will later replace the
/// in-memory store with the real WAL. Each violated invariant is collected in `violations`.
struct ClusterSimulation {
    struct Configuration {
        var seed: UInt64
        var initialIngesters = 5
        /// Zones cycle over the ingesters when set (`zone-a`, `zone-b`, `zone-c`).
        var zoned = false
        var pushes = 3000
        var streams = 200
        /// Push index at which one ingester joins the membership (nil: never).
        var addIngesterAt: Int? = 1500
        var readEvery = 100
    }

    /// One log entry; unique by construction (`line` is a global counter).
    struct Entry: Hashable, Comparable {
        var stream: Int
        var timestamp: Int64
        var line: UInt64

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.stream, lhs.timestamp, lhs.line) < (rhs.stream, rhs.timestamp, rhs.line)
        }
    }

    struct Push {
        /// Stream index → its entries in this push.
        var entries: [(stream: Int, entries: [Entry])]
        var attempts = 0
    }

    enum IngesterState: Equatable {
        case up
        case crashed(until: Int64)
        case partitioned(until: Int64)
    }

    struct Ingester {
        var member: Member
        var state: IngesterState = .up
        var store: Set<Entry> = []
        var downSince: Int64?
        var detected = false
    }

    struct Failure: Error, Sendable {
        var text: String
    }

    struct Report {
        var acknowledgedPushes = 0
        var failedPushes = 0
        var ringRejectedPushes = 0
        var retriedPushes = 0
        var successfulReads = 0
        var failedReads = 0
        /// Successful reads that had at least one replica error (tolerated by the read quorum).
        var readsToleratingErrors = 0
        var rejectedReads = 0
        var crashes = 0
        var partitions = 0
        var detections = 0
        var longestDetection: Int64 = 0
        var longestDetectionDetail = ""
        var duplicatesRemovedByReads = 0
        var acknowledgedEntries = 0
    }

    static let millisecond: Int64 = 1_000_000
    static let second: Int64 = 1_000_000_000

    let configuration: Configuration
    var random: SplitMix64
    var now: Int64 = 0
    var ingesters: [Ingester] = []
    var membership: Membership
    var ring: Ring
    var health = HealthTracker()
    var streamLabels: [String] = []
    var streamTenants: [String] = []
    var nextLine: UInt64 = 0
    var written: Set<Entry> = []
    var acknowledged: Set<Entry> = []
    var retryQueue: [Push] = []
    var report = Report()
    var violations: [String] = []

    init(_ configuration: Configuration) throws {
        self.configuration = configuration
        random = SplitMix64(seed: configuration.seed)
        let members = (1...configuration.initialIngesters).map { Self.member($0, zoned: configuration.zoned) }
        membership = Membership(members: [.ingester: members])
        ring = try Ring(membership: membership, replicationFactor: 3)
        ingesters = members.map { Ingester(member: $0) }
        for stream in 0..<configuration.streams {
            streamTenants.append("tenant-\(stream % 3)")
            streamLabels.append("{app=\"app-\(stream)\", pod=\"pod-\(stream % 17)\"}")
        }
    }

    static func member(_ number: Int, zoned: Bool) -> Member {
        let zones = ["zone-a", "zone-b", "zone-c"]
        return Member(id: "ingester-\(number)", address: MemberAddress(host: "10.0.0.\(number)", port: 9095),
                      zone: zoned ? zones[(number - 1) % 3] : nil)
    }

    mutating func run() throws -> Report {
        for step in 0..<configuration.pushes {
            now += Int64(random.next(upperBound: UInt64(40))) * Self.millisecond + Self.millisecond
            injectFaults()
            healExpiredFaults()
            trackDetection()
            if step == configuration.addIngesterAt { try addIngester() }
            if !retryQueue.isEmpty, random.next(upperBound: UInt64(4)) == 0 {
                var push = retryQueue.removeFirst()
                push.attempts += 1
                report.retriedPushes += 1
                send(push)
            } else {
                send(newPush())
            }
            if step % configuration.readEvery == configuration.readEvery - 1 { read(final: false) }
        }
        // Heal everything, let backoffs expire, drain retries, then read everything back once backoffs expired again.
        for index in ingesters.indices { ingesters[index].state = .up }
        now += HealthPolicy().maxBackoff + Self.second
        while !retryQueue.isEmpty {
            var push = retryQueue.removeFirst()
            push.attempts += 1
            report.retriedPushes += 1
            send(push)
        }
        now += HealthPolicy().maxBackoff + Self.second
        read(final: true)
        checkReplicaCounts()
        report.acknowledgedEntries = acknowledged.count
        return report
    }

    // MARK: Faults

    mutating func injectFaults() {
        let roll = random.next(upperBound: UInt64(1000))
        guard roll < 6 else { return }
        let upIndexes = ingesters.indices.filter { ingesters[$0].state == .up }
        guard !upIndexes.isEmpty else { return }
        let victim = upIndexes[Int(random.next(upperBound: UInt64(upIndexes.count)))]
        if roll < 3 {
            // Crash: down for 1–8 s, then restart with everything it acknowledged (WAL replay).
            let duration = Int64(1 + random.next(upperBound: UInt64(8))) * Self.second
            ingesters[victim].state = .crashed(until: now + duration)
            report.crashes += 1
        } else if roll < 5 {
            let duration = Int64(1 + random.next(upperBound: UInt64(5))) * Self.second
            ingesters[victim].state = .partitioned(until: now + duration)
            report.partitions += 1
        } else {
            // Quick restart (a rolling deploy): down for 200–1000 ms.
            let duration = Int64(200 + random.next(upperBound: UInt64(801))) * Self.millisecond
            ingesters[victim].state = .crashed(until: now + duration)
            report.crashes += 1
        }
        ingesters[victim].downSince = now
        ingesters[victim].detected = false
    }

    mutating func healExpiredFaults() {
        for index in ingesters.indices {
            switch ingesters[index].state {
            case .up: continue
            case .crashed(let until), .partitioned(let until):
                if now >= until {
                    ingesters[index].state = .up
                    ingesters[index].downSince = nil
                }
            }
        }
    }

    /// Time from an ingester going down to the health tracker skipping it.
    mutating func trackDetection() {
        for index in ingesters.indices {
            guard let since = ingesters[index].downSince, !ingesters[index].detected else { continue }
            if !health.isHealthy(ingesters[index].member.address, now: now) {
                ingesters[index].detected = true
                report.detections += 1
                if now - since > report.longestDetection {
                    report.longestDetection = now - since
                    report.longestDetectionDetail = "\(ingesters[index].member.id) \(ingesters[index].state) down at \(since)"
                }
            }
        }
    }

    mutating func addIngester() throws {
        let member = Self.member(ingesters.count + 1, zoned: configuration.zoned)
        let newMembership = membership.adding(member, as: .ingester)
        let newRing = try Ring(membership: newMembership, replicationFactor: 3)
        // Ownership: a stream's replicas change only if the new member takes one of its places.
        for stream in 0..<configuration.streams {
            let token = Ring.token(tenant: streamTenants[stream], labels: streamLabels[stream])
            let old = ring.replicaCandidates(for: token).map { ring.instances[$0].id }
            let new = newRing.replicaCandidates(for: token).map { newRing.instances[$0].id }
            if old == new { continue }
            if !new.contains(member.id) {
                violations.append("stream \(stream) moved from \(old) to \(new) without the new member")
            }
            if !configuration.zoned, new.filter({ $0 != member.id }) != Array(old.prefix(2)) {
                violations.append("stream \(stream): \(old) → \(new) changed more than the new member's range")
            }
        }
        membership = newMembership
        ring = newRing
        ingesters.append(Ingester(member: member))
    }

    // MARK: Writes

    mutating func newPush() -> Push {
        let streamCount = 1 + Int(random.next(upperBound: UInt64(4)))
        var chosen: [Int] = []
        while chosen.count < streamCount {
            let stream = Int(random.next(upperBound: UInt64(configuration.streams)))
            if !chosen.contains(stream) { chosen.append(stream) }
        }
        var push = Push(entries: [])
        for stream in chosen {
            var entries: [Entry] = []
            for _ in 0..<(1 + Int(random.next(upperBound: UInt64(3)))) {
                nextLine += 1
                entries.append(Entry(stream: stream, timestamp: now + Int64(entries.count), line: nextLine))
            }
            push.entries.append((stream, entries))
        }
        return push
    }

    mutating func send(_ push: Push) {
        let healthy = health.healthyInstances(in: ring, now: now)
        let tokens = push.entries.map { Ring.token(tenant: streamTenants[$0.stream], labels: streamLabels[$0.stream]) }
        let sets: [ReplicationSet]
        do {
            sets = try ring.replicationSets(for: tokens, healthy: healthy)
        } catch {
            report.ringRejectedPushes += 1
            requeue(push)
            return
        }
        var tracker = WriteQuorumTracker<Failure>(replicationSets: sets)
        var batches = tracker.streamsByInstance
        batches.shuffle(using: &random)
        for batch in batches {
            now += Int64(1 + random.next(upperBound: UInt64(5))) * Self.millisecond
            let instance = ring.instances[batch.instance]
            let entries = batch.streams.flatMap { push.entries[$0].entries }
            let observation = deliver(entries, to: instance.id)
            health.record(observation, for: instance.address, now: now)
            tracker.record(instance: batch.instance, outcome: observation.isFailure
                ? .failure(Failure(text: "\(instance.id): \(observation)"), isClientError: false) : .success)
        }
        switch tracker.decision {
        case .pending:
            violations.append("push still pending after every replica answered")
        case .failed:
            report.failedPushes += 1
            requeue(push)
        case .succeeded:
            report.acknowledgedPushes += 1
            for (index, stream) in push.entries.enumerated() {
                let holders = ingesters.filter { ingester in stream.entries.allSatisfy { ingester.store.contains($0) } }
                if holders.count < sets[index].minSuccess {
                    violations.append("acknowledged stream \(stream.stream) is on \(holders.count) replicas, quorum \(sets[index].minSuccess)")
                }
                acknowledged.formUnion(stream.entries)
            }
        }
    }

    /// A failed push is retried later by the client (Promtail retries), at most five times.
    mutating func requeue(_ push: Push) {
        if push.attempts < 5 { retryQueue.append(push) }
    }

    /// What a request to ingester `id` observes. Ingesters apply a write before answering; an answer may be lost.
    mutating func deliver(_ entries: [Entry], to id: String) -> HealthObservation {
        guard let index = ingesters.firstIndex(where: { $0.member.id == id }) else { return .unreachable }
        written.formUnion(entries)
        switch ingesters[index].state {
        case .crashed:
            return .unreachable
        case .partitioned:
            // One-way partition now and then: the write lands but the answer never comes back.
            if random.next(upperBound: UInt64(5)) == 0 { ingesters[index].store.formUnion(entries) }
            return .timeout
        case .up:
            let roll = random.next(upperBound: UInt64(1000))
            if roll < 3 { return .unavailable }  // transient 5xx, nothing applied
            ingesters[index].store.formUnion(entries)
            if roll < 6 { return .timeout }  // applied, answer lost
            return .success
        }
    }

    // MARK: Reads

    mutating func read(final: Bool) {
        let healthy = health.healthyInstances(in: ring, now: now)
        let readSet: ReadSet
        do {
            readSet = try ring.readSet(healthy: healthy)
        } catch {
            report.rejectedReads += 1
            if final {
                let states = ring.instances.map { "\($0.id)=\(health.status(of: $0.address, now: now))" }
                violations.append("final read rejected: \(error) \(states)")
            }
            return
        }
        var tracker = ReadQuorumTracker<Failure>(readSet: readSet, ring: ring)
        var answers: [(instance: Int, entries: [Entry])] = []
        var hadError = false
        var order = readSet.instances
        order.shuffle(using: &random)
        for instance in order {
            now += Int64(1 + random.next(upperBound: UInt64(5))) * Self.millisecond
            let member = ring.instances[instance]
            guard let index = ingesters.firstIndex(where: { $0.member.id == member.id }) else { continue }
            let decision: QuorumDecision<Failure>
            // A slow replica now and then: the read times out on it (not in the final read).
            let slow = !final && random.next(upperBound: UInt64(100)) < 5
            if ingesters[index].state == .up, !slow {
                health.record(.success, for: member.address, now: now)
                answers.append((instance, ingesters[index].store.sorted()))
                decision = tracker.record(instance: instance, outcome: .success)
            } else {
                var observation = HealthObservation.unreachable
                if slow { observation = .timeout }
                if case .partitioned = ingesters[index].state { observation = .timeout }
                hadError = true
                health.record(observation, for: member.address, now: now)
                decision = tracker.record(instance: instance, outcome: .failure(Failure(text: member.id), isClientError: false))
            }
            // Like Loki's querier: stop waiting as soon as the read has its quorum.
            if decision.isFinal { break }
        }
        guard case .succeeded = tracker.decision else {
            report.failedReads += 1
            if final { violations.append("final read failed: \(tracker.decision)") }
            return
        }
        report.successfulReads += 1
        if hadError { report.readsToleratingErrors += 1 }
        let merged = Self.mergeDeduplicating(answers.filter { tracker.shouldInclude(instance: $0.instance) }.map(\.entries))
        report.duplicatesRemovedByReads += merged.removed
        var seen = Set<Entry>()
        for entry in merged.entries {
            if !seen.insert(entry).inserted { violations.append("entry \(entry) returned twice after de-duplication") }
            if !written.contains(entry) { violations.append("entry \(entry) returned but never written") }
        }
        let missing = acknowledged.subtracting(seen)
        if !missing.isEmpty {
            violations.append("read at \(now) missed \(missing.count) acknowledged entries, e.g. \(missing.sorted().prefix(3))")
        }
    }

    /// Merges per-replica sorted entry lists, dropping identical entries (same stream, timestamp and line), like the
    /// querier's heap merge.
    static func mergeDeduplicating(_ lists: [[Entry]]) -> (entries: [Entry], removed: Int) {
        var positions = [Int](repeating: 0, count: lists.count)
        var merged: [Entry] = []
        var removed = 0
        while true {
            var best: Entry?
            for (list, position) in zip(lists, positions) where position < list.count {
                if let current = best, current <= list[position] { continue }
                best = list[position]
            }
            guard let next = best else { break }
            var copies = 0
            for index in lists.indices where positions[index] < lists[index].count && lists[index][positions[index]] == next {
                positions[index] += 1
                copies += 1
            }
            merged.append(next)
            removed += copies - 1
        }
        return (merged, removed)
    }

    /// Every acknowledged entry is held by at least a write quorum (2 of 3) of ingesters, live or recovered.
    mutating func checkReplicaCounts() {
        var counts: [Entry: Int] = [:]
        for ingester in ingesters {
            for entry in ingester.store where acknowledged.contains(entry) { counts[entry, default: 0] += 1 }
        }
        for entry in acknowledged where counts[entry, default: 0] < 2 {
            violations.append("acknowledged \(entry) is on \(counts[entry, default: 0]) ingesters")
        }
    }
}
