import Foundation
import Testing

/// Two `fjord-ruler`s started by scripts/cluster-up share the rule groups of one directory through the ruler ring:
/// every group is evaluated (health `ok`, so its LogQL ran on the queriers over the wire) by exactly one of them.
@Suite(.serialized) struct ClusterRulerTests {
    @Test func rulersSplitTheGroupsAndEvaluateThemOnTheQueriers() async throws {
        let cluster = try await ClusterProcesses(rulers: 2, extraFlags: ["-ruler.poll-interval=1s", "-ruler.evaluation-interval=1s"])
        defer { cluster.down() }
        let tenant = "cluster-rules"
        let rules = cluster.directory.appendingPathComponent("rules/\(tenant)")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        let names = (1...8).map { "group-\($0)" }
        for name in names {
            try """
                groups:
                  - name: \(name)
                    rules:
                      - record: lines:\(name.replacingOccurrences(of: "-", with: "_")):rate1m
                        expr: sum(rate({app="oneiric"}[1m]))
                """.write(to: rules.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let rulers = cluster.description.processes.filter { $0.role == "ruler" }
        #expect(rulers.count == 2)

        var healthByRuler: [String: [String: String]] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            healthByRuler = [:]
            for ruler in rulers {
                let (_, data) = try await HTTP.request("GET", ruler.url + "/prometheus/api/v1/rules", headers: ["X-Scope-OrgID": tenant])
                let groups = ((try? HTTP.json(data))?["data"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
                for group in groups {
                    let health = (group["rules"] as? [[String: Any]])?.first?["health"] as? String ?? "?"
                    healthByRuler[ruler.id, default: [:]][group["name"] as? String ?? "?"] = health
                }
            }
            let settled = names.allSatisfy { name in
                rulers.filter { healthByRuler[$0.id]?[name] == "ok" }.count == 1
                    && rulers.filter { healthByRuler[$0.id]?[name] == "unknown" }.count == 1
            }
            if settled { break }
            try await Task.sleep(nanoseconds: 300_000_000)
        }
        for name in names {
            let evaluating = rulers.filter { healthByRuler[$0.id]?[name] == "ok" }.map(\.id)
            #expect(evaluating.count == 1, "\(name): evaluated by \(evaluating), health \(healthByRuler)")
        }
        // Both rulers got a share (8 groups on 2 rulers: a 0/8 split would mean the ring is not used).
        for ruler in rulers {
            #expect((healthByRuler[ruler.id]?.values.filter { $0 == "ok" }.count ?? 0) > 0, "\(ruler.id) evaluates nothing")
        }
    }
}
