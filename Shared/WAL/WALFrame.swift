import FjordCompression

/// How a record is laid out on disk (see docs/wal-format.md):
///
///     0        4        8      9
///     +--------+--------+------+---------------------------------------------+
///     | length | crc32c | kind | body (length bytes)                         |
///     +--------+--------+------+---------------------------------------------+
///
/// `length` (u32 LE) counts the body; `crc32c` (u32 LE) covers the four length bytes, the kind byte and the body.
/// `kind` holds the ``WALRecordType`` in bits 0–3 and the codec in bits 4–5 (0 = none, 1 = zstd); bits 6–7 are 0.
/// A zstd body is `u32 LE uncompressed size` followed by one zstd frame.
enum WALFrame {
    static let headerSize = 9
    /// Largest uncompressed payload accepted when writing and when reading (guards allocations on bad input).
    static let maxPayloadSize = 1 << 30

    enum Codec: UInt8 {
        case none = 0
        case zstd = 1
    }

    /// Encodes `record` as one frame into `scratch` (cleared first; pass a reused buffer to avoid allocating),
    /// compressing the payload with zstd when that pays off. When it was compressed, the frame is `scratch` (header
    /// and size field) followed by the returned body; otherwise `scratch` alone is the whole frame.
    static func encode(
        _ record: WALRecord, options: WALOptions, into scratch: inout [UInt8]
    ) throws(WALError) -> (compressedBody: [UInt8]?, payloadSize: Int) {
        // Encode the payload behind room for the header so the uncompressed case needs no further copy.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: repeatElement(0, count: headerSize))
        scratch.reserveCapacity(headerSize + record.estimatedPayloadSize)
        record.encodePayload(into: &scratch)
        let payloadSize = scratch.count - headerSize
        guard payloadSize <= maxPayloadSize else {
            throw WALError("record of \(payloadSize) bytes exceeds the \(maxPayloadSize)-byte limit")
        }
        if payloadSize >= options.compressionThreshold {
            let compressed = scratch.withUnsafeBytes { all in
                Zstd.compress(UnsafeRawBufferPointer(rebasing: all[headerSize...]), level: options.compressionLevel)
            }
            if compressed.count + 4 < payloadSize {
                scratch.removeSubrange(headerSize...)
                withUnsafeBytes(of: UInt32(payloadSize).littleEndian) { scratch.append(contentsOf: $0) }
                seal(&scratch, type: record.type, codec: .zstd, trailing: compressed)
                return (compressed, payloadSize)
            }
        }
        seal(&scratch, type: record.type, codec: .none)
        return (nil, payloadSize)
    }

    /// Encodes `record` as one contiguous frame. Returns the frame and the uncompressed payload size.
    static func encode(_ record: WALRecord, options: WALOptions) throws(WALError) -> (frame: [UInt8], payloadSize: Int) {
        var frame: [UInt8] = []
        let (body, payloadSize) = try encode(record, options: options, into: &frame)
        if let body { frame.append(contentsOf: body) }
        return (frame, payloadSize)
    }

    /// Fills in the header of a frame whose body follows `headerSize` placeholder bytes in `frame` and continues
    /// with `trailing` (kept in a separate buffer).
    static func seal(_ frame: inout [UInt8], type: WALRecordType, codec: Codec, trailing: [UInt8] = []) {
        let length = UInt32(frame.count - headerSize + trailing.count)
        frame.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw[8] = type.rawValue | (codec.rawValue << 4)
            var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<4]))
            crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[8...]), continuing: crc)
            crc = trailing.withUnsafeBytes { CRC32C.checksum($0, continuing: crc) }
            raw.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
    }

    /// A frame found by ``scan(_:at:)``: its type, codec and where its body lies in the buffer.
    struct Located {
        var type: WALRecordType
        var codec: Codec
        var body: Range<Int>
        var next: Int { body.upperBound }
    }

    /// What lies at an offset of a segment.
    enum ScanResult {
        case frame(Located)
        /// The buffer ends exactly here.
        case end
        /// No valid frame here; nothing after this offset can be trusted.
        case bad(ReplayProblem.Reason)
    }

    /// Checks the frame at `offset` (length, checksum, kind) without decoding its body.
    static func scan(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> ScanResult {
        let available = buffer.count - offset
        if available == 0 { return .end }
        if available < headerSize {
            return allZero(buffer, from: offset) ? .bad(.zeroFilled) : .bad(.truncatedRecord)
        }
        let length = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let storedCRC = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        let kind = buffer[offset + 8]
        if length == 0, storedCRC == 0, kind == 0 {
            return allZero(buffer, from: offset) ? .bad(.zeroFilled) : .bad(.invalidFrame("zero header followed by data"))
        }
        guard length <= available - headerSize else { return .bad(.truncatedRecord) }
        let bodyStart = offset + headerSize
        var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + 4)]))
        crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[(offset + 8)..<(bodyStart + length)]), continuing: crc)
        guard crc == storedCRC else { return .bad(.checksumMismatch) }
        guard let type = WALRecordType(rawValue: kind & 0x0f), let codec = Codec(rawValue: kind >> 4) else {
            return .bad(.invalidFrame("unknown record kind 0x\(String(kind, radix: 16))"))
        }
        return .frame(Located(type: type, codec: codec, body: bodyStart..<(bodyStart + length)))
    }

    /// Decompresses (if needed) and decodes the record of a located frame.
    static func decode(_ frame: Located, in buffer: UnsafeRawBufferPointer) throws(WALDecodeError) -> WALRecord {
        let body = UnsafeRawBufferPointer(rebasing: buffer[frame.body])
        switch frame.codec {
        case .none:
            return try WALRecord.decode(type: frame.type, payload: body)
        case .zstd:
            guard body.count >= 4 else { throw WALDecodeError("zstd body shorter than its size field", offset: 0) }
            let size = Int(UInt32(littleEndian: body.loadUnaligned(as: UInt32.self)))
            guard size <= maxPayloadSize else {
                throw WALDecodeError("uncompressed size \(size) exceeds the \(maxPayloadSize)-byte limit", offset: 0)
            }
            let payload: [UInt8]
            do {
                payload = try Zstd.decompress(UnsafeRawBufferPointer(rebasing: body[4...]), expectedSize: size)
            } catch {
                throw WALDecodeError("\(error)", offset: 4)
            }
            return try WALRecord.decode(type: frame.type, payload: payload)
        }
    }

    private static func allZero(_ buffer: UnsafeRawBufferPointer, from offset: Int) -> Bool {
        var index = offset
        // Word-at-a-time check; the zero tail of a preallocated 64 MiB segment can be most of the file.
        while index + 8 <= buffer.count {
            if buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 { return false }
            index += 8
        }
        while index < buffer.count {
            if buffer[index] != 0 { return false }
            index += 1
        }
        return true
    }
}
