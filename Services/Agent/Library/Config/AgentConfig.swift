/// The whole `fjord-agent` configuration: Promtail's YAML shape (see docs/agent.md for the differences).
/// Durations are nanoseconds.
public struct AgentConfig: Sendable {
    public var server = ServerSection()
    public var clients: [ClientConfig] = []
    public var positions = PositionsConfig()
    public var scrapeConfigs: [ScrapeConfig] = []
    /// `target_config.sync_period`: how often file globs are re-scanned.
    public var targetSyncPeriodNanos: Int64 = 10_000_000_000
    /// `file_watch_config.min_poll_frequency` / `max_poll_frequency`: how often an idle file is looked at.
    public var minPollNanos: Int64 = 250_000_000
    public var maxPollNanos: Int64 = 250_000_000
    /// How long a last line without a newline waits before it is sent as it is (`fjord`-only:
    /// `file_watch_config.partial_line_timeout`).
    public var partialLineTimeoutNanos: Int64 = 5_000_000_000

    public init() {}

    /// Promtail's `server:` block (only what a shipper needs).
    public struct ServerSection: Sendable {
        public var httpListenAddress = ""
        public var httpListenPort = 9080
        public var logLevel = "info"
        /// `server.disable`: no HTTP listener at all.
        public var disable = false
        public init() {}
    }
}

/// One `clients:` entry: where and how entries are pushed.
public struct ClientConfig: Sendable {
    public var url = ""
    public var tenantID = ""
    public var batchWaitNanos: Int64 = 1_000_000_000
    public var batchSizeBytes = 1_048_576
    public var basicAuth: BasicAuth?
    public var bearerToken = ""
    public var bearerTokenFile = ""
    public var tls = TLSSettings()
    public var backoff = BackoffConfig()
    public var timeoutNanos: Int64 = 10_000_000_000
    public var externalLabels: [String: String] = [:]
    public var headers: [String: String] = [:]
    public var dropRateLimitedBatches = false

    public init() {}

    /// `basic_auth`: user name and password (inline or from a file).
    public struct BasicAuth: Sendable, Hashable {
        public var username = ""
        public var password = ""
        public var passwordFile = ""
        public init() {}
    }

    /// `tls_config`.
    public struct TLSSettings: Sendable, Hashable {
        public var caFile = ""
        public var certFile = ""
        public var keyFile = ""
        public var serverName = ""
        public var insecureSkipVerify = false
        public init() {}
    }
}

/// `backoff_config`: Promtail's defaults (500 ms doubling to 5 min, 10 retries).
public struct BackoffConfig: Sendable, Hashable {
    public var minPeriodNanos: Int64 = 500_000_000
    public var maxPeriodNanos: Int64 = 300_000_000_000
    public var maxRetries = 10
    public init() {}
}

/// `positions:`.
public struct PositionsConfig: Sendable {
    public var filename = "/var/log/positions.yaml"
    public var syncPeriodNanos: Int64 = 10_000_000_000
    public var ignoreInvalidYAML = false
    public init() {}
}

/// One `scrape_configs:` entry.
public struct ScrapeConfig: Sendable {
    public var jobName = ""
    public var pipelineStages: [StageConfig] = []
    public var staticConfigs: [StaticConfig] = []
    public var dockerSDConfigs: [DockerSDConfig] = []
    public var journal: JournalConfig?
    public var relabelConfigs: [RelabelRule] = []
    public init() {}
}

/// `static_configs:` entry: targets (ignored, as in Promtail, apart from being required) and labels, with the
/// file globs in `__path__` and `__path_exclude__`.
public struct StaticConfig: Sendable {
    public var targets: [String] = []
    public var labels: [String: String] = [:]
    public init() {}
}

/// `docker_sd_configs:` entry.
public struct DockerSDConfig: Sendable {
    /// `unix:///var/run/docker.sock` (only unix sockets are supported).
    public var host = ""
    public var port = 80
    public var refreshIntervalNanos: Int64 = 60_000_000_000
    /// Docker's list filters, `name` → values (`label`, `name`, `status`, …).
    public var filters: [(name: String, values: [String])] = []
    public var hostNetworkingHost = "localhost"
    public init() {}

    /// The socket path from ``host``, or nil when it is not a `unix://` URL.
    public var socketPath: String? {
        guard host.hasPrefix("unix://") else { return nil }
        let path = String(host.dropFirst("unix://".count))
        return path.isEmpty ? nil : path
    }
}

/// `journal:`.
public struct JournalConfig: Sendable {
    public var json = false
    public var maxAgeNanos: Int64 = 7 * 3_600_000_000_000
    public var labels: [String: String] = [:]
    public var path = ""
    public var matches = ""
    public init() {}
}
