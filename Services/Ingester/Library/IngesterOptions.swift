public import FjordConfig
public import FjordStorage
public import FjordWAL

/// Everything the ingester needs to know, derived from the configuration.
public struct IngesterOptions: Sendable {
    public var stream: MemoryStreamConfig
    public var flush: FlushPolicy
    /// Nil when the WAL is disabled.
    public var walDirectory: String?
    public var wal: WALOptions
    public var flushCheckPeriodNanos: Int64
    public var flushOnShutdown: Bool
    public var concurrentFlushes: Int
    /// 0 = unlimited.
    public var maxStreamsPerTenant: Int
    public var perStreamRateBytes: Int
    public var perStreamBurstBytes: Int
    /// Number of independently locked shards streams are spread over (appends to different shards run in parallel).
    public var shardCount: Int
    /// Entry errors listed per stream in a push error (Loki's `max_returned_stream_errors`).
    public var maxReturnedStreamErrors: Int

    public init(config: FjordConfiguration) {
        let ingester = config.ingester
        stream = MemoryStreamConfig(
            blockSize: ingester.chunkBlockSize, targetChunkSize: ingester.chunkTargetSize,
            maxChunkAge: ingester.maxChunkAgeNanos, compressionLevel: Int32(ingester.chunkCompressionLevel))
        flush = FlushPolicy(chunkIdlePeriod: ingester.chunkIdlePeriodNanos, maxChunkAge: ingester.maxChunkAgeNanos)
        walDirectory = ingester.wal.enabled ? config.walDirectory : nil
        var walOptions = WALOptions()
        walOptions.segmentSize = ingester.wal.segmentSize
        switch ingester.wal.fsync {
        case "never": walOptions.fsync = .never
        case "interval": walOptions.fsync = .interval(milliseconds: Int(max(1, ingester.wal.fsyncIntervalNanos / 1_000_000)))
        default: walOptions.fsync = .always
        }
        wal = walOptions
        flushCheckPeriodNanos = ingester.flushCheckPeriodNanos
        flushOnShutdown = ingester.wal.flushOnShutdown || !ingester.wal.enabled
        concurrentFlushes = ingester.concurrentFlushes
        maxStreamsPerTenant = config.limits.maxGlobalStreamsPerUser
        perStreamRateBytes = config.limits.perStreamRateLimit
        perStreamBurstBytes = config.limits.perStreamRateLimitBurst
        shardCount = 8
        maxReturnedStreamErrors = 10
    }
}
