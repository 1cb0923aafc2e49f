/// Appends little-endian integers, LEB128 varints and raw bytes to a growing byte array (WAL payload encoding).
struct ByteSink {
    var bytes: [UInt8]

    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func u8(_ value: UInt8) { bytes.append(value) }

    @inline(__always)
    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Unsigned LEB128: 7 bits per byte, low groups first, high bit set on all but the last byte.
    @inline(__always)
    mutating func uvarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Zig-zag encoded signed varint (small negative numbers stay short), like protobuf's `sint64`.
    @inline(__always)
    mutating func varint(_ value: Int64) {
        uvarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func raw(_ data: UnsafeRawBufferPointer) { bytes.append(contentsOf: data) }

    mutating func raw(_ data: some Collection<UInt8>) { bytes.append(contentsOf: data) }

    /// A varint length followed by the string's UTF-8 bytes.
    mutating func string(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            uvarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
}

/// Reads what ``ByteSink`` wrote from a borrowed buffer, bounds-checked: running past the end or an overlong varint
/// throws a ``WALDecodeError`` with the offset.
struct ByteSource {
    let buffer: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var remaining: Int { buffer.count - offset }
    var isAtEnd: Bool { offset == buffer.count }

    func fail(_ message: String) -> WALDecodeError { WALDecodeError(message, offset: offset) }

    mutating func u8() throws(WALDecodeError) -> UInt8 {
        guard offset < buffer.count else { throw fail("unexpected end of payload") }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func u64() throws(WALDecodeError) -> UInt64 {
        guard remaining >= 8 else { throw fail("unexpected end of payload") }
        defer { offset += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    mutating func uvarint() throws(WALDecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw fail("unexpected end of payload in varint") }
            let byte = buffer[offset]
            offset += 1
            if shift == 63, byte > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func varint() throws(WALDecodeError) -> Int64 {
        let raw = try uvarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A varint that must be at most `limit` (counts and lengths), as an `Int`.
    mutating func count(atMost limit: Int, _ what: String) throws(WALDecodeError) -> Int {
        let value = try uvarint()
        guard value <= UInt64(max(limit, 0)) else {
            throw fail("\(what) \(value) is more than the \(remaining) bytes left can hold")
        }
        return Int(value)
    }

    /// The next `length` bytes, borrowed.
    mutating func bytes(_ length: Int) throws(WALDecodeError) -> UnsafeRawBufferPointer {
        guard length >= 0, length <= remaining else { throw fail("length \(length) exceeds the \(remaining) bytes left") }
        defer { offset += length }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)])
    }

    /// A varint length followed by that many bytes, as a `String` (invalid UTF-8 is repaired, never trusted).
    mutating func string() throws(WALDecodeError) -> String {
        let length = try count(atMost: remaining, "string length")
        let data = try bytes(length)
        return String(decoding: data, as: UTF8.self)
    }
}
