import Foundation
import Testing

/// The real `fjord-agent` finding containers through a Docker-API-compatible server on a unix socket (including one
/// that starts while the agent runs), and reading the journal through a stand-in `journalctl` on `PATH`, into a real
/// `fjord`.
@Suite(.serialized) struct AgentDockerJournalTests {
    static func structlog(_ seq: Int, _ level: String) -> String {
        "{\"event\": \"request\", \"level\": \"\(level)\", \"logger\": \"app.api\", \"seq\": \(seq)}"
    }

    @Test func dockerDiscoveryFollowsContainers() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory)
        try await fjord.start()
        defer { fjord.stop() }
        let docker = FakeDockerServer(socketPath: directory.appendingPathComponent("docker.sock").path)
        try docker.start()
        defer { docker.stop() }
        docker.addContainer(id: "8dfafdbc3a40aaaa", name: "api-1",
                            labels: ["logging": "promtail", "com.docker.compose.service": "api"])
        docker.addContainer(id: "ffff00000000bbbb", name: "quiet-1", labels: ["com.docker.compose.service": "quiet"])
        docker.log("8dfafdbc3a40aaaa", Self.structlog(0, "info"))
        docker.log("8dfafdbc3a40aaaa", Self.structlog(1, "error"), stream: 2)
        docker.log("ffff00000000bbbb", "never shipped: no logging label")

        let configPath = directory.appendingPathComponent("agent.yaml").path
        try """
            clients:
              - url: \(fjord.baseURL)/loki/api/v1/push
                tenant_id: docker-it
                batchwait: 100ms
            positions:
              filename: \(directory.path)/positions.yaml
              sync_period: 100ms
            file_watch_config:
              min_poll_frequency: 50ms
            scrape_configs:
              - job_name: docker
                docker_sd_configs:
                  - host: unix://\(docker.socketPath)
                    refresh_interval: 200ms
                    filters:
                      - name: label
                        values: [logging=promtail]
                relabel_configs:
                  - source_labels: ['__meta_docker_container_name']
                    regex: '/(.*)'
                    target_label: container
                  - source_labels: ['__meta_docker_container_label_com_docker_compose_service']
                    target_label: service
                  - source_labels: ['__meta_docker_container_log_stream']
                    target_label: stream
                  - target_label: job
                    replacement: containers
                pipeline_stages:
                  - json:
                      expressions:
                        level:
                        logger:
                  - labels:
                      level:
                      logger:
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let agent = try AgentProcess(configPath: configPath, directory: directory)
        try await agent.start()
        defer { agent.stop() }
        let query = "{job=\"containers\"}"
        var got = try await AgentQueries.waitFor(2, fjord, query, tenant: "docker-it")
        #expect(got.count == 2, "\(agent.log)")

        // A container that starts while the agent runs, and more lines from the first one (followed).
        docker.addContainer(id: "c0ffee000000cccc", name: "worker-1",
                            labels: ["logging": "promtail", "com.docker.compose.service": "worker"])
        docker.log("c0ffee000000cccc", Self.structlog(10, "warning"))
        docker.log("8dfafdbc3a40aaaa", Self.structlog(2, "info"))
        got = try await AgentQueries.waitFor(4, fjord, query, tenant: "docker-it")
        #expect(got.count == 4, "\(agent.log)")
        try await Task.sleep(nanoseconds: 500_000_000)
        got = try await AgentQueries.entries(fjord, query, tenant: "docker-it")
        #expect(got.count == 4)
        var bySeq: [Int: [String: String]] = [:]
        for (labels, line) in got {
            if let data = line.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let seq = object["seq"] as? Int {
                bySeq[seq] = labels
            } else {
                Issue.record("unexpected line \(line)")
            }
        }
        #expect(bySeq[0] == ["job": "containers", "container": "api-1", "service": "api", "stream": "stdout",
                             "level": "info", "logger": "app.api"])
        #expect(bySeq[1]?["stream"] == "stderr")
        #expect(bySeq[1]?["level"] == "error")
        #expect(bySeq[2]?["container"] == "api-1")
        #expect(bySeq[10] == ["job": "containers", "container": "worker-1", "service": "worker", "stream": "stdout",
                              "level": "warning", "logger": "app.api"])
        let (status, targets) = try await HTTP.request("GET", agent.baseURL + "/targets")
        #expect(status == 200)
        let text = String(decoding: targets, as: UTF8.self)
        #expect(text.contains("8dfafdbc3a40aaaa") && text.contains("c0ffee000000cccc") && !text.contains("ffff00000000bbbb"))
        #expect(docker.requests.contains { $0.hasPrefix("/containers/8dfafdbc3a40aaaa/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=") })
    }

    @Test func journalThroughJournalctl() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory)
        try await fjord.start()
        defer { fjord.stop() }
        // A stand-in journalctl: prints the entries after the given cursor (or all), records its arguments, then
        // "follows" until it is terminated.
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var entries = ""
        for index in 0..<5 {
            entries += "{\"__CURSOR\":\"c\(index)\",\"__REALTIME_TIMESTAMP\":\"\(now - Int64(5 - index) * 1_000_000)\","
                + "\"_SYSTEMD_UNIT\":\"\(index % 2 == 0 ? "nginx.service" : "session-3.scope")\",\"PRIORITY\":\"\(index % 2 == 0 ? 6 : 3)\","
                + "\"MESSAGE\":\"journal line \(index)\"}\n"
        }
        try entries.write(to: directory.appendingPathComponent("journal.json"), atomically: true, encoding: .utf8)
        let script = """
            #!/bin/sh
            echo "$@" >> "\(directory.path)/journalctl.args"
            after=""
            for argument in "$@"; do
              case "$argument" in --after-cursor=*) after="${argument#--after-cursor=}";; esac
            done
            if [ -n "$after" ]; then
              sed -n "/\\"__CURSOR\\":\\"$after\\"/,\\$p" "\(directory.path)/journal.json" | tail -n +2
            else
              cat "\(directory.path)/journal.json"
            fi
            exec sleep 3600
            """
        let scriptPath = bin.appendingPathComponent("journalctl").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        chmod(scriptPath, 0o755)
        let configPath = directory.appendingPathComponent("agent.yaml").path
        try """
            clients:
              - url: \(fjord.baseURL)/loki/api/v1/push
                tenant_id: journal-it
                batchwait: 100ms
            positions:
              filename: \(directory.path)/positions.yaml
              sync_period: 100ms
            scrape_configs:
              - job_name: journal
                journal:
                  max_age: 12h
                  labels:
                    job: systemd-journal
                relabel_configs:
                  - source_labels: ['__journal__systemd_unit']
                    target_label: unit
                  - source_labels: ['__journal_priority_keyword']
                    target_label: level
                  - source_labels: ['__journal__systemd_unit']
                    regex: 'session-.*\\.scope'
                    action: drop
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let path = "\(bin.path):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let agent = try AgentProcess(configPath: configPath, directory: directory, environment: ["PATH": path])
        try await agent.start()
        let query = "{job=\"systemd-journal\"}"
        var got = try await AgentQueries.waitFor(3, fjord, query, tenant: "journal-it")
        #expect(got.map(\.1).sorted() == ["journal line 0", "journal line 2", "journal line 4"], "\(agent.log)")
        #expect(got.allSatisfy { $0.0 == ["job": "systemd-journal", "unit": "nginx.service", "level": "info"] }, "\(got.map(\.0))")

        // Restart: journalctl is asked to continue after the last acknowledged cursor, and nothing arrives twice.
        agent.stop()
        try (entries + "{\"__CURSOR\":\"c5\",\"__REALTIME_TIMESTAMP\":\"\(now)\",\"_SYSTEMD_UNIT\":\"nginx.service\",\"PRIORITY\":\"4\",\"MESSAGE\":\"journal line 5\"}\n")
            .write(to: directory.appendingPathComponent("journal.json"), atomically: true, encoding: .utf8)
        try await agent.start()
        defer { agent.stop() }
        got = try await AgentQueries.waitFor(4, fjord, query, tenant: "journal-it")
        try await Task.sleep(nanoseconds: 500_000_000)
        got = try await AgentQueries.entries(fjord, query, tenant: "journal-it")
        #expect(got.map(\.1).sorted() == ["journal line 0", "journal line 2", "journal line 4", "journal line 5"], "\(agent.log)")
        let arguments = (try? String(contentsOfFile: directory.path + "/journalctl.args", encoding: .utf8)) ?? ""
        #expect(arguments.contains("--output=json") && arguments.contains("--follow") && arguments.contains("--since=@"))
        #expect(arguments.contains("--after-cursor=c4"))
    }
}
