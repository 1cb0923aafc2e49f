import FjordCompression
import FjordModel
import FjordPush
import Foundation
import Testing

/// Starts the real `fjord` executable and pushes the same lines as JSON, gzip JSON and protobuf + snappy, then reads
/// them back through every read endpoint.
@Suite(.serialized) struct PushQueryRoundTripTests {
    let lines = ["first line level=info", "second line with \"quotes\" & <tags>", "third line café ✓"]

    func jsonBody(app: String, base: Int64) -> Data {
        let values = lines.enumerated().map { index, line -> [Any] in
            var value: [Any] = [String(base + Int64(index) * 1_000_000), line]
            if index == 0 { value.append(["trace_id": "abc123"]) }
            return value
        }
        let body: [String: Any] = ["streams": [["stream": ["app": app, "env": "test"], "values": values]]]
        return try! JSONSerialization.data(withJSONObject: body)
    }

    func protobufBody(app: String, base: Int64) -> Data {
        let entries = lines.enumerated().map { index, line in
            PushEntryContent(timestamp: base + Int64(index) * 1_000_000, line: line,
                             metadata: index == 0 ? [LabelPair("trace_id", "abc123")] : [])
        }
        return Data(PushProtobufEncoder.encodeSnappy([PushStreamContent(labels: "{app=\"\(app)\", env=\"test\"}", entries: entries)]))
    }

    @Test func pushThreeWaysAndReadBack() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory)
        try await fjord.start()
        defer { fjord.stop() }
        let tenant = ["X-Scope-OrgID": "it-a"]
        let base = (Int64(Date().timeIntervalSince1970) - 60) * 1_000_000_000

        var (status, body) = try await HTTP.request(
            "POST", fjord.baseURL + "/loki/api/v1/push",
            headers: tenant.merging(["Content-Type": "application/json"]) { $1 }, body: jsonBody(app: "json", base: base))
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        let gzipped = Data(Gzip.compress(Array(jsonBody(app: "gzip", base: base))))
        (status, body) = try await HTTP.request(
            "POST", fjord.baseURL + "/loki/api/v1/push",
            headers: tenant.merging(["Content-Type": "application/json", "Content-Encoding": "gzip"]) { $1 }, body: gzipped)
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        (status, body) = try await HTTP.request(
            "POST", fjord.baseURL + "/loki/api/v1/push",
            headers: tenant.merging(["Content-Type": "application/x-protobuf", "User-Agent": "promtail/3.6.15"]) { $1 },
            body: protobufBody(app: "proto", base: base))
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")

        let start = String(base - 1_000_000_000)
        let end = String(base + 10_000_000_000)
        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/query_range",
                                            [("query", "{env=\"test\"}"), ("start", start), ("end", end), ("direction", "forward")],
                                            tenant: "it-a")
        #expect(status == 200)
        let response = try HTTP.json(body)
        #expect(response["status"] as? String == "success")
        let data = try #require(response["data"] as? [String: Any])
        #expect(data["resultType"] as? String == "streams")
        #expect(data["stats"] is [String: Any])
        let result = try #require(data["result"] as? [[String: Any]])
        // Entry 0 carries structured metadata, so each push forms two streams (labels ∪ metadata), as in Loki.
        var linesByApp: [String: [String]] = [:]
        for stream in result {
            let labels = try #require(stream["stream"] as? [String: String])
            #expect(labels["env"] == "test")
            #expect(labels["service_name"] == labels["app"])
            #expect(labels["detected_level"] != nil)
            let values = try #require(stream["values"] as? [[Any]])
            for value in values {
                #expect(value.count == 2)
                let timestamp = try #require(value[0] as? String)
                #expect(Int64(timestamp) != nil)
                linesByApp[labels["app"] ?? "", default: []].append(try #require(value[1] as? String))
            }
        }
        for app in ["json", "gzip", "proto"] {
            #expect(Set(linesByApp[app] ?? []) == Set(lines), "lines of \(app)")
        }
        let firstStream = try #require(result.first { ($0["stream"] as? [String: String])?["trace_id"] == "abc123" })
        #expect((firstStream["values"] as? [[Any]])?.first?[1] as? String == lines[0])

        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/labels", [("start", start), ("end", end)], tenant: "it-a")
        #expect(status == 200)
        let labelNames = try #require(try HTTP.json(body)["data"] as? [String])
        #expect(labelNames == ["app", "env", "service_name"])

        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/label/app/values", [("start", start), ("end", end)], tenant: "it-a")
        #expect(try HTTP.json(body)["data"] as? [String] == ["gzip", "json", "proto"])

        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/series",
                                            [("match[]", "{app=~\"json|proto\"}"), ("start", start), ("end", end)], tenant: "it-a")
        let series = try #require(try HTTP.json(body)["data"] as? [[String: String]])
        #expect(series.map { $0["app"] } == ["json", "proto"])
        #expect(series.first == ["app": "json", "env": "test", "service_name": "json"])

        (status, body) = try await HTTP.get(
            fjord.baseURL, "/loki/api/v1/query_range",
            [("query", "sum by (app) (count_over_time({env=\"test\"}[1h]))"), ("start", start), ("end", end), ("step", "60")],
            tenant: "it-a")
        #expect(status == 200)
        let matrix = try #require((try HTTP.json(body)["data"] as? [String: Any])?["result"] as? [[String: Any]])
        #expect(matrix.count == 3)
        for one in matrix {
            let values = try #require(one["values"] as? [[Any]])
            #expect(values.last?[1] as? String == "3")
        }

        // Another tenant sees nothing.
        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/query_range",
                                            [("query", "{env=\"test\"}"), ("start", start), ("end", end)], tenant: "it-b")
        #expect(((try HTTP.json(body)["data"] as? [String: Any])?["result"] as? [Any])?.isEmpty == true)
    }

    @Test func promtailRecordedBodiesAreAccepted() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: ["-validation.reject-old-samples=false"])
        try await fjord.start()
        defer { fjord.stop() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FjordPushTests/Fixtures/promtail")
        var expected: [String] = []
        var minTime = Int64.max
        var maxTime = Int64.min
        for name in ["push-001", "push-002"] {
            let body = try Data(contentsOf: fixtures.appendingPathComponent("\(name).bin"))
            let (status, answer) = try await HTTP.request(
                "POST", fjord.baseURL + "/loki/api/v1/push",
                headers: ["Content-Type": "application/x-protobuf", "X-Scope-OrgID": "tenant-a", "User-Agent": "promtail/3.6.15"],
                body: body)
            #expect(status == 204, "\(String(decoding: answer, as: UTF8.self))")
            let decoded = try HTTP.json(try Data(contentsOf: fixtures.appendingPathComponent("\(name).decoded.json")))
            for stream in decoded["streams"] as? [[String: Any]] ?? [] {
                for entry in stream["entries"] as? [[String: Any]] ?? [] {
                    expected.append(entry["line"] as? String ?? "")
                    let timestamp = Int64(entry["ts_ns"] as? String ?? "") ?? 0
                    minTime = min(minTime, timestamp)
                    maxTime = max(maxTime, timestamp)
                }
            }
        }
        let (status, body) = try await HTTP.get(
            fjord.baseURL, "/loki/api/v1/query_range",
            [("query", "{job=\"docker-containers\"}"), ("start", String(minTime)), ("end", String(maxTime + 1)), ("limit", "1000")],
            tenant: "tenant-a")
        #expect(status == 200)
        let result = try #require((try HTTP.json(body)["data"] as? [String: Any])?["result"] as? [[String: Any]])
        let got = result.flatMap { ($0["values"] as? [[Any]] ?? []).compactMap { $0[1] as? String } }
        #expect(got.sorted() == expected.sorted())
    }
}
