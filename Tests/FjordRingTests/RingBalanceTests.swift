import FjordRing
import Testing

@Suite("Token distribution and ownership changes")
struct RingBalanceTests {
    @Test("three ingesters with derived tokens each own a third of the key space, ± 4 points")
    func threeIngesters() throws {
        let ring = try RingFixtures.derivedRing(count: 3)
        let shares = ring.primaryOwnership()
        #expect(abs(shares.reduce(0, +) - 1) < 1e-9)
        for share in shares { #expect(abs(share - 1.0 / 3) < 0.04, "share \(share)") }
        // RF 3 over 3 ingesters: every ingester holds every stream.
        for share in ring.replicaOwnership() { #expect(abs(share - 1) < 1e-9) }
    }

    @Test("ten ingesters: primary 10% ± 1.5 points, replica ownership 30% ± 4 points")
    func tenIngesters() throws {
        let ring = try RingFixtures.derivedRing(count: 10)
        for share in ring.primaryOwnership() { #expect(abs(share - 0.1) < 0.015, "share \(share)") }
        let replicas = ring.replicaOwnership()
        #expect(abs(replicas.reduce(0, +) - 3) < 1e-9)
        for share in replicas { #expect(abs(share - 0.3) < 0.04, "replica share \(share)") }
    }

    @Test("streams spread like the key space: 30,000 stream tokens over 3 ingesters")
    func streamsSpread() throws {
        let ring = try RingFixtures.derivedRing(count: 3)
        var counts = [0, 0, 0]
        for index in 0..<30000 {
            let token = Ring.token(tenant: "tenant-\(index % 7)", labels: "{app=\"app-\(index)\", env=\"prod\"}")
            counts[ring.replicaCandidates(for: token)[0]] += 1
        }
        let shares = ring.primaryOwnership()
        for instance in 0..<3 {
            #expect(abs(Double(counts[instance]) / 30000 - shares[instance]) < 0.015)
        }
    }

    @Test("adding a member moves only the ranges it takes over", arguments: [3, 6])
    func addingMember(initial: Int) throws {
        let before = try RingFixtures.derivedRing(count: initial)
        let after = try RingFixtures.derivedRing(count: initial + 1)
        let newID = "ingester-\(initial + 1)"
        var changed = 0
        var generator = SplitMix64(seed: 42)
        let samples = 20000
        for _ in 0..<samples {
            let key = UInt32(truncatingIfNeeded: generator.next())
            let old = before.replicaCandidates(for: key).map { before.instances[$0].id }
            let new = after.replicaCandidates(for: key).map { after.instances[$0].id }
            if old == new { continue }
            changed += 1
            // The only change: the new member joins the replica list, displacing the last old replica.
            #expect(new.contains(newID), "key \(key): \(old) → \(new)")
            #expect(new.filter { $0 != newID } == Array(old.prefix(2)), "key \(key): \(old) → \(new)")
        }
        // The new member holds about RF/N of the keys; nothing else moves.
        let expected = after.replicaOwnership()[after.instance(id: newID)?.index ?? -1]
        #expect(abs(Double(changed) / Double(samples) - expected) < 0.02)
        #expect(changed > 0)
    }
}
