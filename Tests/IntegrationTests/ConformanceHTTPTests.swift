import FjordConformanceKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

extension ConformanceCase: CustomTestStringConvertible {
    public var testDescription: String { id }
}

/// Every conformance case (`Tests/Fixtures/conformance/cases.json`) sent to a real `fjord` over HTTP exactly as
/// lokicompat's lcrun sends it and compared with real Loki's answer using lcnorm's rules: once with the data in the
/// ingester's memory and once after `POST /flush`, from the chunk store. One test per case and phase.
@Suite(.serialized, ConformanceServerScope())
struct ConformanceHTTPTests {
    typealias Phase = ConformanceServers.Phase

    @Test(arguments: try ConformanceCase.loadAll())
    func inMemory(_ testCase: ConformanceCase) async throws {
        try await check(testCase, .memory)
    }

    @Test(arguments: try ConformanceCase.loadAll())
    func fromChunkStore(_ testCase: ConformanceCase) async throws {
        try await check(testCase, .store)
    }

    func check(_ testCase: ConformanceCase, _ phase: Phase) async throws {
        let server = try await ConformanceServers.shared.server(phase)
        let expected = try ConformanceFixtures.expectedAnswer(testCase.id)
        let request = try ConformanceRequest(testCase, base: server.base)
        let (status, data) = try await HTTP.send(request.urlRequest(baseURL: server.url, timeout: 90))
        let actual = try NormalizedAnswer(httpStatus: status, body: data, kind: testCase.kind, query: testCase.query,
                                          base: server.base)
        let differences = expected.differences(from: actual)
        #expect(differences.isEmpty, """
            \(testCase.id) (\(phase.rawValue)): \(testCase.kind) \(testCase.query)
                \(differences.joined(separator: "\n    "))
            """)
    }

    /// After `POST /flush` the ingester holds no stream, so the store phase really reads chunks.
    @Test func storePhaseHoldsNothingInMemory() async throws {
        let server = try await ConformanceServers.shared.server(.store)
        let (status, body) = try await HTTP.request("GET", server.url + "/metrics")
        #expect(status == 200)
        let metrics = String(decoding: body, as: UTF8.self).split(separator: "\n")
        func value(_ name: String) -> Double? {
            metrics.filter { $0.hasPrefix(name) }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                .reduce(nil) { ($0 ?? 0) + $1 }
        }
        #expect(value("loki_ingester_memory_streams") == 0, "\(metrics.filter { $0.contains("ingester") })")
        #expect((value("loki_ingester_chunks_flushed_total") ?? 0) >= 238, "every stream was flushed")
    }

    /// Every unique entry of the data set is countable in each phase (`dataset.json`'s counts per selector).
    @Test(arguments: Phase.allCases)
    func dataSetIsComplete(_ phase: Phase) async throws {
        let server = try await ConformanceServers.shared.server(phase)
        let url = ConformanceFixtures.directory.appendingPathComponent("dataset.json")
        let summary = try HTTP.json(try Data(contentsOf: url))
        let tenants = try #require(summary["tenants"] as? [String: [String: Any]])
        #expect(tenants.count == 2)
        for (tenant, counts) in tenants {
            let bySelector = try #require(counts["unique_by_selector"] as? [String: Int])
            for (selector, expected) in bySelector {
                let query = "sum(count_over_time(\(selector)[5h]))"
                let time = String(server.base + 4 * 3_600_000_000_000)
                let (status, body) = try await HTTP.get(server.url, "/loki/api/v1/query",
                                                        [("query", query), ("time", time)], tenant: tenant)
                #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
                let result = (try HTTP.json(body)["data"] as? [String: Any])?["result"] as? [[String: Any]]
                let value = (result?.first?["value"] as? [Any])?.last as? String
                #expect(value == String(expected), "\(phase.rawValue) \(tenant) \(selector)")
            }
        }
    }
}
