/// One configuration option: where it sits in the YAML, its Loki-style flag, its kind, its documentation and how to
/// read and write it on a ``FjordConfiguration``.
public struct ConfigOption: Sendable {
    /// Dotted YAML path, e.g. `limits_config.max_line_size`.
    public let path: String
    /// Command-line flag without the leading dash, e.g. `distributor.max-line-size` (nil when there is none).
    public let flag: String?
    public let kind: ConfigKind
    public let help: String
    let get: @Sendable (FjordConfiguration) -> ConfigValue
    let set: @Sendable (inout FjordConfiguration, ConfigValue) -> Void
    /// Extra check on a parsed value; returns an error message or nil.
    let check: @Sendable (ConfigValue) -> String?
    /// Credentials: `/config` prints `<secret>` instead of a set value.
    public internal(set) var secret = false

    /// The option's value in `config`.
    public func value(in config: FjordConfiguration) -> ConfigValue { get(config) }

    /// Sets the option on `config` (the value must be of the option's kind).
    public func apply(_ value: ConfigValue, to config: inout FjordConfiguration) { set(&config, value) }

    /// Why `value` is not acceptable, or nil.
    public func problem(with value: ConfigValue) -> String? { check(value) }
}

extension ConfigOption {
    static func bool(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, Bool> & Sendable,
                     _ help: String) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .bool, help: help,
                     get: { .bool($0[keyPath: key]) },
                     set: { config, value in if case .bool(let v) = value { config[keyPath: key] = v } },
                     check: { _ in nil })
    }

    static func int(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, Int> & Sendable,
                    _ help: String, min: Int = 0, max: Int = Int.max) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .int, help: help,
                     get: { .int($0[keyPath: key]) },
                     set: { config, value in if case .int(let v) = value { config[keyPath: key] = v } },
                     check: { value in
                         guard case .int(let v) = value else { return nil }
                         return (min...max).contains(v) ? nil : "must be between \(min) and \(max)"
                     })
    }

    static func bytes(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, Int> & Sendable,
                      _ help: String, min: Int = 0) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .bytes, help: help,
                     get: { .bytes($0[keyPath: key]) },
                     set: { config, value in if case .bytes(let v) = value { config[keyPath: key] = v } },
                     check: { value in
                         guard case .bytes(let v) = value else { return nil }
                         return v >= min ? nil : "must be at least \(min) bytes"
                     })
    }

    static func double(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, Double> & Sendable,
                       _ help: String) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .double, help: help,
                     get: { .double($0[keyPath: key]) },
                     set: { config, value in if case .double(let v) = value { config[keyPath: key] = v } },
                     check: { value in
                         guard case .double(let v) = value else { return nil }
                         return v >= 0 && v.isFinite ? nil : "must be a non-negative number"
                     })
    }

    static func string(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, String> & Sendable,
                       _ help: String, allowed: [String]? = nil) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .string, help: help,
                     get: { .string($0[keyPath: key]) },
                     set: { config, value in if case .string(let v) = value { config[keyPath: key] = v } },
                     check: { value in
                         guard let allowed, case .string(let v) = value else { return nil }
                         return allowed.contains(v) ? nil : "must be one of \(allowed.joined(separator: ", "))"
                     })
    }

    static func duration(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, Int64> & Sendable,
                         _ help: String, positive: Bool = false) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .duration, help: help,
                     get: { .duration($0[keyPath: key]) },
                     set: { config, value in if case .duration(let v) = value { config[keyPath: key] = v } },
                     check: { value in
                         guard case .duration(let v) = value else { return nil }
                         if v < 0 { return "must not be negative" }
                         if positive && v == 0 { return "must be greater than 0" }
                         return nil
                     })
    }

    static func stringMap(_ path: String, _ flag: String?,
                          _ key: any WritableKeyPath<FjordConfiguration, [String: String]> & Sendable,
                          _ help: String) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .stringMap, help: help,
                     get: { .stringMap($0[keyPath: key]) },
                     set: { config, value in if case .stringMap(let v) = value { config[keyPath: key] = v } },
                     check: { _ in nil })
    }

    /// A string option whose value `/config` hides (credentials).
    static func secret(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, String> & Sendable,
                       _ help: String) -> ConfigOption {
        var option = string(path, flag, key, help)
        option.secret = true
        return option
    }

    static func retentionStreams(_ path: String,
                                 _ key: any WritableKeyPath<FjordConfiguration, [RetentionStreamConfig]> & Sendable,
                                 _ help: String) -> ConfigOption {
        ConfigOption(path: path, flag: nil, kind: .retentionStreams, help: help,
                     get: { .retentionStreams($0[keyPath: key]) },
                     set: { config, value in if case .retentionStreams(let v) = value { config[keyPath: key] = v } },
                     check: { value in
                         guard case .retentionStreams(let rules) = value else { return nil }
                         return rules.contains { $0.periodNanos < 24 * 3_600_000_000_000 }
                             ? "retention period must be >= 24h" : nil
                     })
    }

    static func strings(_ path: String, _ flag: String?, _ key: any WritableKeyPath<FjordConfiguration, [String]> & Sendable,
                        _ help: String) -> ConfigOption {
        ConfigOption(path: path, flag: flag, kind: .stringList, help: help,
                     get: { .stringList($0[keyPath: key]) },
                     set: { config, value in if case .stringList(let v) = value { config[keyPath: key] = v } },
                     check: { _ in nil })
    }
}

/// The table of every configuration option. Documented in `docs/configuration.md` (a test keeps them in sync).
public enum ConfigOptions {
    /// Sections accepted for compatibility with Loki configs but not used by Fjord (documented as such).
    public static let ignoredSections: Set<String> = ["schema_config", "analytics", "tracing", "memberlist", "frontend_worker"]

    /// All options in documentation order.
    public static let all: [ConfigOption] = [
        .bool("auth_enabled", "auth.enabled", \.authEnabled,
              "Multi-tenancy, as in Loki: every request acts for the tenant(s) in `X-Scope-OrgID` (with a credentials file: checked against the credential's tenants, or filled in when it has exactly one). When false every request is tenant `fake`."),
        .string("target", "target", \.target,
                "Roles this process runs: `all` (every role in one process, local disk), or one of `gateway`, `ingester`, `querier`, `compactor`, `ruler` for cluster mode (the `fjord-<role>` executables set it).",
                allowed: ["all", "gateway", "ingester", "querier", "compactor", "ruler"]),

        .string("server.http_listen_address", "server.http-listen-address", \.server.httpListenAddress,
                "Address the HTTP API listens on; empty means all interfaces."),
        .int("server.http_listen_port", "server.http-listen-port", \.server.httpListenPort,
             "Port of the HTTP API (0 picks a free port and logs it).", max: 65535),
        .string("server.log_level", "log.level", \.server.logLevel, "Log level.",
                allowed: ["debug", "info", "warn", "error"]),
        .duration("server.http_server_read_timeout", "server.http-read-timeout", \.server.httpReadTimeoutNanos,
                  "Longest time a client may take to send a request (head and body); the connection is closed when it passes. 0 means no limit."),
        .duration("server.http_server_write_timeout", "server.http-write-timeout", \.server.httpWriteTimeoutNanos,
                  "Longest time from a request's head to the end of its response being written: slow queries, and clients that stop reading, are cut off by closing the connection (raise it for long queries, as in Loki). 0 means no limit."),
        .duration("server.http_server_idle_timeout", "server.http-idle-timeout", \.server.httpIdleTimeoutNanos,
                  "Idle keep-alive connections are closed after this time; 0 uses the read timeout."),
        .duration("server.http_server_read_header_timeout", "server.http-read-header-timeout",
                  \.server.httpReadHeaderTimeoutNanos,
                  "Longest time a new connection may take to send its first complete request head (TLS handshake included); slow clients are disconnected.",
                  positive: true),
        .string("server.http_tls_config.cert_file", "server.http-tls-cert-path", \.server.httpTLSCertFile,
                "PEM certificate chain of the HTTP listener; with `key_file` the listener speaks only TLS 1.2 or newer. Both files are re-read when they change (every `auth.reload_interval`)."),
        .string("server.http_tls_config.key_file", "server.http-tls-key-path", \.server.httpTLSKeyFile,
                "PEM private key matching `cert_file`."),
        .bool("server.http_allow_insecure", "server.http-allow-insecure", \.server.httpAllowInsecure,
              "Serve the public HTTP API (gateway, all-in-one) as plain HTTP when no TLS certificate is configured. Without TLS and without this, the gateway and `fjord` refuse to start. `scripts/start` sets it for local development."),
        .duration("server.graceful_shutdown_timeout", "server.graceful-shutdown-timeout",
                  \.server.gracefulShutdownTimeoutNanos, "Time allowed for in-flight requests to finish on shutdown."),
        .string("server.path_prefix", "server.path-prefix", \.server.pathPrefix, "Prefix for every HTTP route."),
        .string("server.internal_listen_address", "server.internal-listen-address", \.server.internalListenAddress,
                "Address the internal wire-protocol listener of cluster roles binds; empty means all interfaces."),
        .int("server.internal_listen_port", "server.internal-listen-port", \.server.internalListenPort,
             "Port of the internal wire-protocol listener (Loki's gRPC port).", max: 65535),
        .bool("server.internal_tls_enabled", "server.internal-tls-enabled", \.server.internalTLSEnabled,
              "Mutual TLS between roles: the internal listener requires a client certificate signed by the CA, and outgoing connections present this process's certificate."),
        .string("server.internal_tls_cert_file", "server.internal-tls-cert-file", \.server.internalTLSCertFile,
                "PEM certificate of this process for internal TLS."),
        .string("server.internal_tls_key_file", "server.internal-tls-key-file", \.server.internalTLSKeyFile,
                "PEM private key of this process for internal TLS."),
        .string("server.internal_tls_ca_file", "server.internal-tls-ca-file", \.server.internalTLSCAFile,
                "PEM CA certificate(s) that sign every role's certificate."),

        .string("common.compactor_grpc_address", "common.compactor-grpc-address", \.common.compactorGRPCAddress,
                "The compactor's internal (wire) address `host:port`; the gateway sends `/loki/api/v1/delete` there in cluster mode (the all-in-one calls its compactor in process)."),
        .string("common.path_prefix", "common.path-prefix", \.common.pathPrefix,
                "Directory where all data goes (WAL under `wal/`, chunks and index under `chunks/`) unless set separately."),

        .bytes("ingester.chunk_block_size", "ingester.chunks-block-size", \.ingester.chunkBlockSize,
               "Uncompressed size at which the head block is compressed into a block.", min: 1024),
        .bytes("ingester.chunk_target_size", "ingester.chunk-target-size", \.ingester.chunkTargetSize,
               "Compressed size at which a chunk is closed and flushed.", min: 1024),
        .duration("ingester.chunk_idle_period", "ingester.chunks-idle-period", \.ingester.chunkIdlePeriodNanos,
                  "A chunk that receives nothing for this long is flushed.", positive: true),
        .duration("ingester.max_chunk_age", "ingester.max-chunk-age", \.ingester.maxChunkAgeNanos,
                  "A chunk spanning more than this is flushed. Half of it is the out-of-order window.", positive: true),
        .duration("ingester.flush_check_period", "ingester.flush-check-period", \.ingester.flushCheckPeriodNanos,
                  "How often the ingester looks for chunks to flush.", positive: true),
        .duration("ingester.flush_op_timeout", "ingester.flush-op-timeout", \.ingester.flushOpTimeoutNanos,
                  "Longest time one flush may take before it is retried.", positive: true),
        .int("ingester.concurrent_flushes", "ingester.concurrent-flushes", \.ingester.concurrentFlushes,
             "Chunks written to the store in parallel.", min: 1, max: 256),
        .string("ingester.chunk_encoding", "ingester.chunk-encoding", \.ingester.chunkEncoding,
                "Block compression. Fjord stores blocks with zstd (chosen by measurement, see docs/decisions).",
                allowed: ["zstd"]),
        .int("ingester.chunk_compression_level", "ingester.chunk-compression-level", \.ingester.chunkCompressionLevel,
             "zstd level for blocks (1 is fastest; higher levels trade ingest CPU for disk).", min: 1, max: 19),
        .bool("ingester.wal.enabled", "ingester.wal-enabled", \.ingester.wal.enabled,
              "Write every push to the write-ahead log before acknowledging it, and replay it on start."),
        .string("ingester.wal.dir", "ingester.wal-dir", \.ingester.wal.dir,
                "WAL directory; empty means `<common.path_prefix>/wal`."),
        .bool("ingester.wal.flush_on_shutdown", "ingester.flush-on-shutdown", \.ingester.wal.flushOnShutdown,
              "Flush every chunk to the store on shutdown (otherwise the WAL keeps the data and is replayed on start)."),
        .string("ingester.wal.fsync", "ingester.wal-fsync", \.ingester.wal.fsync,
                "`always`: a push is acknowledged only after its WAL record is fsynced (concurrent pushes share one fsync). `interval`: fsync every `fsync_interval`, acknowledge after the write (a crash may lose the last interval). `never`: leave it to the OS.",
                allowed: ["always", "interval", "never"]),
        .duration("ingester.wal.fsync_interval", "ingester.wal-fsync-interval", \.ingester.wal.fsyncIntervalNanos,
                  "fsync period for `fsync: interval`.", positive: true),
        .bytes("ingester.wal.segment_size", "ingester.wal-segment-size", \.ingester.wal.segmentSize,
               "WAL segment files are rotated at this size.", min: 1 << 20),

        .double("limits_config.ingestion_rate_mb", "distributor.ingestion-rate-limit-mb", \.limits.ingestionRateMB,
                "Per-tenant ingestion rate in MiB/s (429 when exceeded)."),
        .double("limits_config.ingestion_burst_size_mb", "distributor.ingestion-burst-size-mb",
                \.limits.ingestionBurstSizeMB, "Per-tenant ingestion burst in MiB."),
        .bytes("limits_config.max_line_size", "distributor.max-line-size", \.limits.maxLineSize,
               "Longest accepted line in bytes; 0 means unlimited."),
        .bool("limits_config.max_line_size_truncate", "distributor.max-line-size-truncate", \.limits.maxLineSizeTruncate,
              "Truncate lines longer than `max_line_size` instead of rejecting them."),
        .int("limits_config.max_label_name_length", "validation.max-length-label-name", \.limits.maxLabelNameLength,
             "Longest label name in bytes."),
        .int("limits_config.max_label_value_length", "validation.max-length-label-value", \.limits.maxLabelValueLength,
             "Longest label value in bytes."),
        .int("limits_config.max_label_names_per_series", "validation.max-label-names-per-series",
             \.limits.maxLabelNamesPerSeries, "Most labels per stream (`service_name` not counted)."),
        .bool("limits_config.reject_old_samples", "validation.reject-old-samples", \.limits.rejectOldSamples,
              "Reject entries older than `reject_old_samples_max_age`."),
        .duration("limits_config.reject_old_samples_max_age", "validation.reject-old-samples.max-age",
                  \.limits.rejectOldSamplesMaxAgeNanos, "Age beyond which entries are rejected."),
        .duration("limits_config.creation_grace_period", "validation.create-grace-period",
                  \.limits.creationGracePeriodNanos, "How far in the future an entry's timestamp may be."),
        .bool("limits_config.allow_structured_metadata", "validation.allow-structured-metadata",
              \.limits.allowStructuredMetadata, "Accept structured metadata on entries."),
        .bytes("limits_config.max_structured_metadata_size", "limits.max-structured-metadata-size",
               \.limits.maxStructuredMetadataSize, "Largest structured metadata per entry (names + values, bytes)."),
        .int("limits_config.max_structured_metadata_entries_count", "limits.max-structured-metadata-entries-count",
             \.limits.maxStructuredMetadataEntriesCount, "Most structured metadata pairs per entry."),
        .bool("limits_config.increment_duplicate_timestamps", "validation.increment-duplicate-timestamps",
              \.limits.incrementDuplicateTimestamps,
              "Give an entry with the same timestamp as the previous one but a different line a timestamp 1 ns later."),
        .strings("limits_config.discover_service_name", "validation.discover-service-name",
                 \.limits.discoverServiceName,
                 "Labels whose value becomes `service_name` when a stream has none (first present wins); empty disables it."),
        .bool("limits_config.discover_log_levels", "validation.discover-log-levels", \.limits.discoverLogLevels,
              "Add `detected_level` structured metadata to every entry."),
        .int("limits_config.max_global_streams_per_user", "ingester.max-global-streams-per-user",
             \.limits.maxGlobalStreamsPerUser, "Most active streams per tenant; 0 means unlimited."),
        .bytes("limits_config.per_stream_rate_limit", "ingester.per-stream-rate-limit", \.limits.perStreamRateLimit,
               "Per-stream ingestion rate in bytes/s."),
        .bytes("limits_config.per_stream_rate_limit_burst", "ingester.per-stream-rate-limit-burst",
               \.limits.perStreamRateLimitBurst, "Per-stream ingestion burst in bytes."),
        .int("limits_config.max_entries_limit_per_query", "validation.max-entries-limit", \.limits.maxEntriesLimitPerQuery,
             "Largest `limit` a log query may ask for."),
        .int("limits_config.max_query_series", "querier.max-query-series", \.limits.maxQuerySeries,
             "Most series a metric query may return."),
        .duration("limits_config.max_query_length", "querier.max-query-length", \.limits.maxQueryLengthNanos,
                  "Longest time range of a query; 0 means unlimited."),
        .duration("limits_config.max_query_lookback", "querier.max-query-lookback", \.limits.maxQueryLookbackNanos,
                  "Queries are clamped to data newer than this; 0 means unlimited."),
        .duration("limits_config.max_query_range", "querier.max-query-range", \.limits.maxQueryRangeNanos,
                  "Largest `[range]` in a metric query; 0 means unlimited."),
        .duration("limits_config.query_timeout", "querier.query-timeout", \.limits.queryTimeoutNanos,
                  "Queries running longer fail with 504.", positive: true),
        .int("limits_config.max_query_parallelism", "querier.max-query-parallelism", \.limits.maxQueryParallelism,
             "Most splits of one query the query frontend runs at once (spread over the queriers); 0 disables querying (429 `querying is disabled, please contact your Loki operator`).", min: 0),
        .duration("limits_config.split_queries_by_interval", "querier.split-queries-by-interval",
                  \.limits.splitQueriesByIntervalNanos,
                  "The query frontend splits range queries at multiples of this interval since the Unix epoch: metric queries by evaluation step (the interval grows to a multiple of itself spanning four times the query's largest `[range]`), log queries by time, newest split first for `backward` (one at a time while they bring entries, in parallel after an empty one). 0 disables splitting and the results cache of range queries."),
        .duration("limits_config.max_cache_freshness_per_query", "frontend.max-cache-freshness",
                  \.limits.maxCacheFreshnessPerQueryNanos,
                  "Results for times newer than now minus this are never cached (their data may still arrive)."),
        .duration("limits_config.retention_period", "store.retention", \.limits.retentionPeriodNanos,
                  "How long a tenant's data is kept (with `compactor.retention_enabled`); 0 keeps it forever. At least 24h when set."),
        .retentionStreams("limits_config.retention_stream", \.limits.retentionStream,
                          "Per-stream retention: a list of `{selector: '{namespace=\"dev\"}', priority: 1, period: 24h}`. The matching rule with the highest priority wins (equal priorities: the shorter period); streams matching none keep `retention_period`. Periods are at least 24h."),
        .string("limits_config.deletion_mode", "compactor.deletion-mode", \.limits.deletionMode,
                "`filter-and-delete` (queries hide lines of pending delete requests, the compactor removes them), `filter-only` (queries hide them, nothing is removed) or `disabled` (the delete API answers 400).",
                allowed: ["disabled", "filter-only", "filter-and-delete"]),
        .int("limits_config.max_concurrent_tail_requests", "querier.max-concurrent-tail-requests",
             \.limits.maxConcurrentTailRequests, "Most live tails per tenant."),

        .bool("querier.multi_tenant_queries_enabled", "querier.multi-tenant-queries-enabled",
              \.querier.multiTenantQueriesEnabled, "Allow `X-Scope-OrgID: a|b` reads across tenants."),
        .duration("querier.query_ingesters_within", "querier.query-ingesters-within",
                  \.querier.queryIngestersWithinNanos,
                  "Ingesters are asked only for queries whose end is within this of now; 0 means always. The all-in-one always asks its in-process ingester."),
        .int("querier.max_concurrent", "querier.max-concurrent", \.querier.maxConcurrent,
             "Queries one querier runs at once.", min: 1),
        .duration("querier.tail_max_duration", "querier.tail-max-duration", \.querier.tailMaxDurationNanos,
                  "Longest live tail session: then the WebSocket is closed with 1011 `reached tail max duration limit`.",
                  positive: true),
        .int("querier.tail_buffer_entries", "querier.tail-buffer-entries", \.querier.tailBufferEntries,
             "Unread entries one live tail may hold (in each ingester's subscription, and in the tailer while the client reads slowly); past it entries are dropped and reported in `dropped_entries`, never slowing pushes. Fjord only.",
             min: 1),

        .bool("query_range.align_queries_with_step", "querier.align-querier-with-step",
              \.queryRange.alignQueriesWithStep, "Align start and end of metric queries to the step."),
        .bool("query_range.cache_results", "querier.cache-results", \.queryRange.cacheResults,
              "Cache query results in the query frontend: range metric queries per split (extents), instant metric queries, and empty log-query splits. The embedded in-memory cache is used unless memcached addresses are set. `Cache-Control: no-cache` on a request bypasses it."),
        .int("query_range.results_cache.cache.embedded_cache.max_size_mb", "frontend.embedded-cache.max-size-mb",
             \.queryRange.embeddedCacheMaxSizeMB,
             "Size of the embedded results cache in MiB (keys plus values; least recently used entries are evicted).",
             min: 1),
        .duration("query_range.results_cache.cache.embedded_cache.ttl", "frontend.embedded-cache.ttl",
                  \.queryRange.embeddedCacheTTLNanos, "Entries of the embedded results cache expire after this; 0 keeps them until evicted."),
        .string("query_range.results_cache.cache.memcached_client.addresses", "frontend.memcached.addresses",
                \.queryRange.memcachedAddresses,
                "Comma-separated `host:port` list of memcached servers for the results cache (shared by every gateway); empty uses the embedded cache. An unreachable memcached only makes queries run uncached."),
        .duration("query_range.results_cache.cache.memcached_client.timeout", "frontend.memcached.timeout",
                  \.queryRange.memcachedTimeoutNanos, "Connect and answer timeout of each memcached call.", positive: true),
        .int("query_range.results_cache.cache.memcached_client.max_idle_conns", "frontend.memcached.max-idle-conns",
             \.queryRange.memcachedMaxIdleConns, "Idle connections kept per memcached server.", min: 1),
        .bytes("query_range.results_cache.cache.memcached_client.max_item_size", "frontend.memcached.max-item-size",
               \.queryRange.memcachedMaxItemSize,
               "Results cache entries larger than this are not written to memcached (memcached's own default limit is 1 MiB); 0 means no limit."),
        .duration("query_range.results_cache.cache.memcached.expiration", "frontend.memcached.expiration",
                  \.queryRange.memcachedExpirationNanos,
                  "Lifetime of results cache entries in memcached (whole seconds; 0 keeps them until memcached evicts them)."),

        .string("runtime_config.file", "runtime-config.file", \.runtimeConfig.file,
                "YAML file with per-tenant limits: `overrides: {<tenant>: {<limits_config option>: value}}`; options a tenant does not set keep `limits_config`. Re-read every `period` without a restart; a file that does not load is reported and the previous overrides stay (a bad file at start-up stops the process). Used by the compactor (retention) today."),
        .duration("runtime_config.period", "runtime-config.reload-period", \.runtimeConfig.periodNanos,
                  "How often the runtime configuration file is checked for changes.", positive: true),

        .duration("compactor.compaction_interval", "compactor.compaction-interval", \.compactor.compactionIntervalNanos,
                  "How often the compactor runs: merges each tenant's index segments of a day into one, merges small chunks of a stream, applies retention and delete requests, sweeps replaced chunks.",
                  positive: true),
        .bool("compactor.retention_enabled", "compactor.retention-enabled", \.compactor.retentionEnabled,
              "Apply `limits_config.retention_period` / `retention_stream` and accept delete requests (`/loki/api/v1/delete`)."),
        .duration("compactor.retention_delete_delay", "compactor.retention-delete-delay", \.compactor.retentionDeleteDelayNanos,
                  "Chunks that left the index (retention, deletes, merges) are deleted from the store this long afterwards, so queries already running can finish."),
        .duration("compactor.delete_request_cancel_period", "compactor.delete-request-cancel-period",
                  \.compactor.deleteRequestCancelPeriodNanos,
                  "A delete request can be cancelled for this long; the compactor applies it afterwards."),
        .bool("compactor.merge_small_chunks", "compactor.merge-small-chunks", \.compactor.mergeSmallChunks,
              "Merge a stream's chunks smaller than half of `ingester.chunk_target_size` (within one index period) into chunks of about that size, and drop entries that replicas stored twice."),
        .duration("compactor.lock_ttl", "compactor.lock-ttl", \.compactor.lockTTLNanos,
                  "Only one compactor acts at a time: it holds the `compactor.lock` object in the store, renewed while it works. A lock older than this is taken over (a crashed compactor's); the same `ring.instance_id` takes its own lock back at once.",
                  positive: true),

        .string("ruler.alertmanager_url", "ruler.alertmanager-url", \.ruler.alertmanagerURL,
                "Alertmanager base URL(s), comma-separated; alerts are posted to `<url>/api/v2/alerts`. Empty: alerts are evaluated (and visible in the API) but not sent."),
        .string("ruler.external_url", "ruler.external.url", \.ruler.externalURL,
                "Base of each alert's `generatorURL` (Loki links to Grafana Explore) and `$externalURL` in templates."),
        .stringMap("ruler.external_labels", nil, \.ruler.externalLabels,
                   "Labels added to every alert and recorded series that does not have them; `$externalLabels` in templates."),
        .duration("ruler.evaluation_interval", "ruler.evaluation-interval", \.ruler.evaluationIntervalNanos,
                  "How often a rule group is evaluated when it sets no `interval`.", positive: true),
        .duration("ruler.poll_interval", "ruler.poll-interval", \.ruler.pollIntervalNanos,
                  "How often the rule files (and the membership file's rulers) are re-read; API changes apply at once.",
                  positive: true),
        .string("ruler.rule_path", "ruler.rule-path", \.ruler.rulePath,
                "Loki's scratch directory for rule files; accepted for compatibility, Fjord keeps loaded rules in memory and writes nothing there."),
        .string("ruler.storage.type", "ruler.storage.type", \.ruler.storageType,
                "Where rule files live: `local` (a directory, one sub-directory per tenant).", allowed: ["local"]),
        .string("ruler.storage.local.directory", "ruler.storage.local.directory", \.ruler.storageLocalDirectory,
                "Rule files: `<directory>/<tenant>/<namespace>.yaml`; empty means `<common.path_prefix>/rules`. Cluster rulers share one directory."),
        .bool("ruler.enable_api", "ruler.enable-api", \.ruler.enableAPI,
              "Serve `/loki/api/v1/rules` (list, get, set, delete) and `/prometheus/api/v1/rules` and `/alerts`."),
        .duration("ruler.resend_delay", "ruler.resend-delay", \.ruler.resendDelayNanos,
                  "A firing alert is sent to Alertmanager again after this long (and resolved alerts for 15 minutes).",
                  positive: true),
        .duration("ruler.notification_timeout", "ruler.notification-timeout", \.ruler.notificationTimeoutNanos,
                  "Longest time one request to Alertmanager or the remote-write endpoint may take.", positive: true),
        .int("ruler.notification_queue_capacity", "ruler.notification-queue-capacity",
             \.ruler.notificationQueueCapacity, "Most alerts waiting for Alertmanager; the oldest are dropped beyond it.",
             min: 1),
        .bool("ruler.remote_write.enabled", "ruler.remote-write.enabled", \.ruler.remoteWrite.enabled,
              "Send recording rules' samples to `remote_write.client.url` (Prometheus remote-write: protobuf + snappy)."),
        .string("ruler.remote_write.client.url", "ruler.remote-write.url", \.ruler.remoteWrite.clientURL,
                "Remote-write endpoint, e.g. Prometheus' `http://prometheus:9090/api/v1/write`."),
        .bool("ruler.remote_write.add_org_id_header", "ruler.remote-write.add-org-id-header",
              \.ruler.remoteWrite.addOrgIDHeader, "Send the rule's tenant as `X-Scope-OrgID` with remote-write requests."),

        .string("ring.membership_file", "ring.membership-file", \.ring.membershipFile,
                "Static membership file listing every ingester (id, address, optional zone and tokens) and querier; re-read when it changes. Required by cluster roles (docs/ring.md)."),
        .int("ring.replication_factor", "ring.replication-factor", \.ring.replicationFactor,
             "Copies of each stream kept by ingesters in cluster mode; a push succeeds when RF/2+1 of them acknowledge it.",
             min: 1, max: 9),
        .string("ring.instance_id", "ring.instance-id", \.ring.instanceID,
                "This ingester's id in the membership file (defaults to the host name)."),
        .duration("ring.poll_interval", "ring.poll-interval", \.ring.pollIntervalNanos,
                  "How often the membership file is checked for changes.", positive: true),

        .string("auth.credentials_file", "auth.credentials-file", \.auth.credentialsFile,
                "YAML file of users (salted password hashes, HTTP basic auth) and bearer tokens (stored as SHA-256), each with the tenants it may use and its rights there (push, query, tail, delete) plus optional `admin`; wrong credentials get 401, anything else not allowed 403. Re-read when it changes. Made with `fjord credentials` (docs/security.md)."),
        .bool("auth.trust_org_id_header", "auth.trust-org-id-header", \.auth.trustOrgIDHeader,
              "Without a credentials file, take `X-Scope-OrgID` from the client as given, like Loki (only behind a proxy that authenticates). With `auth_enabled` and neither this nor a credentials file, the gateway and `fjord` refuse to start."),
        .duration("auth.reload_interval", "auth.reload-interval", \.auth.reloadIntervalNanos,
                  "How often the credentials file and the HTTP TLS certificate and key are checked for changes.",
                  positive: true),

        .bytes("distributor.max_recv_msg_size", "distributor.max-recv-msg-size", \.distributor.maxRecvMsgSize,
               "Largest push body accepted as received (compressed); larger ones get 413. Decompressed bodies may be 50 times larger.",
               min: 1024),

        .string("storage_config.object_store", "store.object-store", \.storage.objectStore,
                "Where chunks, index segments and delete requests live: `filesystem` (a local or shared directory) or `s3` (an S3-compatible bucket, `storage_config.aws`). Every role of a cluster must use the same store.",
                allowed: ["filesystem", "s3"]),
        .string("storage_config.filesystem.directory", "local.chunk-directory", \.storage.filesystemDirectory,
                "Directory of chunks and index; empty means `<common.path_prefix>/chunks`."),
        .string("storage_config.aws.endpoint", "s3.endpoint", \.storage.aws.endpoint,
                "S3 endpoint: `host[:port]` or a URL with scheme; empty means AWS (`s3.<region>.amazonaws.com`)."),
        .string("storage_config.aws.bucketnames", "s3.buckets", \.storage.aws.bucketNames,
                "The bucket (Loki accepts a comma-separated list; Fjord uses the first)."),
        .string("storage_config.aws.region", "s3.region", \.storage.aws.region,
                "Region used in request signatures; empty means `us-east-1`."),
        .string("storage_config.aws.access_key_id", "s3.access-key-id", \.storage.aws.accessKeyID,
                "Access key ID (Signature V4)."),
        .secret("storage_config.aws.secret_access_key", "s3.secret-access-key", \.storage.aws.secretAccessKey,
                "Secret access key (shown as `<secret>` by `/config`)."),
        .secret("storage_config.aws.session_token", "s3.session-token", \.storage.aws.sessionToken,
                "Session token of temporary credentials, sent as `x-amz-security-token`."),
        .bool("storage_config.aws.s3forcepathstyle", "s3.force-path-style", \.storage.aws.s3ForcePathStyle,
              "Path-style URLs (`endpoint/bucket/key`) instead of virtual-host style (`bucket.endpoint/key`); most self-hosted servers (MinIO, Ceph) need it."),
        .bool("storage_config.aws.insecure", "s3.insecure", \.storage.aws.insecure,
              "Plain HTTP when the endpoint names no scheme."),
        .duration("storage_config.aws.request_timeout", "s3.request-timeout", \.storage.aws.requestTimeoutNanos,
                  "Deadline of one S3 HTTP request (each retry has its own).", positive: true),
        .duration("storage_config.aws.backoff_config.min_period", "s3.min-backoff", \.storage.aws.minBackoffNanos,
                  "First delay before retrying a request that failed with a network error, 5xx or 429 (doubles per retry, with jitter).",
                  positive: true),
        .duration("storage_config.aws.backoff_config.max_period", "s3.max-backoff", \.storage.aws.maxBackoffNanos,
                  "Longest delay between retries.", positive: true),
        .int("storage_config.aws.backoff_config.max_retries", "s3.max-retries", \.storage.aws.maxRetries,
             "Retries after the first attempt of an S3 request.", max: 100),
        .bytes("storage_config.aws.multipart_threshold", "s3.multipart-threshold", \.storage.aws.multipartThreshold,
               "Objects larger than this are uploaded with multipart upload.", min: 5 << 20),
        .bytes("storage_config.aws.part_size", "s3.part-size", \.storage.aws.partSize,
               "Size of each multipart upload part but the last (S3's minimum is 5 MiB).", min: 5 << 20),
    ]

    /// Options by YAML path.
    public static let byPath: [String: ConfigOption] = Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })

    /// Options by flag name.
    public static let byFlag: [String: ConfigOption] = Dictionary(
        uniqueKeysWithValues: all.compactMap { option in option.flag.map { ($0, option) } })
}
