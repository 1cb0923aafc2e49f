import FjordAgent
import Testing

@Suite struct AgentConfigTests {
    @Test func dockerStructlogConfigLoads() throws {
        let config = try AgentConfigParser.parse(try FixturePaths.text(FixturePaths.agent("promtail-docker-structlog.yaml")))
        #expect(config.clients.count == 1)
        let client = try #require(config.clients.first)
        #expect(client.url == "http://fjord:3100/loki/api/v1/push")
        #expect(client.tenantID == "homelab")
        #expect(client.batchWaitNanos == 1_000_000_000)
        #expect(client.backoff == BackoffConfig())
        #expect(client.externalLabels == ["host": "docker-host-1"])
        #expect(config.positions.filename == "/tmp/positions.yaml")
        let scrape = try #require(config.scrapeConfigs.first)
        #expect(scrape.jobName == "docker-containers")
        let docker = try #require(scrape.dockerSDConfigs.first)
        #expect(docker.socketPath == "/var/run/docker.sock")
        #expect(docker.refreshIntervalNanos == 5_000_000_000)
        #expect(docker.filters.map(\.name) == ["label"])
        #expect(docker.filters.first?.values == ["logging=promtail"])
        #expect(scrape.relabelConfigs.count == 6)
        #expect(scrape.pipelineStages.map(\.name) == ["json", "labels", "structured_metadata", "timestamp", "match", "match", "labeldrop"])
    }

    @Test func varlogJournalConfigLoads() throws {
        let config = try AgentConfigParser.parse(try FixturePaths.text(FixturePaths.agent("promtail-varlog-journal.yaml")))
        let client = try #require(config.clients.first)
        #expect(client.basicAuth?.username == "promtail")
        #expect(client.basicAuth?.passwordFile == "/etc/promtail/password")
        #expect(client.tls.serverName == "logs.example.internal")
        #expect(client.batchSizeBytes == 512 * 1024)
        #expect(client.backoff.maxRetries == 20)
        #expect(config.targetSyncPeriodNanos == 30_000_000_000)
        #expect(config.scrapeConfigs.map(\.jobName) == ["varlogs", "journal"])
        let files = config.scrapeConfigs[0]
        #expect(files.staticConfigs.count == 2)
        #expect(files.staticConfigs[1].labels["__path_exclude__"] == "/var/log/nginx/*.gz")
        #expect(files.pipelineStages.map(\.name) == ["match", "match", "multiline", "drop", "drop"])
        let journal = try #require(config.scrapeConfigs[1].journal)
        #expect(journal.maxAgeNanos == 12 * 3_600_000_000_000)
        #expect(journal.path == "/var/log/journal")
        #expect(journal.labels == ["job": "systemd-journal", "host": "server-1"])
        #expect(config.scrapeConfigs[1].relabelConfigs.count == 4)
    }

    private func error(_ yaml: String) -> String {
        do {
            _ = try AgentConfigParser.parse(yaml)
            return ""
        } catch {
            return error.description
        }
    }

    static let client = "clients:\n  - url: http://127.0.0.1:3100/loki/api/v1/push\n"

    @Test func unknownFieldsNameTheirPath() {
        #expect(error(Self.client + "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [x]\n        labelz: {}\n")
            == "unknown field scrape_configs[0].static_configs[0].labelz at line 7 (see docs/agent.md)")
        #expect(error("clients:\n  - url: http://h/push\n    batch_wait: 1s\n") == "unknown field clients[0].batch_wait at line 3 (see docs/agent.md)")
        #expect(error(Self.client + "limits_config: {}\n").hasPrefix("unknown field limits_config at line"))
        #expect(error(Self.client + "scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: []\n")
            .hasPrefix("unknown field scrape_configs[0].kubernetes_sd_configs"))
    }

    @Test func stageAndRelabelErrors() {
        let scrape = Self.client + "scrape_configs:\n  - job_name: a\n"
        #expect(error(scrape + "    pipeline_stages:\n      - pack: {}\n")
            == "scrape_configs[0].pipeline_stages[0]: unsupported pipeline stage \"pack\" (see docs/agent.md)")
        #expect(error(scrape + "    pipeline_stages:\n      - json:\n          expresions: {a: b}\n")
            .hasPrefix("unknown field scrape_configs[0].pipeline_stages[0].json.expresions"))
        #expect(error(scrape + "    pipeline_stages:\n      - regex:\n          expression: '(a'\n").contains("missing )"))
        #expect(error(scrape + "    pipeline_stages:\n      - match:\n          selector: 'nope'\n          action: drop\n")
            .hasPrefix("scrape_configs[0].pipeline_stages[0].match.selector:"))
        #expect(error(scrape + "    relabel_configs:\n      - action: frobnicate\n")
            == "scrape_configs[0].relabel_configs[0].action: unknown relabel action \"frobnicate\"")
        #expect(error(scrape + "    relabel_configs:\n      - action: replace\n        source_labels: [a]\n").contains("requires 'target_label'"))
        #expect(error(scrape + "    static_configs:\n      - targets: [x]\n        labels: {job: a}\n").contains("__path__"))
        #expect(error(scrape + "    docker_sd_configs:\n      - host: tcp://127.0.0.1:2375\n").contains("unix://"))
        #expect(error("scrape_configs: []\n") == "clients: at least one client is required")
        #expect(error("clients:\n  - url: ftp://x\n").contains("is not an http:// or https:// URL"))
    }

    @Test func environmentExpansion() throws {
        let config = try AgentConfigParser.parse("clients:\n  - url: ${URL}\n    tenant_id: ${TENANT:-fallback}\n",
                                                 environment: ["URL": "http://127.0.0.1:1/loki/api/v1/push"])
        #expect(config.clients[0].url == "http://127.0.0.1:1/loki/api/v1/push")
        #expect(config.clients[0].tenantID == "fallback")
    }

    @Test func commandLine() throws {
        let options = try AgentRole.parseArguments(["-config.file=a.yaml", "-server.http-listen-port", "1234", "-check-syntax"])
        #expect(options.configFile == "a.yaml")
        #expect(options.httpListenPort == 1234)
        #expect(options.checkSyntax)
        #expect(throws: AgentConfigError.self) { try AgentRole.parseArguments(["-nope"]) }
    }
}
