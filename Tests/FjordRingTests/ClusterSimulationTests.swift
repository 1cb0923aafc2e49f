import FjordRing
import Testing

@Suite("Seeded cluster simulation: quorum writes and merged reads under crashes and partitions")
struct ClusterSimulationTests {
    @Test("no acknowledged write is lost or duplicated", arguments: [
        (1, false), (2, false), (3, false), (4, true), (5, true),
    ] as [(UInt64, Bool)])
    func invariants(seed: UInt64, zoned: Bool) throws {
        var simulation = try ClusterSimulation(ClusterSimulation.Configuration(
            seed: seed, initialIngesters: zoned ? 6 : 5, zoned: zoned))
        let report = try simulation.run()
        #expect(simulation.violations.isEmpty, "seed \(seed): \(simulation.violations.prefix(5))")
        // The run must have exercised the interesting paths, or it proves nothing.
        #expect(report.crashes + report.partitions >= 5, "\(report)")
        #expect(report.detections >= 5, "\(report)")
        #expect(report.acknowledgedPushes >= 2000, "\(report)")
        #expect(report.failedPushes + report.ringRejectedPushes > 0, "\(report)")
        #expect(report.retriedPushes > 0, "\(report)")
        #expect(report.successfulReads >= 10, "\(report)")
        #expect(report.readsToleratingErrors + report.failedReads > 0, "\(report)")
        #expect(report.duplicatesRemovedByReads > 0, "\(report)")
        // A dead ingester is skipped within the failing period (with traffic, after two failed requests).
        #expect(report.longestDetection <= HealthPolicy().failingPeriod, "\(report)")
    }

    @Test("the same seed gives the same run")
    func deterministic() throws {
        var first = try ClusterSimulation(ClusterSimulation.Configuration(seed: 9, pushes: 600, readEvery: 100))
        var second = try ClusterSimulation(ClusterSimulation.Configuration(seed: 9, pushes: 600, readEvery: 100))
        let a = try first.run()
        let b = try second.run()
        #expect(a.acknowledgedPushes == b.acknowledgedPushes)
        #expect(a.failedPushes == b.failedPushes)
        #expect(a.crashes == b.crashes)
        #expect(first.acknowledged == second.acknowledged)
    }

    @Test("the checker catches a lost write (a store losing entries after acknowledging them)")
    func checkerCatchesLoss() throws {
        var simulation = try ClusterSimulation(ClusterSimulation.Configuration(seed: 3, pushes: 300, addIngesterAt: nil))
        _ = try simulation.run()
        #expect(simulation.violations.isEmpty)
        // Wipe two ingesters' stores: entries replicated only there are now lost and must be reported.
        simulation.ingesters[0].store = []
        simulation.ingesters[1].store = []
        simulation.read(final: true)
        simulation.checkReplicaCounts()
        #expect(simulation.violations.contains { $0.contains("missed") })
        #expect(simulation.violations.contains { $0.contains("is on") })
    }
}
