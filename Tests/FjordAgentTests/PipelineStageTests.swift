@testable import FjordAgent
import Foundation
import Testing

@Suite struct PipelineStageTests {
    func stages(_ yaml: String) throws -> [StageConfig] {
        let config = try AgentConfigParser.parse(
            "clients:\n  - url: http://127.0.0.1:1/loki/api/v1/push\nscrape_configs:\n  - job_name: t\n    pipeline_stages:\n"
                + yaml.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n") + "\n")
        return config.scrapeConfigs[0].pipelineStages
    }

    func run(_ pipeline: AgentPipeline, _ lines: [String], labels: [String: String] = [:], now: Int64 = 0) -> PipelineOutput {
        var output = PipelineOutput()
        for (index, line) in lines.enumerated() {
            let result = pipeline.process(AgentEntry(labels: labels, timestamp: now, line: line,
                                                     ack: AckToken(source: 1, first: UInt64(index), last: UInt64(index))), now: now)
            output.entries += result.entries
            output.dropped += result.dropped
        }
        return output
    }

    /// The pipeline of the real Promtail capture (json → labels → structured_metadata → timestamp) gives exactly the
    /// streams and entries Promtail pushed.
    @Test func matchesPromtailCapture() throws {
        let pipeline = AgentPipeline(try stages("""
            - json:
                expressions:
                  level:
                  logger:
                  request_id:
                  timestamp:
            - labels:
                level:
                logger:
            - structured_metadata:
                request_id:
            - timestamp:
                source: timestamp
                format: RFC3339Nano
            """))
        let lines = try FixturePaths.text(FixturePaths.promtail("source-api.log")).split(separator: "\n").map(String.init)
        let output = run(pipeline, lines, labels: ["job": "docker-containers", "service": "api", "filename": "/var/log/app/api.log"],
                         now: 42)
        var expected: [(labels: String, ts: Int64?, line: String, metadata: [String: String])] = []
        for name in ["push-001.decoded.json", "push-002.decoded.json"] {
            let root = try JSONParser.parse(try FixturePaths.text(FixturePaths.promtail(name)))
            for stream in root["streams"]?.arrayValue ?? [] {
                for entry in stream["entries"]?.arrayValue ?? [] {
                    let metadata = (entry["structured_metadata"]?.objectMembers ?? []).reduce(into: [String: String]()) { $0[$1.0] = $1.1.text }
                    let line = entry["line"]?.text ?? ""
                    // The plain-text line has no timestamp of its own: Promtail used the read time.
                    expected.append((stream["labels"]?.text ?? "", line.hasPrefix("{") ? Int64(entry["ts_ns"]?.text ?? "") : nil,
                                     line, metadata))
                }
            }
        }
        #expect(output.entries.count == expected.count)
        var batcher = Batcher(batchWaitNanos: 0, batchSizeBytes: 1 << 30, defaultTenant: "tenant-a", externalLabels: [:])
        for entry in output.entries { _ = batcher.add(entry, now: 0) }
        let batch = try #require(batcher.due(now: 0, force: true).first)
        for item in expected {
            let entries = try #require(batch.streams[item.labels], "missing stream \(item.labels)")
            let found = entries.first { $0.line == item.line }
            #expect(found != nil, "missing line \(item.line)")
            if let found {
                #expect(found.metadata == item.metadata)
                if let ts = item.ts { #expect(found.timestamp == ts) } else { #expect(found.timestamp == 42) }
            }
        }
    }

    @Test func dockerJSONFileLog() throws {
        let pipeline = AgentPipeline(try stages("- docker: {}"))
        let lines = try FixturePaths.text(FixturePaths.agent("docker-json-file.log")).split(separator: "\n").map(String.init)
        let output = run(pipeline, lines, labels: ["job": "d"])
        #expect(output.entries.map(\.line) == [
            "Starting api on :8080",
            "{\"level\": \"info\", \"event\": \"ready\", \"logger\": \"app.main\"}",
            "warning: cache miss ratio high",
            "a very long line split by docker at 16K, first piece, second piece",
            "café ✓ unicode \"quoted\"",
        ])
        #expect(output.entries.map { $0.labels["stream"] ?? "" } == ["stdout", "stdout", "stderr", "stdout", "stdout"])
        #expect(output.entries[0].timestamp == 1_772_359_200_123_456_789)
        #expect(output.entries[2].timestamp == 1_772_359_202_500_000_000)
        // The joined line stands for both pieces (positions move past both only when it is acknowledged).
        #expect(output.entries[3].ack == AckToken(source: 1, first: 3, last: 4))
        #expect(output.entries[3].timestamp == 1_772_359_203_000_000_000)
    }

    @Test func criLog() throws {
        let pipeline = AgentPipeline(try stages("- cri: {}"))
        let lines = try FixturePaths.text(FixturePaths.agent("cri.log")).split(separator: "\n").map(String.init)
        let output = run(pipeline, lines)
        #expect(output.entries.map(\.line) == [
            "Starting api on :8080",
            "warning: cache miss ratio high",
            "interleaved stderr line",
            "first part of a long line, middle part, last part",
            "",
            "line with  two spaces and a tab\there",
        ])
        #expect(output.entries.map { $0.labels["stream"] ?? "" } == ["stdout", "stderr", "stderr", "stdout", "stdout", "stdout"])
        #expect(output.entries[0].timestamp == 1_772_359_200_123_456_789)
        #expect(output.entries[3].timestamp == 1_772_359_202_000_000_000)
        #expect(output.entries[3].ack == AckToken(source: 1, first: 2, last: 5))
    }

    @Test func logfmtRegexTemplateOutput() throws {
        let pipeline = AgentPipeline(try stages("""
            - logfmt:
                mapping:
                  lvl: level
                  msg:
            - regex:
                source: msg
                expression: '^(?P<verb>\\w+) (?P<object>\\w+)'
            - template:
                source: verb
                template: '{{ ToUpper .Value }}-{{ .object }}'
            - labels:
                verb:
                lvl:
            - output:
                source: msg
            """))
        let output = run(pipeline, ["level=warn msg=\"opened door quickly\" other=1"])
        #expect(output.entries.first?.labels == ["verb": "OPENED-door", "lvl": "warn"])
        #expect(output.entries.first?.line == "opened door quickly")
    }

    @Test func timestampFormats() {
        let now: Int64 = 1_772_359_200_000_000_000 // 2026-03-01
        #expect(TimestampFormats.parse("1562708916", format: "Unix", now: now) == 1_562_708_916_000_000_000)
        #expect(TimestampFormats.parse("1562708916.414123", format: "Unix", now: now) == 1_562_708_916_414_123_000)
        #expect(TimestampFormats.parse("1562708916414", format: "UnixMs", now: now) == 1_562_708_916_414_000_000)
        #expect(TimestampFormats.parse("1562708916414123", format: "UnixUs", now: now) == 1_562_708_916_414_123_000)
        #expect(TimestampFormats.parse("1562708916414123456", format: "UnixNs", now: now) == 1_562_708_916_414_123_456)
        #expect(TimestampFormats.parse("2019-07-09T21:48:36.414Z", format: "RFC3339", now: now) == 1_562_708_916_414_000_000)
        #expect(TimestampFormats.parse("2019-07-09T23:48:36+02:00", format: "RFC3339Nano", now: now) == 1_562_708_916_000_000_000)
        #expect(TimestampFormats.parse("09/Jul/2019:21:48:36 +0000", format: "02/Jan/2006:15:04:05 -0700", now: now)
            == 1_562_708_916_000_000_000)
        #expect(TimestampFormats.parse("Tue, 09 Jul 2019 21:48:36 -0000", format: "RFC1123Z", now: now) == 1_562_708_916_000_000_000)
        // No year in the layout: the current year.
        #expect(TimestampFormats.parse("Jul  9 21:48:36", format: "Stamp", now: now) == 1_783_633_716_000_000_000)
        #expect(TimestampFormats.parse("nope", format: "RFC3339", now: now) == nil)
    }

    @Test func timestampFailureActions() throws {
        let fudge = AgentPipeline(try stages("- json:\n    expressions: {t: t}\n- timestamp:\n    source: t\n    format: UnixMs"))
        let out = run(fudge, ["{\"t\": \"1000\"}", "{\"t\": \"bad\"}", "{\"x\": 1}"], now: 5)
        #expect(out.entries.map(\.timestamp) == [1_000_000_000, 1_000_000_001, 5])
        let skip = AgentPipeline(try stages("- json:\n    expressions: {t: t}\n- timestamp:\n    source: t\n    format: UnixMs\n    action_on_failure: skip"))
        #expect(run(skip, ["{\"t\": \"1000\"}", "{\"t\": \"bad\"}"], now: 5).entries.map(\.timestamp) == [1_000_000_000, 5])
    }

    @Test func matchDropAndNested() throws {
        let pipeline = AgentPipeline(try stages("""
            - match:
                selector: '{app="web"} |= "healthz"'
                action: drop
                drop_counter_reason: health
            - match:
                selector: '{app="web"}'
                stages:
                  - static_labels:
                      tier: frontend
            """))
        let out = run(pipeline, ["GET /healthz", "GET /index"], labels: ["app": "web"])
        #expect(out.dropped.map(\.reason) == ["health"])
        #expect(out.entries.map(\.line) == ["GET /index"])
        #expect(out.entries.first?.labels["tier"] == "frontend")
        #expect(run(pipeline, ["GET /healthz"], labels: ["app": "db"]).entries.first?.labels["tier"] == nil)
    }

    @Test func dropRatioSamples() throws {
        var values = [0.1, 0.9, 0.4, 0.6].makeIterator()
        let config = try stages("- match:\n    selector: '{a=\"b\"}'\n    action: drop\n    drop_ratio: 0.5")
        let pipeline = AgentPipeline(config, random: { values.next() ?? 0 })
        let out = run(pipeline, ["1", "2", "3", "4"], labels: ["a": "b"])
        #expect(out.entries.map(\.line) == ["2", "4"])
        #expect(out.dropped.count == 2)
    }

    @Test func dropConditions() throws {
        let pipeline = AgentPipeline(try stages("""
            - json:
                expressions: {level: level}
            - drop:
                source: level
                value: debug
            - drop:
                expression: '^noise'
            - drop:
                older_than: 1h
                drop_counter_reason: too_old
            - drop:
                longer_than: 10
            """))
        let now: Int64 = 10_000_000_000_000
        var entries: [AgentEntry] = [
            AgentEntry(labels: [:], timestamp: now, line: "{\"level\":\"debug\"}"),
            AgentEntry(labels: [:], timestamp: now, line: "noise 1"),
            AgentEntry(labels: [:], timestamp: now - 7_200_000_000_000, line: "old"),
            AgentEntry(labels: [:], timestamp: now, line: "0123456789AB"),
            AgentEntry(labels: [:], timestamp: now, line: "keep me"),
        ]
        var kept: [String] = []
        var reasons: [String] = []
        for entry in entries {
            let out = pipeline.process(entry, now: now)
            kept += out.entries.map(\.line)
            reasons += out.dropped.map(\.reason)
        }
        entries.removeAll()
        #expect(kept == ["keep me"])
        #expect(reasons == ["drop_stage", "drop_stage", "too_old", "drop_stage"])
    }

    @Test func multilineBlocks() throws {
        let pipeline = AgentPipeline(try stages("- multiline:\n    firstline: '^\\d{4}-'\n    max_wait_time: 3s\n    max_lines: 3"))
        var out = run(pipeline, ["2026-01-01 start", "  at a", "  at b", "2026-01-01 next", "x", "y", "z"])
        #expect(out.entries.map(\.line) == ["2026-01-01 start\n  at a\n  at b", "2026-01-01 next\nx\ny"])
        #expect(out.entries.map(\.ack) == [AckToken(source: 1, first: 0, last: 2), AckToken(source: 1, first: 3, last: 5)])
        #expect(pipeline.flush(now: 1_000_000_000, force: false).entries.isEmpty)
        out = pipeline.flush(now: 3_000_000_000, force: false)
        #expect(out.entries.map(\.line) == ["z"])
    }
}
