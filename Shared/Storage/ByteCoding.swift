/// Appends integers and byte runs to a growing byte array: the writing half of Fjord's storage encodings.
///
/// Varints are LEB128 (`uvarint`) and zig-zag LEB128 (`varint`) like Go's `encoding/binary`; fixed-width integers
/// are big-endian.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    @inline(__always)
    mutating func uvarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    @inline(__always)
    mutating func uvarint(_ value: Int) {
        precondition(value >= 0, "uvarint of negative value \(value)")
        uvarint(UInt64(value))
    }

    /// Zig-zag encoded signed varint.
    mutating func varint(_ value: Int64) {
        uvarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func u64(_ value: UInt64) {
        u32(UInt32(truncatingIfNeeded: value >> 32))
        u32(UInt32(truncatingIfNeeded: value))
    }

    mutating func append(_ other: some Collection<UInt8>) { bytes.append(contentsOf: other) }

    /// A length-prefixed byte string.
    mutating func string(_ value: String) {
        let utf8 = value.utf8
        uvarint(utf8.count)
        bytes.append(contentsOf: utf8)
    }
}

/// Reads integers and byte runs from a byte buffer, throwing ``CorruptDataError`` instead of reading past the end.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int
    let context: String

    init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.context = context
    }

    init(_ bytes: [UInt8], context: String) {
        self.init(bytes[...], context: context)
    }

    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { position >= bytes.endIndex }
    /// Bytes consumed so far.
    var offset: Int { position - bytes.startIndex }

    func error(_ message: String) -> CorruptDataError {
        CorruptDataError(context: context, message: message)
    }

    mutating func uvarint() throws(CorruptDataError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.endIndex {
            let byte = bytes[position]
            position += 1
            if shift == 63, byte > 1 { throw error("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw error("varint overflows 64 bits") }
        }
        throw error("truncated varint at offset \(offset)")
    }

    /// A uvarint that must fit in `Int` and be at most `limit`.
    mutating func count(limit: Int, _ what: String) throws(CorruptDataError) -> Int {
        let value = try uvarint()
        guard value <= UInt64(limit) else { throw error("\(what) \(value) exceeds \(limit)") }
        return Int(value)
    }

    mutating func varint() throws(CorruptDataError) -> Int64 {
        let raw = try uvarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func byte() throws(CorruptDataError) -> UInt8 {
        guard position < bytes.endIndex else { throw error("unexpected end of data") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32() throws(CorruptDataError) -> UInt32 {
        guard remaining >= 4 else { throw error("unexpected end of data") }
        defer { position += 4 }
        return BigEndian.u32(bytes, at: position)
    }

    mutating func u64() throws(CorruptDataError) -> UInt64 {
        guard remaining >= 8 else { throw error("unexpected end of data") }
        defer { position += 8 }
        return BigEndian.u64(bytes, at: position)
    }

    mutating func take(_ length: Int) throws(CorruptDataError) -> ArraySlice<UInt8> {
        guard length >= 0, remaining >= length else {
            throw error("needs \(length) bytes at offset \(offset), \(remaining) left")
        }
        defer { position += length }
        return bytes[position..<position + length]
    }

    mutating func string(limit: Int = 1 << 24) throws(CorruptDataError) -> String {
        let length = try count(limit: limit, "string length")
        return String(decoding: try take(length), as: UTF8.self)
    }
}

/// Fixed-width big-endian reads at an absolute index of a byte slice (the caller checks bounds).
enum BigEndian {
    static func u32(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for position in index..<index + 4 { value = value << 8 | UInt32(bytes[position]) }
        return value
    }

    static func u64(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt64 {
        UInt64(u32(bytes, at: index)) << 32 | UInt64(u32(bytes, at: index + 4))
    }
}
