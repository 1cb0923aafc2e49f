/// Builds a message body: LEB128 varints (`uvarint`, zig-zag `varint`), big-endian fixed-width integers,
/// IEEE-754 doubles as big-endian bit patterns, and length-prefixed strings and byte runs.
struct WireWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func fixed<T: FixedWidthInteger>(_ value: T) { WireFrameCodec.appendBigEndian(value, to: &bytes) }

    mutating func uvarint(_ value: UInt64) {
        var rest = value
        repeat {
            let low = UInt8(rest & 0x7f)
            rest >>= 7
            bytes.append(rest == 0 ? low : low | 0x80)
        } while rest != 0
    }

    mutating func count(_ value: Int) {
        precondition(value >= 0, "WireWriter.count: negative count \(value)")
        uvarint(UInt64(value))
    }

    mutating func varint(_ value: Int64) { uvarint(UInt64(bitPattern: (value &<< 1) ^ (value >> 63))) }

    mutating func double(_ value: Double) { fixed(value.bitPattern) }

    mutating func string(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func byteRun(_ run: some Collection<UInt8>) {
        count(run.count)
        bytes.append(contentsOf: run)
    }

    mutating func raw(_ run: some Collection<UInt8>) { bytes.append(contentsOf: run) }

    /// Writes a placeholder u32 and returns its position for ``patch(_:at:)``.
    mutating func placeholder() -> Int {
        let position = bytes.count
        fixed(UInt32(0))
        return position
    }

    mutating func patch(_ value: UInt32, at position: Int) {
        for index in 0..<4 { bytes[position + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
    }

    /// Hands the bytes over, leaving the writer empty.
    mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}

/// Reads a message body written by ``WireWriter``; every read is bounds-checked and fails with a
/// ``WireError/Code-swift.struct/malformedBody`` error naming the message.
struct WireReader {
    let bytes: ArraySlice<UInt8>
    private(set) var index: Int
    /// The message being read (for error texts).
    let message: String

    init(_ bytes: ArraySlice<UInt8>, message: String) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.message = message
    }

    init(_ bytes: [UInt8], message: String) { self.init(bytes[...], message: message) }

    var remaining: Int { bytes.endIndex - index }
    var isAtEnd: Bool { index == bytes.endIndex }

    func failure(_ detail: String) -> WireError {
        WireError.malformed(message, "\(detail) at byte \(index - bytes.startIndex)")
    }

    mutating func u8() throws(WireError) -> UInt8 {
        guard index < bytes.endIndex else { throw failure("unexpected end of body") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func bool() throws(WireError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let other: throw failure("boolean byte \(other)")
        }
    }

    mutating func fixed<T: FixedWidthInteger>(_: T.Type = T.self) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw failure("unexpected end of body") }
        var value: T = 0
        for offset in 0..<size { value = value << 8 | T(bytes[index + offset]) }
        index += size
        return value
    }

    mutating func uvarint() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), through: 63, by: 7) {
            let byte = try u8()
            if shift == 63, byte > 1 { throw failure("varint overflows 64 bits") }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
        }
        throw failure("varint overflows 64 bits")
    }

    /// A uvarint used as a count or length: at most `limit`, and never more than the bytes left times
    /// `minimumBytesEach` allows (so a corrupt count cannot make the reader reserve huge arrays).
    mutating func count(limit: Int = Int(Int32.max), minimumBytesEach: Int = 1, _ what: String) throws(WireError) -> Int {
        let value = try uvarint()
        guard value <= UInt64(limit) else { throw failure("\(what) \(value) exceeds \(limit)") }
        guard minimumBytesEach == 0 || value <= UInt64(remaining / minimumBytesEach) else {
            throw failure("\(what) \(value) needs more than the \(remaining) bytes left")
        }
        return Int(value)
    }

    mutating func varint() throws(WireError) -> Int64 {
        let raw = try uvarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func double() throws(WireError) -> Double { Double(bitPattern: try fixed(UInt64.self)) }

    mutating func take(_ length: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard length >= 0, remaining >= length else { throw failure("\(length) bytes wanted, \(remaining) left") }
        defer { index += length }
        return bytes[index..<index + length]
    }

    mutating func byteRun() throws(WireError) -> ArraySlice<UInt8> {
        try take(try count(minimumBytesEach: 1, "byte run length"))
    }

    mutating func string() throws(WireError) -> String {
        String(decoding: try byteRun(), as: UTF8.self)
    }

    /// Fails unless the whole body was read.
    func expectEnd() throws(WireError) {
        guard isAtEnd else { throw failure("\(remaining) unexpected trailing bytes") }
    }
}
