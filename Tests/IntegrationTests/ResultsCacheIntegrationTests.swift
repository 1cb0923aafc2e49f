import FjordModel
import FjordPush
import Foundation
import Testing

/// The results cache through a real `fjord`: a dashboard's range query asked twice is answered from the cache the
/// second time (stats say so) with the identical result, with the embedded cache and with a real memcached, and a
/// memcached stopped mid-test only makes queries run uncached.
@Suite(.serialized) struct ResultsCacheIntegrationTests {
    static let second: Int64 = 1_000_000_000
    static let tenant = "cache-it"

    /// Pushes three streams with a line every 10 s over three hours ending an hour ago; returns the query range.
    func pushHistory(_ fjord: FjordProcess) async throws -> (start: Int64, end: Int64) {
        let now = Int64(Date().timeIntervalSince1970)
        let end = (now - 3600) / 60 * 60 * Self.second
        let start = end - 3 * 3600 * Self.second
        var streams: [PushStreamContent] = []
        for app in ["api", "web", "db"] {
            let entries = stride(from: start, to: end, by: Int(10 * Self.second)).enumerated().map { index, time in
                PushEntryContent(timestamp: time, line: "app=\(app) n=\(index) size=\(index % 97)")
            }
            streams.append(PushStreamContent(labels: "{app=\"\(app)\", env=\"cache\"}", entries: entries))
        }
        let (status, body) = try await HTTP.request(
            "POST", fjord.baseURL + "/loki/api/v1/push",
            headers: ["X-Scope-OrgID": Self.tenant, "Content-Type": "application/x-protobuf"],
            body: Data(PushProtobufEncoder.encodeSnappy(streams)))
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        return (start, end)
    }

    /// The dashboard query: status, `data.result` as canonical JSON, and `stats.cache.result`.
    func dashboard(_ fjord: FjordProcess, _ range: (start: Int64, end: Int64), noCache: Bool = false) async throws
        -> (status: Int, result: Data, cache: [String: Any])
    {
        var components = URLComponents(string: fjord.baseURL + "/loki/api/v1/query_range")!
        components.queryItems = [
            URLQueryItem(name: "query", value: "sum by (app) (count_over_time({env=\"cache\"}[5m]))"),
            URLQueryItem(name: "start", value: String(range.start - 3600 * Self.second)),
            URLQueryItem(name: "end", value: String(range.end)),
            URLQueryItem(name: "step", value: "60"),
        ]
        var headers = ["X-Scope-OrgID": Self.tenant]
        if noCache { headers["Cache-Control"] = "no-cache" }
        let (status, body) = try await HTTP.request("GET", components.url!.absoluteString, headers: headers)
        guard status == 200 else { return (status, body, [:]) }
        let json = try HTTP.json(body)
        let data = json["data"] as? [String: Any] ?? [:]
        let result = try JSONSerialization.data(withJSONObject: data["result"] ?? [], options: [.sortedKeys])
        let stats = data["stats"] as? [String: Any] ?? [:]
        let cache = (stats["cache"] as? [String: Any])?["result"] as? [String: Any] ?? [:]
        return (status, result, cache)
    }

    static func number(_ cache: [String: Any], _ name: String) -> Int { (cache[name] as? NSNumber)?.intValue ?? -1 }

    @Test func aDashboardQueryTwiceIsServedFromTheEmbeddedCache() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: ["-querier.cache-results=true"])
        try await fjord.start()
        defer { fjord.stop() }
        let range = try await pushHistory(fjord)

        let first = try await dashboard(fjord, range)
        #expect(first.status == 200)
        #expect(Self.number(first.cache, "entriesFound") == 0)
        #expect(Self.number(first.cache, "entriesRequested") == 5)  // four hours, five 1h buckets
        #expect(Self.number(first.cache, "entriesStored") == 5)
        #expect(Self.number(first.cache, "bytesSent") > 0)
        #expect(first.result.count > 1000)

        let second = try await dashboard(fjord, range)
        #expect(second.status == 200)
        #expect(second.result == first.result)
        #expect(Self.number(second.cache, "entriesFound") == 5)
        #expect(Self.number(second.cache, "bytesReceived") == Self.number(first.cache, "bytesSent"))
        #expect(Self.number(second.cache, "queryLengthServed") == Int((range.end - range.start + 3600 * Self.second) + 60 * Self.second))
        #expect(Self.number(second.cache, "entriesStored") == 0)

        let bypassed = try await dashboard(fjord, range, noCache: true)
        #expect(bypassed.result == first.result)
        #expect(Self.number(bypassed.cache, "entriesRequested") == 0)
    }

    @Test func memcachedStoppedMidTestQueriesStillSucceed() async throws {
        let memcached = try MemcachedProcess()
        try await memcached.start()
        defer { memcached.stop() }
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-querier.cache-results=true", "-frontend.memcached.addresses=\(memcached.address)",
            "-frontend.memcached.timeout=500ms",
        ])
        try await fjord.start()
        defer { fjord.stop() }
        let range = try await pushHistory(fjord)

        let first = try await dashboard(fjord, range)
        #expect(first.status == 200)
        #expect(Self.number(first.cache, "entriesStored") == 5)
        let second = try await dashboard(fjord, range)
        #expect(second.result == first.result)
        #expect(Self.number(second.cache, "entriesFound") == 5)

        memcached.stop()
        for _ in 0..<3 {
            let uncached = try await dashboard(fjord, range)
            #expect(uncached.status == 200)
            #expect(uncached.result == first.result)
            #expect(Self.number(uncached.cache, "entriesFound") == 0)
        }
        var (status, _) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/query_range", [
            ("query", "{env=\"cache\"} |= \"n=7 \""), ("start", String(range.start)), ("end", String(range.end)),
        ], tenant: Self.tenant)
        #expect(status == 200)

        // memcached back on the same port: cached again after the client's back-off.
        let restarted = try MemcachedProcess(port: memcached.port)
        try await restarted.start()
        defer { restarted.stop() }
        try await Task.sleep(nanoseconds: 1_200_000_000)
        let refilled = try await dashboard(fjord, range)
        #expect(refilled.result == first.result)
        #expect(Self.number(refilled.cache, "entriesStored") == 5)
        let cached = try await dashboard(fjord, range)
        #expect(Self.number(cached.cache, "entriesFound") == 5)
        (status, _) = try await HTTP.get(fjord.baseURL, "/ready", [])
        #expect(status == 200)
    }
}
