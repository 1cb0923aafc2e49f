import FjordConfig
import FjordModel
import FjordRuler
import FjordRules
import FjordServiceAPI
import Foundation
import Logging
import Testing

/// A querier that answers every instant query with the samples the test sets, and records the requests.
final class StubQuerier: QueryTarget, @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [InstantSample] = []
    private(set) var requests: [QueryRequest] = []

    func answer(_ samples: [InstantSample]) {
        lock.withLock { self.samples = samples }
    }

    func query(_ request: QueryRequest) async throws(ServiceError) -> QueryResult {
        lock.withLock {
            requests.append(request)
            return QueryResult(data: .vector(samples))
        }
    }

    func labelNames(_ request: MetadataRequest) async throws(ServiceError) -> [String] { [] }
    func labelValues(name: String, _ request: MetadataRequest) async throws(ServiceError) -> [String] { [] }
    func series(_ request: SeriesRequest) async throws(ServiceError) -> [Labels] { [] }
    func indexStats(_ request: MetadataRequest) async throws(ServiceError) -> IndexStats { IndexStats() }
}

/// A clock that never lets the evaluation loop run: the test drives evaluations itself.
struct FrozenClock: RulerClock {
    func now() -> Int64 { 1_700_000_000_000_000_000 }
    func sleep(until deadline: Int64) async throws { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
}

@Suite struct RulerOperationsTests {
    static func makeRuler() throws -> (Ruler, StubQuerier, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-ruler-\(UUID().uuidString)").path
        var config = FjordConfiguration()
        config.ruler.storageLocalDirectory = directory
        let querier = StubQuerier()
        let ruler = try Ruler(config: config, query: querier, clock: FrozenClock(), logger: Logger(label: "test"))
        return (ruler, querier, directory)
    }

    @Test func setListGetDelete() async throws {
        let (ruler, _, directory) = try Self.makeRuler()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: ServiceError.notFound("no rule groups found")) { try ruler.list(tenant: "t") }
        try await ruler.set(tenant: "t", namespace: "ns", yaml: "name: g\nrules:\n  - record: r\n    expr: sum(rate({a=\"b\"}[1m]))\n")
        #expect(try ruler.list(tenant: "t").map(\.name) == ["ns"])
        #expect(try ruler.group(tenant: "t", namespace: "ns", name: "g").rules.count == 1)
        await #expect(throws: ServiceError.self) { try await ruler.set(tenant: "t", namespace: "ns", yaml: "name: g\nrules: []\n") }
        defer { Task { await ruler.stop() } }
        let rules = String(decoding: await ruler.prometheusRules(tenant: "t", filter: PrometheusRulesFilter()), as: UTF8.self)
        #expect(rules.contains(#""name":"g","file":"ns""#))
        try await ruler.delete(tenant: "t", namespace: "ns")
        #expect(throws: ServiceError.notFound("group does not exist")) { try ruler.group(tenant: "t", namespace: "ns", name: "g") }
        await #expect(throws: ServiceError.notFound("group namespace does not exist")) { try await ruler.delete(tenant: "t", namespace: "ns") }
    }

    @Test func evaluationsRunInstantQueriesAsTheGroupsTenant() async throws {
        let (ruler, querier, directory) = try Self.makeRuler()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await ruler.set(tenant: "t", namespace: "ns",
                            yaml: "name: g\nrules:\n  - alert: A\n    expr: sum(rate({a=\"b\"}[1m])) > 1\n")
        querier.answer([InstantSample(labels: Labels(), timestampMillis: 0, value: 3)])
        let at: Int64 = 1_700_000_000_000_000_000
        try await ruler.evaluateNow(RuleGroupKey(tenant: "t", namespace: "ns", group: "g"), at: at)
        #expect(querier.requests.map(\.tenants) == [["t"]])
        #expect(querier.requests.first?.isInstant == true)
        #expect(querier.requests.first?.start == at)
        let alerts = String(decoding: await ruler.alerts(tenant: "t"), as: UTF8.self)
        await ruler.stop()
        #expect(alerts.contains(#""state":"firing""#))
        #expect(alerts.contains(#""value":"3e+00""#))
    }
}
