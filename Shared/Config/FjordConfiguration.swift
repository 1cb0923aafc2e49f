/// Fjord's whole configuration, shaped like Loki's YAML (`server`, `common`, `ingester`, `limits_config`, ...).
///
/// Every option, its YAML path, its Loki-style flag, its default and its documentation live in one table
/// (``ConfigOptions``); the YAML loader, the flag parser, `/config` and `docs/configuration.md` all use it.
public struct FjordConfiguration: Sendable, Hashable {
    /// `auth_enabled`: require `X-Scope-OrgID`; when false every request is tenant `fake`.
    public var authEnabled = true
    /// `target`: which roles this process runs (`all` for the all-in-one).
    public var target = "all"
    public var server = Server()
    public var common = Common()
    public var ingester = Ingester()
    public var limits = Limits()
    public var querier = Querier()
    public var queryRange = QueryRange()
    public var storage = Storage()
    public var compactor = Compactor()
    public var ring = Ring()
    public var ruler = Ruler()
    public var auth = Auth()
    public var runtimeConfig = RuntimeConfig()
    public var distributor = Distributor()

    public init() {}

    /// Who may use the HTTP API (`auth:`, Fjord's own section; see docs/security.md).
    public struct Auth: Sendable, Hashable {
        /// Users and bearer tokens with their tenants and rights; empty means no authentication.
        public var credentialsFile = ""
        /// Without a credentials file, take `X-Scope-OrgID` as given (Loki's behaviour behind an authenticating
        /// proxy). Must be said explicitly.
        public var trustOrgIDHeader = false
        /// How often the credentials file and the HTTP TLS certificate and key are checked for changes.
        public var reloadIntervalNanos: Int64 = 10_000_000_000
    }

    /// Distributor settings (`distributor:`).
    public struct Distributor: Sendable, Hashable {
        /// Largest push body accepted as received (compressed).
        public var maxRecvMsgSize = 100 << 20
    }

    /// HTTP server settings (`server:`).
    public struct Server: Sendable, Hashable {
        public var httpListenAddress = ""
        public var httpListenPort = 3100
        public var logLevel = "info"
        public var httpReadTimeoutNanos: Int64 = 30_000_000_000
        /// Longest time from a request's head to the end of its response being written (0: no limit).
        public var httpWriteTimeoutNanos: Int64 = 30_000_000_000
        public var httpIdleTimeoutNanos: Int64 = 120_000_000_000
        /// Longest time a connection may take to send a complete request head (slow clients are cut off).
        public var httpReadHeaderTimeoutNanos: Int64 = 10_000_000_000
        /// TLS for the HTTP listener: PEM certificate chain and private key.
        public var httpTLSCertFile = ""
        public var httpTLSKeyFile = ""
        /// Serve the public HTTP API (gateway, all-in-one) without TLS. Must be said explicitly.
        public var httpAllowInsecure = false
        public var gracefulShutdownTimeoutNanos: Int64 = 30_000_000_000
        public var pathPrefix = ""
        /// The internal (wire protocol) listener of cluster roles.
        public var internalListenAddress = ""
        public var internalListenPort = 9095
        /// Mutual TLS between roles: one certificate and key per process, trusted through `internalTLSCAFile`.
        public var internalTLSEnabled = false
        public var internalTLSCertFile = ""
        public var internalTLSKeyFile = ""
        public var internalTLSCAFile = ""
    }

    /// Settings shared by every role (`common:`).
    public struct Common: Sendable, Hashable {
        /// Where all data goes unless a more specific directory is set.
        public var pathPrefix = "data"
        /// The compactor's wire address (`host:port`), for the gateway's delete API in cluster mode.
        public var compactorGRPCAddress = ""
    }

    /// Ingester settings (`ingester:`), Loki's names and defaults.
    public struct Ingester: Sendable, Hashable {
        public var chunkBlockSize = 262_144
        public var chunkTargetSize = 1_572_864
        public var chunkIdlePeriodNanos: Int64 = 30 * 60 * 1_000_000_000
        public var maxChunkAgeNanos: Int64 = 2 * 3600 * 1_000_000_000
        public var flushCheckPeriodNanos: Int64 = 30_000_000_000
        public var flushOpTimeoutNanos: Int64 = 600_000_000_000
        public var concurrentFlushes = 4
        public var chunkEncoding = "zstd"
        public var chunkCompressionLevel = 1
        public var wal = WAL()

        /// Write-ahead log settings (`ingester.wal:`).
        public struct WAL: Sendable, Hashable {
            public var enabled = true
            /// Empty means `<common.path_prefix>/wal`.
            public var dir = ""
            public var flushOnShutdown = false
            /// `always` (fsync before acknowledging), `interval` or `never`.
            public var fsync = "always"
            public var fsyncIntervalNanos: Int64 = 100_000_000
            public var segmentSize = 64 * 1024 * 1024
        }
    }

    /// Per-tenant limits (`limits_config:`), Loki's names and defaults.
    public struct Limits: Sendable, Hashable {
        public var ingestionRateMB = 4.0
        public var ingestionBurstSizeMB = 6.0
        public var maxLineSize = 262_144
        public var maxLineSizeTruncate = false
        public var maxLabelNameLength = 1024
        public var maxLabelValueLength = 2048
        public var maxLabelNamesPerSeries = 15
        public var rejectOldSamples = true
        public var rejectOldSamplesMaxAgeNanos: Int64 = 168 * 3600 * 1_000_000_000
        public var creationGracePeriodNanos: Int64 = 600_000_000_000
        public var allowStructuredMetadata = true
        public var maxStructuredMetadataSize = 65_536
        public var maxStructuredMetadataEntriesCount = 128
        public var incrementDuplicateTimestamps = false
        public var discoverServiceName = [
            "service", "app", "application", "app_name", "name", "app_kubernetes_io_name", "container",
            "container_name", "k8s_container_name", "component", "workload", "job", "k8s_job_name",
        ]
        public var discoverLogLevels = true
        public var maxGlobalStreamsPerUser = 5000
        public var perStreamRateLimit = 3 * 1024 * 1024
        public var perStreamRateLimitBurst = 15 * 1024 * 1024
        public var maxEntriesLimitPerQuery = 5000
        public var maxQuerySeries = 500
        public var maxQueryLengthNanos: Int64 = 721 * 3600 * 1_000_000_000
        public var maxQueryLookbackNanos: Int64 = 0
        public var maxQueryRangeNanos: Int64 = 0
        public var queryTimeoutNanos: Int64 = 60_000_000_000
        public var maxQueryParallelism = 32
        public var splitQueriesByIntervalNanos: Int64 = 3600 * 1_000_000_000
        public var maxCacheFreshnessPerQueryNanos: Int64 = 600_000_000_000
        public var maxConcurrentTailRequests = 10
        public var retentionPeriodNanos: Int64 = 0
        public var retentionStream: [RetentionStreamConfig] = []
        public var deletionMode = "filter-and-delete"
    }

    /// Querier settings (`querier:`).
    public struct Querier: Sendable, Hashable {
        public var multiTenantQueriesEnabled = false
        public var queryIngestersWithinNanos: Int64 = 3 * 3600 * 1_000_000_000
        public var maxConcurrent = 4
        public var tailMaxDurationNanos: Int64 = 3600 * 1_000_000_000
        /// Unread entries one live tail holds (per ingester subscription and in the tailer) before dropping.
        public var tailBufferEntries = 10_000
    }

    /// Query-frontend settings (`query_range:`).
    public struct QueryRange: Sendable, Hashable {
        public var alignQueriesWithStep = false
        public var cacheResults = false
        /// `results_cache.cache.embedded_cache`: the in-process LRU used when no memcached address is set.
        public var embeddedCacheMaxSizeMB = 100
        public var embeddedCacheTTLNanos: Int64 = 3600 * 1_000_000_000
        /// `results_cache.cache.memcached_client` / `memcached`: a shared memcached instead of the embedded cache.
        public var memcachedAddresses = ""
        public var memcachedTimeoutNanos: Int64 = 100_000_000
        public var memcachedMaxIdleConns = 16
        public var memcachedMaxItemSize = 1 << 20
        public var memcachedExpirationNanos: Int64 = 0
    }

    /// Object storage settings (`storage_config:`).
    public struct Storage: Sendable, Hashable {
        /// `filesystem` (default) or `s3`.
        public var objectStore = "filesystem"
        /// Empty means `<common.path_prefix>/chunks`.
        public var filesystemDirectory = ""
        public var aws = AWS()

        /// An S3-compatible bucket (`storage_config.aws:`), Loki's names.
        public struct AWS: Sendable, Hashable {
            public var endpoint = ""
            /// Loki accepts a comma-separated list; Fjord uses one bucket.
            public var bucketNames = ""
            public var region = ""
            public var accessKeyID = ""
            public var secretAccessKey = ""
            public var sessionToken = ""
            public var s3ForcePathStyle = false
            public var insecure = false
            public var requestTimeoutNanos: Int64 = 30_000_000_000
            public var minBackoffNanos: Int64 = 100_000_000
            public var maxBackoffNanos: Int64 = 3_000_000_000
            public var maxRetries = 5
            public var multipartThreshold = 16 << 20
            public var partSize = 8 << 20
        }
    }

    /// Cluster membership and replication (`ring:`).
    public struct Ring: Sendable, Hashable {
        /// The static membership file every role reads (see docs/ring.md).
        public var membershipFile = ""
        public var replicationFactor = 3
        /// This process's id in the membership file (ingesters).
        public var instanceID = ""
        public var pollIntervalNanos: Int64 = 10_000_000_000
    }

    /// Ruler settings (`ruler:`), Loki's names and defaults.
    public struct Ruler: Sendable, Hashable {
        /// Comma-separated Alertmanager base URLs; empty sends nothing.
        public var alertmanagerURL = ""
        public var externalURL = ""
        public var externalLabels: [String: String] = [:]
        public var evaluationIntervalNanos: Int64 = 60_000_000_000
        public var pollIntervalNanos: Int64 = 60_000_000_000
        /// Accepted for Loki compatibility; unused.
        public var rulePath = ""
        public var storageType = "local"
        /// Empty means `<common.path_prefix>/rules`.
        public var storageLocalDirectory = ""
        public var enableAPI = true
        public var resendDelayNanos: Int64 = 60_000_000_000
        public var notificationTimeoutNanos: Int64 = 10_000_000_000
        public var notificationQueueCapacity = 10_000
        public var remoteWrite = RemoteWrite()

        /// Where recording rules' samples go (`ruler.remote_write:`).
        public struct RemoteWrite: Sendable, Hashable {
            public var enabled = false
            public var clientURL = ""
            public var addOrgIDHeader = true
        }
    }

    /// The runtime configuration file (`runtime_config:`): per-tenant `overrides:` of `limits_config`, re-read while
    /// running.
    public struct RuntimeConfig: Sendable, Hashable {
        public var file = ""
        public var periodNanos: Int64 = 10_000_000_000
    }

    /// Compactor settings (`compactor:`).
    public struct Compactor: Sendable, Hashable {
        public var compactionIntervalNanos: Int64 = 600_000_000_000
        public var retentionEnabled = false
        public var retentionDeleteDelayNanos: Int64 = 2 * 3600 * 1_000_000_000
        public var deleteRequestCancelPeriodNanos: Int64 = 24 * 3600 * 1_000_000_000
        public var mergeSmallChunks = true
        public var lockTTLNanos: Int64 = 300_000_000_000
    }

    // MARK: Derived paths

    /// The WAL directory after defaults are applied.
    public var walDirectory: String {
        ingester.wal.dir.isEmpty ? joinPath(common.pathPrefix, "wal") : ingester.wal.dir
    }

    /// The chunk and index directory after defaults are applied.
    public var storageDirectory: String {
        storage.filesystemDirectory.isEmpty ? joinPath(common.pathPrefix, "chunks") : storage.filesystemDirectory
    }

    /// The rule files' directory after defaults are applied.
    public var rulesDirectory: String {
        ruler.storageLocalDirectory.isEmpty ? joinPath(common.pathPrefix, "rules") : ruler.storageLocalDirectory
    }

    private func joinPath(_ base: String, _ leaf: String) -> String {
        base.isEmpty ? leaf : (base.hasSuffix("/") ? base + leaf : base + "/" + leaf)
    }
}
