import FjordCompression
public import FjordModel

/// What the index records about one stored chunk: enough to plan a query block by block and to derive the
/// chunk's object key, without fetching the chunk.
public struct ChunkRef: Sendable, Hashable {
    public var fingerprint: UInt64
    /// Smallest and largest entry timestamp (Unix ns).
    public var from: Int64
    public var through: Int64
    public var entryCount: Int
    /// Line plus structured metadata bytes of all entries.
    public var uncompressedSize: Int
    /// Size of the chunk file.
    public var objectSize: Int
    /// CRC-32C of the chunk file.
    public var checksum: UInt32
    public var blocks: [ChunkBlockMeta]

    public init(fingerprint: UInt64, from: Int64, through: Int64, entryCount: Int, uncompressedSize: Int,
                objectSize: Int, checksum: UInt32, blocks: [ChunkBlockMeta]) {
        self.fingerprint = fingerprint
        self.from = from
        self.through = through
        self.entryCount = entryCount
        self.uncompressedSize = uncompressedSize
        self.objectSize = objectSize
        self.checksum = checksum
        self.blocks = blocks
    }

    /// The reference to an encoded chunk.
    public init(_ chunk: EncodedChunk) {
        self.init(fingerprint: chunk.labels.fingerprint, from: chunk.from, through: chunk.through,
                  entryCount: chunk.entryCount, uncompressedSize: chunk.uncompressedSize, objectSize: chunk.bytes.count,
                  checksum: chunk.checksum, blocks: chunk.blocks)
    }

    /// The chunk's object key for `tenant`.
    public func key(tenant: String) -> String {
        ChunkKey.make(tenant: tenant, fingerprint: fingerprint, from: from, through: through, checksum: checksum)
    }

    /// True when the chunk may hold entries in `[start, end)`.
    public func overlaps(start: Int64, end: Int64) -> Bool { through >= start && from < end }
}

/// One stream in an index segment: its labels and chunk references.
public struct IndexSeries: Sendable, Hashable {
    public var labels: Labels
    public var fingerprint: UInt64
    public var chunks: [ChunkRef]

    public init(labels: Labels, chunks: [ChunkRef]) {
        self.labels = labels
        self.fingerprint = labels.fingerprint
        self.chunks = chunks
    }
}

/// An immutable index file written at flush time for one tenant and one index period (see
/// `docs/storage-format.md`, "Index segment"): series labels through a symbol table, each with its chunk refs.
public struct IndexSegment: Sendable {
    public static let magic: [UInt8] = Array("FJIX".utf8)
    public static let version: UInt8 = 1
    /// File name extension of segment objects.
    public static let fileExtension = ".fidx"

    /// Series sorted by fingerprint, then labels.
    public let series: [IndexSeries]

    public init(series: [IndexSeries]) {
        self.series = series.sorted { lhs, rhs in
            lhs.fingerprint != rhs.fingerprint ? lhs.fingerprint < rhs.fingerprint
                : Labels.nameLess(lhs.labels.canonicalString, rhs.labels.canonicalString)
        }
    }

    /// Earliest `from` and latest `through` of the segment's chunks.
    public var timeRange: (from: Int64, through: Int64) {
        let chunks = series.flatMap(\.chunks)
        return (chunks.map(\.from).min() ?? 0, chunks.map(\.through).max() ?? 0)
    }

    // MARK: - Encoding

    /// The segment file: header, zstd-compressed body, CRC-32C.
    public func encode(level: Int32 = 3) -> [UInt8] {
        var symbols: [String: Int] = [:]
        var symbolList: [String] = []
        func symbol(_ text: String) -> Int {
            if let id = symbols[text] { return id }
            symbols[text] = symbolList.count
            symbolList.append(text)
            return symbolList.count - 1
        }
        var body = ByteWriter(capacity: 4096)
        body.uvarint(series.count)
        for entry in series {
            body.u64(entry.fingerprint)
            body.uvarint(entry.labels.count)
            for pair in entry.labels.pairs {
                body.uvarint(symbol(pair.name))
                body.uvarint(symbol(pair.value))
            }
            body.uvarint(entry.chunks.count)
            for chunk in entry.chunks {
                body.varint(chunk.from)
                body.uvarint(UInt64(bitPattern: chunk.through &- chunk.from))
                body.uvarint(chunk.entryCount)
                body.uvarint(chunk.uncompressedSize)
                body.uvarint(chunk.objectSize)
                body.u32(chunk.checksum)
                body.uvarint(chunk.blocks.count)
                for block in chunk.blocks { block.write(to: &body) }
            }
        }
        var raw = ByteWriter(capacity: body.count + 1024)
        raw.uvarint(symbolList.count)
        for text in symbolList { raw.string(text) }
        raw.append(body.bytes)
        let compressed = Zstd.compress(raw.bytes, level: level)
        var file = ByteWriter(capacity: compressed.count + 16)
        file.append(IndexSegment.magic)
        file.byte(IndexSegment.version)
        file.byte(1)
        file.uvarint(raw.count)
        file.append(compressed)
        file.u32(CRC32C.checksum(file.bytes))
        return file.bytes
    }

    // MARK: - Decoding

    /// Parses a segment file; `context` (usually the object key) goes into errors.
    public init(decoding bytes: [UInt8], context: String = "index segment") throws(CorruptDataError) {
        func corrupt(_ message: String) -> CorruptDataError { CorruptDataError(context: context, message: message) }
        guard bytes.count >= 11 else { throw corrupt("too short") }
        let stored = BigEndian.u32(bytes[...], at: bytes.count - 4)
        let actual = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<bytes.count - 4])) }
        guard stored == actual else { throw corrupt("checksum mismatch (stored \(stored), computed \(actual))") }
        var header = ByteReader(bytes[0..<bytes.count - 4], context: context)
        guard try header.take(4).elementsEqual(IndexSegment.magic) else { throw corrupt("bad magic") }
        let version = try header.byte()
        guard version == IndexSegment.version else { throw corrupt("unknown version \(version)") }
        let codec = try header.byte()
        let rawSize = try header.count(limit: 1 << 30, "body size")
        let payload = try header.take(header.remaining)
        let raw: ArraySlice<UInt8>
        switch codec {
        case 0:
            raw = payload
        case 1:
            let result = payload.withUnsafeBytes { buffer in
                Result { () throws(CompressionError) -> [UInt8] in try Zstd.decompress(buffer, expectedSize: rawSize) }
            }
            switch result {
            case .success(let decoded): raw = decoded[...]
            case .failure(let error): throw corrupt(error.description)
            }
        default:
            throw corrupt("unknown codec \(codec)")
        }
        var reader = ByteReader(raw, context: context)
        let symbolCount = try reader.count(limit: raw.count, "symbol count")
        var symbolList: [String] = []
        symbolList.reserveCapacity(symbolCount)
        for _ in 0..<symbolCount { symbolList.append(try reader.string()) }
        func symbol() throws(CorruptDataError) -> String {
            let id = try reader.count(limit: symbolCount, "symbol reference")
            guard id < symbolCount else { throw reader.error("symbol reference \(id) out of range") }
            return symbolList[id]
        }
        let seriesCount = try reader.count(limit: raw.count, "series count")
        var series: [IndexSeries] = []
        series.reserveCapacity(seriesCount)
        for _ in 0..<seriesCount {
            let fingerprint = try reader.u64()
            let labelCount = try reader.count(limit: raw.count, "label count")
            var pairs: [LabelPair] = []
            for _ in 0..<labelCount {
                let name = try symbol()
                pairs.append(LabelPair(name: name, value: try symbol()))
            }
            let chunkCount = try reader.count(limit: raw.count, "chunk count")
            var chunks: [ChunkRef] = []
            chunks.reserveCapacity(chunkCount)
            for _ in 0..<chunkCount {
                let from = try reader.varint()
                let span = try reader.uvarint()
                let (throughOffset, overflow) = (UInt64(bitPattern: from) ^ (1 << 63)).addingReportingOverflow(span)
                guard !overflow else { throw reader.error("chunk time span overflows") }
                let entries = try reader.count(limit: Int(UInt32.max), "entry count")
                let uncompressed = try reader.count(limit: Int(Int32.max), "chunk size")
                let objectSize = try reader.count(limit: Int(Int32.max), "object size")
                let checksum = try reader.u32()
                let blockCount = try reader.count(limit: raw.count, "block count")
                var blocks: [ChunkBlockMeta] = []
                blocks.reserveCapacity(blockCount)
                for _ in 0..<blockCount { blocks.append(try ChunkBlockMeta.read(from: &reader)) }
                chunks.append(ChunkRef(fingerprint: fingerprint, from: from, through: Int64(bitPattern: throughOffset ^ (1 << 63)),
                                       entryCount: entries, uncompressedSize: uncompressed, objectSize: objectSize,
                                       checksum: checksum, blocks: blocks))
            }
            let labels = Labels(pairs)
            guard labels.fingerprint == fingerprint else { throw reader.error("series fingerprint does not match its labels") }
            series.append(IndexSeries(labels: labels, chunks: chunks))
        }
        guard reader.isAtEnd else { throw reader.error("\(reader.remaining) trailing bytes") }
        self.series = series
    }
}

/// Index periods ("tables"): time is cut into fixed periods (24h by default, like Loki's `index_<n>` tables) and
/// every chunk is listed in each period it overlaps.
public struct IndexPeriods: Sendable, Hashable {
    /// Period length in ns.
    public var length: Int64

    public init(length: Int64 = 24 * 3600 * 1_000_000_000) {
        precondition(length > 0, "index period must be positive, got \(length)")
        self.length = length
    }

    /// The period number holding `time` (floor division).
    public func period(of time: Int64) -> Int64 {
        let quotient = time / length
        return time % length < 0 ? quotient - 1 : quotient
    }

    /// Periods overlapping the closed interval `[from, through]`.
    public func periods(from: Int64, through: Int64) -> ClosedRange<Int64> {
        period(of: from)...period(of: max(from, through))
    }

    /// The table name of a period: `index_<n>`.
    public func tableName(_ period: Int64) -> String { "index_\(period)" }

    /// The key prefix of a tenant's segments in one period: `<tenant>/index/index_<n>/`.
    public func prefix(tenant: String, period: Int64) -> String { "\(tenant)/index/\(tableName(period))/" }

    /// The key of a segment: `<tenant>/index/index_<n>/<from>-<through>-<crc>.fidx` (16/16/8 hex digits).
    public func segmentKey(tenant: String, period: Int64, segment bytes: [UInt8], from: Int64, through: Int64) -> String {
        let checksum = CRC32C.checksum(bytes)
        return prefix(tenant: tenant, period: period)
            + "\(ChunkKey.hex(UInt64(bitPattern: from), 16))-\(ChunkKey.hex(UInt64(bitPattern: through), 16))-\(ChunkKey.hex(UInt64(checksum), 8))"
            + IndexSegment.fileExtension
    }

    /// The period a segment key belongs to, or nil for keys that are not segments.
    public func period(ofSegmentKey key: String) -> Int64? {
        let parts = key.split(separator: "/")
        guard parts.count >= 4, parts[parts.count - 3] == "index", key.hasSuffix(IndexSegment.fileExtension) else { return nil }
        let table = parts[parts.count - 2]
        guard table.hasPrefix("index_") else { return nil }
        return Int64(table.dropFirst("index_".count))
    }
}
