import FjordRing
import Testing

struct TestFailure: Error, Hashable, Sendable {
    var text: String
    init(_ text: String) { self.text = text }
}

extension QuorumDecision where Failure == TestFailure {
    var summary: String {
        switch self {
        case .pending: return "pending"
        case .succeeded: return "succeeded"
        case .failed(let instance, let failure): return "failed(\(instance): \(failure.text))"
        }
    }
}

@Suite("Write quorum (dskit DoBatch semantics)")
struct WriteQuorumTrackerTests {
    static func set(_ instances: [Int], minSuccess: Int = 2) -> ReplicationSet {
        ReplicationSet(instances: instances, minSuccess: minSuccess, maxFailures: instances.count - minSuccess)
    }

    static func server(_ text: String) -> ReplicaOutcome<TestFailure> { .failure(TestFailure(text), isClientError: false) }
    static func client(_ text: String) -> ReplicaOutcome<TestFailure> { .failure(TestFailure(text), isClientError: true) }

    @Test("streams are grouped into one batch per instance")
    func batches() {
        let tracker = WriteQuorumTracker<TestFailure>(replicationSets: [Self.set([0, 1, 2]), Self.set([1, 2, 3]), Self.set([3, 0, 1])])
        #expect(tracker.streamsByInstance == [
            InstanceBatch(instance: 0, streams: [0, 2]), InstanceBatch(instance: 1, streams: [0, 1, 2]),
            InstanceBatch(instance: 2, streams: [0, 1]), InstanceBatch(instance: 3, streams: [1, 2]),
        ])
        #expect(tracker.instances == [0, 1, 2, 3])
    }

    @Test("answers in any order", arguments: [
        // (answers as (instance, outcome code), expected final decision)
        ([(0, "ok"), (1, "ok")], "succeeded"),
        ([(0, "ok"), (1, "5xx"), (2, "ok")], "succeeded"),
        ([(0, "5xx"), (1, "ok"), (2, "ok")], "succeeded"),
        ([(0, "5xx"), (1, "5xx")], "failed(1: 5xx from 1)"),
        ([(2, "4xx"), (0, "4xx")], "failed(0: 4xx from 0)"),
        // One client and one server error do not reach maxFailures (1) in either family; the last answer decides.
        ([(0, "4xx"), (1, "5xx"), (2, "ok")], "failed(1: 5xx from 1)"),
        ([(0, "4xx"), (1, "5xx"), (2, "4xx")], "failed(2: 4xx from 2)"),
        ([(0, "5xx"), (1, "4xx"), (2, "5xx")], "failed(2: 5xx from 2)"),
    ] as [([(Int, String)], String)])
    func oneStream(answers: [(Int, String)], expected: String) {
        var tracker = WriteQuorumTracker<TestFailure>(replicationSets: [Self.set([0, 1, 2])])
        var decision = tracker.decision
        for (instance, code) in answers {
            #expect(decision.summary == "pending")
            let outcome: ReplicaOutcome<TestFailure> = switch code {
            case "ok": .success
            case "4xx": Self.client("4xx from \(instance)")
            default: Self.server("5xx from \(instance)")
            }
            decision = tracker.record(instance: instance, outcome: outcome)
        }
        #expect(decision.summary == expected)
        #expect(tracker.decision.summary == expected)
    }

    @Test("the push succeeds only when every stream reached its quorum")
    func everyStream() {
        var tracker = WriteQuorumTracker<TestFailure>(replicationSets: [Self.set([0, 1, 2]), Self.set([1, 2, 3])])
        #expect(tracker.record(instance: 1, outcome: .success).summary == "pending")
        #expect(tracker.record(instance: 0, outcome: .success).summary == "pending")  // stream 0 done, stream 1 not
        #expect(tracker.record(instance: 3, outcome: Self.server("down")).summary == "pending")
        #expect(tracker.record(instance: 2, outcome: .success).summary == "succeeded")
    }

    @Test("the first stream to fail decides, and later answers change nothing")
    func firstFailureSticks() {
        var tracker = WriteQuorumTracker<TestFailure>(replicationSets: [
            Self.set([0, 1], minSuccess: 2), Self.set([2, 3, 4]),
        ])
        #expect(tracker.record(instance: 1, outcome: Self.server("ingester 1 refused")).summary == "failed(1: ingester 1 refused)")
        #expect(tracker.record(instance: 0, outcome: .success).summary == "failed(1: ingester 1 refused)")
        #expect(tracker.record(instance: 2, outcome: Self.server("other")).summary == "failed(1: ingester 1 refused)")
    }

    @Test("skipped unhealthy replicas leave no room for failures")
    func unhealthySkipped() throws {
        let ring = try RingFixtures.threeInstanceRing()
        let set = try ring.replicationSet(for: 150, healthy: InstanceSet([0, 2]))
        var tracker = WriteQuorumTracker<TestFailure>(replicationSets: [set])
        #expect(tracker.record(instance: 2, outcome: Self.server("timeout")).summary == "failed(2: timeout)")
    }

    @Test("an empty push has succeeded")
    func emptyPush() {
        #expect(WriteQuorumTracker<TestFailure>(replicationSets: []).decision.summary == "succeeded")
    }
}

@Suite("Read quorum (dskit ReplicationSet.Do semantics)")
struct ReadQuorumTrackerTests {
    @Test("not zone-aware: succeed after instances − maxErrors answers, fail after maxErrors + 1 failures")
    func plain() throws {
        let ring = try RingFixtures.derivedRing(count: 5, tokens: 4)
        let readSet = try ring.readSet(healthy: ring.allInstances)
        #expect(readSet.maxErrors == 1)
        var tracker = ReadQuorumTracker<TestFailure>(readSet: readSet, ring: ring)
        for instance in 0..<3 { #expect(tracker.record(instance: instance, outcome: .success).summary == "pending") }
        #expect(tracker.record(instance: 3, outcome: .failure(TestFailure("x"), isClientError: false)).summary == "pending")
        #expect(tracker.record(instance: 4, outcome: .success).summary == "succeeded")

        var failing = ReadQuorumTracker<TestFailure>(readSet: readSet, ring: ring)
        #expect(failing.record(instance: 0, outcome: .failure(TestFailure("a"), isClientError: false)).summary == "pending")
        #expect(failing.record(instance: 1, outcome: .failure(TestFailure("b"), isClientError: false)).summary == "failed(1: b)")
        #expect(failing.record(instance: 2, outcome: .success).summary == "failed(1: b)")
    }

    @Test("zone-aware: a zone counts when all its instances answered; one failing zone of three is tolerated")
    func zoned() throws {
        let zones = ["z1", "z2", "z3"]
        let ring = try Ring(ingesters: (0..<6).map {
            RingFixtures.ingester("i\($0)", port: 9000 + $0, tokens: [UInt32($0 * 1000 + 1)], zone: zones[$0 % 3])
        })
        let readSet = try ring.readSet(healthy: ring.allInstances)
        var tracker = ReadQuorumTracker<TestFailure>(readSet: readSet, ring: ring)
        // z1 = {0, 3}, z2 = {1, 4}, z3 = {2, 5}
        #expect(tracker.record(instance: 1, outcome: .failure(TestFailure("z2 down"), isClientError: false)).summary == "pending")
        #expect(tracker.record(instance: 0, outcome: .success).summary == "pending")
        #expect(tracker.record(instance: 2, outcome: .success).summary == "pending")
        #expect(tracker.record(instance: 3, outcome: .success).summary == "pending")  // z1 complete
        #expect(!tracker.shouldInclude(instance: 2))
        #expect(tracker.shouldInclude(instance: 0))
        #expect(tracker.record(instance: 5, outcome: .success).summary == "succeeded")  // z3 complete
        #expect(tracker.shouldInclude(instance: 2))

        var failing = ReadQuorumTracker<TestFailure>(readSet: readSet, ring: ring)
        #expect(failing.record(instance: 0, outcome: .failure(TestFailure("z1"), isClientError: false)).summary == "pending")
        #expect(failing.record(instance: 3, outcome: .failure(TestFailure("z1 again"), isClientError: false)).summary == "pending")
        #expect(failing.record(instance: 4, outcome: .failure(TestFailure("z2"), isClientError: false)).summary == "failed(4: z2)")
    }
}
