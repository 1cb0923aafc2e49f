/// Duration and size parsers with the exact rules of the Go libraries Loki uses, so that `[5m]`, `duration > 10s`,
/// `| unwrap bytes(size)` and `step=1h30m` mean the same thing in Fjord.
public enum GoDuration {
    /// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns, us, µs, μs, ms, s, m, h; `0` alone is
    /// allowed. Returns nanoseconds, or a ``UnitParseError`` with Go's message.
    public static func parse(_ text: String) throws(UnitParseError) -> Int64 {
        let original = text
        var scalars = Array(text.unicodeScalars)
        var index = 0
        var negative = false
        if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" {
            negative = scalars[index] == "-"
            index += 1
        }
        let rest = String(String.UnicodeScalarView(scalars[index...]))
        if rest == "0" { return 0 }
        if rest.isEmpty { throw UnitParseError(message: "time: invalid duration " + GoQuote.quote(original)) }
        scalars = Array(rest.unicodeScalars)
        index = 0
        var total: Double = 0
        while index < scalars.count {
            // Number part.
            var integer: Double = 0
            var sawDigits = false
            while index < scalars.count, let digit = scalars[index].digitValue {
                integer = integer * 10 + Double(digit)
                sawDigits = true
                index += 1
            }
            var fraction: Double = 0
            var scale: Double = 1
            var sawFraction = false
            if index < scalars.count, scalars[index] == "." {
                index += 1
                while index < scalars.count, let digit = scalars[index].digitValue {
                    fraction = fraction * 10 + Double(digit)
                    scale *= 10
                    sawFraction = true
                    index += 1
                }
            }
            if !sawDigits && !sawFraction { throw UnitParseError(message: "time: invalid duration " + GoQuote.quote(original)) }
            // Unit part.
            let unitStart = index
            while index < scalars.count, scalars[index] != ".", scalars[index].digitValue == nil { index += 1 }
            if unitStart == index {
                throw UnitParseError(message: "time: missing unit in duration " + GoQuote.quote(original))
            }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            let multiplier: Double
            switch unit {
            case "ns": multiplier = 1
            case "us", "µs", "μs": multiplier = 1e3
            case "ms": multiplier = 1e6
            case "s": multiplier = 1e9
            case "m": multiplier = 60e9
            case "h": multiplier = 3600e9
            default:
                throw UnitParseError(message: "time: unknown unit " + GoQuote.quote(unit) + " in duration " + GoQuote.quote(original))
            }
            total += (integer + fraction / scale) * multiplier
            if total > Double(Int64.max) { throw UnitParseError(message: "time: invalid duration " + GoQuote.quote(original)) }
        }
        let nanos = Int64(total.rounded(.towardZero))
        return negative ? -nanos : nanos
    }

    /// Go's `time.Duration.String()`: `5m0s`, `1h30m0s`, `1.5s`, `250ms`, `1.2µs`, `100ns`, `0s`.
    public static func format(_ nanos: Int64) -> String {
        let negative = nanos < 0
        var value = nanos.magnitude
        var out: String
        if value < 1_000_000_000 {
            if value == 0 { return "0s" }
            let (unit, precision): (String, Int) = value < 1_000 ? ("ns", 0) : (value < 1_000_000 ? ("µs", 3) : ("ms", 6))
            out = integerWithFraction(value, precision: precision) + unit
        } else {
            out = integerWithFraction(value % 60_000_000_000, precision: 9) + "s"
            value /= 60_000_000_000
            if value > 0 {
                out = "\(value % 60)m" + out
                value /= 60
                if value > 0 { out = "\(value)h" + out }
            }
        }
        return negative ? "-" + out : out
    }

    /// `value / 10^precision` with the fraction's trailing zeros (and a bare point) removed.
    private static func integerWithFraction(_ value: UInt64, precision: Int) -> String {
        var divisor: UInt64 = 1
        for _ in 0..<precision { divisor *= 10 }
        var fraction = String(value % divisor)
        if precision > 0 {
            fraction = String(repeating: "0", count: precision - fraction.count) + fraction
            while fraction.last == "0" { fraction.removeLast() }
        } else {
            fraction = ""
        }
        return String(value / divisor) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// Prometheus' `model.ParseDuration`: units in order `y w d h m s ms`, integers only (`1h30m`, `5m`, `0`).
/// LogQL uses it for `[range]`, `offset` and the HTTP `step`/`since` parameters.
public enum PromDuration {
    private static let units: [(String, Int64)] = [
        ("y", 365 * 24 * 3600 * 1_000_000_000), ("w", 7 * 24 * 3600 * 1_000_000_000),
        ("d", 24 * 3600 * 1_000_000_000), ("h", 3600 * 1_000_000_000), ("m", 60 * 1_000_000_000),
        ("s", 1_000_000_000), ("ms", 1_000_000),
    ]

    /// Returns nanoseconds, or a ``UnitParseError`` with Prometheus' message.
    public static func parse(_ text: String) throws(UnitParseError) -> Int64 {
        if text == "0" { return 0 }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw UnitParseError(message: "empty duration string") }
        var index = 0
        var nextUnit = 0
        var total: Int64 = 0
        var any = false
        while index < bytes.count {
            var value: Int64 = 0
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(Int64(bytes[index] - 0x30))
                if overflow1 || overflow2 { throw UnitParseError(message: "duration out of range") }
                value = sum
                index += 1
            }
            guard index > start else { throw invalid(text) }
            let unitStart = index
            while index < bytes.count, !(bytes[index] >= 0x30 && bytes[index] <= 0x39) { index += 1 }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let known = units.firstIndex(where: { $0.0 == unit }) else {
                throw UnitParseError(message: "unknown unit " + GoQuote.quote(unit) + " in duration " + GoQuote.quote(text))
            }
            // Units must go from the biggest to the smallest, each at most once.
            guard known >= nextUnit else { throw invalid(text) }
            let position = known
            nextUnit = position + 1
            let (part, overflow1) = value.multipliedReportingOverflow(by: units[position].1)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            if overflow1 || overflow2 { throw UnitParseError(message: "duration out of range") }
            total = sum
            any = true
        }
        guard any else { throw invalid(text) }
        return total
    }

    private static func invalid(_ text: String) -> UnitParseError {
        UnitParseError(message: "not a valid duration string: " + GoQuote.quote(text))
    }

    /// Prometheus' `model.Duration.String()`: the largest units first, e.g. `1h30m`, `5m`, `0s`.
    public static func format(_ nanos: Int64) -> String {
        var ms = nanos / 1_000_000
        if ms == 0 { return "0s" }
        var out = ""
        if ms < 0 {
            out = "-"
            ms = -ms
        }
        // Years and weeks are only used when they divide the duration exactly (`90d`, not `12w6d`).
        let parts: [(String, Int64, Bool)] = [
            ("y", 365 * 24 * 3600 * 1000, true), ("w", 7 * 24 * 3600 * 1000, true), ("d", 24 * 3600 * 1000, false),
            ("h", 3600 * 1000, false), ("m", 60 * 1000, false), ("s", 1000, false), ("ms", 1, false),
        ]
        for (unit, size, exact) in parts where ms >= size {
            if exact && ms % size != 0 { continue }
            out += "\(ms / size)\(unit)"
            ms %= size
        }
        return out
    }
}

/// go-humanize's `ParseBytes`: `10KB` (1000-based), `10KiB` (1024-based), `1.5 MB`, plain numbers; case-insensitive.
public enum HumanizeBytes {
    /// Returns the size in bytes, or a ``UnitParseError`` with go-humanize's message.
    public static func parse(_ text: String) throws(UnitParseError) -> UInt64 {
        var numberPart = ""
        var rest = Substring(text)
        for character in text {
            if character.isASCII, character.isNumber || character == "." || character == "," {
                numberPart.append(character)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        numberPart.removeAll { $0 == "," }
        guard let number = Double(numberPart) else {
            throw UnitParseError(message: "strconv.ParseFloat: parsing " + GoQuote.quote(numberPart) + ": invalid syntax")
        }
        let unit = rest.trimmingSpaces.lowercased()
        let table: [String: Double] = [
            "b": 1, "": 1,
            "kib": 1024, "ki": 1024, "kb": 1000, "k": 1000,
            "mib": 1_048_576, "mi": 1_048_576, "mb": 1e6, "m": 1e6,
            "gib": 1_073_741_824, "gi": 1_073_741_824, "gb": 1e9, "g": 1e9,
            "tib": 1_099_511_627_776, "ti": 1_099_511_627_776, "tb": 1e12, "t": 1e12,
            "pib": 1_125_899_906_842_624, "pi": 1_125_899_906_842_624, "pb": 1e15, "p": 1e15,
            "eib": 1_152_921_504_606_846_976, "ei": 1_152_921_504_606_846_976, "eb": 1e18, "e": 1e18,
        ]
        guard let multiplier = table[unit] else { throw UnitParseError(message: "unhandled size name: " + unit) }
        let value = number * multiplier
        guard value < Double(UInt64.max) else { throw UnitParseError(message: "too large: " + text) }
        return UInt64(value)
    }
}

/// A duration or size string could not be parsed; `message` is the Go library's text.
public struct UnitParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension Unicode.Scalar {
    /// The value of an ASCII decimal digit, or `nil`.
    fileprivate var digitValue: Int? {
        value >= 0x30 && value <= 0x39 ? Int(value - 0x30) : nil
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
