/// The answer to a query before it is encoded for a client (JSON for HTTP, binary on the wire).
public enum QueryResultData: Sendable {
    /// A log query's streams, sorted by label string.
    case streams([ResultStream])
    /// A range metric query's series, sorted by labels.
    case matrix([Series])
    /// An instant metric query's samples, sorted by labels unless the query used `sort`/`sort_desc`.
    case vector([InstantSample])
    /// A bare literal in an instant query.
    case scalar(timestampMillis: Int64, value: Double)
}

/// Entries of one result stream, in the query's direction.
public struct ResultStream: Sendable {
    /// The full label set the entries are grouped by: stream labels ∪ structured metadata ∪ parsed labels.
    public var labels: Labels
    /// The stream labels alone (used when a client asks for `categorize-labels`).
    public var streamLabels: Labels
    public var entries: [ResultEntry]

    public init(labels: Labels, streamLabels: Labels, entries: [ResultEntry]) {
        self.labels = labels
        self.streamLabels = streamLabels
        self.entries = entries
    }
}

/// One log entry in a result.
public struct ResultEntry: Sendable {
    public var timestamp: Int64
    /// The line after the pipeline, as bytes (may be invalid UTF-8; encoders repair it).
    public var line: [UInt8]
    /// The entry's structured metadata.
    public var structuredMetadata: Labels
    /// Labels the pipeline added (parsers, `label_format`, `__error__`).
    public var parsed: Labels

    public init(timestamp: Int64, line: [UInt8], structuredMetadata: Labels = Labels(), parsed: Labels = Labels()) {
        self.timestamp = timestamp
        self.line = line
        self.structuredMetadata = structuredMetadata
        self.parsed = parsed
    }
}

/// One point of a series: a millisecond timestamp and a value.
public struct SamplePoint: Sendable, Hashable {
    public var timestampMillis: Int64
    public var value: Double

    public init(timestampMillis: Int64, value: Double) {
        self.timestampMillis = timestampMillis
        self.value = value
    }
}

/// A series of a matrix result: points in ascending time.
public struct Series: Sendable {
    public var labels: Labels
    public var points: [SamplePoint]

    public init(labels: Labels, points: [SamplePoint]) {
        self.labels = labels
        self.points = points
    }
}

/// One sample of a vector result.
public struct InstantSample: Sendable {
    public var labels: Labels
    public var timestampMillis: Int64
    public var value: Double

    public init(labels: Labels, timestampMillis: Int64, value: Double) {
        self.labels = labels
        self.timestampMillis = timestampMillis
        self.value = value
    }
}

/// Work counters reported in a response's `stats`.
public struct QueryStatistics: Sendable, Hashable {
    public var totalBytesProcessed: Int64 = 0
    public var totalLinesProcessed: Int64 = 0
    public var totalEntriesReturned: Int64 = 0
    public var totalPostFilterLines: Int64 = 0
    public var totalStructuredMetadataBytesProcessed: Int64 = 0
    public var execTimeSeconds: Double = 0
    public var queueTimeSeconds: Double = 0
    public var subqueries: Int64 = 0
    public var splits: Int64 = 0
    public var shards: Int64 = 0
    public var chunksReferenced: Int64 = 0
    public var chunksDownloaded: Int64 = 0
    public var headChunkBytes: Int64 = 0
    public var headChunkLines: Int64 = 0
    public var decompressedBytes: Int64 = 0
    public var decompressedLines: Int64 = 0
    public var compressedBytes: Int64 = 0
    public var totalDuplicates: Int64 = 0
    public var ingestersReached: Int64 = 0
    /// `cache.result`: the results cache of range metric queries.
    public var resultCache = CacheStatistics()
    /// `cache.instantMetricResult`: the results cache of instant metric queries.
    public var instantMetricResultCache = CacheStatistics()
    /// `cache.logResult`: the cache of empty log-query results.
    public var logResultCache = CacheStatistics()

    public init() {}

    /// Hits of the range-query results cache (the two result-cache counters the wire protocol carries).
    public var resultCacheHits: Int64 {
        get { resultCache.entriesFound }
        set { resultCache.entriesFound = newValue }
    }

    /// Lookups of the range-query results cache.
    public var resultCacheRequests: Int64 {
        get { resultCache.entriesRequested }
        set { resultCache.entriesRequested = newValue }
    }

    /// Adds another set of counters (for merging split or replica results).
    public mutating func add(_ other: QueryStatistics) {
        totalBytesProcessed += other.totalBytesProcessed
        totalLinesProcessed += other.totalLinesProcessed
        totalEntriesReturned += other.totalEntriesReturned
        totalPostFilterLines += other.totalPostFilterLines
        totalStructuredMetadataBytesProcessed += other.totalStructuredMetadataBytesProcessed
        execTimeSeconds += other.execTimeSeconds
        queueTimeSeconds += other.queueTimeSeconds
        subqueries += other.subqueries
        splits += other.splits
        shards += other.shards
        chunksReferenced += other.chunksReferenced
        chunksDownloaded += other.chunksDownloaded
        headChunkBytes += other.headChunkBytes
        headChunkLines += other.headChunkLines
        decompressedBytes += other.decompressedBytes
        decompressedLines += other.decompressedLines
        compressedBytes += other.compressedBytes
        totalDuplicates += other.totalDuplicates
        ingestersReached += other.ingestersReached
        resultCache.add(other.resultCache)
        instantMetricResultCache.add(other.instantMetricResultCache)
        logResultCache.add(other.logResultCache)
    }
}

/// One cache's counters in a response's `stats.cache` (Loki's `stats.Cache`, same names).
public struct CacheStatistics: Sendable, Hashable {
    /// Keys found.
    public var entriesFound: Int64 = 0
    /// Keys looked up.
    public var entriesRequested: Int64 = 0
    /// Keys written.
    public var entriesStored: Int64 = 0
    /// Value bytes read from the cache.
    public var bytesReceived: Int64 = 0
    /// Value bytes written to the cache.
    public var bytesSent: Int64 = 0
    /// Calls to the cache (one lookup batch or one write batch each).
    public var requests: Int64 = 0
    /// Time spent reading from the cache (nanoseconds).
    public var downloadTimeNanos: Int64 = 0
    /// Length of the query's time range answered from the cache (nanoseconds).
    public var queryLengthServedNanos: Int64 = 0

    public init() {}

    public mutating func add(_ other: CacheStatistics) {
        entriesFound += other.entriesFound
        entriesRequested += other.entriesRequested
        entriesStored += other.entriesStored
        bytesReceived += other.bytesReceived
        bytesSent += other.bytesSent
        requests += other.requests
        downloadTimeNanos += other.downloadTimeNanos
        queryLengthServedNanos += other.queryLengthServedNanos
    }
}

/// A query result with its warnings and statistics.
public struct QueryResult: Sendable {
    public var data: QueryResultData
    public var statistics: QueryStatistics
    public var warnings: [String]

    public init(data: QueryResultData, statistics: QueryStatistics = QueryStatistics(), warnings: [String] = []) {
        self.data = data
        self.statistics = statistics
        self.warnings = warnings
    }
}

/// An entry a live tail had to drop because its reader was too slow (Loki's `dropped_entries`).
public struct DroppedTailEntry: Sendable, Hashable {
    /// Unix nanoseconds.
    public var timestamp: Int64
    public var labels: Labels

    public init(timestamp: Int64, labels: Labels) {
        self.timestamp = timestamp
        self.labels = labels
    }
}
