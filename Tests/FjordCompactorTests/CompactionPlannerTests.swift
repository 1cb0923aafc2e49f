@testable import FjordCompactor
import FjordModel
import FjordStorage
import Testing

@Suite struct CompactionPlannerTests {
    let day: Int64 = 24 * 3_600_000_000_000
    let base: Int64 = 1_795_316_400_000_000_000  // inside one 24h period

    private func ref(_ labels: Labels, from: Int64, through: Int64, size: Int, crc: UInt32 = 0) -> ChunkRef {
        ChunkRef(fingerprint: labels.fingerprint, from: from, through: through, entryCount: 1, uncompressedSize: size,
                 objectSize: size, checksum: crc, blocks: [])
    }

    @Test func streamRulesFollowLokisPriorityOrder() throws {
        let policy = RetentionPolicy(period: 30 * day, streams: [
            StreamRetentionRule(matchers: [try LabelMatcher(name: "env", kind: .equal, value: "dev")], priority: 1, period: 2 * day),
            StreamRetentionRule(matchers: [try LabelMatcher(name: "env", kind: .equal, value: "dev")], priority: 1, period: day),
            StreamRetentionRule(matchers: [try LabelMatcher(name: "app", kind: .equal, value: "audit")], priority: 5, period: 90 * day),
        ])
        #expect(policy.period(for: Labels(["env": "dev"])) == day)  // equal priority: the shorter period
        #expect(policy.period(for: Labels(["env": "dev", "app": "audit"])) == 90 * day)  // higher priority wins
        #expect(policy.period(for: Labels(["env": "prod"])) == 30 * day)
        #expect(policy.expired(labels: Labels(["env": "dev"]), through: base, now: base + day + 1))
        #expect(!policy.expired(labels: Labels(["env": "dev"]), through: base, now: base + day))
        #expect(!RetentionPolicy().expired(labels: Labels(), through: 0, now: .max))
    }

    @Test func planDropsExpiredChunksRewritesDeletesAndMergesSmallOnes() throws {
        let a = Labels(["app": "a"])
        let b = Labels(["app": "b"])
        let period = IndexPeriods().period(of: base)
        let old = ref(a, from: base - 40 * day, through: base - 40 * day + 10, size: 100, crc: 1)
        let small = (0..<4).map { ref(a, from: base + Int64($0) * 100, through: base + Int64($0) * 100 + 50, size: 100, crc: UInt32(10 + $0)) }
        let big = ref(a, from: base + 1000, through: base + 2000, size: 2000, crc: 20)
        let deleted = ref(b, from: base, through: base + 10, size: 100, crc: 30)
        let filtered = ref(b, from: base + 20, through: base + 90, size: 100, crc: 31)
        let index = TenantIndexSnapshot(tables: [
            IndexPeriods().period(of: old.from): .init(segmentKeys: ["s0"], series: [a: [old]]),
            period: .init(segmentKeys: ["s1", "s2"], series: [a: small + [big], b: [deleted, filtered]]),
        ])
        let deletes = [
            DeletePlanInput(id: "whole", matchers: [try LabelMatcher(name: "app", kind: .equal, value: "b")],
                            start: base, end: base + 15, hasLineFilter: false),
            DeletePlanInput(id: "lines", matchers: [try LabelMatcher(name: "app", kind: .equal, value: "b")],
                            start: base + 50, end: base + 60, hasLineFilter: true),
        ]
        let planner = CompactionPlanner(targetChunkSize: 1000)
        let plan = planner.plan(index: index, retention: RetentionPolicy(period: 30 * day), deletes: deletes,
                                periods: IndexPeriods(), now: base)
        #expect(plan.expiredChunks == 1)
        #expect(plan.removed.contains(ChunkKeyIdentity(old)))
        #expect(plan.removed.contains(ChunkKeyIdentity(deleted)))
        #expect(plan.recipes.contains(ChunkRecipe(labels: b, sources: [filtered], deletes: ["lines"])))
        #expect(plan.recipes.contains(ChunkRecipe(labels: a, sources: small)))
        #expect(!plan.removed.contains(ChunkKeyIdentity(big)))
        #expect(plan.periods == [IndexPeriods().period(of: old.from), period])
        #expect(plan.completedDeletes == ["whole", "lines"])
        // Nothing to do: a single segment, no small chunks, no retention.
        let quiet = planner.plan(index: TenantIndexSnapshot(tables: [period: .init(segmentKeys: ["s"], series: [a: [big]])]),
                                 retention: nil, deletes: [], periods: IndexPeriods(), now: base)
        #expect(quiet.isEmpty)
    }

    @Test func mergeGroupsStayWithinTargetAndPeriod() {
        let a = Labels(["app": "a"])
        let planner = CompactionPlanner(targetChunkSize: 300)
        let chunks = (0..<7).map { ref(a, from: base + Int64($0) * 10, through: base + Int64($0) * 10 + 5, size: 100, crc: UInt32($0)) }
        let crossing = ref(a, from: base + day - 1, through: base + day + 1, size: 10, crc: 99)
        let groups = planner.mergeGroups(chunks + [crossing], periods: IndexPeriods())
        #expect(groups.map(\.count) == [3, 3])
        #expect(!groups.joined().contains(crossing))
    }

    @Test func lockLetsOneOwnerActUntilItExpires() {
        let record = CompactorLockRecord(owner: "a", expiresAt: 100)
        #expect(CompactorLockDecision.mayAcquire(nil, owner: "b", now: 0))
        #expect(CompactorLockDecision.mayAcquire(record, owner: "a", now: 50))
        #expect(!CompactorLockDecision.mayAcquire(record, owner: "b", now: 99))
        #expect(CompactorLockDecision.mayAcquire(record, owner: "b", now: 100))
    }
}
