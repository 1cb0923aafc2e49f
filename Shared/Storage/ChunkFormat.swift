import FjordCompression
public import FjordModel

/// Where one block sits in a chunk file and what it holds; also stored in index segments so a querier can plan
/// block by block before fetching the chunk.
public struct ChunkBlockMeta: Sendable, Hashable {
    /// Byte offset of the block inside the chunk file.
    public var offset: Int
    /// Encoded block length, without its 4-byte CRC.
    public var length: Int
    public var entryCount: Int
    public var minTime: Int64
    public var maxTime: Int64
    /// Line plus structured metadata bytes.
    public var uncompressedSize: Int

    public init(offset: Int, length: Int, entryCount: Int, minTime: Int64, maxTime: Int64, uncompressedSize: Int) {
        self.offset = offset
        self.length = length
        self.entryCount = entryCount
        self.minTime = minTime
        self.maxTime = maxTime
        self.uncompressedSize = uncompressedSize
    }

    func write(to writer: inout ByteWriter) {
        writer.uvarint(offset)
        writer.uvarint(length)
        writer.uvarint(entryCount)
        writer.varint(minTime)
        writer.uvarint(UInt64(bitPattern: maxTime &- minTime))
        writer.uvarint(uncompressedSize)
    }

    static func read(from reader: inout ByteReader) throws(CorruptDataError) -> ChunkBlockMeta {
        let offset = try reader.count(limit: Int(Int32.max), "block offset")
        let length = try reader.count(limit: Int(Int32.max), "block length")
        let entries = try reader.count(limit: Int(UInt32.max), "block entries")
        let minTime = try reader.varint()
        let span = try reader.uvarint()
        let (maxOffset, overflow) = (UInt64(bitPattern: minTime) ^ (1 << 63)).addingReportingOverflow(span)
        guard !overflow else { throw reader.error("block time span overflows") }
        let uncompressed = try reader.count(limit: Int(Int32.max), "block size")
        return ChunkBlockMeta(offset: offset, length: length, entryCount: entries, minTime: minTime,
                              maxTime: Int64(bitPattern: maxOffset ^ (1 << 63)), uncompressedSize: uncompressed)
    }
}

/// The chunk file format: one stream's compressed blocks, each followed by its CRC-32C, then the metas (stream
/// labels and one ``ChunkBlockMeta`` per block) and a fixed 16-byte footer pointing at them, so a reader can fetch
/// the footer, then the metas, then only the blocks it needs (byte layout in `docs/storage-format.md`).
public enum ChunkFormat {
    /// `FJCK`, at the start and at the very end of every chunk file.
    public static let magic: [UInt8] = Array("FJCK".utf8)
    public static let version: UInt8 = 1
    /// Magic, version, flags.
    public static let headerSize = 6
    /// Metas offset (u64 BE), metas length (u32 BE, including the metas CRC), magic.
    public static let footerSize = 16

    /// Reads a footer (the last ``footerSize`` bytes of a chunk of `totalSize` bytes): the metas' byte range.
    public static func metasRange(footer: ArraySlice<UInt8>, totalSize: Int, context: String = "chunk") throws(CorruptDataError) -> Range<Int> {
        func corrupt(_ message: String) -> CorruptDataError { CorruptDataError(context: context, message: message) }
        guard footer.count == footerSize, totalSize >= headerSize + footerSize else { throw corrupt("too short for a chunk") }
        guard footer.suffix(4).elementsEqual(magic) else { throw corrupt("bad footer magic") }
        let offset = BigEndian.u64(footer, at: footer.startIndex)
        let length = BigEndian.u32(footer, at: footer.startIndex + 8)
        let (end, overflow) = offset.addingReportingOverflow(UInt64(length))
        guard offset >= UInt64(headerSize), length >= 4, !overflow, end == UInt64(totalSize - footerSize) else {
            throw corrupt("metas at \(offset)+\(length) do not fit a chunk of \(totalSize) bytes")
        }
        return Int(offset)..<Int(offset) + Int(length)
    }

    /// Decodes the metas section (with its CRC) into the stream labels and block metas.
    public static func parseMetas(_ bytes: ArraySlice<UInt8>, context: String = "chunk") throws(CorruptDataError) -> (labels: Labels, blocks: [ChunkBlockMeta]) {
        guard bytes.count >= 4 else { throw CorruptDataError(context: context, message: "metas too short") }
        let body = bytes.dropLast(4)
        let stored = BigEndian.u32(bytes, at: bytes.endIndex - 4)
        let actual = body.withUnsafeBytes { CRC32C.checksum($0) }
        guard stored == actual else {
            throw CorruptDataError(context: context, message: "metas checksum mismatch (stored \(stored), computed \(actual))")
        }
        var reader = ByteReader(body, context: context + " metas")
        let labelCount = try reader.count(limit: body.count, "label count")
        var pairs: [LabelPair] = []
        for _ in 0..<labelCount {
            let name = try reader.string()
            pairs.append(LabelPair(name: name, value: try reader.string()))
        }
        let blockCount = try reader.count(limit: body.count, "block count")
        var blocks: [ChunkBlockMeta] = []
        blocks.reserveCapacity(blockCount)
        for _ in 0..<blockCount { blocks.append(try ChunkBlockMeta.read(from: &reader)) }
        guard reader.isAtEnd else { throw reader.error("\(reader.remaining) trailing bytes") }
        return (Labels(pairs), blocks)
    }
}

/// A chunk ready to be stored: the encoded file and the facts the index keeps about it.
public struct EncodedChunk: Sendable {
    public let bytes: [UInt8]
    public let labels: Labels
    public let blocks: [ChunkBlockMeta]
    /// Smallest and largest entry timestamp.
    public let from: Int64
    public let through: Int64
    public let entryCount: Int
    /// Line plus structured metadata bytes of all entries.
    public let uncompressedSize: Int
    /// CRC-32C of ``bytes``.
    public let checksum: UInt32

    /// Encodes a stream's blocks (in cut order) as one chunk file.
    public init(labels: Labels, blocks compressed: [CompressedBlock]) {
        var writer = ByteWriter(capacity: compressed.reduce(64) { $0 + $1.compressedSize + 4 } + 64 * compressed.count)
        writer.append(ChunkFormat.magic)
        writer.byte(ChunkFormat.version)
        writer.byte(0)
        var metas: [ChunkBlockMeta] = []
        for block in compressed where block.entryCount > 0 {
            let offset = writer.count
            writer.append(block.bytes)
            writer.u32(block.bytes.withUnsafeBytes { CRC32C.checksum($0) })
            metas.append(ChunkBlockMeta(offset: offset, length: block.compressedSize, entryCount: block.entryCount,
                                        minTime: block.minTime, maxTime: block.maxTime,
                                        uncompressedSize: block.uncompressedSize))
        }
        let metasOffset = writer.count
        var metaWriter = ByteWriter()
        metaWriter.uvarint(labels.count)
        for pair in labels.pairs {
            metaWriter.string(pair.name)
            metaWriter.string(pair.value)
        }
        metaWriter.uvarint(metas.count)
        for meta in metas { meta.write(to: &metaWriter) }
        metaWriter.u32(CRC32C.checksum(metaWriter.bytes))
        writer.append(metaWriter.bytes)
        writer.u64(UInt64(metasOffset))
        writer.u32(UInt32(metaWriter.count))
        writer.append(ChunkFormat.magic)
        self.bytes = writer.bytes
        self.labels = labels
        self.blocks = metas
        self.from = metas.map(\.minTime).min() ?? 0
        self.through = metas.map(\.maxTime).max() ?? 0
        self.entryCount = metas.reduce(0) { $0 + $1.entryCount }
        self.uncompressedSize = metas.reduce(0) { $0 + $1.uncompressedSize }
        self.checksum = CRC32C.checksum(writer.bytes)
    }
}

/// A chunk file read back: its labels and lazily decoded blocks (each block's CRC is checked when it is decoded).
public struct DecodedChunk: Sendable {
    public let labels: Labels
    public let blockMetas: [ChunkBlockMeta]
    public let blocks: [ChunkBlock]

    /// Parses a whole chunk file. `context` (usually the object key) is put into errors.
    public init(bytes: [UInt8], context: String = "chunk") throws(CorruptDataError) {
        let all = bytes[...]
        guard all.count >= ChunkFormat.headerSize + ChunkFormat.footerSize else {
            throw CorruptDataError(context: context, message: "\(all.count) bytes is too short for a chunk")
        }
        guard all.prefix(4).elementsEqual(ChunkFormat.magic) else { throw CorruptDataError(context: context, message: "bad magic") }
        guard all[4] == ChunkFormat.version else {
            throw CorruptDataError(context: context, message: "unknown chunk version \(all[4])")
        }
        guard all[5] == 0 else { throw CorruptDataError(context: context, message: "unknown chunk flags \(all[5])") }
        let metasRange = try ChunkFormat.metasRange(footer: all.suffix(ChunkFormat.footerSize), totalSize: all.count, context: context)
        let (labels, metas) = try ChunkFormat.parseMetas(all[metasRange], context: context)
        var expectedOffset = ChunkFormat.headerSize
        var blocks: [ChunkBlock] = []
        for (index, meta) in metas.enumerated() {
            guard meta.offset == expectedOffset, meta.length <= metasRange.lowerBound - meta.offset - 4 else {
                throw CorruptDataError(context: context, message: "block \(index) at \(meta.offset)+\(meta.length) is out of place")
            }
            expectedOffset = meta.offset + meta.length + 4
            blocks.append(ChunkBlock(meta: meta, storedBytes: all[meta.offset..<expectedOffset], context: "\(context) block \(index)"))
        }
        guard expectedOffset == metasRange.lowerBound else {
            throw CorruptDataError(context: context, message: "\(metasRange.lowerBound - expectedOffset) unaccounted bytes before the metas")
        }
        self.labels = labels
        self.blockMetas = metas
        self.blocks = blocks
    }
}

/// One block of a stored chunk: bounds come from the chunk's metas; the bytes are checked against their CRC-32C and
/// decoded only when a query asks.
public struct ChunkBlock: EntryBlock, Sendable {
    public let meta: ChunkBlockMeta
    /// The block's bytes followed by their 4-byte CRC.
    let storedBytes: ArraySlice<UInt8>
    let context: String

    /// A block from its meta and the bytes `[offset, offset + length + 4)` of its chunk.
    public init(meta: ChunkBlockMeta, storedBytes: ArraySlice<UInt8>, context: String) {
        self.meta = meta
        self.storedBytes = storedBytes
        self.context = context
    }

    public var minTime: Int64 { meta.minTime }
    public var maxTime: Int64 { meta.maxTime }
    public var entryCount: Int { meta.entryCount }

    /// The block's bytes after checking their CRC.
    public func verified() throws(CorruptDataError) -> CompressedBlock {
        guard storedBytes.count == meta.length + 4 else {
            throw CorruptDataError(context: context, message: "expected \(meta.length + 4) bytes, have \(storedBytes.count)")
        }
        let body = storedBytes.dropLast(4)
        let stored = BigEndian.u32(storedBytes, at: storedBytes.endIndex - 4)
        let actual = body.withUnsafeBytes { CRC32C.checksum($0) }
        guard stored == actual else {
            throw CorruptDataError(context: context, message: "checksum mismatch (stored \(stored), computed \(actual))")
        }
        let block: CompressedBlock
        do throws(CorruptDataError) {
            block = try CompressedBlock(parsing: body)
        } catch {
            throw error.within(context)
        }
        guard block.entryCount == meta.entryCount, block.minTime == meta.minTime, block.maxTime == meta.maxTime else {
            throw CorruptDataError(context: context, message: "block header disagrees with the chunk metas")
        }
        return block
    }

    public func decode(_ content: BlockContent) async throws -> EntryBatch {
        try decodeNow(content)
    }

    /// Decodes synchronously after checking the CRC.
    public func decodeNow(_ content: BlockContent) throws(CorruptDataError) -> EntryBatch {
        let block = try verified()
        do throws(CorruptDataError) {
            return try block.decodeNow(content)
        } catch {
            throw error.within(context)
        }
    }
}

/// Object keys of chunk files: `<tenant>/chunks/<fingerprint>/<from>-<through>-<checksum>`, all lowercase hex
/// (fingerprint and times 16 digits, times as the two's-complement of Unix ns; checksum 8 digits). Identical chunks
/// (e.g. from replicas that cut at the same entries) get identical keys, so writing one twice is harmless.
public enum ChunkKey {
    public static func make(tenant: String, fingerprint: UInt64, from: Int64, through: Int64, checksum: UInt32) -> String {
        "\(tenant)/chunks/\(hex(fingerprint, 16))/\(hex(UInt64(bitPattern: from), 16))-\(hex(UInt64(bitPattern: through), 16))-\(hex(UInt64(checksum), 8))"
    }

    /// The key of an encoded chunk.
    public static func make(tenant: String, chunk: EncodedChunk) -> String {
        make(tenant: tenant, fingerprint: chunk.labels.fingerprint, from: chunk.from, through: chunk.through,
             checksum: chunk.checksum)
    }

    static func hex(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
