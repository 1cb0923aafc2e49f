/// Reads the protobuf wire format from bytes, failing with the texts of gogo-protobuf's generated code
/// (`unexpected EOF`, `proto: integer overflow`, `proto: wrong wireType = 0 for field Line`, …).
struct ProtobufReader {
    /// Wire types.
    static let varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5

    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    static let unexpectedEOF = PushError.badRequest("unexpected EOF")
    static let integerOverflow = PushError.badRequest("proto: integer overflow")
    static let negativeLength = PushError.badRequest("proto: negative length found during unmarshaling")

    @inline(__always)
    mutating func readVarint() throws(PushError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard shift < 64 else { throw Self.integerOverflow }
            guard position < end else { throw Self.unexpectedEOF }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a field key; rejects end-group keys and field numbers ≤ 0 like gogo (`message` names the type).
    @inline(__always)
    mutating func readKey(message: String) throws(PushError) -> (field: Int32, wireType: Int) {
        let key = try readVarint()
        let field = Int32(truncatingIfNeeded: key >> 3)
        let wireType = Int(key & 7)
        if wireType == Self.endGroup {
            throw .badRequest("proto: \(message): wiretype end group for non-group")
        }
        if field <= 0 {
            throw .badRequest("proto: \(message): illegal tag \(field) (wire type \(wireType))")
        }
        return (field, wireType)
    }

    /// Reads a length prefix and returns the range of the payload, positioned after it.
    @inline(__always)
    mutating func readLengthDelimited() throws(PushError) -> Range<Int> {
        let raw = try readVarint()
        let length = Int(truncatingIfNeeded: raw)
        guard length >= 0 else { throw Self.negativeLength }
        let (after, overflow) = position.addingReportingOverflow(length)
        guard !overflow else { throw Self.negativeLength }
        guard after <= end else { throw Self.unexpectedEOF }
        let range = position..<after
        position = after
        return range
    }

    /// Reads a length-delimited field's payload range after checking the key's wire type.
    @inline(__always)
    mutating func readLengthDelimited(wireType: Int, field: String) throws(PushError) -> Range<Int> {
        guard wireType == Self.lengthDelimited else { throw Self.wrongWireType(wireType, field: field) }
        return try readLengthDelimited()
    }

    /// Reads a varint field's value after checking the key's wire type.
    @inline(__always)
    mutating func readVarint(wireType: Int, field: String) throws(PushError) -> UInt64 {
        guard wireType == Self.varint else { throw Self.wrongWireType(wireType, field: field) }
        return try readVarint()
    }

    static func wrongWireType(_ wireType: Int, field: String) -> PushError {
        .badRequest("proto: wrong wireType = \(wireType) for field \(field)")
    }

    /// Skips the field whose key started at `keyStart` (the reader is just after the key), groups included.
    mutating func skipField(keyStart: Int) throws(PushError) {
        position = keyStart
        var depth = 0
        repeat {
            let wireType = Int(try readVarint() & 7)
            switch wireType {
            case Self.varint: _ = try readVarint()
            case Self.fixed64: try advance(8)
            case Self.lengthDelimited:
                let length = Int(truncatingIfNeeded: try readVarint())
                guard length >= 0 else { throw Self.negativeLength }
                try advance(length)
            case Self.startGroup: depth += 1
            case Self.endGroup:
                guard depth > 0 else { throw .badRequest("proto: unexpected end of group") }
                depth -= 1
            case Self.fixed32: try advance(4)
            default: throw .badRequest("proto: illegal wireType \(wireType)")
            }
        } while depth > 0
    }

    private mutating func advance(_ count: Int) throws(PushError) {
        let (after, overflow) = position.addingReportingOverflow(count)
        guard !overflow else { throw Self.negativeLength }
        guard after <= end else { throw Self.unexpectedEOF }
        position = after
    }
}

/// Appends protobuf wire-format values to a byte array.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    @inline(__always)
    mutating func key(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }

    mutating func lengthDelimited(_ field: Int, _ payload: some Collection<UInt8>) {
        key(field, ProtobufReader.lengthDelimited)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Size of `value` as a varint.
    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var remaining = value
        while remaining >= 0x80 {
            remaining >>= 7
            size += 1
        }
        return size
    }

    /// Size of a length-delimited field carrying `length` bytes (field numbers < 16).
    static func fieldSize(length: Int) -> Int { 1 + varintSize(UInt64(length)) + length }
}
