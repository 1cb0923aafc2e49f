import FjordConfig
import Foundation
import Testing

@Suite struct ConfigLoaderTests {
    private func load(_ arguments: [String], files: [String: String] = [:], env: [String: String] = [:]) throws -> LoadedConfiguration {
        try ConfigLoader.load(arguments: arguments, environment: env) { path in
            guard let text = files[path] else { throw ConfigError("no such file") }
            return text
        }
    }

    @Test func defaultsMatchLoki() throws {
        let config = try load([]).config
        #expect(config.authEnabled)
        #expect(config.server.httpListenPort == 3100)
        #expect(config.limits.maxLineSize == 262_144)
        #expect(config.limits.rejectOldSamplesMaxAgeNanos == 168 * 3_600_000_000_000)
        #expect(config.ingester.maxChunkAgeNanos == 7_200_000_000_000)
        #expect(config.walDirectory == "data/wal")
    }

    @Test func yamlThenFlagsWin() throws {
        let yaml = """
        auth_enabled: false
        server:
          http_listen_port: 3200
        common:
          path_prefix: /var/fjord
        limits_config:
          max_line_size: 1MB
          reject_old_samples_max_age: 1w
          discover_service_name: []
        ingester:
          wal:
            fsync: interval
        schema_config:
          configs:
            - from: 2024-01-01
              store: tsdb
        """
        let loaded = try load(["-config.file=/c.yaml", "-server.http-listen-port", "3300", "--auth.enabled",
                               "-validation.reject-old-samples=false"], files: ["/c.yaml": yaml])
        #expect(loaded.config.server.httpListenPort == 3300)
        #expect(loaded.config.authEnabled)
        #expect(!loaded.config.limits.rejectOldSamples)
        #expect(loaded.config.limits.maxLineSize == 1_000_000)
        #expect(loaded.config.limits.rejectOldSamplesMaxAgeNanos == 7 * 24 * 3_600_000_000_000)
        #expect(loaded.config.limits.discoverServiceName.isEmpty)
        #expect(loaded.config.ingester.wal.fsync == "interval")
        #expect(loaded.config.walDirectory == "/var/fjord/wal")
    }

    @Test func unknownKeyIsAnError() {
        #expect {
            try load(["-config.file=c"], files: ["c": "server:\n  http_listen_prt: 1\n"])
        } throws: { error in
            (error as? ConfigError)?.message.contains("unknown configuration key server.http_listen_prt at line 2") == true
        }
    }

    @Test func badValueIsAnError() {
        #expect {
            try load(["-config.file=c"], files: ["c": "limits_config:\n  max_line_size: lots\n"])
        } throws: { error in
            (error as? ConfigError)?.message.contains("invalid value for limits_config.max_line_size at line 2: expected bytes") == true
        }
        #expect(throws: ConfigError.self) { try load(["-server.http-listen-port=abc"]) }
        #expect(throws: ConfigError.self) { try load(["-no.such-flag=1"]) }
        #expect(throws: ConfigError.self) { try load(["-ingester.wal-fsync=sometimes"]) }
    }

    @Test func environmentExpansion() throws {
        let loaded = try load(["-config.file=c", "-config.expand-env"],
                              files: ["c": "common:\n  path_prefix: ${DATA:-/tmp/x}\nserver:\n  http_listen_port: ${PORT}\n"],
                              env: ["PORT": "4100"])
        #expect(loaded.config.common.pathPrefix == "/tmp/x")
        #expect(loaded.config.server.httpListenPort == 4100)
    }

    @Test func renderedConfigLoadsBack() throws {
        var config = FjordConfiguration()
        config.limits.maxQuerySeries = 42
        config.ingester.chunkIdlePeriodNanos = 5 * 60_000_000_000
        let yaml = ConfigLoader.render(config)
        var reloaded = FjordConfiguration()
        try ConfigLoader.apply(yaml: yaml, to: &reloaded)
        #expect(reloaded == config)
        #expect(ConfigLoader.render(config, onlyChanged: true).contains("max_query_series: 42"))
    }

    @Test func s3StorageOptionsLoadAndTheSecretStaysHidden() throws {
        var config = FjordConfiguration()
        try ConfigLoader.apply(yaml: """
            storage_config:
              object_store: s3
              aws:
                endpoint: 127.0.0.1:9000
                bucketnames: logs
                access_key_id: key
                secret_access_key: very-secret
                s3forcepathstyle: true
                insecure: true
                backoff_config:
                  max_retries: 2
            """, to: &config)
        #expect(config.storage.objectStore == "s3")
        #expect(config.storage.aws.bucketNames == "logs")
        #expect(config.storage.aws.s3ForcePathStyle && config.storage.aws.insecure)
        #expect(config.storage.aws.maxRetries == 2)
        let rendered = ConfigLoader.render(config)
        #expect(rendered.contains("secret_access_key: <secret>"))
        #expect(!rendered.contains("very-secret"))
        config.storage.aws.bucketNames = ""
        #expect(throws: ConfigError.self) { try ConfigLoader.validate(config) }
    }

    @Test func runtimeOverridesApplyPerTenantOverTheDefaults() throws {
        var defaults = FjordConfiguration().limits
        defaults.retentionPeriodNanos = 30 * 24 * 3_600_000_000_000
        let table = try ConfigLoader.tenantOverrides(yaml: """
            overrides:
              short:
                retention_period: 2d
                retention_stream:
                  - selector: '{env="dev"}'
                    priority: 1
                    period: 24h
              big:
                max_line_size: 1MB
              plain:
            multi_kv_config: {}
            """, defaults: defaults)
        let twoDays: Int64 = 2 * 24 * 3_600_000_000_000
        #expect(table["short"].map(\.retentionPeriodNanos) == twoDays)
        #expect(table["short"]?.retentionStream == [RetentionStreamConfig(selector: #"{env="dev"}"#, priority: 1, periodNanos: 24 * 3_600_000_000_000)])
        #expect(table["short"]?.maxLineSize == defaults.maxLineSize)
        #expect(table["big"]?.maxLineSize == 1_000_000)
        #expect(table["big"]?.retentionPeriodNanos == defaults.retentionPeriodNanos)
        #expect(table["plain"] == defaults)
        #expect(throws: ConfigError.self) { try ConfigLoader.tenantOverrides(yaml: "overrides:\n  t:\n    nope: 1\n", defaults: defaults) }
        #expect(throws: ConfigError.self) { try ConfigLoader.tenantOverrides(yaml: "overrides:\n  t:\n    retention_period: 1h\n", defaults: defaults) }
        #expect(try ConfigLoader.tenantOverrides(yaml: "", defaults: defaults).isEmpty)
    }

    @Test func retentionStreamsLoadFromTheMainFileAndRenderBack() throws {
        var config = FjordConfiguration()
        try ConfigLoader.apply(yaml: """
            limits_config:
              retention_period: 744h
              retention_stream:
                - selector: '{namespace="dev"}'
                  priority: 1
                  period: 24h
            """, to: &config)
        #expect(config.limits.retentionStream.count == 1)
        var reloaded = FjordConfiguration()
        try ConfigLoader.apply(yaml: ConfigLoader.render(config), to: &reloaded)
        #expect(reloaded == config)
        var short = FjordConfiguration()
        #expect(throws: ConfigError.self) {
            try ConfigLoader.apply(yaml: "limits_config:\n  retention_stream:\n    - selector: '{a=\"b\"}'\n      period: 1h\n", to: &short)
        }
    }

    @Test func docsAreGeneratedFromTheTable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        #expect(docs == ConfigDocs.markdown(), "docs/configuration.md is stale: regenerate it with `fjord -config.docs > docs/configuration.md`")
    }
}
