public import FjordModel
import FjordStorage

/// Encodes a select answer into `streams` frame bodies of about `partBytes` each, as the server walks the streams.
///
/// Part body: `[u32 streamCount]` then per stream `[labels][uvarint blockCount]` and per block `[u8 encoding]
/// [byteRun]`. Encoding 0: a ``CompressedBlock``'s stored bytes, unchanged. 1: an entry batch (see
/// `WireWriter.entryBatch`). 2: the same batch as `[u32 raw size][zstd]`. A stream whose blocks do not fit one part
/// continues in the next under the same labels; the receiver joins them.
public struct WireSelectEncoder: Sendable {
    public let partBytes: Int
    public let compressionMinimumBytes: Int
    /// Batches are trimmed to the selected range; stored blocks travel whole.
    public let start: Int64
    public let end: Int64
    private var writer = WireWriter()
    private var streamCountPosition = 0
    private var streamCount: UInt32 = 0

    public init(start: Int64, end: Int64, partBytes: Int, compressionMinimumBytes: Int) {
        precondition(partBytes > 0, "WireSelectEncoder: partBytes must be positive")
        self.start = start
        self.end = end
        self.partBytes = partBytes
        self.compressionMinimumBytes = compressionMinimumBytes
        streamCountPosition = writer.placeholder()
    }

    /// Adds one stream; returns the parts that became full.
    public mutating func add(_ stream: StreamData) async throws -> [[UInt8]] {
        var finished: [[UInt8]] = []
        var blockCountPosition = openStream(stream.labels)
        var blocksInStream: UInt32 = 0
        for block in stream.blocks {
            guard let (encoding, bytes) = try await encodeBlock(block) else { continue }
            if blocksInStream > 0, writer.count + bytes.count > partBytes {
                writer.patch(blocksInStream, at: blockCountPosition)
                finished.append(closePart())
                blockCountPosition = openStream(stream.labels)
                blocksInStream = 0
            }
            writer.u8(encoding)
            writer.byteRun(bytes)
            blocksInStream += 1
        }
        writer.patch(blocksInStream, at: blockCountPosition)
        if writer.count >= partBytes { finished.append(closePart()) }
        return finished
    }

    /// The last part (possibly with no streams).
    public mutating func finish() -> [UInt8] { closePart() }

    private mutating func openStream(_ labels: Labels) -> Int {
        streamCount += 1
        writer.labels(labels)
        return writer.placeholder()
    }

    private mutating func closePart() -> [UInt8] {
        writer.patch(streamCount, at: streamCountPosition)
        let part = writer.take()
        writer = WireWriter()
        streamCount = 0
        streamCountPosition = writer.placeholder()
        return part
    }

    private func encodeBlock(_ block: any EntryBlock) async throws -> (UInt8, [UInt8])? {
        if let stored = block as? CompressedBlock { return (0, Array(stored.bytes)) }
        let batch = WireSelectEncoder.trim(try await block.decode(.full), start: start, end: end)
        if batch.isEmpty { return nil }
        var batchWriter = WireWriter(capacity: batch.totalLineBytes + batch.count * 4 + 16)
        batchWriter.entryBatch(batch)
        let raw = batchWriter.take()
        if let packed = WireCompression.compressIfUseful(raw, minimumBytes: compressionMinimumBytes) { return (2, packed) }
        return (1, raw)
    }

    /// The entries of an ascending batch inside `[start, end)` (columns sliced, not copied entry by entry).
    static func trim(_ batch: EntryBatch, start: Int64, end: Int64) -> EntryBatch {
        let low = StreamCursor.lowerBound(batch.timestamps, start)
        let high = max(low, StreamCursor.lowerBound(batch.timestamps, end))
        if low == 0, high == batch.count { return batch }
        let base = batch.lineStarts[low]
        return EntryBatch(
            timestamps: Array(batch.timestamps[low..<high]), lineStarts: batch.lineStarts[low...high].map { $0 - base },
            lineBytes: Array(batch.lineBytes[Int(base)..<Int(batch.lineStarts[high])]),
            metadata: batch.metadata.isEmpty ? [] : Array(batch.metadata[low..<high]), hasLines: true)
    }
}

/// Joins the parts of a select answer back into streams (first-appearance order), with blocks a ``StreamCursor``
/// can merge.
public struct WireSelectDecoder: Sendable {
    private var streams: [StreamData] = []
    private var positions: [Labels: Int] = [:]
    /// Largest decompressed batch accepted.
    public let maxBatchBytes: Int

    public init(maxBatchBytes: Int) { self.maxBatchBytes = maxBatchBytes }

    public mutating func add(part body: [UInt8]) throws(WireError) {
        var reader = WireReader(body, message: "streams")
        let streamCount = Int(try reader.fixed(UInt32.self))
        for _ in 0..<streamCount {
            let labels = try reader.labels()
            let blockCount = Int(try reader.fixed(UInt32.self))
            guard blockCount <= reader.remaining / 2 else { throw reader.failure("block count \(blockCount)") }
            var blocks: [any EntryBlock] = []
            blocks.reserveCapacity(blockCount)
            for _ in 0..<blockCount {
                let encoding = try reader.u8()
                let bytes = try reader.byteRun()
                blocks.append(try decodeBlock(encoding: encoding, bytes: bytes, reader: reader))
            }
            if let position = positions[labels] {
                streams[position].blocks.append(contentsOf: blocks)
            } else {
                positions[labels] = streams.count
                streams.append(StreamData(labels: labels, blocks: blocks))
            }
        }
        try reader.expectEnd()
    }

    public func finish() -> [StreamData] { streams }

    private func decodeBlock(encoding: UInt8, bytes: ArraySlice<UInt8>, reader: WireReader) throws(WireError) -> any EntryBlock {
        switch encoding {
        case 0:
            do {
                return try CompressedBlock(parsing: bytes)
            } catch {
                throw reader.failure("stored block: \(error)")
            }
        case 1, 2:
            let raw = encoding == 1 ? bytes : try WireCompression.decompress(bytes, limit: maxBatchBytes)[...]
            var batchReader = WireReader(raw, message: "batch block")
            let batch = try batchReader.entryBatch()
            try batchReader.expectEnd()
            guard BatchBlock.isAscending(batch.timestamps) else { throw reader.failure("batch block not in time order") }
            return BatchBlock(sorted: batch)
        default:
            throw reader.failure("block encoding \(encoding)")
        }
    }
}
