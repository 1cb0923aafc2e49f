import Foundation
import Testing

/// Per-tenant ingestion limits through the gateway (the all-in-one with credentials, and `fjord-gateway` in front of
/// an ingester): a tenant pushing faster than `ingestion_rate_mb` beyond its burst gets Loki's 429, while another
/// tenant pushing at the same time is unaffected.
@Suite(.serialized) struct IngestionRateLimitTests {
    /// 0.01 MiB/s with a 0.2 MiB burst: four 50 KiB pushes fit, and the slow refill (10 KiB/s) cannot make room for
    /// four more even on a loaded machine.
    static let limits = ["-distributor.ingestion-rate-limit-mb=0.01", "-distributor.ingestion-burst-size-mb=0.2"]
    static let linesPerPush = 50
    static let lineBytes = 1024

    static func body(app: String, base: Int64) -> Data {
        let filler = String(repeating: "x", count: lineBytes)
        let values = (0..<linesPerPush).map { index -> [String] in
            [String(base + Int64(index)), String("\(app)-\(index)-\(filler)".prefix(lineBytes))]
        }
        return try! JSONSerialization.data(withJSONObject: ["streams": [["stream": ["app": app], "values": values]]])
    }

    @Test(arguments: ["all-in-one", "cluster"])
    func aTenantOverItsLimitGets429WhileAnotherIsUnaffected(mode: String) async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var fjord: FjordProcess?
        var cluster: ClusterProcesses?
        defer { fjord?.stop(); cluster?.down() }
        let url: String
        var headers: [String: (String) -> [String: String]] = [:]
        if mode == "all-in-one" {
            let credentials = try CredentialsFixture(directory: directory, entries: [
                .token("a", ["team-a=push"]), .token("b", ["team-b=push"]),
            ])
            let process = try FjordProcess(dataDirectory: directory, arguments: ["-auth.credentials-file=\(credentials.path.path)"] + Self.limits)
            try await process.start()
            fjord = process
            url = process.baseURL
            headers = ["team-a": { _ in credentials.headers("a") }, "team-b": { _ in credentials.headers("b") }]
        } else {
            let started = try await ClusterProcesses(ingesters: 1, queriers: 1, rulers: 0, extraFlags: ["-ring.replication-factor=1"] + Self.limits)
            cluster = started
            url = started.gatewayURL
            headers = ["team-a": { ["X-Scope-OrgID": $0] }, "team-b": { ["X-Scope-OrgID": $0] }]
        }
        func push(_ tenant: String, _ index: Int) async throws -> (Int, String) {
            var request = headers[tenant]!(tenant)
            request["Content-Type"] = "application/json"
            let base = (Int64(Date().timeIntervalSince1970) - 30) * 1_000_000_000 + Int64(index) * 1_000_000
            let (status, body) = try await HTTP.request("POST", url + "/loki/api/v1/push", headers: request,
                                                        body: Self.body(app: "\(tenant)-\(index)", base: base))
            return (status, String(decoding: body, as: UTF8.self))
        }

        var statusesA: [Int] = []
        var statusesB: [Int] = []
        var refusal = ""
        for index in 0..<8 {
            let (a, text) = try await push("team-a", index)
            statusesA.append(a)
            if a == 429 { refusal = text }
            // The other tenant pushes a quarter as much in the same moments: always within its own limit.
            if index % 4 == 0 { statusesB.append(try await push("team-b", index).0) }
        }
        print("rate limit (\(mode)): team-a \(statusesA), team-b \(statusesB)")
        #expect(statusesA.prefix(3).allSatisfy { $0 == 204 }, "\(statusesA)")
        #expect(statusesA.contains(429), "team-a was never limited: \(statusesA)")
        #expect(Set(statusesA).isSubset(of: [204, 429]), "\(statusesA)")
        #expect(statusesB.allSatisfy { $0 == 204 }, "team-b was affected: \(statusesB)")
        let bytes = Self.linesPerPush * Self.lineBytes
        #expect(refusal == "ingestion rate limit exceeded for user team-a (limit: 10485 bytes/sec) while attempting to ingest '\(Self.linesPerPush)' lines totaling '\(bytes)' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
                "\(refusal)")
        // After a pause the bucket refills (50 KiB at 10 KiB/s) and the tenant may push again.
        try await Task.sleep(nanoseconds: 6_000_000_000)
        #expect(try await push("team-a", 100).0 == 204)
    }

    @Test func aRuntimeOverrideGivesOneTenantAHigherLimit() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let overrides = directory.appendingPathComponent("runtime.yaml")
        try "overrides:\n  big:\n    ingestion_rate_mb: 10\n    ingestion_burst_size_mb: 20\n".write(to: overrides, atomically: true, encoding: .utf8)
        let fjord = try FjordProcess(dataDirectory: directory, arguments: ["-runtime-config.file=\(overrides.path)"] + Self.limits)
        try await fjord.start()
        defer { fjord.stop() }
        var statuses: [String: [Int]] = [:]
        for index in 0..<8 {
            for tenant in ["big", "small"] {
                let base = (Int64(Date().timeIntervalSince1970) - 30) * 1_000_000_000 + Int64(index) * 1_000_000
                let (status, _) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                         headers: ["X-Scope-OrgID": tenant, "Content-Type": "application/json"],
                                                         body: Self.body(app: "\(tenant)-\(index)", base: base))
                statuses[tenant, default: []].append(status)
            }
        }
        print("rate limit with an override: \(statuses)")
        #expect(statuses["big"]?.allSatisfy { $0 == 204 } == true, "\(statuses)")
        #expect(statuses["small"]?.contains(429) == true, "\(statuses)")
    }

    @Test func pushBodiesOverTheSizeLimitGet413() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: ["-distributor.max-recv-msg-size=65536"])
        try await fjord.start()
        defer { fjord.stop() }
        let base = (Int64(Date().timeIntervalSince1970) - 30) * 1_000_000_000
        let big = Self.body(app: "big", base: base) + Data(repeating: 0x20, count: 20_000)
        let headers = ["X-Scope-OrgID": "t", "Content-Type": "application/json"]
        var (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push", headers: headers, body: big)
        #expect(status == 413, "\(String(decoding: body, as: UTF8.self))")
        #expect(String(decoding: body, as: UTF8.self).hasPrefix("request body too large"))
        (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push", headers: headers,
                                                body: Self.body(app: "small", base: base).prefix(40_000) + Data())
        #expect(status == 400 || status == 204)
        #expect(try await HTTP.request("GET", fjord.baseURL + "/ready").0 == 200)
    }
}
