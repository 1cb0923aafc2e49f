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

    /// Encodes `record` as one frame, compressing the payload with zstd when that pays off.
    /// Returns the frame and the uncompressed payload size.
    static func encode(_ record: WALRecord, options: WALOptions) throws(WALError) -> (frame: [UInt8], payloadSize: Int) {
        // Encode the payload behind room for the header so the uncompressed case needs no further copy.
        var frame = [UInt8](repeating: 0, count: headerSize)
        frame.reserveCapacity(headerSize + record.estimatedPayloadSize)
        record.encodePayload(into: &frame)
        let payloadSize = frame.count - headerSize
        guard payloadSize <= maxPayloadSize else {
            throw WALError("record of \(payloadSize) bytes exceeds the \(maxPayloadSize)-byte limit")
        }
        if payloadSize >= options.compressionThreshold {
            let compressed = frame.withUnsafeBytes { all in
                Zstd.compress(UnsafeRawBufferPointer(rebasing: all[headerSize...]), level: options.compressionLevel)
            }
            if compressed.count + 4 < payloadSize {
                var packed = [UInt8](repeating: 0, count: headerSize)
                packed.reserveCapacity(headerSize + 4 + compressed.count)
                withUnsafeBytes(of: UInt32(payloadSize).littleEndian) { packed.append(contentsOf: $0) }
                packed.append(contentsOf: compressed)
                seal(&packed, type: record.type, codec: .zstd)
                return (packed, payloadSize)
            }
        }
        seal(&frame, type: record.type, codec: .none)
        return (frame, payloadSize)
    }

    /// Fills in the header of a frame whose body already follows `headerSize` placeholder bytes.
    static func seal(_ frame: inout [UInt8], type: WALRecordType, codec: Codec) {
        let length = UInt32(frame.count - headerSize)
        frame.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw[8] = type.rawValue | (codec.rawValue << 4)
            var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<4]))
            crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[8...]), continuing: crc)
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
