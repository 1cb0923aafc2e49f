import FjordCompression
public import FjordModel

/// An immutable, compressed run of one stream's entries in timestamp order: what a head block becomes when it is
/// cut, and the unit a chunk stores.
///
/// The encoding is columnar (byte layout in `docs/storage-format.md`): a small uncompressed header (entry count,
/// time bounds, sizes) and five separately compressed sections — timestamps, line lengths, rewritten lines
/// (``LineTransform``), packed hex tokens, and structured metadata through a per-block symbol table. Decoding with
/// ``BlockContent/timestampsAndSizes`` touches only the first two, small sections.
///
/// The value holds its bytes (often a slice of a whole chunk) and is cheap to copy and share between tasks.
public struct CompressedBlock: EntryBlock, Sendable {
    /// Version byte at the start of every block.
    public static let formatVersion: UInt8 = 1
    /// Largest decompressed section a decoder accepts (guards allocations against corrupt sizes).
    static let maximumSectionSize = 1 << 30

    /// Where one section lives inside ``bytes`` and how it is stored.
    struct Section: Sendable, Hashable {
        /// 0 = stored raw, 1 = zstd.
        var codec: UInt8
        var rawSize: Int
        var range: Range<Int>
    }

    /// The encoded block: header followed by the four sections.
    public let bytes: ArraySlice<UInt8>
    public let minTime: Int64
    public let maxTime: Int64
    public let entryCount: Int
    /// Sum of the entries' line lengths.
    public let lineBytes: Int
    /// Sum of the entries' structured metadata name and value lengths.
    public let metadataBytes: Int
    let times: Section
    let sizes: Section
    let lines: Section
    let tokens: Section
    let metadata: Section

    /// Line plus structured metadata bytes: what Loki counts as a block's uncompressed size.
    public var uncompressedSize: Int { lineBytes + metadataBytes }
    /// Encoded size in bytes.
    public var compressedSize: Int { bytes.count }

    /// Stored bytes of the header and of each section (for measurements).
    public var storedSizes: (header: Int, timestamps: Int, sizes: Int, lines: Int, tokens: Int, metadata: Int) {
        (times.range.lowerBound - bytes.startIndex, times.range.count, sizes.range.count, lines.range.count,
         tokens.range.count, metadata.range.count)
    }

    /// Number of sections after the header.
    static let sectionCount = 5

    /// Parses a block's header (cheap; sections are decoded by ``decodeNow(_:)``).
    public init(parsing bytes: ArraySlice<UInt8>) throws(CorruptDataError) {
        var reader = ByteReader(bytes, context: "block")
        let version = try reader.byte()
        guard version == CompressedBlock.formatVersion else { throw reader.error("unknown block version \(version)") }
        let count = try reader.count(limit: Int(UInt32.max), "entry count")
        let minTime = try reader.varint()
        let span = try reader.uvarint()
        // Offset binary keeps the order of Int64 in UInt64, so the span may be anything up to the type's range.
        let (maxOffset, overflow) = (UInt64(bitPattern: minTime) ^ (1 << 63)).addingReportingOverflow(span)
        guard !overflow else { throw reader.error("time span \(span) overflows") }
        let maxTime = Int64(bitPattern: maxOffset ^ (1 << 63))
        let lineBytes = try reader.count(limit: Int(UInt32.max), "line bytes")
        let metadataBytes = try reader.count(limit: Int(UInt32.max), "metadata bytes")
        let sectionCount = try reader.byte()
        guard sectionCount == CompressedBlock.sectionCount else {
            throw reader.error("expected \(CompressedBlock.sectionCount) sections, found \(sectionCount)")
        }
        var headers: [(UInt8, Int, Int)] = []
        for _ in 0..<CompressedBlock.sectionCount {
            let codec = try reader.byte()
            guard codec <= 1 else { throw reader.error("unknown section codec \(codec)") }
            let raw = try reader.count(limit: CompressedBlock.maximumSectionSize, "section size")
            let stored = try reader.count(limit: CompressedBlock.maximumSectionSize, "stored section size")
            if codec == 0, raw != stored { throw reader.error("raw section of \(raw) bytes stored in \(stored)") }
            headers.append((codec, raw, stored))
        }
        var position = bytes.startIndex + reader.offset
        var sections: [Section] = []
        for (codec, raw, stored) in headers {
            guard bytes.endIndex - position >= stored else {
                throw reader.error("section of \(stored) bytes runs past the block end")
            }
            sections.append(Section(codec: codec, rawSize: raw, range: position..<position + stored))
            position += stored
        }
        guard position == bytes.endIndex else { throw reader.error("\(bytes.endIndex - position) trailing bytes") }
        guard count > 0 || (lineBytes == 0 && sections[0].rawSize == 0) else { throw reader.error("empty block with data") }
        guard sections[0].rawSize >= count, sections[1].rawSize >= count else {
            throw reader.error("\(count) entries need more than \(sections[0].rawSize) + \(sections[1].rawSize) bytes")
        }
        self.bytes = bytes
        self.entryCount = count
        self.minTime = minTime
        self.maxTime = maxTime
        self.lineBytes = lineBytes
        self.metadataBytes = metadataBytes
        self.times = sections[0]
        self.sizes = sections[1]
        self.lines = sections[2]
        self.tokens = sections[3]
        self.metadata = sections[4]
    }

    /// Parses a block's header from a whole byte array.
    public init(parsing bytes: [UInt8]) throws(CorruptDataError) {
        try self.init(parsing: bytes[...])
    }

    // MARK: - Encoding

    /// Encodes a batch whose entries are in ascending timestamp order, compressing each section with zstd at
    /// `level` (sections that do not shrink are stored raw).
    public static func encode(_ batch: EntryBatch, level: Int32 = 1) -> CompressedBlock {
        precondition(batch.hasLines, "CompressedBlock.encode needs a batch with lines")
        let count = batch.count
        let minTime = batch.timestamps.first ?? 0
        let maxTime = batch.timestamps.last ?? 0

        var times = ByteWriter(capacity: count * 6)
        var previous = minTime
        for timestamp in batch.timestamps {
            precondition(timestamp >= previous, "CompressedBlock.encode needs entries in timestamp order")
            times.uvarint(UInt64(bitPattern: timestamp &- previous))
            previous = timestamp
        }
        var sizes = ByteWriter(capacity: count * 2)
        for index in 0..<count { sizes.uvarint(batch.lineLength(index)) }

        var lineEncoder = LineEncoder(capacity: batch.totalLineBytes)
        batch.lineBytes.withUnsafeBytes { all in
            for index in 0..<count {
                let start = Int(batch.lineStarts[index])
                let end = Int(batch.lineStarts[index + 1])
                lineEncoder.append(line: UnsafeRawBufferPointer(rebasing: all[start..<end]), timestamp: batch.timestamps[index])
            }
        }

        let (metadataRaw, metadataBytes) = MetadataTable.encode(batch)

        let raws = [times.bytes, sizes.bytes, lineEncoder.lines, lineEncoder.tokens, metadataRaw]
        let packed = raws.map { pack($0, level: level) }
        // Exact capacity: blocks stay in an ingester's memory, so no growth slack.
        var writer = ByteWriter(capacity: 48 + 3 * 10 * sectionCount + packed.reduce(0) { $0 + $1.stored.count })
        writer.byte(formatVersion)
        writer.uvarint(count)
        writer.varint(minTime)
        writer.uvarint(UInt64(bitPattern: maxTime &- minTime))
        writer.uvarint(batch.totalLineBytes)
        writer.uvarint(metadataBytes)
        writer.byte(UInt8(sectionCount))
        for (section, raw) in zip(packed, raws.map(\.count)) {
            writer.byte(section.codec)
            writer.uvarint(raw)
            writer.uvarint(section.stored.count)
        }
        for section in packed { writer.append(section.stored) }
        do {
            return try CompressedBlock(parsing: writer.bytes)
        } catch {
            preconditionFailure("CompressedBlock.encode produced an unreadable block: \(error)")
        }
    }

    /// The same entries encoded again at another zstd level, e.g. a higher one when a chunk is flushed (level 6
    /// stores about 7 % less than level 1 at under half the speed; see `docs/storage-format.md`).
    public func recompressed(level: Int32) throws(CorruptDataError) -> CompressedBlock {
        CompressedBlock.encode(try decodeNow(.full), level: level)
    }

    private static func pack(_ raw: [UInt8], level: Int32) -> (codec: UInt8, stored: [UInt8]) {
        if raw.count < 64 { return (0, raw) }
        let compressed = Zstd.compress(raw, level: level)
        return compressed.count < raw.count ? (1, compressed) : (0, raw)
    }

    // MARK: - Decoding

    public func decode(_ content: BlockContent) async throws -> EntryBatch {
        try decodeNow(content)
    }

    /// Decodes synchronously. Throws ``CorruptDataError`` when the bytes are inconsistent.
    public func decodeNow(_ content: BlockContent) throws(CorruptDataError) -> EntryBatch {
        if case .fullIfContaining(let needles) = content {
            let search = LineSearch(needles: needles, years: years)
            if !search.isEmpty { return try decodeLines(containing: search) }
        }
        let (timestamps, lineStarts) = try decodeTimes()
        if content == .timestampsAndSizes {
            // Structured metadata is part of every entry's labels, so even count-only queries need it (it is small).
            let entryMetadata = try MetadataTable.decode(try unpack(metadata, "metadata"), count: entryCount)
            return EntryBatch(timestamps: timestamps, lineStarts: lineStarts, lineBytes: [], metadata: entryMetadata,
                              hasLines: false)
        }
        let linesRaw = try unpack(lines, "lines")
        let tokensRaw = try unpack(tokens, "tokens")
        return try decodeAll(linesRaw: linesRaw, tokensRaw: tokensRaw, timestamps: timestamps, lineStarts: lineStarts)
    }

    /// Every entry, from the raw lines and tokens sections.
    private func decodeAll(
        linesRaw: ArraySlice<UInt8>, tokensRaw: ArraySlice<UInt8>, timestamps: [Int64], lineStarts: [UInt32]
    ) throws(CorruptDataError) -> EntryBatch {
        let total = lineBytes
        var failure: CorruptDataError?
        // Every byte is written by the decoder (it fails otherwise), so the buffer needs no zero-filling first.
        let decodedLines = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            initialized = total
            linesRaw.withUnsafeBytes { linesBuffer in
                tokensRaw.withUnsafeBytes { tokensBuffer in
                    do throws(CorruptDataError) {
                        try LineDecoder.decode(lines: linesBuffer, tokens: tokensBuffer, timestamps: timestamps,
                                               lineStarts: lineStarts, into: UnsafeMutableRawBufferPointer(buffer))
                    } catch {
                        failure = error
                    }
                }
            }
        }
        if let failure { throw failure }
        let entryMetadata = try MetadataTable.decode(try unpack(metadata, "metadata"), count: entryCount)
        return EntryBatch(timestamps: timestamps, lineStarts: lineStarts, lineBytes: decodedLines,
                          metadata: entryMetadata, hasLines: true)
    }

    /// The entries whose lines pass `search`'s checks (a superset of those containing every needle): nothing when
    /// the tokens section rules the block out, otherwise the lines section is walked to find line boundaries and
    /// only the candidate lines are expanded. Timestamps and sizes are decoded only for a block not ruled out.
    private func decodeLines(containing search: LineSearch) throws(CorruptDataError) -> EntryBatch {
        let tokensRaw = try unpack(tokens, "tokens")
        if search.usesTokens, !tokensRaw.withUnsafeBytes({ search.tokensMayMatch($0) }) { return EntryBatch() }
        let linesRaw = try unpack(lines, "lines")
        if !linesRaw.withUnsafeBytes({ search.linesMayMatch($0) }) { return EntryBatch() }
        let (timestamps, lineStarts) = try decodeTimes()
        let result = linesRaw.withUnsafeBytes { linesBuffer in
            tokensRaw.withUnsafeBytes { tokensBuffer in
                Result { () throws(CorruptDataError) -> (selected: [Int], batch: EntryBatch?) in
                    let spans = try LineDecoder.spans(lines: linesBuffer, tokens: tokensBuffer, lineStarts: lineStarts)
                    let selected = search.candidates(lines: linesBuffer, tokens: tokensBuffer, spans: spans)
                    guard !selected.isEmpty, selected.count < entryCount else { return (selected, nil) }
                    var decoder = LineDecoder(lines: linesBuffer, tokens: tokensBuffer)
                    var starts: [UInt32] = [0]
                    starts.reserveCapacity(selected.count + 1)
                    for entry in selected { starts.append(starts[starts.count - 1] + lineStarts[entry + 1] - lineStarts[entry]) }
                    let total = Int(starts[starts.count - 1])
                    var failure: CorruptDataError?
                    let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
                        initialized = total
                        guard let out = buffer.baseAddress else { return }
                        do throws(CorruptDataError) {
                            for (index, entry) in selected.enumerated() {
                                decoder.inputPosition = spans.input[entry]
                                decoder.tokenPosition = spans.tokens[entry]
                                try decoder.decodeLine(entry, timestamp: timestamps[entry],
                                                       length: Int(starts[index + 1] - starts[index]),
                                                       into: out + Int(starts[index]))
                            }
                        } catch {
                            failure = error
                        }
                    }
                    if let failure { throw failure }
                    return (selected, EntryBatch(timestamps: selected.map { timestamps[$0] }, lineStarts: starts,
                                                 lineBytes: bytes, metadata: [], hasLines: true))
                }
            }
        }
        let (selected, partial) = try result.get()
        if selected.isEmpty { return EntryBatch() }
        guard let partial else {
            return try decodeAll(linesRaw: linesRaw, tokensRaw: tokensRaw, timestamps: timestamps, lineStarts: lineStarts)
        }
        let entryMetadata = try MetadataTable.decode(try unpack(metadata, "metadata"), count: entryCount)
        if entryMetadata.isEmpty { return partial }
        return EntryBatch(timestamps: partial.timestamps, lineStarts: partial.lineStarts, lineBytes: partial.lineBytes,
                          metadata: selected.map { entryMetadata[$0] }, hasLines: true)
    }

    /// The UTC years of the block's entries (they bound which timestamp texts the line transform replaced).
    private var years: ClosedRange<Int> {
        func year(_ nanos: Int64) -> Int {
            var seconds = nanos / 1_000_000_000
            if nanos % 1_000_000_000 < 0 { seconds -= 1 }
            return GoTimeBridge.civil(seconds: seconds).year
        }
        return year(minTime)...max(year(minTime), year(maxTime))
    }

    /// The section's raw bytes, decompressed when needed.
    private func unpack(_ section: Section, _ name: String) throws(CorruptDataError) -> ArraySlice<UInt8> {
        let stored = bytes[section.range]
        if section.codec == 0 { return stored }
        let result = stored.withUnsafeBytes { raw in
            Result { () throws(CompressionError) -> [UInt8] in try Zstd.decompress(raw, expectedSize: section.rawSize) }
        }
        switch result {
        case .success(let decoded): return decoded[...]
        case .failure(let error): throw CorruptDataError(context: "block \(name) section", message: error.description)
        }
    }

    private func decodeTimes() throws(CorruptDataError) -> ([Int64], [UInt32]) {
        var reader = ByteReader(try unpack(times, "timestamps"), context: "block timestamps")
        var timestamps = [Int64]()
        timestamps.reserveCapacity(entryCount)
        var current = minTime
        for _ in 0..<entryCount {
            let delta = try reader.uvarint()
            guard delta <= UInt64(bitPattern: maxTime &- current) else {
                throw reader.error("timestamp beyond the block's maxTime")
            }
            current &+= Int64(bitPattern: delta)
            timestamps.append(current)
        }
        guard entryCount == 0 || (timestamps[0] == minTime && current == maxTime) else {
            throw reader.error("timestamps do not match the block bounds")
        }
        guard reader.isAtEnd else { throw reader.error("\(reader.remaining) trailing bytes") }
        reader = ByteReader(try unpack(sizes, "sizes"), context: "block sizes")
        var lineStarts = [UInt32]()
        lineStarts.reserveCapacity(entryCount + 1)
        lineStarts.append(0)
        var offset = 0
        for _ in 0..<entryCount {
            offset += try reader.count(limit: lineBytes, "line length")
            guard offset <= lineBytes else { throw reader.error("line lengths exceed the block's \(lineBytes) bytes") }
            lineStarts.append(UInt32(offset))
        }
        guard offset == lineBytes else { throw reader.error("line lengths sum to \(offset), header says \(lineBytes)") }
        guard reader.isAtEnd else { throw reader.error("\(reader.remaining) trailing bytes") }
        return (timestamps, lineStarts)
    }
}
