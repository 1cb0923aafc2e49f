import Foundation
import Testing

/// Live tail in cluster mode (scripts/cluster-up: 3 ingesters, RF 3): the gateway subscribes on every ingester over
/// the wire, and each line reaches the client once although three replicas offer it.
@Suite(.serialized) struct ClusterTailTests {
    @Test func eachLineOnceDespiteThreeReplicas() async throws {
        let cluster = try await ClusterProcesses(queriers: 1)
        defer { cluster.down() }
        let gateway = try #require(URL(string: cluster.gatewayURL))
        let port = try #require(gateway.port)
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        func push(_ entries: [(Int64, String)], app: String = "rf") async throws {
            let values = entries.map { [String($0.0), $0.1] }
            let body = try JSONSerialization.data(withJSONObject: ["streams": [["stream": ["app": app], "values": values]]])
            let (status, answer) = try await HTTP.request(
                "POST", cluster.gatewayURL + "/loki/api/v1/push",
                headers: ["X-Scope-OrgID": "it-tail", "Content-Type": "application/json"], body: body)
            #expect(status == 204, "\(String(decoding: answer, as: UTF8.self))")
        }
        try await push([(now - 2_000_000_000, "history line")])
        let query = HTTP.escape("{app=\"rf\"} | logfmt")
        let client = try TailClient(url: "ws://127.0.0.1:\(port)/loki/api/v1/tail?query=\(query)")
        defer { client.stop() }
        #expect(await client.waitFor { !TailClient.entries($0).isEmpty }, "no history: \(client.texts), \(client.endDescription)")

        // The client stops reading for a few seconds during the pushes (pings go unanswered): it keeps its tail.
        let expected = (1...20).map { "n=\($0) kind=live" }
        client.pause()
        let stalled = Date()
        for (index, line) in expected.enumerated() { try await push([(now + Int64(index + 1) * 1_000_000, line)]) }
        let left = 3 - Date().timeIntervalSince(stalled)
        if left > 0 { try await Task.sleep(nanoseconds: UInt64(left * 1e9)) }
        client.resume()
        let complete = await client.waitFor { TailClient.entries($0).count >= 21 }
        #expect(complete, "\(client.texts), \(client.endDescription)")
        // Give late replicas time to deliver their copies: none may show.
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let entries = TailClient.entries(client.frames)
        #expect(entries.map(\.line) == ["history line"] + expected)
        #expect(entries.dropFirst().allSatisfy { $0.labels["app"] == "rf" && $0.labels["kind"] == "live" })
        #expect(!client.ended, "\(client.endDescription)")
    }
}
