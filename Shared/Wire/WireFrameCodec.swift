import FjordCompression

/// Encodes and decodes frames on plain bytes (no NIO): the pure core under ``WireFrameDecoder`` and the fuzz tests.
///
/// ```
/// 0       4    6   7    8      10       12                 20          24        28
/// +-------+----+---+----+------+--------+------------------+-----------+---------+------ - -
/// |length |"FW"|ver|kind|flags |reserved|    request id    |deadline ms|  CRC32C | body …
/// |  u32  | 2B | u8| u8 | u16  |  u16=0 |       u64        |    u32    |   u32   |
/// +-------+----+---+----+------+--------+------------------+-----------+---------+------ - -
/// ```
/// `length` counts the header and the body (24 + body bytes). The CRC-32C covers bytes 0..<24 (length included)
/// and the body. Integers are big-endian.
public enum WireFrameCodec {
    /// Outcome of decoding at the front of a buffer.
    public enum Decoded: Sendable {
        /// A whole frame and how many bytes it took.
        case frame(WireFrame, consumed: Int)
        /// More bytes are needed: at least `needed` in total before trying again.
        case incomplete(needed: Int)
    }

    /// The 28 bytes in front of `body`: length prefix, header and CRC-32C (which covers `body` too).
    public static func prefix(_ header: WireFrameHeader, body: UnsafeRawBufferPointer) -> [UInt8] {
        let length = WireProtocol.headerSize + body.count
        precondition(length <= Int(UInt32.max), "wire frame of \(length) bytes does not fit the length prefix")
        var out: [UInt8] = []
        out.reserveCapacity(WireProtocol.frameOverhead)
        appendBigEndian(UInt32(length), to: &out)
        out.append(WireProtocol.magic.0)
        out.append(WireProtocol.magic.1)
        out.append(header.version)
        out.append(header.kind.rawValue)
        appendBigEndian(header.flags.rawValue, to: &out)
        appendBigEndian(UInt16(0), to: &out)
        appendBigEndian(header.requestID, to: &out)
        appendBigEndian(header.deadlineMillis, to: &out)
        let crc = CRC32C.checksum(body, continuing: CRC32C.checksum(out))
        appendBigEndian(crc, to: &out)
        return out
    }

    /// Appends the encoded frame to `out`.
    public static func encode(_ header: WireFrameHeader, body: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: body.withUnsafeBytes { prefix(header, body: $0) })
        out.append(contentsOf: body)
    }

    /// The encoded frame as a new array.
    public static func encode(_ frame: WireFrame) -> [UInt8] {
        var out: [UInt8] = []
        encode(frame.header, body: frame.body, into: &out)
        return out
    }

    /// Validates a length prefix before the frame's bytes are buffered: returns the frame's total size on the wire.
    public static func frameSize(lengthField length: UInt32, maxFrameBytes: Int) throws(WireError) -> Int {
        guard length >= UInt32(WireProtocol.headerSize) else {
            throw WireError(.malformedFrame, "frame length \(length) is shorter than the \(WireProtocol.headerSize)-byte header")
        }
        guard UInt64(length) <= UInt64(maxFrameBytes) else {
            throw WireError(.frameTooLarge, "frame of \(length) bytes exceeds the maximum of \(maxFrameBytes) bytes")
        }
        return WireProtocol.lengthFieldSize + Int(length)
    }

    /// Decodes the frame at the front of `bytes`. Throws ``WireError`` for a frame that can never become valid;
    /// returns ``Decoded/incomplete(needed:)`` when `bytes` holds only part of it.
    public static func decode(_ bytes: UnsafeRawBufferPointer, maxFrameBytes: Int) throws(WireError) -> Decoded {
        guard bytes.count >= WireProtocol.lengthFieldSize else {
            return .incomplete(needed: WireProtocol.lengthFieldSize)
        }
        let size = try frameSize(lengthField: readBigEndian(bytes, at: 0), maxFrameBytes: maxFrameBytes)
        // Magic and version are checked as soon as they arrive, so garbage is refused before a large body is buffered.
        if bytes.count >= 7 { try checkMagicAndVersion(bytes) }
        guard bytes.count >= size else { return .incomplete(needed: size) }
        let flags = WireFrameFlags(rawValue: readBigEndian(bytes, at: 8))
        let reserved: UInt16 = readBigEndian(bytes, at: 10)
        let stored: UInt32 = readBigEndian(bytes, at: 24)
        let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<24]))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[28..<size]), continuing: headerCRC)
        guard stored == computed else {
            throw WireError(.checksumMismatch, "frame checksum 0x\(hex(stored)) does not match its bytes (0x\(hex(computed)))")
        }
        guard reserved == 0 else { throw WireError(.malformedFrame, "reserved header field is \(reserved), not 0") }
        guard WireFrameFlags.known.isSuperset(of: flags) else {
            throw WireError(.malformedFrame, "unknown frame flags 0x\(String(flags.rawValue, radix: 16))")
        }
        let header = WireFrameHeader(
            kind: WireMessageKind(rawValue: bytes[7]), flags: flags, requestID: readBigEndian(bytes, at: 12),
            deadlineMillis: readBigEndian(bytes, at: 20), version: bytes[6])
        let body = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[28..<size]))
        return .frame(WireFrame(header: header, body: body), consumed: size)
    }

    /// Decodes every frame of a complete byte sequence (a finished stream): a partial frame at the end is
    /// ``WireError/Code-swift.struct/truncated``.
    public static func decodeAll(_ bytes: [UInt8], maxFrameBytes: Int) throws(WireError) -> [WireFrame] {
        var frames: [WireFrame] = []
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { all in
                Result { () throws(WireError) -> Decoded in
                    try decode(UnsafeRawBufferPointer(rebasing: all[offset...]), maxFrameBytes: maxFrameBytes)
                }
            }
            switch try result.get() {
            case .frame(let frame, let consumed):
                frames.append(frame)
                offset += consumed
            case .incomplete(let needed):
                throw WireError(.truncated, "input ends \(needed - (bytes.count - offset)) bytes short of a whole frame")
            }
        }
        return frames
    }

    private static func checkMagicAndVersion(_ bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes[4] == WireProtocol.magic.0, bytes[5] == WireProtocol.magic.1 else {
            throw WireError(.badMagic, "frame does not start with the Fjord wire magic (found 0x\(hex(bytes[4]))\(hex(bytes[5])))")
        }
        guard bytes[6] == WireProtocol.version else {
            throw WireError(.unsupportedVersion,
                            "peer speaks wire protocol version \(bytes[6]); this node speaks version \(WireProtocol.version)")
        }
    }

    @inline(__always)
    static func readBigEndian<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        var value: T = 0
        for index in offset..<offset + MemoryLayout<T>.size { value = value << 8 | T(bytes[index]) }
        return value
    }

    @inline(__always)
    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            out.append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }

    private static func hex<T: FixedWidthInteger>(_ value: T) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, MemoryLayout<T>.size * 2 - digits.count)) + digits
    }
}
