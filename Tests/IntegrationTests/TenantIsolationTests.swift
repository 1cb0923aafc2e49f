import Foundation
import Testing

/// Two tenants with credentials each, on a real `fjord` with a credentials file: every read path is tried by every
/// credential with every `X-Scope-OrgID` (none, own, other, both, unknown) and no response may carry data of a tenant
/// the credential may not read; writes naming another tenant are refused and change nothing.
@Suite(.serialized) struct TenantIsolationTests {
    static let entries: [CredentialsFixture.Entry] = [
        .user("alice", ["team-a=push,query,tail,delete,rules"]),
        .user("bob", ["team-b=push,query,tail,delete,rules"]),
        .token("a-pusher", ["team-a=push"]),
        .user("carol", ["team-a=query", "team-b=query"]),
        .token("ops", [], admin: true),
    ]

    /// What each tenant holds: tenant A one stream of 3 lines, tenant B two streams of 5 lines in all. Every string
    /// unique to a tenant contains its marker, so a leak shows up in any response body.
    static let markers = ["team-a": "tenantA", "team-b": "tenantB"]

    static func pushBody(_ tenant: String, streams: Int, lines: Int, base: Int64) -> Data {
        let marker = markers[tenant]!
        let all = (0..<streams).map { stream -> [String: Any] in
            let values = (0..<lines).filter { $0 % streams == stream }.map { index -> [String] in
                [String(base + Int64(index) * 1_000_000), "\(marker)-line-\(index) status=200"]
            }
            return ["stream": ["app": "shared", "mark": "\(marker)-label-\(stream)", "\(marker)_name": "x"], "values": values]
        }
        return try! JSONSerialization.data(withJSONObject: ["streams": all])
    }

    /// The read requests tried, as (method, path, parameters). Paths that do not exist yet (tail, delete, volume)
    /// are tried too: they must refuse or 404, never answer with data.
    static func readProbes(start: String, end: String) -> [(String, String, [(String, String)])] {
        let range = [("start", start), ("end", end)]
        var probes: [(String, String, [(String, String)])] = []
        for method in ["GET", "POST"] {
            probes += [
                (method, "/loki/api/v1/query_range", [("query", "{app=\"shared\"}")] + range),
                (method, "/loki/api/v1/query_range", [("query", "sum by (mark) (count_over_time({app=\"shared\"}[1h]))"), ("step", "60")] + range),
                (method, "/loki/api/v1/query", [("query", "sum by (mark) (count_over_time({app=\"shared\"}[1h]))"), ("time", end)]),
                (method, "/loki/api/v1/labels", range),
                (method, "/loki/api/v1/label/mark/values", range),
                (method, "/loki/api/v1/label/mark/values", [("query", "{app=\"shared\"}")] + range),
                (method, "/loki/api/v1/series", [("match[]", "{app=\"shared\"}")] + range),
                (method, "/loki/api/v1/index/stats", [("query", "{app=\"shared\"}")] + range),
                (method, "/loki/api/v1/index/volume", [("query", "{app=\"shared\"}")] + range),
            ]
        }
        probes += [
            ("GET", "/loki/api/v1/rules", []),
            ("GET", "/loki/api/v1/rules/\(markers["team-a"]!)-ns", []),
            ("GET", "/loki/api/v1/rules/\(markers["team-b"]!)-ns", []),
            ("GET", "/prometheus/api/v1/rules", []),
            ("GET", "/prometheus/api/v1/alerts", []),
            ("GET", "/api/prom/label", range),
            ("GET", "/loki/api/v1/tail", [("query", "{app=\"shared\"}"), ("start", start)]),
            ("GET", "/loki/api/v1/delete", []),
            // A harmless time range: the request is stored (and listed) but hides nothing the other probes read.
            ("POST", "/loki/api/v1/delete", [("query", "{app=\"shared\"} |= \"probe\""), ("start", "1000000000"), ("end", "1000000001")]),
        ]
        return probes
    }

    /// Read paths whose success is not a plain 200 (or that Fjord does not serve yet): they must refuse or 404 when
    /// not allowed, and are checked like every path for leaks.
    /// `/loki/api/v1/tail` is a WebSocket: a plain GET that passes the tenant check gets 400 (the live tails are
    /// checked in ``liveTailsSeeOnlyTheirTenant()``).
    static let notYetServed: Set<String> = ["/loki/api/v1/tail", "/loki/api/v1/index/volume", "/api/prom/label"]

    /// Tenants whose data `actor` may read when sending `header`, or nil when the request must be refused.
    /// A rule group of `tenant`: namespace and group name carry its marker.
    static func ruleGroup(_ tenant: String) -> (namespace: String, yaml: Data) {
        let marker = markers[tenant]!
        return ("\(marker)-ns", Data("name: \(marker)-group\nrules:\n  - record: \(marker):lines:rate1m\n    expr: sum(rate({app=\"shared\"}[1m]))\n".utf8))
    }

    static func readable(actor: String?, header: String?, path: String = "") -> Set<String>? {
        // Delete requests need the delete right, which carol (a reader) does not have.
        if path.hasSuffix("/delete") && actor == "carol" { return nil }
        switch (actor, header) {
        case ("alice", nil), ("alice", "team-a"): return ["team-a"]
        case ("bob", nil), ("bob", "team-b"): return ["team-b"]
        case ("carol", "team-a"): return ["team-a"]
        case ("carol", "team-b"): return ["team-b"]
        case ("carol", "team-a|team-b"): return ["team-a", "team-b"]
        default: return nil
        }
    }

    static func request(_ fjord: FjordProcess, _ method: String, _ path: String, _ parameters: [(String, String)],
                        headers: [String: String]) async throws -> (Int, String) {
        let encoded = parameters.map { "\(HTTP.escape($0.0))=\(HTTP.escape($0.1))" }.joined(separator: "&")
        if method == "GET" {
            let (status, body) = try await HTTP.request("GET", fjord.baseURL + path + (encoded.isEmpty ? "" : "?" + encoded), headers: headers)
            return (status, String(decoding: body, as: UTF8.self))
        }
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        let (status, body) = try await HTTP.request(method, fjord.baseURL + path, headers: headers, body: Data(encoded.utf8))
        return (status, String(decoding: body, as: UTF8.self))
    }

    @Test func noCredentialReadsOrWritesAnotherTenantsData() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = try CredentialsFixture(directory: directory, entries: Self.entries)
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-auth.credentials-file=\(credentials.path.path)", "-querier.multi-tenant-queries-enabled",
            "-compactor.retention-enabled",
        ])
        try await fjord.start()
        defer { fjord.stop() }

        let base = (Int64(Date().timeIntervalSince1970) - 60) * 1_000_000_000
        let json = ["Content-Type": "application/json"]
        var (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                    headers: credentials.headers("alice").merging(json) { $1 },
                                                    body: Self.pushBody("team-a", streams: 1, lines: 3, base: base))
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                headers: credentials.headers("bob", tenant: "team-b").merging(json) { $1 },
                                                body: Self.pushBody("team-b", streams: 2, lines: 5, base: base))
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")

        for (actor, tenant) in [("alice", "team-a"), ("bob", "team-b")] {
            // A delete request whose query names the tenant's marker (over a range that hides nothing).
            let marker = Self.markers[tenant]!
            let (deleteStatus, deleteBody) = try await Self.request(
                fjord, "POST", "/loki/api/v1/delete", [("query", "{mark=\"\(marker)-label-0\"}"), ("start", "1000000000"), ("end", "1000000001")],
                headers: credentials.headers(actor, tenant: tenant))
            #expect(deleteStatus == 204, "\(deleteBody)")
            let group = Self.ruleGroup(tenant)
            (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/rules/\(group.namespace)",
                                                    headers: credentials.headers(actor, tenant: tenant), body: group.yaml)
            #expect(status == 202, "\(String(decoding: body, as: UTF8.self))")
        }

        // Writes naming a tenant the credential may not push to, or without valid credentials.
        let intruder = try! JSONSerialization.data(withJSONObject: ["streams": [["stream": ["app": "shared"], "values": [[String(base), "intruder-line"]]]]])
        let writes: [(String?, String?, Set<Int>)] = [
            ("alice", "team-b", [403]), ("alice", "team-a|team-b", [400, 403]), ("a-pusher", "team-b", [403]),
            ("carol", "team-b", [403]), ("carol", nil, [403]), ("bob", "team-zzz", [403]), ("ops", "team-b", [403]),
            (nil, "team-b", [401]),
        ]
        for (actor, tenant, expected) in writes {
            let (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                        headers: credentials.headers(actor, tenant: tenant).merging(json) { $1 },
                                                        body: intruder)
            #expect(expected.contains(status), "push by \(actor ?? "nobody") to \(tenant ?? "-"): \(status) \(String(decoding: body, as: UTF8.self))")
        }
        // Rule changes in another tenant, or without the rules right.
        let intruderRules = Data("name: intruder-line\nrules:\n  - record: intruder:x\n    expr: sum(rate({app=\"shared\"}[1m]))\n".utf8)
        for (method, path) in [("POST", "/loki/api/v1/rules/intruder-ns"), ("DELETE", "/loki/api/v1/rules/\(Self.markers["team-b"]!)-ns")] {
            for (actor, tenant) in [("alice", "team-b"), ("carol", "team-b"), ("a-pusher", "team-a"), ("ops", "team-b")] as [(String, String)] {
                let (status, _) = try await HTTP.request(method, fjord.baseURL + path, headers: credentials.headers(actor, tenant: tenant),
                                                         body: method == "POST" ? intruderRules : nil)
                #expect(status == 403, "\(method) \(path) by \(actor) for \(tenant): \(status)")
            }
        }

        // Delete requests in another tenant, or without the delete right (carol only reads).
        for (actor, tenant) in [("alice", "team-b"), ("carol", "team-a"), ("a-pusher", "team-a"), ("ops", "team-b")] as [(String, String)] {
            for method in ["POST", "DELETE"] {
                let (status, _) = try await Self.request(fjord, method == "POST" ? "POST" : "DELETE", "/loki/api/v1/delete",
                                                         [("query", "{app=\"intruder-line\"}"), ("start", "1000000000"), ("end", "1000000001"),
                                                          ("request_id", "0")], headers: credentials.headers(actor, tenant: tenant))
                #expect(status == 403, "\(method) delete by \(actor) for \(tenant): \(status)")
            }
        }

        var (wrongStatus, _) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                      headers: ["Authorization": "Basic " + Data("bob:guess".utf8).base64EncodedString(),
                                                                "X-Scope-OrgID": "team-b"].merging(json) { $1 }, body: intruder)
        #expect(wrongStatus == 401)

        // Flush (an admin credential) so reads go through the chunk store and index as well as memory.
        (status, body) = try await HTTP.request("POST", fjord.baseURL + "/flush", headers: credentials.headers("ops"))
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        (status, _) = try await HTTP.request("POST", fjord.baseURL + "/flush", headers: credentials.headers("alice"))
        #expect(status == 403)

        let start = String(base - 3_600_000_000_000)
        let end = String(base + 120_000_000_000)
        var attempts = 0
        var leaks: [String] = []
        var checkedPositive = 0
        for (method, path, parameters) in Self.readProbes(start: start, end: end) {
            for actor in ["alice", "bob", "carol", "a-pusher", "ops", nil] as [String?] {
                for header in [nil, "team-a", "team-b", "team-a|team-b", "team-zzz"] as [String?] {
                    attempts += 1
                    let (status, text) = try await Self.request(fjord, method, path, parameters,
                                                                headers: credentials.headers(actor, tenant: header))
                    let allowed = Self.readable(actor: actor, header: header, path: path) ?? []
                    for (tenant, marker) in Self.markers where !allowed.contains(tenant) && text.contains(marker) {
                        leaks.append("\(method) \(path) as \(actor ?? "nobody") with \(header ?? "-"): \(tenant) data in \(status) \(text.prefix(300))")
                    }
                    if text.contains("intruder-line") { leaks.append("\(method) \(path): the refused push was stored") }
                    let label = "\(method) \(path) as \(actor ?? "nobody") with \(header ?? "-")"
                    if Self.readable(actor: actor, header: header, path: path) == nil {
                        #expect([400, 401, 403, 404].contains(status), "\(label) answered \(status): \(text.prefix(200))")
                    } else if path.hasSuffix("/delete") {
                        #expect([200, 204].contains(status), "\(label) answered \(status): \(text.prefix(200))")
                        if method == "GET", allowed.count == 1, let tenant = allowed.first {
                            #expect(text.contains(Self.markers[tenant]!), "\(label) misses \(tenant)'s delete request: \(text)")
                            checkedPositive += 1
                        }
                    } else if path.contains("/rules") || path.hasSuffix("/alerts") {
                        // The rule API is single-tenant (400 for a|b) and 404s namespaces the tenant does not have.
                        #expect([200, 400, 404].contains(status), "\(label) answered \(status): \(text.prefix(200))")
                        if path == "/loki/api/v1/rules", allowed.count == 1, let tenant = allowed.first {
                            #expect(text.contains(Self.markers[tenant]!), "\(label) misses \(tenant)'s rules: \(text)")
                            checkedPositive += 1
                        }
                    } else if !Self.notYetServed.contains(path) {
                        #expect(status == 200, "\(label) answered \(status): \(text.prefix(200))")
                        if path == "/loki/api/v1/query_range", parameters[0].1.hasPrefix("{") {
                            // The check is not vacuous: allowed data does come back.
                            for tenant in allowed { #expect(text.contains(Self.markers[tenant]!), "\(label) misses \(tenant)") }
                            checkedPositive += 1
                        }
                        if path == "/loki/api/v1/index/stats" {
                            let entries = (allowed.contains("team-a") ? 3 : 0) + (allowed.contains("team-b") ? 5 : 0)
                            #expect(text.contains("\"entries\":\(entries)"), "\(label): \(text)")
                        }
                    }
                }
            }
        }
        print("tenant isolation: \(attempts) read attempts, \(leaks.count) leaks, \(checkedPositive) positive checks")
        #expect(leaks.isEmpty, "\(leaks.prefix(5).joined(separator: "\n"))")
        #expect(checkedPositive >= 10)

        // Refusals do not tell whether a tenant exists, and wrong credentials all look the same.
        let (_, foreign) = try await Self.request(fjord, "GET", "/loki/api/v1/labels", [], headers: credentials.headers("alice", tenant: "team-b"))
        let (_, unknown) = try await Self.request(fjord, "GET", "/loki/api/v1/labels", [], headers: credentials.headers("alice", tenant: "team-zzz"))
        #expect(foreign.replacingOccurrences(of: "team-b", with: "team-zzz") == unknown)
        var refusals = Set<String>()
        for authorization in ["Basic " + Data("alice:wrong".utf8).base64EncodedString(),
                              "Basic " + Data("nobody:wrong".utf8).base64EncodedString(), "Bearer fjord_invalid"] {
            let (status, text) = try await Self.request(fjord, "GET", "/loki/api/v1/labels", [], headers: ["Authorization": authorization])
            #expect(status == 401)
            refusals.insert(text)
        }
        #expect(refusals.count == 1, "\(refusals)")

        // Operational endpoints need an admin credential; /ready needs none.
        (wrongStatus, _) = try await HTTP.request("GET", fjord.baseURL + "/metrics", headers: credentials.headers("alice"))
        #expect(wrongStatus == 403)
        (status, _) = try await HTTP.request("GET", fjord.baseURL + "/metrics", headers: credentials.headers("ops"))
        #expect(status == 200)
        (status, _) = try await HTTP.request("GET", fjord.baseURL + "/config")
        #expect(status == 401)
        (status, _) = try await HTTP.request("GET", fjord.baseURL + "/ready")
        #expect(status == 200)

        // Every refusal was audited, and no secret reached the log.
        let log = fjord.log
        #expect(log.components(separatedBy: "request denied").count > 100)
        #expect(log.contains("who=user alice") && log.contains("reason=wrong password"))
        for secret in credentials.secrets { #expect(!log.contains(secret), "a secret is in the log") }
    }

    @Test func liveTailsSeeOnlyTheirTenant() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = try CredentialsFixture(directory: directory, entries: Self.entries)
        let fjord = try FjordProcess(dataDirectory: directory, arguments: ["-auth.credentials-file=\(credentials.path.path)"])
        try await fjord.start()
        defer { fjord.stop() }
        let url = "ws://127.0.0.1:\(fjord.port)/loki/api/v1/tail?query=" + HTTP.escape("{app=\"shared\"}")

        // Refused before the upgrade: another tenant's tail, a credential without the tail right, and multi-tenant
        // tail get no 101 and no frame. (The WebSocket library answers refused upgrades itself, without Loki's
        // 401/403 text; read over a plain socket because HummingbirdWSClient was seen to hang on them under load.)
        let path = "/loki/api/v1/tail?query=" + HTTP.escape("{app=\"shared\"}")
        for (actor, tenant) in [("bob", "team-a"), ("carol", "team-a"), ("a-pusher", "team-a"), ("alice", "team-a|team-b")] {
            let refused = try await RawTailHandshake.open(port: fjord.port, path: path, tenant: tenant,
                                                          headers: credentials.headers(actor))
            #expect(!refused.statusLine.contains(" 101 "), "\(actor) tailed \(tenant): \(refused.statusLine)")
            #expect(refused.closeCode == nil)
        }
        // The same requests without the upgrade get Loki's status and text.
        for (actor, tenant, status) in [("bob", "team-a", 403), ("a-pusher", "team-a", 403)] {
            let (code, body) = try await HTTP.request("GET", fjord.baseURL + path,
                                                      headers: credentials.headers(actor).merging(["X-Scope-OrgID": tenant]) { $1 })
            #expect(code == status, "\(actor) → \(tenant): \(code) \(String(decoding: body, as: UTF8.self))")
        }

        // alice (no header: her only tenant) and bob tail while both push.
        let alice = try TailClient(url: url, tenant: nil, headers: credentials.headers("alice"))
        let bob = try TailClient(url: url, tenant: "team-b", headers: credentials.headers("bob"))
        defer { alice.stop(); bob.stop() }
        try await Task.sleep(nanoseconds: 500_000_000)
        let base = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        for (actor, tenant) in [("alice", "team-a"), ("bob", "team-b")] {
            let (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                        headers: credentials.headers(actor).merging(["Content-Type": "application/json"]) { $1 },
                                                        body: Self.pushBody(tenant, streams: 1, lines: 3, base: base))
            #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        }
        #expect(await alice.waitFor { TailClient.entries($0).count >= 3 }, "alice: \(alice.texts)")
        #expect(await bob.waitFor { TailClient.entries($0).count >= 3 }, "bob: \(bob.texts)")
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(alice.texts.allSatisfy { !$0.contains("tenantB") } && alice.texts.contains { $0.contains("tenantA") }, "\(alice.texts)")
        #expect(bob.texts.allSatisfy { !$0.contains("tenantA") } && bob.texts.contains { $0.contains("tenantB") }, "\(bob.texts)")
    }

    @Test func credentialChangesApplyWithoutRestart() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = try CredentialsFixture(directory: directory, entries: [.user("alice", ["team-a=push,query"])])
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-auth.credentials-file=\(credentials.path.path)", "-auth.reload-interval=200ms",
        ])
        try await fjord.start()
        defer { fjord.stop() }
        var (status, _) = try await HTTP.request("GET", fjord.baseURL + "/loki/api/v1/labels", headers: credentials.headers("alice"))
        #expect(status == 200)

        // Replace the file: alice gone, dave added.
        let replacement = try CredentialsFixture(directory: directory.appendingPathComponent("next"),
                                                 entries: [.user("dave", ["team-a=query"])], create: true)
        try FileManager.default.removeItem(at: credentials.path)
        try FileManager.default.copyItem(at: replacement.path, to: credentials.path)
        var switched = false
        for _ in 0..<100 {
            let (daveStatus, _) = try await HTTP.request("GET", fjord.baseURL + "/loki/api/v1/labels", headers: replacement.headers("dave"))
            if daveStatus == 200 { switched = true; break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(switched, "the new credentials file was not picked up: \(fjord.log)")
        (status, _) = try await HTTP.request("GET", fjord.baseURL + "/loki/api/v1/labels", headers: credentials.headers("alice"))
        #expect(status == 401)

        // A broken file keeps the previous credentials.
        try "users: [oops".write(to: credentials.path, atomically: true, encoding: .utf8)
        for _ in 0..<100 where !fjord.log.contains("credentials file change rejected") {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        (status, _) = try await HTTP.request("GET", fjord.baseURL + "/loki/api/v1/labels", headers: replacement.headers("dave"))
        #expect(status == 200)
        #expect(fjord.log.contains("credentials file change rejected"))
    }

    @Test func startupRefusesUnprotectedOrBrokenSetups() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = "-common.path-prefix=\(directory.path)/data"
        let bad = directory.appendingPathComponent("bad.yaml")
        try "users:\n  - name: x\n    password_hash: plain\n".write(to: bad, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            ([data], "would be served without TLS"),
            ([data, "-server.http-allow-insecure"], "nothing would authenticate requests"),
            ([data, "-server.http-allow-insecure", "-auth.credentials-file=\(bad.path)"], "bad.yaml: line 3"),
            ([data, "-server.http-allow-insecure", "-auth.credentials-file=\(directory.path)/missing.yaml"], "cannot read"),
        ]
        for (arguments, expected) in cases {
            let (ok, output) = try CredentialsFixture.run(arguments + ["-verify-config"])
            #expect(!ok && output.contains(expected), "\(arguments): \(output)")
        }
        let (ok, output) = try CredentialsFixture.run([data, "-server.http-allow-insecure", "-auth.enabled=false", "-verify-config"])
        #expect(ok, "\(output)")
    }
}
