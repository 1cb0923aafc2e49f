import FjordConfig
import FjordRuntime
import Yams

/// Reads the agent's YAML: Promtail's layout, strictly (unknown fields are errors naming their path).
public enum AgentConfigParser {
    /// Parses `yaml`; with `environment`, `${VAR}` and `${VAR:-default}` are expanded first (`-config.expand-env`).
    public static func parse(_ yaml: String, environment: [String: String]? = nil) throws(AgentConfigError) -> AgentConfig {
        let text = environment.map { ConfigLoader.expandEnvironment(yaml, $0) } ?? yaml
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw AgentConfigError("invalid YAML: \(error)")
        }
        let fields = try YAMLFields(root, path: "")
        var config = AgentConfig()
        if let server = try fields.mapping("server") { config.server = try parseServer(server) }
        for (node, path) in try fields.list("clients") {
            config.clients.append(try parseClient(try YAMLFields(node, path: path)))
        }
        if let client = try fields.mapping("client") { config.clients.append(try parseClient(client)) }
        if let positions = try fields.mapping("positions") {
            config.positions.filename = try positions.string("filename", default: config.positions.filename)
            config.positions.syncPeriodNanos = try positions.duration("sync_period", default: config.positions.syncPeriodNanos)
            config.positions.ignoreInvalidYAML = try positions.bool("ignore_invalid_yaml", default: false)
            try positions.finish()
        }
        if let target = try fields.mapping("target_config") {
            config.targetSyncPeriodNanos = try target.duration("sync_period", default: config.targetSyncPeriodNanos)
            try target.finish()
        }
        if let watch = try fields.mapping("file_watch_config") {
            config.minPollNanos = try watch.duration("min_poll_frequency", default: config.minPollNanos)
            config.maxPollNanos = try watch.duration("max_poll_frequency", default: config.maxPollNanos)
            config.partialLineTimeoutNanos = try watch.duration("partial_line_timeout", default: config.partialLineTimeoutNanos)
            try watch.finish()
        }
        var jobs = Set<String>()
        for (node, path) in try fields.list("scrape_configs") {
            let scrape = try parseScrape(try YAMLFields(node, path: path))
            guard jobs.insert(scrape.jobName).inserted else {
                throw AgentConfigError("\(path).job_name: found multiple scrape configs with job name \"\(scrape.jobName)\"")
            }
            config.scrapeConfigs.append(scrape)
        }
        try fields.finish()
        guard !config.clients.isEmpty else { throw AgentConfigError("clients: at least one client is required") }
        return config
    }

    private static func parseServer(_ fields: YAMLFields) throws(AgentConfigError) -> AgentConfig.ServerSection {
        var server = AgentConfig.ServerSection()
        server.httpListenAddress = try fields.string("http_listen_address", default: "")
        server.httpListenPort = try fields.int("http_listen_port", default: 9080)
        server.logLevel = try fields.string("log_level", default: "info")
        guard ["debug", "info", "warn", "error"].contains(server.logLevel) else {
            throw AgentConfigError("server.log_level: must be debug, info, warn or error, not \"\(server.logLevel)\"")
        }
        server.disable = try fields.bool("disable", default: false)
        // Accepted for compatibility, without effect (docs/agent.md).
        for ignored in ["grpc_listen_port", "grpc_listen_address", "log_format", "register_instrumentation",
                        "http_server_read_timeout", "http_server_write_timeout", "http_server_idle_timeout",
                        "graceful_shutdown_timeout", "health_check_target", "enable_runtime_reload"] {
            _ = fields.node(ignored)
        }
        try fields.finish()
        return server
    }

    private static func parseClient(_ fields: YAMLFields) throws(AgentConfigError) -> ClientConfig {
        var client = ClientConfig()
        client.url = try fields.string("url", default: "")
        guard OutboundURL(client.url) != nil else {
            throw AgentConfigError("\(fields.child("url")): \"\(client.url)\" is not an http:// or https:// URL")
        }
        client.tenantID = try fields.string("tenant_id", default: "")
        client.batchWaitNanos = try fields.duration("batchwait", default: client.batchWaitNanos)
        client.batchSizeBytes = try fields.bytes("batchsize", default: client.batchSizeBytes)
        client.timeoutNanos = try fields.duration("timeout", default: client.timeoutNanos)
        client.bearerToken = try fields.string("bearer_token", default: "")
        client.bearerTokenFile = try fields.string("bearer_token_file", default: "")
        client.dropRateLimitedBatches = try fields.bool("drop_rate_limited_batches", default: false)
        if let auth = try fields.mapping("basic_auth") {
            var basic = ClientConfig.BasicAuth()
            basic.username = try auth.string("username", default: "")
            basic.password = try auth.string("password", default: "")
            basic.passwordFile = try auth.string("password_file", default: "")
            try auth.finish()
            client.basicAuth = basic
        }
        if client.basicAuth != nil, !client.bearerToken.isEmpty || !client.bearerTokenFile.isEmpty {
            throw AgentConfigError("\(fields.path): at most one of basic_auth, bearer_token and bearer_token_file may be set")
        }
        if let tls = try fields.mapping("tls_config") {
            client.tls.caFile = try tls.string("ca_file", default: "")
            client.tls.certFile = try tls.string("cert_file", default: "")
            client.tls.keyFile = try tls.string("key_file", default: "")
            client.tls.serverName = try tls.string("server_name", default: "")
            client.tls.insecureSkipVerify = try tls.bool("insecure_skip_verify", default: false)
            try tls.finish()
        }
        if let backoff = try fields.mapping("backoff_config") {
            client.backoff.minPeriodNanos = try backoff.duration("min_period", default: client.backoff.minPeriodNanos)
            client.backoff.maxPeriodNanos = try backoff.duration("max_period", default: client.backoff.maxPeriodNanos)
            client.backoff.maxRetries = try backoff.int("max_retries", default: client.backoff.maxRetries)
            try backoff.finish()
        }
        for (name, value) in try fields.stringMap("external_labels") ?? [] {
            guard Relabeler.isValidLabelName(name) else {
                throw AgentConfigError("\(fields.child("external_labels")): invalid label name \"\(name)\"")
            }
            client.externalLabels[name] = value
        }
        for (name, value) in try fields.stringMap("headers") ?? [] { client.headers[name] = value }
        try fields.finish()
        return client
    }

    private static func parseScrape(_ fields: YAMLFields) throws(AgentConfigError) -> ScrapeConfig {
        var scrape = ScrapeConfig()
        scrape.jobName = try fields.string("job_name", default: "")
        guard !scrape.jobName.isEmpty else { throw AgentConfigError("\(fields.path): job_name is required") }
        scrape.pipelineStages = try StageConfigParser.parseList(try fields.list("pipeline_stages"))
        for (node, path) in try fields.list("static_configs") {
            let item = try YAMLFields(node, path: path)
            var config = StaticConfig()
            config.targets = try item.strings("targets") ?? []
            for (name, value) in try item.stringMap("labels") ?? [] { config.labels[name] = value }
            try item.finish()
            guard !(config.labels["__path__"] ?? "").isEmpty else {
                throw AgentConfigError("\(path).labels: __path__ (the files to read) is required")
            }
            scrape.staticConfigs.append(config)
        }
        for (node, path) in try fields.list("docker_sd_configs") {
            scrape.dockerSDConfigs.append(try parseDocker(try YAMLFields(node, path: path)))
        }
        if let journal = try fields.mapping("journal") {
            var config = JournalConfig()
            config.json = try journal.bool("json", default: false)
            config.maxAgeNanos = try journal.duration("max_age", default: config.maxAgeNanos)
            for (name, value) in try journal.stringMap("labels") ?? [] { config.labels[name] = value }
            config.path = try journal.string("path", default: "")
            config.matches = try journal.string("matches", default: "")
            try journal.finish()
            scrape.journal = config
        }
        for (node, path) in try fields.list("relabel_configs") {
            scrape.relabelConfigs.append(try RelabelRule.parse(try YAMLFields(node, path: path)))
        }
        try fields.finish()
        return scrape
    }

    private static func parseDocker(_ fields: YAMLFields) throws(AgentConfigError) -> DockerSDConfig {
        var config = DockerSDConfig()
        config.host = try fields.string("host", default: "")
        guard config.socketPath != nil else {
            throw AgentConfigError("\(fields.child("host")): \"\(config.host)\" is not supported; use unix:///path/to/docker.sock")
        }
        config.port = try fields.int("port", default: 80)
        config.refreshIntervalNanos = try fields.duration("refresh_interval", default: config.refreshIntervalNanos)
        config.hostNetworkingHost = try fields.string("host_networking_host", default: "localhost")
        for (node, path) in try fields.list("filters") {
            let filter = try YAMLFields(node, path: path)
            let name = try filter.string("name", default: "")
            let values = try filter.strings("values") ?? []
            try filter.finish()
            guard !name.isEmpty else { throw AgentConfigError("\(path).name is required") }
            config.filters.append((name, values))
        }
        try fields.finish()
        return config
    }
}
