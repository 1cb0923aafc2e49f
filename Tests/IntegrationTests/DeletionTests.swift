import FjordTestSupport
import Foundation
import Testing

/// Delete requests end to end on the real `fjord`: the API's answers, lines matching a request vanish from queries
/// while every other line stays byte-identical, the compactor processes the request. Runs against the filesystem
/// store and against an S3-compatible store (moto on a free loopback port).
@Suite(.serialized) struct DeletionTests {
    enum Backend: String, CaseIterable { case filesystem, s3 }

    /// `fjord` with retention on, a cancel period of 0 and a 1 s compaction interval, on `backend`.
    static func start(_ backend: Backend, directory: URL) async throws -> (FjordProcess, MotoServer?) {
        var arguments = ["-compactor.retention-enabled=true", "-compactor.delete-request-cancel-period=0s",
                         "-compactor.compaction-interval=1s", "-compactor.retention-delete-delay=0s"]
        var moto: MotoServer?
        if backend == .s3 {
            let server = try await MotoServer()
            let bucket = MotoServer.bucketName()
            let (status, _) = try await HTTP.request("PUT", server.endpoint + "/" + bucket)
            #expect(status == 200)
            arguments += ["-store.object-store=s3", "-s3.endpoint=\(server.endpoint)", "-s3.buckets=\(bucket)",
                          "-s3.force-path-style=true", "-s3.access-key-id=test", "-s3.secret-access-key=test"]
            moto = server
        }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: arguments)
        try await fjord.start()
        return (fjord, moto)
    }

    static func push(_ fjord: FjordProcess, base: Int64) async throws {
        var streams: [[String: Any]] = []
        for app in ["a", "b"] {
            let values = (0..<50).map { index -> [String] in
                [String(base + Int64(index) * 1_000_000), index % 5 == 0 ? "secret=\(index) app=\(app)" : "public=\(index) app=\(app) ✓"]
            }
            streams.append(["stream": ["app": app], "values": values])
        }
        let body = try JSONSerialization.data(withJSONObject: ["streams": streams])
        let (status, answer) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                      headers: ["X-Scope-OrgID": "del", "Content-Type": "application/json"], body: body)
        #expect(status == 204, "\(String(decoding: answer, as: UTF8.self))")
    }

    /// Every stream's `values` as raw JSON text, by stream labels.
    static func values(_ fjord: FjordProcess, base: Int64) async throws -> [String: [String]] {
        let (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/query_range", [
            ("query", "{app=~\"a|b\"}"), ("start", String(base - 1_000_000_000)), ("end", String(base + 60_000_000_000)),
            ("direction", "forward"), ("limit", "1000"),
        ], tenant: "del")
        #expect(status == 200)
        let data = try #require(HTTP.json(body)["data"] as? [String: Any])
        var result: [String: [String]] = [:]
        for stream in try #require(data["result"] as? [[String: Any]]) {
            let labels = try #require(stream["stream"] as? [String: String])
            let values = try #require(stream["values"] as? [[Any]])
            result[labels["app"] ?? ""] = try values.map {
                String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self)
            }
        }
        return result
    }

    @Test(arguments: Backend.allCases)
    func matchingLinesVanishAndEverythingElseStays(backend: Backend) async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (fjord, moto) = try await Self.start(backend, directory: directory)
        defer {
            fjord.stop()
            moto?.stop()
        }
        let now = Int64(Date().timeIntervalSince1970)
        let base = (now - 120) * 1_000_000_000
        try await Self.push(fjord, base: base)
        var (status, body) = try await HTTP.request("POST", fjord.baseURL + "/flush")
        #expect(status == 204)
        let before = try await Self.values(fjord, base: base)
        #expect(before["a"]?.count == 50 && before["b"]?.count == 50)

        // Loki's validation texts.
        (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/delete?start=\(now - 300)",
                                                headers: ["X-Scope-OrgID": "del"])
        #expect(status == 400 && String(decoding: body, as: UTF8.self) == "query not set")
        (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/delete?query=%7Bapp%3D%22a%22%7D&start=123",
                                                headers: ["X-Scope-OrgID": "del"])
        #expect(status == 400 && String(decoding: body, as: UTF8.self) == "invalid start time: require unix seconds or RFC3339 format")
        (status, body) = try await HTTP.request("DELETE", fjord.baseURL + "/loki/api/v1/delete?request_id=nope",
                                                headers: ["X-Scope-OrgID": "del"])
        #expect(status == 404 && String(decoding: body, as: UTF8.self) == "could not find delete request with given id")

        let query = HTTP.escape("{app=\"a\"} |= \"secret\"")
        (status, body) = try await HTTP.request(
            "POST", fjord.baseURL + "/loki/api/v1/delete?query=\(query)&start=\(now - 300)&end=\(now)",
            headers: ["X-Scope-OrgID": "del"])
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")

        // Hidden from queries at once; removed by the compactor within a few passes.
        var processed = false
        for _ in 0..<100 where !processed {
            (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/delete", [], tenant: "del")
            let list = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] ?? []
            #expect(list.count == 1)
            processed = list.first?["status"] as? String == "processed"
            if !processed { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(processed)
        let after = try await Self.values(fjord, base: base)
        #expect(after["b"] == before["b"])
        #expect(after["a"] == before["a"]?.filter { !$0.contains("secret=") })
        #expect(after["a"]?.count == 40)

        // Still gone after a restart (nothing relies on memory).
        fjord.stop()
        try await fjord.start()
        #expect(try await Self.values(fjord, base: base) == after)
    }
}
