import FjordRing
import Testing

@Suite("Ring lookup: first token > key, clockwise, distinct, zone-aware")
struct RingLookupTests {
    @Test("the walk starts at the first token strictly greater than the key and wraps around", arguments: [
        (0, [0, 1, 2]),
        (99, [0, 1, 2]),
        (100, [1, 2, 0]),  // equal to a token: strictly greater, so the next one
        (150, [1, 2, 0]),
        (199, [1, 2, 0]),
        (200, [2, 0, 1]),
        (599, [2, 0, 1]),
        (600, [0, 1, 2]),  // past the last token: wrap to the first
        (UInt32.max, [0, 1, 2]),
    ] as [(UInt32, [Int])])
    func walk(key: UInt32, expected: [Int]) throws {
        let ring = try RingFixtures.threeInstanceRing()
        #expect(ring.replicaCandidates(for: key) == expected)
        let set = try ring.replicationSet(for: key, healthy: ring.allInstances)
        #expect(set.instances == expected)
        #expect(set.minSuccess == 2)
        #expect(set.maxFailures == 1)
        #expect(set.unhealthy.isEmpty)
    }

    @Test("instances are distinct: an instance's second token is skipped")
    func distinct() throws {
        let ring = try Ring(ingesters: [
            RingFixtures.ingester("a", port: 1, tokens: [100, 400]),
            RingFixtures.ingester("b", port: 2, tokens: [200, 500]),
            RingFixtures.ingester("c", port: 3, tokens: [300, 600]),
            RingFixtures.ingester("d", port: 4, tokens: [250, 260, 270]),
        ])
        #expect(ring.replicaCandidates(for: 240).map { ring.instances[$0].id } == ["d", "c", "a"])
    }

    @Test("another replication factor walks on the spot; RF 1 needs one success")
    func otherReplicationFactor() throws {
        let ring = try RingFixtures.threeInstanceRing()
        let two = try ring.replicationSet(for: 150, replicationFactor: 2, healthy: ring.allInstances)
        #expect(two.instances == [1, 2])
        #expect(two.minSuccess == 2)
        #expect(two.maxFailures == 0)
        let one = try RingFixtures.threeInstanceRing(replicationFactor: 1)
        let set = try one.replicationSet(for: 150, healthy: one.allInstances)
        #expect(set.instances == [1])
        #expect(set.minSuccess == 1)
        #expect(set.maxFailures == 0)
    }

    @Test("fewer instances than RF: all of them, and the quorum still counts RF (Loki)")
    func fewerInstancesThanReplicationFactor() throws {
        let ring = try Ring(ingesters: [RingFixtures.ingester("a", port: 1, tokens: [10]),
                                        RingFixtures.ingester("b", port: 2, tokens: [20])])
        let set = try ring.replicationSet(for: 5, healthy: ring.allInstances)
        #expect(set.instances == [0, 1])
        #expect(set.minSuccess == 2)
        #expect(set.maxFailures == 0)
        let single = try Ring(ingesters: [RingFixtures.ingester("a", port: 1, tokens: [10])])
        #expect(throws: RingError("at least 2 live replicas required, could only find 1")) {
            try single.replicationSet(for: 5, healthy: single.allInstances)
        }
    }

    @Test("unhealthy replicas are skipped but still count toward the quorum")
    func unhealthySkipped() throws {
        let ring = try RingFixtures.threeInstanceRing()
        let set = try ring.replicationSet(for: 150, healthy: InstanceSet([0, 2]))
        #expect(set.instances == [2, 0])
        #expect(set.unhealthy == [1])
        #expect(set.minSuccess == 2)
        #expect(set.maxFailures == 0)
        #expect(throws: RingError("at least 2 live replicas required, could only find 1 - unhealthy instances: 127.0.0.1:2,127.0.0.1:3")) {
            try ring.replicationSet(for: 150, healthy: InstanceSet([0]))
        }
        #expect(throws: RingError("at least 2 live replicas required, could only find 0 - unhealthy instances: 127.0.0.1:2,127.0.0.1:3,127.0.0.1:1")) {
            try ring.replicationSet(for: 150, healthy: InstanceSet())
        }
    }

    @Test("zone-aware: one replica per zone, stopping when every zone has one")
    func zoneAware() throws {
        let ring = try Ring(ingesters: [
            RingFixtures.ingester("a", port: 1, tokens: [100], zone: "z1"),
            RingFixtures.ingester("b", port: 2, tokens: [200], zone: "z1"),
            RingFixtures.ingester("c", port: 3, tokens: [300], zone: "z2"),
            RingFixtures.ingester("d", port: 4, tokens: [400], zone: "z3"),
        ])
        #expect(ring.isZoneAware)
        #expect(ring.replicaCandidates(for: 50).map { ring.instances[$0].id } == ["a", "c", "d"])
        #expect(ring.replicaCandidates(for: 150).map { ring.instances[$0].id } == ["b", "c", "d"])
        #expect(ring.replicaCandidates(for: 350).map { ring.instances[$0].id } == ["d", "a", "c"])
        #expect(throws: RingError("at least 2 live replicas required across different availability zones, could only find 1 - unhealthy instances: 127.0.0.1:3,127.0.0.1:4")) {
            try ring.replicationSet(for: 50, healthy: InstanceSet([0, 1]))
        }

        let twoZones = try Ring(ingesters: [
            RingFixtures.ingester("a", port: 1, tokens: [100], zone: "z1"),
            RingFixtures.ingester("b", port: 2, tokens: [200], zone: "z1"),
            RingFixtures.ingester("c", port: 3, tokens: [300], zone: "z2"),
        ])
        let set = try twoZones.replicationSet(for: 50, healthy: twoZones.allInstances)
        #expect(set.instances.map { twoZones.instances[$0].id } == ["a", "c"])
        #expect(set.minSuccess == 2)
        #expect(set.maxFailures == 0)
    }

    @Test("an empty ring and a bad replication factor are errors")
    func emptyRing() throws {
        let ring = try Ring(ingesters: [])
        #expect(throws: RingError.emptyRing) { try ring.replicationSet(for: 1, healthy: InstanceSet()) }
        #expect(throws: RingError.emptyRing) { try ring.readSet(healthy: InstanceSet()) }
        #expect(throws: RingError("replication factor must be at least 1, got 0")) {
            try Ring(ingesters: [], replicationFactor: 0)
        }
    }

    @Test("precomputed lookups equal an independent reference walk", arguments: [false, true])
    func matchesReference(zoned: Bool) throws {
        let zones = ["z1", "z2", "z3"]
        let members = (1...7).map { index in
            RingFixtures.ingester("ingester-\(index)", port: 9000 + index, zone: zoned ? zones[index % 3] : nil)
        }
        let ring = try Ring(ingesters: members, tokensPerIngester: 32, replicationFactor: 3)
        let reference = ReferenceRing(members: members, tokensPerIngester: 32)
        var generator = SplitMix64(seed: zoned ? 11 : 7)
        for _ in 0..<2000 {
            let key = UInt32(truncatingIfNeeded: generator.next())
            let expected = reference.replicas(of: key, count: 3)
            #expect(ring.replicaCandidates(for: key).map { ring.instances[$0].id } == expected)
            let four = reference.replicas(of: key, count: 4)
            #expect(ring.replicaCandidates(for: key, replicas: 4).map { ring.instances[$0].id } == four)
        }
    }

    @Test("colliding tokens of two instances are ordered by id, deterministically")
    func tokenTies() throws {
        let ring = try Ring(ingesters: [
            RingFixtures.ingester("b", port: 2, tokens: [100]),
            RingFixtures.ingester("a", port: 1, tokens: [100]),
            RingFixtures.ingester("c", port: 3, tokens: [200]),
        ])
        #expect(ring.replicaCandidates(for: 50).map { ring.instances[$0].id } == ["a", "b", "c"])
        #expect(ring.replicaCandidates(for: 100).map { ring.instances[$0].id } == ["c", "a", "b"])
    }

    @Test("read sets: every healthy ingester and the errors a read tolerates", arguments: [
        // (ingesters, RF, healthy, expected maxErrors or nil for an error)
        (3, 3, [0, 1, 2], 1),
        (3, 3, [0, 2], 0),
        (3, 3, [0], nil),
        (5, 3, [0, 1, 2, 3, 4], 1),
        (5, 3, [0, 1, 3, 4], 0),
        (5, 3, [0, 1, 4], nil),
        (1, 1, [0], 0),
        (2, 3, [0, 1], 0),
        (2, 3, [1], nil),
    ] as [(Int, Int, [Int], Int?)])
    func readSets(count: Int, replicationFactor: Int, healthy: [Int], maxErrors: Int?) throws {
        let ring = try RingFixtures.derivedRing(count: count, replicationFactor: replicationFactor, tokens: 8)
        if let maxErrors {
            let set = try ring.readSet(healthy: InstanceSet(healthy))
            #expect(set.instances == healthy)
            #expect(set.maxErrors == maxErrors)
            #expect(!set.isZoneAware)
        } else {
            #expect(throws: RingError.tooManyUnhealthyInstances) { try ring.readSet(healthy: InstanceSet(healthy)) }
        }
    }

    @Test("zone-aware read sets drop zones with a failure and tolerate one failing zone of three")
    func zoneAwareReadSets() throws {
        let zones = ["z1", "z2", "z3"]
        let ring = try Ring(ingesters: (0..<6).map {
            RingFixtures.ingester("i\($0)", port: 9000 + $0, tokens: [UInt32($0 * 1000 + 1)], zone: zones[$0 % 3])
        })
        let all = try ring.readSet(healthy: ring.allInstances)
        #expect(all.instances == [0, 1, 2, 3, 4, 5])
        #expect(all.maxUnavailableZones == 1)
        #expect(all.maxErrors == 0)
        // i1 (z2) down: z2 is skipped entirely, no further zone may fail.
        let oneDown = try ring.readSet(healthy: InstanceSet([0, 2, 3, 4, 5]))
        #expect(oneDown.instances == [0, 2, 3, 5])
        #expect(oneDown.maxUnavailableZones == 0)
        #expect(throws: RingError.tooManyUnhealthyInstances) { try ring.readSet(healthy: InstanceSet([0, 3, 4, 5])) }
    }
}
