import FjordModel
import FjordPush
import Foundation
import Synchronization
import Testing

/// Cluster mode with real processes on loopback: 3 ingesters (RF 3), 2 queriers, a gateway and a compactor.
@Suite(.serialized) struct ClusterTests {
    /// Deterministic test data: `streams` streams of `lines + 3 × stream` entries each (distinct rates, so `topk`
    /// has no ties, whose winners depend on series order in Loki too), one protobuf push per stream.
    static func pushes(base: Int64, streams: Int, lines: Int) -> [Data] {
        (0..<streams).map { stream in
            let entries = (0..<(lines + 3 * stream)).map { line in
                PushEntryContent(timestamp: base + Int64(line) * 1_000_000 + Int64(stream),
                                 line: "stream=\(stream) line=\(line) level=\(line % 7 == 0 ? "error" : "info") msg=\"hello cluster\"")
            }
            let labels = "{app=\"app-\(stream % 4)\", pod=\"pod-\(stream)\", env=\"test\"}"
            return Data(PushProtobufEncoder.encodeSnappy([PushStreamContent(labels: labels, entries: entries)]))
        }
    }

    static func push(_ base: String, _ body: Data, tenant: String = "team-a") async throws -> Int {
        try await HTTP.request("POST", base + "/loki/api/v1/push",
                               headers: ["Content-Type": "application/x-protobuf", "X-Scope-OrgID": tenant], body: body).0
    }

    /// The `data` part of a query answer without `stats` (which differ by design), as canonical JSON text.
    static func answer(_ base: String, _ path: String, _ parameters: [(String, String)], tenant: String = "team-a") async throws -> String {
        let (status, body) = try await HTTP.get(base, path, parameters, tenant: tenant)
        var object = try HTTP.json(body)
        #expect(status == 200, "\(path) \(parameters): \(String(decoding: body, as: UTF8.self).prefix(300))")
        if var data = object["data"] as? [String: Any] {
            data["stats"] = nil
            object["data"] = data
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func clusterAnswersEqualTheAllInOne() async throws {
        let cluster = try await ClusterProcesses()
        defer { cluster.down() }
        let single = try FjordProcess(dataDirectory: try FjordProcess.makeDataDirectory())
        try await single.start()
        defer { single.stop() }
        let base = (Int64(Date().timeIntervalSince1970) - 300) * 1_000_000_000
        for body in ClusterTests.pushes(base: base, streams: 12, lines: 150) {
            #expect(try await ClusterTests.push(cluster.gatewayURL, body) == 204)
            #expect(try await ClusterTests.push(single.baseURL, body) == 204)
        }
        let range = [("start", String(base - 1_000_000_000)), ("end", String(base + 60_000_000_000))]
        let queries: [(String, [(String, String)])] = [
            ("/loki/api/v1/query_range", [("query", "{env=\"test\"}"), ("limit", "5000")]),
            ("/loki/api/v1/query_range", [("query", "{app=\"app-1\"} |= \"level=error\""), ("direction", "forward"), ("limit", "100")]),
            ("/loki/api/v1/query_range", [("query", "sum by (app) (count_over_time({env=\"test\"} | logfmt | level=\"error\" [1m]))"), ("step", "15")]),
            ("/loki/api/v1/query_range", [("query", "topk(3, sum by (pod) (rate({env=\"test\"}[5m])))"), ("step", "30")]),
            ("/loki/api/v1/labels", []),
            ("/loki/api/v1/label/pod/values", []),
            ("/loki/api/v1/series", [("match[]", "{app=~\"app-[12]\"}")]),
        ]
        for (path, parameters) in queries {
            let fromCluster = try await ClusterTests.answer(cluster.gatewayURL, path, parameters + range)
            let fromSingle = try await ClusterTests.answer(single.baseURL, path, parameters + range)
            #expect(fromCluster == fromSingle, "\(path) \(parameters)")
        }
        // After every ingester flushed its replicas to the shared store, answers are still the same.
        #expect(try await HTTP.request("POST", cluster.gatewayURL + "/flush").0 == 204)
        for (path, parameters) in queries.prefix(4) {
            let fromCluster = try await ClusterTests.answer(cluster.gatewayURL, path, parameters + range)
            let fromSingle = try await ClusterTests.answer(single.baseURL, path, parameters + range)
            #expect(fromCluster == fromSingle, "after flush: \(path) \(parameters)")
        }
    }

    @Test func killingAnIngesterUnderLoadLosesAndDuplicatesNothing() async throws {
        let cluster = try await ClusterProcesses()
        defer { cluster.down() }
        let gateway = cluster.gatewayURL
        let base = (Int64(Date().timeIntervalSince1970) - 300) * 1_000_000_000
        let acknowledged = Mutex<Set<String>>([])
        let failures = Mutex<Int>(0)
        let stop = Atomic<Bool>(false)
        // A client pushing continuously: one line per push, 8 streams round robin; records what was acknowledged.
        let pusher = Task {
            var sequence = 0
            while !stop.load(ordering: .relaxed) {
                let line = "seq=\(sequence)"
                let entry = PushEntryContent(timestamp: base + Int64(sequence) * 1_000_000, line: line)
                let body = Data(PushProtobufEncoder.encodeSnappy([PushStreamContent(
                    labels: "{app=\"load\", shard=\"\(sequence % 8)\"}", entries: [entry])]))
                if let status = try? await ClusterTests.push(gateway, body), status == 204 {
                    _ = acknowledged.withLock { $0.insert(line) }
                } else {
                    failures.withLock { $0 += 1 }
                }
                sequence += 1
            }
        }
        try await Task.sleep(nanoseconds: 2_000_000_000)
        await cluster.kill("ingester-2")
        let ackedBeforeKill = acknowledged.withLock { $0.count }
        try await Task.sleep(nanoseconds: 4_000_000_000)
        let ackedWhileDown = acknowledged.withLock { $0.count } - ackedBeforeKill
        #expect(ackedWhileDown > 20, "pushes kept succeeding with one ingester down (quorum 2 of 3)")
        // Queries keep returning every acknowledged line while it is down.
        try await expectExactlyAcknowledged(gateway: gateway, base: base, acknowledged: acknowledged.withLock { $0 })
        try await cluster.restart("ingester-2")
        try await Task.sleep(nanoseconds: 2_000_000_000)
        stop.store(true, ordering: .relaxed)
        _ = await pusher.value
        #expect(failures.withLock { $0 } < acknowledged.withLock { $0.count } / 10, "a few pushes may fail while the dead ingester is detected")
        try await expectExactlyAcknowledged(gateway: gateway, base: base, acknowledged: acknowledged.withLock { $0 })
    }

    /// Every acknowledged line comes back exactly once (unacknowledged ones may or may not exist, as in Loki).
    func expectExactlyAcknowledged(gateway: String, base: Int64, acknowledged: Set<String>) async throws {
        let (status, body) = try await HTTP.get(gateway, "/loki/api/v1/query_range", [
            ("query", "{app=\"load\"}"), ("start", String(base - 1)), ("end", String(base + 3_600_000_000_000)),
            ("limit", "5000"), ("direction", "forward"),
        ], tenant: "team-a")
        #expect(status == 200, "\(String(decoding: body, as: UTF8.self).prefix(300))")
        let result = (try HTTP.json(body)["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        let lines = result.flatMap { ($0["values"] as? [[Any]] ?? []).compactMap { $0[1] as? String } }
        #expect(Set(lines).count == lines.count, "duplicates in results: \(lines.count - Set(lines).count)")
        let missing = acknowledged.subtracting(lines)
        #expect(missing.isEmpty, "acknowledged lines missing: \(missing.sorted().prefix(10))")
    }

    @Test func addedIngesterIsPickedUpWithoutRestart() async throws {
        let cluster = try await ClusterProcesses(extraFlags: ["-ring.poll-interval=1s"])
        defer { cluster.down() }
        // Start a 4th ingester, then add it to the membership file.
        let httpPort = try FjordProcess.freePort()
        let wirePort = try FjordProcess.freePort()
        try await cluster.start(role: "ingester", id: "ingester-4", httpPort: httpPort, internalAddress: "127.0.0.1:\(wirePort)")
        var membership = try String(contentsOfFile: cluster.description.membership_file, encoding: .utf8)
        membership = membership.replacingOccurrences(
            of: "queriers:", with: "  - id: ingester-4\n    address: 127.0.0.1:\(wirePort)\nqueriers:")
        try membership.write(toFile: cluster.description.membership_file, atomically: true, encoding: .utf8)
        try await Task.sleep(nanoseconds: 3_000_000_000)
        let base = (Int64(Date().timeIntervalSince1970) - 60) * 1_000_000_000
        for body in ClusterTests.pushes(base: base, streams: 20, lines: 5) {
            #expect(try await ClusterTests.push(cluster.gatewayURL, body) == 204)
        }
        // With 4 ingesters and RF 3, the new one owns about 3/4 of the streams.
        let (_, metrics) = try await HTTP.request("GET", "http://127.0.0.1:\(httpPort)/metrics")
        let text = String(decoding: metrics, as: UTF8.self)
        let streams = text.split(separator: "\n").first { $0.hasPrefix("loki_ingester_memory_streams ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(streams >= 5, "the added ingester received \(streams) streams:\n\(text.prefix(500))")
    }
}
