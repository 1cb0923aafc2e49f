#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reverses ``LineEncoder``: expands the lines and tokens streams of a block into the original line bytes.
///
/// The streams hold no line boundaries, so the decoder moves through them line by line: ``decodeLine(_:timestamp:length:into:)``
/// writes a line, ``skipLine(_:length:)`` only finds where the next one starts (no copying, no timestamp text).
/// ``spans(lines:tokens:lineStarts:)`` records every line's start in both streams, so a reader can then decode only
/// some lines by setting ``inputPosition`` and ``tokenPosition``.
struct LineDecoder {
    private let input: UnsafePointer<UInt8>?
    private let inputCount: Int
    private let tokenBase: UnsafePointer<UInt8>?
    private let tokenCount: Int
    /// Where the next line starts in the lines stream.
    var inputPosition = 0
    /// Where the next line's first hex run starts in the tokens stream.
    var tokenPosition = 0
    private var text = TimestampText()

    /// A decoder over the streams; the buffers must outlive it.
    init(lines: UnsafeRawBufferPointer, tokens: UnsafeRawBufferPointer) {
        input = lines.baseAddress?.assumingMemoryBound(to: UInt8.self)
        inputCount = lines.count
        tokenBase = tokens.baseAddress?.assumingMemoryBound(to: UInt8.self)
        tokenCount = tokens.count
    }

    private static func corrupt(_ message: String) -> CorruptDataError {
        CorruptDataError(context: "block lines", message: message)
    }

    /// Writes every entry's original line into `output` at `lineStarts[i]..<lineStarts[i+1]`.
    static func decode(
        lines: UnsafeRawBufferPointer, tokens: UnsafeRawBufferPointer, timestamps: [Int64], lineStarts: [UInt32],
        into output: UnsafeMutableRawBufferPointer
    ) throws(CorruptDataError) {
        guard let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            if lines.isEmpty, tokens.isEmpty { return }
            throw corrupt("no room for \(lines.count) line bytes")
        }
        var decoder = LineDecoder(lines: lines, tokens: tokens)
        for entry in 0..<timestamps.count {
            let start = Int(lineStarts[entry])
            try decoder.decodeLine(entry, timestamp: timestamps[entry], length: Int(lineStarts[entry + 1]) - start,
                                   into: out + start)
        }
        try decoder.checkConsumed()
    }

    /// Where every entry's line starts in the lines stream and in the tokens stream (`count + 1` values each, the
    /// last being the streams' sizes). Checks the escapes' structure; timestamp references are not expanded.
    static func spans(
        lines: UnsafeRawBufferPointer, tokens: UnsafeRawBufferPointer, lineStarts: [UInt32]
    ) throws(CorruptDataError) -> (input: [Int], tokens: [Int]) {
        var decoder = LineDecoder(lines: lines, tokens: tokens)
        let count = lineStarts.count - 1
        var inputStarts = [Int]()
        var tokenStarts = [Int]()
        inputStarts.reserveCapacity(count + 1)
        tokenStarts.reserveCapacity(count + 1)
        for entry in 0..<count {
            inputStarts.append(decoder.inputPosition)
            tokenStarts.append(decoder.tokenPosition)
            try decoder.skipLine(entry, length: Int(lineStarts[entry + 1]) - Int(lineStarts[entry]))
        }
        try decoder.checkConsumed()
        inputStarts.append(decoder.inputPosition)
        tokenStarts.append(decoder.tokenPosition)
        return (inputStarts, tokenStarts)
    }

    /// Fails unless both streams were used up.
    func checkConsumed() throws(CorruptDataError) {
        guard inputPosition == inputCount else {
            throw Self.corrupt("\(inputCount - inputPosition) unused bytes in lines stream")
        }
        guard tokenPosition == tokenCount else {
            throw Self.corrupt("\(tokenCount - tokenPosition) unused bytes in tokens stream")
        }
    }

    /// Decodes entry `entry`'s line of `length` bytes into `out[0..<length]`.
    mutating func decodeLine(
        _ entry: Int, timestamp: Int64, length lineEnd: Int, into out: UnsafeMutablePointer<UInt8>
    ) throws(CorruptDataError) {
        var produced = 0
        while produced < lineEnd {
            let piece = try nextPiece(entry, room: lineEnd - produced)
            if piece.literal > 0, let input {
                (out + produced).update(from: input + piece.start, count: piece.literal)
                produced += piece.literal
            }
            guard let op = piece.op else { continue }
            switch op {
            case LineTransform.opLiteral:
                out[produced] = LineTransform.escape
                produced += 1
            case LineTransform.opTimestamp...(LineTransform.opTimestamp | 0x0F):
                let (length, digits) = try Self.timestampSize(op, entry, room: lineEnd - produced)
                text.set(timestamp)
                guard text.isValid else { throw Self.corrupt("timestamp reference with a year outside 0…9999") }
                if digits > 0 { text.writeFraction() }
                text.bytes.withUnsafeBufferPointer { stamp in
                    guard let stampBase = stamp.baseAddress else { return }
                    (out + produced).update(from: stampBase, count: 19)
                    if op & 4 != 0 { out[produced + 10] = UInt8(ascii: " ") }
                    if digits > 0 {
                        out[produced + 19] = op & 8 != 0 ? UInt8(ascii: ",") : UInt8(ascii: ".")
                        (out + produced + 20).update(from: stampBase + 19, count: digits)
                    }
                }
                produced += length
            case LineTransform.opHexLower, LineTransform.opHexUpper:
                let count = try hexRun(entry, room: lineEnd - produced)
                guard let tokenBase else { throw Self.corrupt("tokens stream ends inside entry \(entry)") }
                let alphabet = op == LineTransform.opHexUpper ? LineTransform.upperDigits : LineTransform.lowerDigits
                alphabet.withUnsafeBufferPointer { digitsTable in
                    var written = 0
                    var source = tokenBase + tokenPosition
                    while written + 1 < count {
                        let byte = source.pointee
                        out[produced + written] = digitsTable[Int(byte >> 4)]
                        out[produced + written + 1] = digitsTable[Int(byte & 0x0f)]
                        written += 2
                        source += 1
                    }
                    if written < count { out[produced + written] = digitsTable[Int(source.pointee >> 4)] }
                }
                tokenPosition += (count + 1) / 2
                produced += count
            default:
                throw Self.corrupt("unknown escape 0x\(String(op, radix: 16)) in entry \(entry)")
            }
        }
    }

    /// Moves past entry `entry`'s line of `length` bytes without writing it.
    mutating func skipLine(_ entry: Int, length lineEnd: Int) throws(CorruptDataError) {
        var produced = 0
        while produced < lineEnd {
            let piece = try nextPiece(entry, room: lineEnd - produced)
            produced += piece.literal
            guard let op = piece.op else { continue }
            switch op {
            case LineTransform.opLiteral:
                produced += 1
            case LineTransform.opTimestamp...(LineTransform.opTimestamp | 0x0F):
                produced += try Self.timestampSize(op, entry, room: lineEnd - produced).length
            case LineTransform.opHexLower, LineTransform.opHexUpper:
                let count = try hexRun(entry, room: lineEnd - produced)
                tokenPosition += (count + 1) / 2
                produced += count
            default:
                throw Self.corrupt("unknown escape 0x\(String(op, radix: 16)) in entry \(entry)")
            }
        }
    }

    /// Moves past the literal bytes at the input position (at most `room`) and the escape op after them, if any:
    /// where the literal bytes start, how many there are, and the op.
    @inline(__always)
    private mutating func nextPiece(_ entry: Int, room: Int) throws(CorruptDataError) -> (start: Int, literal: Int, op: UInt8?) {
        guard let input, inputPosition < inputCount else { throw Self.corrupt("lines stream ends inside entry \(entry)") }
        let start = inputPosition
        let window = min(inputCount - start, room)
        guard let found = memchr(input + start, Int32(LineTransform.escape), window) else {
            inputPosition += window
            return (start, window, nil)
        }
        let literal = UnsafeRawPointer(found) - UnsafeRawPointer(input + start)
        inputPosition += literal
        guard inputPosition + 1 < inputCount else { throw Self.corrupt("truncated escape in entry \(entry)") }
        let op = input[inputPosition + 1]
        inputPosition += 2
        return (start, literal, op)
    }

    /// Bytes and fraction digits of the timestamp text escape `op`, checked to fit in `room`.
    @inline(__always)
    private static func timestampSize(_ op: UInt8, _ entry: Int, room: Int) throws(CorruptDataError) -> (length: Int, digits: Int) {
        let digits = Int(op & 3) * 3
        let length = 19 + (digits > 0 ? 1 + digits : 0)
        guard room >= length else { throw corrupt("timestamp overruns entry \(entry)") }
        return (length, digits)
    }

    /// Reads a hex run's digit count and checks that it fits in `room` and in the tokens stream.
    private mutating func hexRun(_ entry: Int, room: Int) throws(CorruptDataError) -> Int {
        var count = 0
        var shift = 0
        while true {
            guard let input, inputPosition < inputCount, shift < 63 else {
                throw Self.corrupt("bad hex run length in entry \(entry)")
            }
            let byte = input[inputPosition]
            inputPosition += 1
            count |= Int(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard count >= 0, count <= room else { throw Self.corrupt("hex run overruns entry \(entry)") }
        guard tokenBase != nil, tokenCount - tokenPosition >= (count + 1) / 2 else {
            throw Self.corrupt("tokens stream ends inside entry \(entry)")
        }
        return count
    }
}
