@testable import FjordAgent
import Testing

@Suite struct DockerJournalCoreTests {
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let size = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + payload
    }

    @Test func demultiplexesFramesAcrossChunks() {
        var demuxer = DockerLogDemuxer(tty: false)
        let bytes = Self.frame(1, "2026-03-01T10:00:00.5Z hello\n2026-03-01T10:00:01Z wor")
            + Self.frame(2, "2026-03-01T10:00:02Z oops\n") + Self.frame(1, "ld\n")
        var lines: [DockerLogDemuxer.Line] = []
        // Fed in awkward pieces: headers and payloads split.
        for start in stride(from: 0, to: bytes.count, by: 5) {
            lines += demuxer.feed(Array(bytes[start..<min(start + 5, bytes.count)]))
        }
        #expect(lines.map(\.text) == ["hello", "oops", "world"])
        #expect(lines.map(\.stream) == ["stdout", "stderr", "stdout"])
        #expect(lines.map(\.timestamp) == [1_772_359_200_500_000_000, 1_772_359_202_000_000_000, 1_772_359_201_000_000_000])
        var tty = DockerLogDemuxer(tty: true)
        #expect(tty.feed(Array("2026-03-01T10:00:00Z raw\r\npartial".utf8)).map(\.text) == ["raw"])
        #expect(tty.finish().map(\.text) == ["partial"])
    }

    @Test func containerMetaLabels() throws {
        let container = try JSONParser.parse("""
            {"Id": "8dfafdbc3a40", "Names": ["/boring_feynman"], "Image": "ubuntu:latest",
             "Labels": {"com.docker.compose.service": "api", "logging": "promtail"},
             "HostConfig": {"NetworkMode": "default"},
             "NetworkSettings": {"Networks": {"bridge": {"NetworkID": "7ea29fc1412292a2d7bba362f9253545fecdfa8ce9a6e37dd10ba8bee7129812", "IPAddress": "172.17.0.2"}}}}
            """)
        let labels = DockerMetaLabels.labels(container, port: 80)
        #expect(labels["__meta_docker_container_id"] == "8dfafdbc3a40")
        #expect(labels["__meta_docker_container_name"] == "/boring_feynman")
        #expect(labels["__meta_docker_container_network_mode"] == "default")
        #expect(labels["__meta_docker_container_label_com_docker_compose_service"] == "api")
        #expect(labels["__meta_docker_container_label_logging"] == "promtail")
        #expect(labels["__meta_docker_network_name"] == "bridge")
        #expect(labels["__meta_docker_network_ip"] == "172.17.0.2")
        #expect(labels["__address__"] == "172.17.0.2:80")
        #expect(DockerMetaLabels.filtersQuery([("label", ["logging=promtail"]), ("status", ["running"])])
            == "filters=%7B%22label%22%3A%5B%22logging%3Dpromtail%22%5D%2C%22status%22%3A%5B%22running%22%5D%7D")
    }

    @Test func journalEntries() throws {
        let text = """
            {"__CURSOR":"s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7","__REALTIME_TIMESTAMP":"1772359200123456","PRIORITY":"3","_SYSTEMD_UNIT":"nginx.service","SYSLOG_IDENTIFIER":"nginx","MESSAGE":"upstream timed out","_HOSTNAME":"server-1"}
            """
        let parsed = try #require(JournalEntries.parse(text, json: false, labels: ["job": "journal"]))
        #expect(parsed.line == "upstream timed out")
        #expect(parsed.timestamp == 1_772_359_200_123_456_000)
        #expect(parsed.cursor == "s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7")
        #expect(parsed.labels["__journal__systemd_unit"] == "nginx.service")
        #expect(parsed.labels["__journal_priority_keyword"] == "error")
        #expect(parsed.labels["job"] == "journal")
        let json = try #require(JournalEntries.parse(text, json: true, labels: [:]))
        #expect(json.line == "{\"PRIORITY\":\"3\",\"_SYSTEMD_UNIT\":\"nginx.service\",\"SYSLOG_IDENTIFIER\":\"nginx\",\"MESSAGE\":\"upstream timed out\",\"_HOSTNAME\":\"server-1\"}")
        // Binary MESSAGE fields come as byte arrays.
        let binary = try #require(JournalEntries.parse("{\"MESSAGE\":[104,105],\"__CURSOR\":\"c\"}", json: false, labels: [:]))
        #expect(binary.line == "hi")
        var config = JournalConfig()
        config.path = "/var/log/journal"
        config.maxAgeNanos = 3_600_000_000_000
        #expect(JournalEntries.arguments(config: config, cursor: nil, now: 7_200_000_000_000)
            == ["--follow", "--output=json", "--no-pager", "--all", "--directory=/var/log/journal", "--since=@3600"])
        #expect(JournalEntries.arguments(config: JournalConfig(), cursor: "c1", now: 0).last == "--after-cursor=c1")
    }
}
