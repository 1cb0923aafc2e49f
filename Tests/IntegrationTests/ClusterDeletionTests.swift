import Foundation
import Testing

/// Delete requests in cluster mode: the gateway forwards `/loki/api/v1/delete` to the compactor over the wire, the
/// queriers hide the lines at once, the compactor removes them from the shared store (after a flush, RF copies).
@Suite(.serialized) struct ClusterDeletionTests {
    @Test func deleteThroughTheGatewayReachesTheCompactorAndQueries() async throws {
        let cluster = try await ClusterProcesses(ingesters: 3, queriers: 1, rulers: 0, extraFlags: [
            "-compactor.retention-enabled=true", "-compactor.delete-request-cancel-period=0s",
            "-compactor.compaction-interval=1s", "-compactor.retention-delete-delay=0s",
        ])
        defer { cluster.down() }
        let now = Int64(Date().timeIntervalSince1970)
        let base = (now - 300) * 1_000_000_000
        for body in ClusterTests.pushes(base: base, streams: 4, lines: 40) {
            #expect(try await ClusterTests.push(cluster.gatewayURL, body) == 204)
        }
        #expect(try await HTTP.request("POST", cluster.gatewayURL + "/flush").0 == 204)
        let range = [("start", String(base - 1_000_000_000)), ("end", String(base + 60_000_000_000)), ("limit", "5000"),
                     ("direction", "forward")]
        let all = try await ClusterTests.answer(cluster.gatewayURL, "/loki/api/v1/query_range",
                                                [("query", "{env=\"test\"} != \"level=error\"")] + range)
        let query = HTTP.escape("{env=\"test\"} |= \"level=error\"")
        var (status, body) = try await HTTP.request(
            "POST", cluster.gatewayURL + "/loki/api/v1/delete?query=\(query)&start=\(now - 600)&end=\(now)",
            headers: ["X-Scope-OrgID": "team-a"])
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        var processed = false
        for _ in 0..<150 where !processed {
            (status, body) = try await HTTP.get(cluster.gatewayURL, "/loki/api/v1/delete", [], tenant: "team-a")
            #expect(status == 200, "\(String(decoding: body, as: UTF8.self))")
            let list = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] ?? []
            processed = list.first?["status"] as? String == "processed"
            if !processed { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(processed)
        let after = try await ClusterTests.answer(cluster.gatewayURL, "/loki/api/v1/query_range",
                                                  [("query", "{env=\"test\"}")] + range)
        #expect(after == all)
    }
}
