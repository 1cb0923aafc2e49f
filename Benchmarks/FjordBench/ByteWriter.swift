import FjordModel

/// Appends text to a byte buffer without building a `String` per log line: the generator writes a million lines.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(_ other: ArraySlice<UInt8>) { bytes.append(contentsOf: other) }

    /// Decimal integer.
    mutating func append(int value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(unsigned: UInt64(-value))
        } else {
            append(unsigned: UInt64(value))
        }
    }

    mutating func append(unsigned value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// Decimal integer left-padded with zeros to `width` digits.
    mutating func append(int value: Int, width: Int) {
        var digits = 1
        var limit = 10
        while value >= limit, digits < 19 {
            digits += 1
            limit *= 10
        }
        for _ in digits..<max(digits, width) { bytes.append(UInt8(ascii: "0")) }
        append(int: value)
    }

    /// A number with exactly `decimals` fraction digits (rounded half up), like `%.<decimals>f`.
    mutating func append(fixed value: Double, decimals: Int) {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        if value < 0, scaled != 0 { bytes.append(UInt8(ascii: "-")) }
        let divisor = Int(scale)
        append(int: scaled / divisor)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            append(int: scaled % divisor, width: decimals)
        }
    }

    /// Like Python's repr of a float rounded to `decimals`: fixed digits with trailing zeros dropped, but one kept
    /// after the point (`12.0`, `12.5`, `0.75`).
    mutating func append(number value: Double, decimals: Int) {
        let start = bytes.count
        append(fixed: value, decimals: decimals)
        guard decimals > 1 else { return }
        while bytes.count > start + 2, bytes[bytes.count - 1] == UInt8(ascii: "0"),
              bytes[bytes.count - 2] != UInt8(ascii: ".") {
            bytes.removeLast()
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `count` random lowercase hex digits.
    mutating func appendHex(_ count: Int, _ random: inout BenchRandom) {
        var remaining = count
        while remaining > 0 {
            var word = random.next()
            for _ in 0..<min(16, remaining) {
                bytes.append(Self.hexDigits[Int(word & 0xF)])
                word >>= 4
                remaining -= 1
            }
        }
    }

    /// A random version-4 UUID in its usual text form.
    mutating func appendUUID(_ random: inout BenchRandom) {
        appendHex(8, &random); append("-")
        appendHex(4, &random); append("-4")
        appendHex(3, &random); append("-")
        bytes.append(Self.hexDigits[8 + random.int(0...3)])
        appendHex(3, &random); append("-")
        appendHex(12, &random)
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped, non-ASCII kept as UTF-8.
    mutating func appendJSONString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        appendJSONEscaped(text)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func appendJSONEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case UInt8(ascii: "\n"): append("\\n")
            case UInt8(ascii: "\t"): append("\\t")
            case 0..<0x20:
                append("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
    }

    /// RFC 3339 UTC time of a Unix-nanosecond timestamp with 3 (ms) or 6 (µs) fraction digits:
    /// `2026-05-22T10:11:12.123456Z`.
    mutating func appendISO(_ nanoseconds: Int64, fractionDigits: Int) {
        let time = GoTime.civil(nanoseconds)
        append(int: time.year, width: 4); append("-")
        append(int: time.month, width: 2); append("-")
        append(int: time.day, width: 2); append("T")
        append(int: time.hour, width: 2); append(":")
        append(int: time.minute, width: 2); append(":")
        append(int: time.second, width: 2); append(".")
        if fractionDigits == 3 {
            append(int: time.nanosecond / 1_000_000, width: 3)
        } else {
            append(int: time.nanosecond / 1000, width: 6)
        }
        append("Z")
    }

    /// Go's `time.Duration` text for a number of milliseconds, as Promtail-era services print it: `12.3ms`, `1.234s`.
    mutating func appendGoDuration(milliseconds: Double) {
        if milliseconds >= 1000 {
            append(number: milliseconds / 1000, decimals: 3)
            trimPointZero()
            append("s")
        } else {
            append(number: milliseconds, decimals: 1)
            trimPointZero()
            append("ms")
        }
    }

    private mutating func trimPointZero() {
        let count = bytes.count
        if count >= 2, bytes[count - 1] == UInt8(ascii: "0"), bytes[count - 2] == UInt8(ascii: ".") {
            bytes.removeLast(2)
        }
    }
}
