import FjordModel

/// The `stats` object of query responses, with every field of Loki's `stats.Result` in Loki's order
/// (`pkg/logqlmodel/stats`). Fjord's counters fill the fields they correspond to; the rest are zero, which clients
/// accept.
extension JSONBuffer {
    mutating func append(stats: QueryStatistics, _ style: StatsFloatStyle) {
        append("{\"summary\":")
        appendSummary(stats, style)
        append(",\"querier\":{\"store\":")
        appendStore(
            chunksReferenced: stats.chunksReferenced, chunksDownloaded: stats.chunksDownloaded,
            structuredMetadataBytes: stats.totalStructuredMetadataBytesProcessed,
            chunk: [
                stats.headChunkBytes, stats.headChunkLines, stats.decompressedBytes, stats.decompressedLines,
                stats.compressedBytes, stats.totalDuplicates, stats.totalPostFilterLines, 0,
                stats.totalStructuredMetadataBytesProcessed,
            ])
        append("},\"ingester\":{\"totalReached\":")
        append(decimal: stats.ingestersReached)
        append(",\"totalChunksMatched\":0,\"totalBatches\":0,\"totalLinesSent\":0,\"store\":")
        appendStore(chunksReferenced: 0, chunksDownloaded: 0, structuredMetadataBytes: 0, chunk: [])
        append("},\"cache\":{")
        let caches: [StaticString] = [
            "chunk", "index", "result", "statsResult", "volumeResult", "seriesResult", "labelResult",
            "instantMetricResult", "logResult", "taskResult",
        ]
        for (index, name) in caches.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            append(UInt8(ascii: "\""))
            append(name)
            append("\":")
            switch name.description {
            case "result": appendCache(stats.resultCache)
            case "instantMetricResult": appendCache(stats.instantMetricResultCache)
            case "logResult": appendCache(stats.logResultCache)
            default: appendCache(CacheStatistics())
            }
        }
        append("},\"index\":{\"totalChunks\":")
        append(decimal: stats.chunksReferenced)
        append(",\"postFilterChunks\":")
        append(decimal: stats.chunksReferenced)
        append(",\"shardsDuration\":0,\"usedBloomFilters\":false,\"totalStreams\":0,\"chunkRefsLookupTime\":0,")
        append("\"bloomFilterTime\":0}}")
    }

    private mutating func appendSummary(_ stats: QueryStatistics, _ style: StatsFloatStyle) {
        var bytesPerSecond: Int64 = 0
        var linesPerSecond: Int64 = 0
        if stats.execTimeSeconds > 0 {
            bytesPerSecond = Self.truncated(Double(stats.totalBytesProcessed) / stats.execTimeSeconds)
            linesPerSecond = Self.truncated(Double(stats.totalLinesProcessed) / stats.execTimeSeconds)
        }
        append("{\"bytesProcessedPerSecond\":")
        append(decimal: bytesPerSecond)
        append(",\"linesProcessedPerSecond\":")
        append(decimal: linesPerSecond)
        append(",\"totalBytesProcessed\":")
        append(decimal: stats.totalBytesProcessed)
        append(",\"totalLinesProcessed\":")
        append(decimal: stats.totalLinesProcessed)
        append(",\"execTime\":")
        append(statsFloat: stats.execTimeSeconds, style)
        append(",\"queueTime\":")
        append(statsFloat: stats.queueTimeSeconds, style)
        append(",\"subqueries\":")
        append(decimal: stats.subqueries)
        append(",\"totalEntriesReturned\":")
        append(decimal: stats.totalEntriesReturned)
        append(",\"splits\":")
        append(decimal: stats.splits)
        append(",\"shards\":")
        append(decimal: stats.shards)
        append(",\"totalPostFilterLines\":")
        append(decimal: stats.totalPostFilterLines)
        append(",\"totalStructuredMetadataBytesProcessed\":")
        append(decimal: stats.totalStructuredMetadataBytesProcessed)
        append(UInt8(ascii: "}"))
    }

    /// A `Store` object; `chunk` holds the nine chunk counters in Loki's order (empty = all zero).
    private mutating func appendStore(
        chunksReferenced: Int64, chunksDownloaded: Int64, structuredMetadataBytes: Int64, chunk: [Int64]
    ) {
        append("{\"totalChunksRef\":")
        append(decimal: chunksReferenced)
        append(",\"totalChunksDownloaded\":")
        append(decimal: chunksDownloaded)
        append(",\"chunksDownloadTime\":0,\"queryReferencedStructuredMetadata\":")
        if structuredMetadataBytes > 0 { append("true") } else { append("false") }
        append(",\"queryUsedV2Engine\":false,\"chunk\":{")
        let names: [StaticString] = [
            "headChunkBytes", "headChunkLines", "decompressedBytes", "decompressedLines", "compressedBytes",
            "totalDuplicates", "postFilterLines", "headChunkStructuredMetadataBytes",
            "decompressedStructuredMetadataBytes",
        ]
        for (index, name) in names.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            append(UInt8(ascii: "\""))
            append(name)
            append("\":")
            append(decimal: index < chunk.count ? chunk[index] : 0)
        }
        append("},\"chunkRefsFetchTime\":0,\"congestionControlLatency\":0,\"pipelineWrapperFilteredLines\":0,")
        append("\"dataobj\":{\"prePredicateDecompressedRows\":0,\"prePredicateDecompressedBytes\":0,")
        append("\"prePredicateDecompressedStructuredMetadataBytes\":0,\"postPredicateRows\":0,")
        append("\"postPredicateDecompressedBytes\":0,\"postPredicateStructuredMetadataBytes\":0,\"postFilterRows\":0,")
        append("\"pagesScanned\":0,\"pagesDownloaded\":0,\"pagesDownloadedBytes\":0,\"pageBatches\":0,")
        append("\"totalRowsAvailable\":0,\"totalPageDownloadTime\":0,\"wireBytesTransferred\":0}}")
    }

    /// A `Cache` object; `downloadTime` and `queryLengthServed` are Go durations (integer nanoseconds) like Loki's.
    private mutating func appendCache(_ cache: CacheStatistics) {
        append("{\"entriesFound\":")
        append(decimal: cache.entriesFound)
        append(",\"entriesRequested\":")
        append(decimal: cache.entriesRequested)
        append(",\"entriesStored\":")
        append(decimal: cache.entriesStored)
        append(",\"bytesReceived\":")
        append(decimal: cache.bytesReceived)
        append(",\"bytesSent\":")
        append(decimal: cache.bytesSent)
        append(",\"requests\":")
        append(decimal: cache.requests)
        append(",\"downloadTime\":")
        append(decimal: cache.downloadTimeNanos)
        append(",\"queryLengthServed\":")
        append(decimal: cache.queryLengthServedNanos)
        append(UInt8(ascii: "}"))
    }

    /// Go's `int64(float)` for finite values in range.
    private static func truncated(_ value: Double) -> Int64 {
        guard value.isFinite, value.magnitude < 9.2e18 else { return 0 }
        return Int64(value.rounded(.towardZero))
    }
}
