import FjordConfig
import Testing

/// The `ruler:` section: Loki's keys and flags, the `external_labels` map, and URL checks at start-up.
@Suite struct RulerConfigTests {
    private func load(_ arguments: [String], yaml: String? = nil) throws -> FjordConfiguration {
        let files = yaml.map { ["c.yaml": $0] } ?? [:]
        return try ConfigLoader.load(arguments: arguments + (yaml == nil ? [] : ["-config.file=c.yaml"])) { path in
            guard let text = files[path] else { throw ConfigError("no such file") }
            return text
        }.config
    }

    @Test func lokiShapedSection() throws {
        let config = try load(["-ruler.evaluation-interval=15s"], yaml: """
            ruler:
              alertmanager_url: http://am-1:9093,http://am-2:9093
              external_url: http://grafana:3000
              external_labels:
                cluster: eu-1
                env: prod
              evaluation_interval: 1m
              poll_interval: 30s
              rule_path: /tmp/rules
              storage:
                type: local
                local:
                  directory: /etc/fjord/rules
              enable_api: true
              remote_write:
                enabled: true
                client:
                  url: http://prometheus:9090/api/v1/write
            """)
        #expect(config.ruler.alertmanagerURL == "http://am-1:9093,http://am-2:9093")
        #expect(config.ruler.externalLabels == ["cluster": "eu-1", "env": "prod"])
        #expect(config.ruler.evaluationIntervalNanos == 15_000_000_000)
        #expect(config.ruler.pollIntervalNanos == 30_000_000_000)
        #expect(config.rulesDirectory == "/etc/fjord/rules")
        #expect(config.ruler.remoteWrite.clientURL == "http://prometheus:9090/api/v1/write")
        #expect(ConfigLoader.render(config).contains("  external_labels: {cluster: eu-1, env: prod}\n"))
    }

    @Test func defaults() throws {
        let config = try load([])
        #expect(config.rulesDirectory == "data/rules")
        #expect(config.ruler.enableAPI)
        #expect(config.ruler.alertmanagerURL.isEmpty)
        #expect(config.ruler.resendDelayNanos == 60_000_000_000)
    }

    @Test func badURLsStopStartUp() {
        #expect(throws: ConfigError("ruler.alertmanager_url: \"am:9093\" must be an http:// or https:// URL with a host")) {
            try load(["-ruler.alertmanager-url=am:9093"])
        }
        #expect(throws: ConfigError("ruler.remote_write.client.url is required when ruler.remote_write.enabled is true")) {
            try load(["-ruler.remote-write.enabled"])
        }
        #expect(throws: ConfigError.self) { try load(["-ruler.remote-write.enabled", "-ruler.remote-write.url=http://"]) }
    }
}
