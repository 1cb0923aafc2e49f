import Foundation
import Testing

/// The ruler against real Alertmanager and Prometheus processes (Debian `prometheus-alertmanager` and `prometheus`,
/// installed by scripts/setup): the seed's error-rate alert fires in Alertmanager and resolves after the errors stop;
/// a recording rule's samples arrive in Prometheus through remote-write; the rule API over HTTP.
@Suite(.serialized) struct RulerTests {
    static let alertmanager = "/usr/bin/prometheus-alertmanager"
    static let prometheus = "/usr/bin/prometheus"
    static let tenant = "oneiric-team"

    static let seedRules = """
        groups:
          - name: oneiric-errors
            interval: 1s
            rules:
              - alert: HighErrorRate
                expr: sum(rate({app="oneiric"} | json | level="error" [5m])) > 1
                for: 2s
                labels:
                  severity: page
                annotations:
                  summary: "oneiric logs {{ $value | humanize }} errors/s"
        """

    /// Pushes `count` JSON lines of `level` for app `oneiric`, timestamped from `start` (Unix ns), 1 ms apart.
    static func pushLines(_ fjord: FjordProcess, level: String, count: Int, start: Int64) async throws {
        var values: [[String]] = []
        for index in 0..<count {
            values.append(["\(start + Int64(index) * 1_000_000)", #"{"level":"\#(level)","msg":"request \#(index) failed"}"#])
        }
        let body = try JSONSerialization.data(withJSONObject: ["streams": [["stream": ["app": "oneiric"], "values": values]]])
        let (status, data) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                                    headers: ["Content-Type": "application/json", "X-Scope-OrgID": tenant],
                                                    body: body)
        #expect(status == 204, "push: \(String(decoding: data, as: UTF8.self))")
    }

    static func nowNanos() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    /// Polls `probe` every 200 ms until it returns a value or `seconds` pass.
    static func eventually<T>(_ seconds: Double, _ probe: () async throws -> T?) async throws -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        return nil
    }

    static func alertmanagerAlerts(_ alertmanager: ExternalProcess) async throws -> [[String: Any]] {
        let (_, data) = try await HTTP.request("GET", alertmanager.baseURL + "/api/v2/alerts")
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    @Test(.enabled(if: ExternalProcess.available(alertmanager), "needs prometheus-alertmanager (scripts/setup)"))
    func seedAlertFiresInAlertmanagerThenResolves() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules/\(Self.tenant)")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try Self.seedRules.write(to: rules.appendingPathComponent("oneiric.yaml"), atomically: true, encoding: .utf8)
        try "route:\n  receiver: default\nreceivers:\n  - name: default\n"
            .write(to: directory.appendingPathComponent("alertmanager.yml"), atomically: true, encoding: .utf8)

        let alertmanager = try ExternalProcess(name: "alertmanager", directory: directory)
        try await alertmanager.start(executable: Self.alertmanager, arguments: [
            "--config.file=\(directory.path)/alertmanager.yml", "--web.listen-address=127.0.0.1:\(alertmanager.port)",
            "--cluster.listen-address=", "--storage.path=\(directory.path)/alertmanager-data",
        ], readyPath: "/-/ready")
        defer { alertmanager.stop() }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-ruler.storage.local.directory=\(directory.path)/rules", "-ruler.alertmanager-url=\(alertmanager.baseURL)",
            "-ruler.evaluation-interval=1s", "-ruler.resend-delay=1s", "-ruler.poll-interval=1s",
            "-ruler.external.url=http://127.0.0.1:3000",
        ])
        try await fjord.start()
        defer { fjord.stop() }

        // 400 errors timestamped 285 s ago: 400 / 300 s = 1.33 errors/s over the rule's 5-minute window, for the
        // next 15 s; then they leave the window and the errors have "stopped".
        let pushedAt = Self.nowNanos()
        try await Self.pushLines(fjord, level: "info", count: 50, start: pushedAt - 286_000_000_000)
        try await Self.pushLines(fjord, level: "error", count: 400, start: pushedAt - 285_000_000_000)

        let firing = try await Self.eventually(15) { () async throws -> [String: Any]? in
            try await Self.alertmanagerAlerts(alertmanager).first { alert in
                (alert["labels"] as? [String: String])?["alertname"] == "HighErrorRate"
                    && ((alert["status"] as? [String: Any])?["state"] as? String) == "active"
            }
        }
        let alert = try #require(firing, "no firing alert in Alertmanager:\n\(fjord.log)")
        #expect(alert["labels"] as? [String: String] == ["alertname": "HighErrorRate", "severity": "page"])
        #expect((alert["annotations"] as? [String: String])?["summary"] == "oneiric logs 1.333 errors/s")
        #expect((alert["generatorURL"] as? String)?.hasPrefix("http://127.0.0.1:3000/explore?left=") == true)

        let (_, alertsBody) = try await HTTP.request("GET", fjord.baseURL + "/prometheus/api/v1/alerts",
                                                     headers: ["X-Scope-OrgID": Self.tenant])
        let alerts = try HTTP.json(alertsBody)
        let fjordAlerts = (alerts["data"] as? [String: Any])?["alerts"] as? [[String: Any]]
        #expect(fjordAlerts?.first?["state"] as? String == "firing")
        #expect(fjordAlerts?.first?["value"] as? String == "1.3333333333333333e+00")

        // Once the errors leave the window the ruler sends endsAt = resolution time and Alertmanager drops it.
        let resolved = try await Self.eventually(60) { () async throws -> Bool? in
            let alerts = try await Self.alertmanagerAlerts(alertmanager)
            return alerts.contains { ($0["labels"] as? [String: String])?["alertname"] == "HighErrorRate" } ? nil : true
        }
        #expect(resolved == true, "alert still active in Alertmanager:\n\(fjord.log)")
        #expect(Self.nowNanos() - pushedAt >= 14_000_000_000, "resolved before the errors left the window")
    }

    @Test(.enabled(if: ExternalProcess.available(prometheus), "needs prometheus (scripts/setup)"))
    func recordingRuleSamplesArriveInPrometheus() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules/\(Self.tenant)")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try """
            groups:
              - name: oneiric-recording
                interval: 1s
                rules:
                  - record: oneiric:errors:rate5m
                    expr: sum by (app) (rate({app="oneiric"} | json | level="error" [5m]))
                    labels:
                      source: fjord
            """.write(to: rules.appendingPathComponent("recording.yaml"), atomically: true, encoding: .utf8)
        try "global:\n  scrape_interval: 1m\n".write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)

        let prometheus = try ExternalProcess(name: "prometheus", directory: directory)
        try await prometheus.start(executable: Self.prometheus, arguments: [
            "--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/prometheus-data",
            "--web.listen-address=127.0.0.1:\(prometheus.port)", "--web.enable-remote-write-receiver",
        ], readyPath: "/-/ready")
        defer { prometheus.stop() }
        let config = """
            ruler:
              evaluation_interval: 1s
              poll_interval: 1s
              external_labels:
                cluster: integration
              storage:
                local:
                  directory: \(directory.path)/rules
              remote_write:
                enabled: true
                client:
                  url: \(prometheus.baseURL)/api/v1/write
            """
        try config.write(to: directory.appendingPathComponent("fjord.yaml"), atomically: true, encoding: .utf8)
        let fjord = try FjordProcess(dataDirectory: directory, arguments: ["-config.file=\(directory.path)/fjord.yaml"])
        try await fjord.start()
        defer { fjord.stop() }
        try await Self.pushLines(fjord, level: "error", count: 300, start: Self.nowNanos() - 1_000_000_000)

        let sample = try await Self.eventually(30) { () async throws -> [String: Any]? in
            let (_, data) = try await HTTP.get(prometheus.baseURL, "/api/v1/query", [("query", "oneiric:errors:rate5m")])
            let answer = try HTTP.json(data)
            let result = (answer["data"] as? [String: Any])?["result"] as? [[String: Any]]
            return result?.first
        }
        let found = try #require(sample, "no recorded sample in Prometheus:\n\(fjord.log)\n\(prometheus.log)")
        #expect(found["metric"] as? [String: String] == [
            "__name__": "oneiric:errors:rate5m", "app": "oneiric", "cluster": "integration", "source": "fjord",
        ])
        let value = Double(((found["value"] as? [Any])?.last as? String) ?? "") ?? 0
        #expect(value == 1, "300 errors over 5 minutes")
    }

    @Test func ruleAPIOverHTTP() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: ["-ruler.evaluation-interval=1s"])
        try await fjord.start()
        defer { fjord.stop() }
        let headers = ["X-Scope-OrgID": Self.tenant, "Content-Type": "application/yaml"]
        let base = fjord.baseURL + "/loki/api/v1/rules"

        var (status, body) = try await HTTP.request("GET", base, headers: headers)
        #expect(status == 404)
        #expect(String(decoding: body, as: UTF8.self) == "no rule groups found\n")
        (status, _) = try await HTTP.request("GET", base)
        #expect(status == 401)

        let group = "name: errors\ninterval: 1s\nrules:\n  - record: oneiric:lines:rate1m\n    expr: sum(rate({app=\"oneiric\"}[1m]))\n"
        (status, body) = try await HTTP.request("POST", base + "/oneiric", headers: headers, body: Data(group.utf8))
        #expect(status == 202)
        #expect(String(decoding: body, as: UTF8.self) == #"{"status":"success","data":null,"errorType":"","error":""}"#)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/data/rules/\(Self.tenant)/oneiric.yaml"))

        (status, body) = try await HTTP.request("GET", base + "/oneiric/errors", headers: headers)
        #expect(status == 200)
        #expect(String(decoding: body, as: UTF8.self).hasPrefix("name: errors\ninterval: 1s\nrules:\n"))
        (status, body) = try await HTTP.request("GET", base, headers: headers)
        #expect(String(decoding: body, as: UTF8.self).hasPrefix("oneiric:\n- name: errors\n"))

        let bad = "name: broken\nrules:\n  - alert: Broken\n    expr: '{app=\"oneiric\"}'\n"
        (status, body) = try await HTTP.request("POST", base + "/oneiric", headers: headers, body: Data(bad.utf8))
        #expect(status == 400)
        #expect(String(decoding: body, as: UTF8.self)
            == "line 4: group \"broken\", rule 1, \"Broken\": could not parse expression for alert 'Broken' in group 'broken': only sample expression supported\n")

        let evaluated = try await Self.eventually(10) { () async throws -> [String: Any]? in
            let (_, data) = try await HTTP.request("GET", fjord.baseURL + "/prometheus/api/v1/rules", headers: headers)
            let groups = ((try HTTP.json(data))["data"] as? [String: Any])?["groups"] as? [[String: Any]]
            let rule = (groups?.first?["rules"] as? [[String: Any]])?.first
            return rule?["health"] as? String == "ok" ? rule : nil
        }
        #expect(evaluated?["type"] as? String == "recording")

        (status, _) = try await HTTP.request("DELETE", base + "/oneiric/errors", headers: headers)
        #expect(status == 202)
        (status, body) = try await HTTP.request("DELETE", base + "/oneiric/errors", headers: headers)
        #expect(status == 404)
        #expect(String(decoding: body, as: UTF8.self) == "group does not exist\n")
    }
}
