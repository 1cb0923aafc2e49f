import CFjordBytes
import FjordModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reversible, field-aware rewrite applied to log lines before zstd (see `docs/storage-format.md`, "Lines
/// section").
///
/// Two kinds of content compress badly with a general-purpose compressor and are common in logs:
/// - the entry's own timestamp printed in the line (`2026-11-22T03:00:00.055656Z`, `2026-11-22 03:00:00,123`): it
///   is already stored in the timestamps column, so the encoder replaces it with a 2-byte reference;
/// - long random hexadecimal identifiers (trace, span and request IDs): zstd's literal coder spends about 5 bits per
///   hex digit because they share its Huffman table with text; the encoder moves them, packed two digits per byte,
///   to a separate *tokens* stream.
///
/// Escapes in the rewritten stream start with `0xFF`, a byte that never occurs in UTF-8:
/// - `FF 00`: a literal `0xFF` byte of the original line;
/// - `FF 1x`: the entry timestamp as `YYYY-MM-DD?HH:MM:SS[fFFF…]` in UTC; bits of `x`: 0–1 fraction digits
///   (0, 3, 6, 9), bit 2 separator is a space instead of `T`, bit 3 fraction separator is `,` instead of `.`;
/// - `FF 20 n` / `FF 21 n`: a run of `n` (uvarint, ≥ 16) lowercase / uppercase hex digits whose packed nibbles
///   (high nibble first, `(n+1)/2` bytes) are the next bytes of the tokens stream.
///
/// The rewritten stream holds no line boundaries: the decoder stops a line once it has produced the line's original
/// length (stored in the line sizes section).
enum LineTransform {
    static let escape: UInt8 = 0xFF
    static let opLiteral: UInt8 = 0x00
    static let opTimestamp: UInt8 = 0x10
    static let opHexLower: UInt8 = 0x20
    static let opHexUpper: UInt8 = 0x21
    /// Shortest hex run worth moving to the tokens stream: shorter runs are often repeated words or IDs that zstd
    /// matches better in place.
    static let minimumHexRun = 16

    // Byte classes for the scanner.
    static let classDigit: UInt8 = 1
    static let classLower: UInt8 = 2
    static let classUpper: UInt8 = 4

    static let byteClass: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = classDigit }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "f") { table[Int(byte)] = classLower }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "F") { table[Int(byte)] = classUpper }
        return table
    }()

    static let nibbleValue: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = byte - UInt8(ascii: "0") }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "f") { table[Int(byte)] = byte - UInt8(ascii: "a") + 10 }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "F") { table[Int(byte)] = byte - UInt8(ascii: "A") + 10 }
        return table
    }()

    static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)
    static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}

/// The UTC text of a timestamp, `YYYY-MM-DDTHH:MM:SS` plus nine fraction digits, cached per second.
struct TimestampText {
    /// 19 date-time bytes followed by 9 fraction digits.
    private(set) var bytes = [UInt8](repeating: 0, count: 28)
    private var second = Int64.min
    /// False when the year is outside 0…9999 (no four-digit form).
    private(set) var isValid = false
    /// Nanoseconds within the second; its nine digits are in `bytes[19...]` only after ``writeFraction()``.
    private(set) var fraction = 0

    /// Unix seconds of 00:00:00 UTC of the day whose date is in `bytes` (`Int64.min` before the first valid set).
    private var dayStart = Int64.min

    /// Sets the date-time text of `nanos` (the fraction digits are written by ``writeFraction()``). Within the
    /// cached day only the time of day is rewritten; the calendar date is computed once per day.
    mutating func set(_ nanos: Int64) {
        var seconds = nanos / 1_000_000_000
        var fraction = nanos % 1_000_000_000
        if fraction < 0 {
            fraction += 1_000_000_000
            seconds -= 1
        }
        if seconds != second {
            second = seconds
            if isValid, dayStart != Int64.min, seconds >= dayStart, seconds - dayStart < 86_400 {
                let ofDay = Int(seconds - dayStart)
                writeTwo(ofDay / 3600, at: 11)
                writeTwo(ofDay / 60 % 60, at: 14)
                writeTwo(ofDay % 60, at: 17)
            } else {
                let civil = GoTimeBridge.civil(seconds: seconds)
                isValid = civil.year >= 0 && civil.year <= 9999
                if isValid {
                    write(civil.year, at: 0, width: 4)
                    bytes[4] = UInt8(ascii: "-")
                    writeTwo(civil.month, at: 5)
                    bytes[7] = UInt8(ascii: "-")
                    writeTwo(civil.day, at: 8)
                    bytes[10] = UInt8(ascii: "T")
                    writeTwo(civil.hour, at: 11)
                    bytes[13] = UInt8(ascii: ":")
                    writeTwo(civil.minute, at: 14)
                    bytes[16] = UInt8(ascii: ":")
                    writeTwo(civil.second, at: 17)
                    dayStart = seconds - Int64(civil.hour * 3600 + civil.minute * 60 + civil.second)
                } else {
                    dayStart = Int64.min
                }
            }
        }
        self.fraction = Int(fraction)
    }

    mutating func writeFraction() {
        var value = fraction
        writeTwo(value % 100, at: 26)
        value /= 100
        writeTwo(value % 100, at: 24)
        value /= 100
        writeTwo(value % 100, at: 22)
        value /= 100
        writeTwo(value % 100, at: 20)
        bytes[19] = UInt8(ascii: "0") + UInt8(value / 100)
    }

    /// The first `digits` (≤ 9) fraction digits as a number.
    func fractionPrefix(_ digits: Int) -> Int {
        var value = fraction
        for _ in digits..<9 { value /= 10 }
        return value
    }

    /// "00" … "99".
    private static let pairs: [UInt8] = (0..<100).flatMap { [UInt8(ascii: "0") + UInt8($0 / 10), UInt8(ascii: "0") + UInt8($0 % 10)] }

    /// Writes `value` (0…99) as two digits at `offset`.
    private mutating func writeTwo(_ value: Int, at offset: Int) {
        bytes.withUnsafeMutableBufferPointer { buffer in
            Self.pairs.withUnsafeBufferPointer { table in
                buffer[offset] = table[value &* 2]
                buffer[offset + 1] = table[value &* 2 + 1]
            }
        }
    }

    private mutating func write(_ value: Int, at offset: Int, width: Int) {
        var remaining = value
        for index in stride(from: offset + width - 1, through: offset, by: -1) {
            bytes[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }
}

/// Civil time from Unix seconds, through FjordModel's `GoTime`.
enum GoTimeBridge {
    static func civil(seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return (-1, 1, 1, 0, 0, 0) }
        let civil = GoTime.civil(product)
        return (civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second)
    }
}

/// Rewrites lines into the lines and tokens streams of a block (see ``LineTransform``).
struct LineEncoder {
    var lines: [UInt8] = []
    var tokens: [UInt8] = []
    private var text = TimestampText()

    init(capacity: Int) {
        lines.reserveCapacity(capacity / 2)
    }

    /// Appends one line of an entry with timestamp `timestamp`.
    mutating func append(line: UnsafeRawBufferPointer, timestamp: Int64) {
        let count = line.count
        guard count > 0, let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        if count >= 19, let found = findTimestamp(base, count, timestamp) {
            encodeSegment(base, from: 0, to: found.start)
            lines.append(LineTransform.escape)
            lines.append(found.op)
            encodeSegment(base, from: found.start + found.length, to: count)
        } else {
            encodeSegment(base, from: 0, to: count)
        }
    }

    /// Finds the entry's timestamp in the line: returns where it starts, how many bytes it covers and its escape op.
    private mutating func findTimestamp(
        _ base: UnsafePointer<UInt8>, _ count: Int, _ timestamp: Int64
    ) -> (start: Int, length: Int, op: UInt8)? {
        text.set(timestamp)
        guard text.isValid else { return nil }
        return text.bytes.withUnsafeBufferPointer { stamp -> (start: Int, length: Int, op: UInt8)? in
            guard let stampBase = stamp.baseAddress else { return nil }
            var searchFrom = 0
            var attempts = 0
            while attempts < 4, count - searchFrom >= 19 {
                attempts += 1
                guard let hit = fjordMemmem(base + searchFrom, count - searchFrom, stampBase, 10) else { return nil }
                let start = hit - base
                searchFrom = start + 1
                guard count - start >= 19 else { return nil }
                let separator = base[start + 10]
                guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: " ") else { continue }
                guard memcmp(base + start + 11, stampBase + 11, 8) == 0 else { continue }
                var op = LineTransform.opTimestamp | (separator == UInt8(ascii: " ") ? 4 : 0)
                var length = 19
                if start + 20 < count {
                    let dot = base[start + 19]
                    if dot == UInt8(ascii: ".") || dot == UInt8(ascii: ",") {
                        // Compare the line's fraction digits with the timestamp's, as numbers.
                        var parsed = 0
                        var value = 0
                        var digits = 0
                        while parsed < 9, start + 20 + parsed < count {
                            let digit = base[start + 20 + parsed] &- UInt8(ascii: "0")
                            guard digit < 10 else { break }
                            value = value * 10 + Int(digit)
                            parsed += 1
                            if parsed % 3 == 0, value == text.fractionPrefix(parsed) { digits = parsed }
                            if parsed % 3 == 0, digits != parsed { break }
                        }
                        if digits > 0 {
                            length = 20 + digits
                            op |= UInt8(digits / 3) | (dot == UInt8(ascii: ",") ? 8 : 0)
                        }
                    }
                }
                return (start, length, op)
            }
            return nil
        }
    }

    /// Copies `base[from..<to]`, escaping `0xFF` and moving long hex runs to the tokens stream.
    private mutating func encodeSegment(_ base: UnsafePointer<UInt8>, from: Int, to: Int) {
        var start = from
        while start < to {
            guard let hit = memchr(base + start, Int32(LineTransform.escape), to - start) else {
                encodeText(base, from: start, to: to)
                return
            }
            let position = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            encodeText(base, from: start, to: position)
            lines.append(LineTransform.escape)
            lines.append(LineTransform.opLiteral)
            start = position + 1
        }
    }

    /// Copies `base[from..<to]` (no `0xFF` inside), moving hex runs of at least ``LineTransform/minimumHexRun``
    /// digits of one letter case to the tokens stream.
    ///
    /// Any such run covers one of the probe positions `from + 15, from + 31, …`, so only bytes at probes are
    /// classified unless a probe lands on a hex digit; then the hex region around it is measured.
    private mutating func encodeText(_ base: UnsafePointer<UInt8>, from: Int, to: Int) {
        let minimum = LineTransform.minimumHexRun
        var literalStart = from
        LineTransform.byteClass.withUnsafeBufferPointer { classes in
            var probe = from + minimum - 1
            while probe < to {
                if classes[Int(base[probe])] == 0 {
                    probe += minimum
                    continue
                }
                var low = probe
                while low > from, classes[Int(base[low - 1])] != 0 { low -= 1 }
                var high = probe + 1
                while high < to, classes[Int(base[high])] != 0 { high += 1 }
                if high - low >= minimum {
                    // Split the region into runs whose letters share one case.
                    var runStart = low
                    while runStart < high {
                        var end = runStart
                        var letterCase: UInt8 = 0
                        while end < high {
                            let next = classes[Int(base[end])]
                            if next != LineTransform.classDigit {
                                if letterCase == 0 {
                                    letterCase = next
                                } else if letterCase != next {
                                    break
                                }
                            }
                            end += 1
                        }
                        if end - runStart >= minimum, letterCase != 0 {
                            lines.append(contentsOf: UnsafeBufferPointer(start: base + literalStart, count: runStart - literalStart))
                            packHex(base + runStart, count: end - runStart, upper: letterCase == LineTransform.classUpper)
                            literalStart = end
                        }
                        runStart = end
                    }
                }
                probe = high + minimum
            }
        }
        lines.append(contentsOf: UnsafeBufferPointer(start: base + literalStart, count: to - literalStart))
    }

    private mutating func packHex(_ digits: UnsafePointer<UInt8>, count: Int, upper: Bool) {
        lines.append(LineTransform.escape)
        lines.append(upper ? LineTransform.opHexUpper : LineTransform.opHexLower)
        var remaining = UInt64(count)
        while remaining >= 0x80 {
            lines.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        lines.append(UInt8(remaining))
        LineTransform.nibbleValue.withUnsafeBufferPointer { nibbles in
            var index = 0
            while index + 1 < count {
                tokens.append(nibbles[Int(digits[index])] << 4 | nibbles[Int(digits[index + 1])])
                index += 2
            }
            if index < count { tokens.append(nibbles[Int(digits[index])] << 4) }
        }
    }
}

/// `memmem` through CFjordBytes, typed for byte pointers.
@inline(__always)
func fjordMemmem(
    _ haystack: UnsafePointer<UInt8>, _ haystackCount: Int, _ needle: UnsafePointer<UInt8>, _ needleCount: Int
) -> UnsafePointer<UInt8>? {
    guard let hit = fjord_memmem(haystack, haystackCount, needle, needleCount) else { return nil }
    return hit.assumingMemoryBound(to: UInt8.self)
}
