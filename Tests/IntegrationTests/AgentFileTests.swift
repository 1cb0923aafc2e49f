import Foundation
import Testing

/// The real `fjord-agent` tailing files into a real `fjord`: a rename rotation while it runs, a restart in the
/// middle, a line written in two parts and a copytruncate, and every line arrives exactly once with the labels its
/// pipeline gives.
@Suite(.serialized) struct AgentFileTests {
    static func line(_ seq: Int) -> String {
        "{\"seq\": \(seq), \"level\": \"\(seq % 3 == 0 ? "warn" : "info")\", \"msg\": \"line \(seq) café ✓\"}\n"
    }

    static func append(_ handle: FileHandle, _ range: Range<Int>) {
        handle.write(Data(range.map(line).joined().utf8))
    }

    @Test func tailsThroughRotationAndRestartExactlyOnce() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory)
        try await fjord.start()
        defer { fjord.stop() }
        let logs = directory.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("agent.yaml").path
        try """
            server:
              http_listen_port: 0
            clients:
              - url: \(fjord.baseURL)/loki/api/v1/push
                tenant_id: agent-it
                batchwait: 100ms
                batchsize: 4096
            positions:
              filename: \(directory.path)/positions.yaml
              sync_period: 100ms
            target_config:
              sync_period: 200ms
            file_watch_config:
              min_poll_frequency: 50ms
            scrape_configs:
              - job_name: files
                static_configs:
                  - targets: [localhost]
                    labels:
                      job: app
                      __path__: \(logs.path)/*.log
                pipeline_stages:
                  - json:
                      expressions:
                        level:
                        seq:
                  - labels:
                      level:
                  - structured_metadata:
                      seq:
                  - static_labels:
                      shipper: fjord-agent
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let path = logs.appendingPathComponent("app.log").path
        FileManager.default.createFile(atPath: path, contents: nil)
        let first = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        Self.append(first, 0..<100)

        let agent = try AgentProcess(configPath: configPath, directory: directory)
        try await agent.start()
        defer { agent.stop() }
        let query = "{job=\"app\"}"
        var got = try await AgentQueries.waitFor(100, fjord, query, tenant: "agent-it")
        #expect(got.count == 100, "\(agent.log)")

        // Rename rotation: the writer still has the old file open and finishes its lines there, then a new file
        // appears at the path.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        Self.append(first, 100..<150)
        try first.close()
        FileManager.default.createFile(atPath: path, contents: nil)
        let second = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        Self.append(second, 150..<200)
        got = try await AgentQueries.waitFor(200, fjord, query, tenant: "agent-it")
        #expect(got.count == 200, "\(agent.log)")

        // Restart in the middle: lines written while the agent is down are read from the saved position.
        agent.stop()
        Self.append(second, 200..<300)
        try await agent.start()
        Self.append(second, 300..<350)
        got = try await AgentQueries.waitFor(350, fjord, query, tenant: "agent-it")
        #expect(got.count == 350, "\(agent.log)")

        // A last line written in two parts is held until its newline comes.
        let line350 = Self.line(350)
        second.write(Data(line350.utf8.prefix(20)))
        try await Task.sleep(nanoseconds: 400_000_000)
        second.write(Data(line350.utf8.dropFirst(20)))
        got = try await AgentQueries.waitFor(351, fjord, query, tenant: "agent-it")
        #expect(got.count == 351, "\(agent.log)")

        // copytruncate: the content is copied away and the file emptied in place; later lines are read from 0.
        try FileManager.default.copyItem(atPath: path, toPath: path + ".ct")
        try second.truncate(atOffset: 0)
        try second.seek(toOffset: 0)
        try await Task.sleep(nanoseconds: 400_000_000)
        Self.append(second, 351..<400)
        got = try await AgentQueries.waitFor(400, fjord, query, tenant: "agent-it")
        // Time for duplicates to show up, if any would.
        try await Task.sleep(nanoseconds: 1_500_000_000)
        got = try await AgentQueries.entries(fjord, query, tenant: "agent-it")
        try second.close()

        var seen: [Int: Int] = [:]
        for (labels, line) in got {
            guard let data = line.data(using: .utf8),
                  let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let seq = object["seq"] as? Int else {
                Issue.record("unexpected line \(line)")
                continue
            }
            seen[seq, default: 0] += 1
            #expect(labels["level"] == (seq % 3 == 0 ? "warn" : "info"))
            #expect(labels["shipper"] == "fjord-agent")
            #expect(labels["filename"] == path)
            #expect(labels["seq"] == String(seq), "structured metadata shows as a label in query answers")
        }
        #expect(Set(seen.keys) == Set(0..<400), "missing: \(Set(0..<400).subtracting(seen.keys).sorted())\n\(agent.log)")
        #expect(seen.values.allSatisfy { $0 == 1 }, "duplicated: \(seen.filter { $0.value > 1 }.keys.sorted())")

        let (status, metrics) = try await HTTP.request("GET", agent.baseURL + "/metrics")
        #expect(status == 200)
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(text.contains("fjord_agent_sent_entries_total"))
        let (targetsStatus, targets) = try await HTTP.request("GET", agent.baseURL + "/targets")
        #expect(targetsStatus == 200)
        #expect(String(decoding: targets, as: UTF8.self).contains(path))
    }
}
