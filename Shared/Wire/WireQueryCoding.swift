public import FjordModel

/// Encodes a ``QueryResult`` into `queryResult` frame bodies of about `partBytes` each, and joins them back.
///
/// Part body: `[u8 type][u32 itemCount][items…][bool last]`, and after `last = 1` the statistics and warnings.
/// Types: 0 streams, 1 matrix, 2 vector, 3 scalar. A stream or series too large for one part continues in the next
/// as an item with the same labels; the decoder joins adjacent items with equal labels (results hold each label
/// set once, so only splitting makes them adjacent).
public enum WireQueryCoding {
    public static func encode(_ result: QueryResult, partBytes: Int) -> [[UInt8]] {
        var parts = PartBuilder(type: typeCode(result.data), partBytes: partBytes)
        switch result.data {
        case .streams(let streams):
            for stream in streams {
                parts.item(counted: true) { writer in
                    writer.labels(stream.labels)
                    writer.labels(stream.streamLabels)
                }
                for entry in stream.entries {
                    parts.element { writer in
                        writer.varint(entry.timestamp)
                        writer.byteRun(entry.line)
                        writer.labels(entry.structuredMetadata)
                        writer.labels(entry.parsed)
                    }
                }
            }
        case .matrix(let series):
            for one in series {
                parts.item(counted: true) { writer in writer.labels(one.labels) }
                for point in one.points {
                    parts.element { writer in
                        writer.varint(point.timestampMillis)
                        writer.double(point.value)
                    }
                }
            }
        case .vector(let samples):
            for sample in samples {
                parts.item { writer in
                    writer.labels(sample.labels)
                    writer.varint(sample.timestampMillis)
                    writer.double(sample.value)
                }
            }
        case .scalar(let timestampMillis, let value):
            parts.item { writer in
                writer.varint(timestampMillis)
                writer.double(value)
            }
        }
        return parts.finish { writer in
            writer.statistics(result.statistics)
            writer.strings(result.warnings)
        }
    }

    /// Joins decoded parts; throws unless the last part carries the trailer and every part has the same type.
    public static func decode(_ parts: [[UInt8]]) throws(WireError) -> QueryResult {
        var type: UInt8?
        var streams: [ResultStream] = []
        var series: [Series] = []
        var samples: [InstantSample] = []
        var scalar: (Int64, Double)?
        var trailer: (QueryStatistics, [String])?
        for body in parts {
            guard trailer == nil else { throw WireError.malformed("query result", "part after the last one") }
            var reader = WireReader(body, message: "query result")
            let partType = try reader.u8()
            guard partType <= 3, type == nil || type == partType else { throw reader.failure("result type \(partType)") }
            type = partType
            let itemCount = Int(try reader.fixed(UInt32.self))
            guard itemCount <= reader.remaining else { throw reader.failure("item count \(itemCount)") }
            for _ in 0..<itemCount {
                switch partType {
                case 0: try readStream(&reader, into: &streams)
                case 1: try readSeries(&reader, into: &series)
                case 2:
                    let labels = try reader.labels()
                    samples.append(InstantSample(labels: labels, timestampMillis: try reader.varint(), value: try reader.double()))
                default:
                    guard scalar == nil else { throw reader.failure("second scalar") }
                    scalar = (try reader.varint(), try reader.double())
                }
            }
            if try reader.bool() { trailer = (try reader.statistics(), try reader.strings()) }
            try reader.expectEnd()
        }
        guard let (statistics, warnings) = trailer else { throw WireError.malformed("query result", "no last part") }
        let data: QueryResultData
        switch type {
        case 1: data = .matrix(series)
        case 2: data = .vector(samples)
        case 3:
            guard let (timestamp, value) = scalar else { throw WireError.malformed("query result", "scalar without value") }
            data = .scalar(timestampMillis: timestamp, value: value)
        default: data = .streams(streams)
        }
        return QueryResult(data: data, statistics: statistics, warnings: warnings)
    }

    private static func readStream(_ reader: inout WireReader, into streams: inout [ResultStream]) throws(WireError) {
        let labels = try reader.labels()
        let streamLabels = try reader.labels()
        let entryCount = Int(try reader.fixed(UInt32.self))
        guard entryCount <= reader.remaining / 4 else { throw reader.failure("entry count \(entryCount)") }
        var entries: [ResultEntry] = []
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            let timestamp = try reader.varint()
            let line = Array(try reader.byteRun())
            let metadata = try reader.labels()
            entries.append(ResultEntry(timestamp: timestamp, line: line, structuredMetadata: metadata,
                                       parsed: try reader.labels()))
        }
        if let last = streams.last, last.labels == labels, last.streamLabels == streamLabels {
            streams[streams.count - 1].entries.append(contentsOf: entries)
        } else {
            streams.append(ResultStream(labels: labels, streamLabels: streamLabels, entries: entries))
        }
    }

    private static func readSeries(_ reader: inout WireReader, into series: inout [Series]) throws(WireError) {
        let labels = try reader.labels()
        let pointCount = Int(try reader.fixed(UInt32.self))
        guard pointCount <= reader.remaining / 9 else { throw reader.failure("point count \(pointCount)") }
        var points: [SamplePoint] = []
        points.reserveCapacity(pointCount)
        for _ in 0..<pointCount {
            points.append(SamplePoint(timestampMillis: try reader.varint(), value: try reader.double()))
        }
        if let last = series.last, last.labels == labels {
            series[series.count - 1].points.append(contentsOf: points)
        } else {
            series.append(Series(labels: labels, points: points))
        }
    }

    private static func typeCode(_ data: QueryResultData) -> UInt8 {
        switch data {
        case .streams: 0
        case .matrix: 1
        case .vector: 2
        case .scalar: 3
        }
    }
}

/// Builds `[u8 type][u32 itemCount][items][bool last]…` parts. An item is a header optionally followed by
/// elements counted by a u32 (stream entries, series points); when a part fills up in the middle of an item, the
/// item's header is written again at the start of the next part.
struct PartBuilder {
    let type: UInt8
    let partBytes: Int
    private var writer = WireWriter()
    private var parts: [[UInt8]] = []
    private var itemCountPosition = 0
    private var itemCount: UInt32 = 0
    /// The open item's header bytes and the position of its element count (when it has elements).
    private var itemHeader: [UInt8] = []
    private var elementCountPosition: Int?
    private var elementCount: UInt32 = 0
    private var isCounted = false

    init(type: UInt8, partBytes: Int) {
        precondition(partBytes > 0, "PartBuilder: partBytes must be positive")
        self.type = type
        self.partBytes = partBytes
        openPart()
    }

    /// Starts an item with the given header; with `counted`, a u32 element count follows the header and
    /// ``element(_:)`` adds to it.
    mutating func item(counted: Bool = false, _ header: (inout WireWriter) -> Void) {
        closeItem()
        if writer.count >= partBytes { closePart(last: false) }
        var headerWriter = WireWriter(capacity: 64)
        header(&headerWriter)
        itemHeader = headerWriter.take()
        isCounted = counted
        writeItemHeader()
    }

    /// Adds one element to the open counted item, continuing the item in a new part when this one is full.
    mutating func element(_ body: (inout WireWriter) -> Void) {
        precondition(isCounted, "PartBuilder.element needs an open counted item")
        if writer.count >= partBytes, elementCount > 0 {
            closeItem()
            closePart(last: false)
            writeItemHeader()
        }
        body(&writer)
        elementCount += 1
    }

    private mutating func writeItemHeader() {
        writer.raw(itemHeader)
        itemCount += 1
        elementCountPosition = isCounted ? writer.placeholder() : nil
        elementCount = 0
    }

    /// Closes the last part with the trailer and returns every part.
    mutating func finish(trailer: (inout WireWriter) -> Void) -> [[UInt8]] {
        closeItem()
        writer.patch(itemCount, at: itemCountPosition)
        writer.bool(true)
        trailer(&writer)
        parts.append(writer.take())
        return parts
    }

    private mutating func closeItem() {
        if let position = elementCountPosition { writer.patch(elementCount, at: position) }
        elementCountPosition = nil
        elementCount = 0
    }

    private mutating func closePart(last: Bool) {
        writer.patch(itemCount, at: itemCountPosition)
        writer.bool(last)
        parts.append(writer.take())
        openPart()
    }

    private mutating func openPart() {
        writer = WireWriter()
        writer.u8(type)
        itemCountPosition = writer.placeholder()
        itemCount = 0
    }
}

extension WireWriter {
    /// The 19 integer counters then the 2 durations of ``QueryStatistics``, in declaration order.
    mutating func statistics(_ stats: QueryStatistics) {
        for value in [stats.totalBytesProcessed, stats.totalLinesProcessed, stats.totalEntriesReturned,
                      stats.totalPostFilterLines, stats.totalStructuredMetadataBytesProcessed, stats.subqueries,
                      stats.splits, stats.shards, stats.chunksReferenced, stats.chunksDownloaded, stats.headChunkBytes,
                      stats.headChunkLines, stats.decompressedBytes, stats.decompressedLines, stats.compressedBytes,
                      stats.totalDuplicates, stats.ingestersReached, stats.resultCacheHits, stats.resultCacheRequests] {
            varint(value)
        }
        double(stats.execTimeSeconds)
        double(stats.queueTimeSeconds)
    }
}

extension WireReader {
    mutating func statistics() throws(WireError) -> QueryStatistics {
        var stats = QueryStatistics()
        stats.totalBytesProcessed = try varint()
        stats.totalLinesProcessed = try varint()
        stats.totalEntriesReturned = try varint()
        stats.totalPostFilterLines = try varint()
        stats.totalStructuredMetadataBytesProcessed = try varint()
        stats.subqueries = try varint()
        stats.splits = try varint()
        stats.shards = try varint()
        stats.chunksReferenced = try varint()
        stats.chunksDownloaded = try varint()
        stats.headChunkBytes = try varint()
        stats.headChunkLines = try varint()
        stats.decompressedBytes = try varint()
        stats.decompressedLines = try varint()
        stats.compressedBytes = try varint()
        stats.totalDuplicates = try varint()
        stats.ingestersReached = try varint()
        stats.resultCacheHits = try varint()
        stats.resultCacheRequests = try varint()
        stats.execTimeSeconds = try double()
        stats.queueTimeSeconds = try double()
        return stats
    }
}
