import FjordModel

/// Number formatting of Loki's JSON: Prometheus sample timestamps and values, and the two float styles of `stats`.
extension JSONBuffer {
    /// Prometheus `model.Time.String()`: a millisecond timestamp as seconds, shortest form (`1588889221`,
    /// `1588889221.5`, `-0.25`). Written as a raw JSON number.
    public mutating func append(secondsFromMillis millis: Int64) {
        let magnitude = millis.magnitude
        guard magnitude < (1 << 53) else {
            append(unescaped: GoFloat.format(Double(millis) / 1000))
            return
        }
        // Below 2^53 ms the quotient is exact to the millisecond and no shorter decimal maps to the same double.
        if millis < 0 { append(UInt8(ascii: "-")) }
        append(decimal: magnitude / 1000)
        var fraction = magnitude % 1000
        guard fraction != 0 else { return }
        append(UInt8(ascii: "."))
        var width = 3
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        let digits = fraction
        var scale: UInt64 = 1
        for _ in 1..<width { scale *= 10 }
        while scale > digits, scale > 1 {
            append(UInt8(ascii: "0"))
            scale /= 10
        }
        append(decimal: digits)
    }

    /// A sample value as Loki writes it: a JSON string of Go's `FormatFloat(v, 'f', -1, 64)` (`"0.5"`, `"NaN"`,
    /// `"+Inf"`).
    public mutating func append(sampleValue value: Double) {
        append(UInt8(ascii: "\""))
        if value == value.rounded(.towardZero), value.magnitude < 1e15, !(value == 0 && value.sign == .minus) {
            append(decimal: Int64(value))
        } else {
            append(unescaped: GoFloat.format(value))
        }
        append(UInt8(ascii: "\""))
    }

    /// A float inside `stats`, in the style of the library that encodes that response.
    mutating func append(statsFloat value: Double, _ style: StatsFloatStyle) {
        switch style {
        case .jsoniterLossy: appendLossyFloat(value)
        case .goStandard: appendGoJSONFloat(value)
        }
    }

    /// jsoniter `WriteFloat64Lossy` (`ConfigFastest`): at most six decimals, trailing zeros removed.
    private mutating func appendLossyFloat(_ input: Double) {
        guard input.isFinite else {
            append("0")
            return
        }
        var value = input
        if value < 0 {
            append(UInt8(ascii: "-"))
            value = -value
        }
        if value > 0x4ff_ffff {
            appendGoJSONFloat(value)
            return
        }
        let scaled = UInt64(value * 1_000_000 + 0.5)
        append(decimal: scaled / 1_000_000)
        var fraction = scaled % 1_000_000
        guard fraction != 0 else { return }
        append(UInt8(ascii: "."))
        var threshold: UInt64 = 100_000
        while threshold > 1, fraction < threshold {
            append(UInt8(ascii: "0"))
            threshold /= 10
        }
        while fraction % 10 == 0 { fraction /= 10 }
        append(decimal: fraction)
    }

    /// Go `encoding/json` float64: shortest round-trip digits, `'f'` form unless |v| < 1e-6 or ≥ 1e21, where the
    /// `'e'` form is used with a one-digit negative exponent when possible (`2.4e-5`, `1e+21`).
    private mutating func appendGoJSONFloat(_ value: Double) {
        guard value.isFinite else {
            append("0")
            return
        }
        let magnitude = value.magnitude
        if magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21) {
            append(unescaped: GoFloat.format(value))
            return
        }
        append(unescaped: GoExponentFormat.format(value))
    }
}

/// Which library's float formatting a `stats` object follows.
enum StatsFloatStyle {
    /// jsoniter `ConfigFastest` (log query responses): six decimals at most.
    case jsoniterLossy
    /// Go `encoding/json` / jsoniter `ConfigCompatibleWithStandardLibrary` (metric responses via the frontend).
    case goStandard
}

/// Go's `strconv.FormatFloat(v, 'e', -1, 64)` as `encoding/json` cleans it up (`e-07` → `e-7`).
enum GoExponentFormat {
    static func format(_ value: Double) -> String {
        // Swift's description has the shortest round-trip digits; split them into digits and a decimal exponent.
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: eIndex)...]) ?? 0
            text = text[..<eIndex]
        }
        var integerPart = text
        var fractionPart: Substring = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = text[..<dot]
            fractionPart = text[text.index(after: dot)...]
        }
        var digits = Array(integerPart + fractionPart)
        var pointPosition = integerPart.count + exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let decimalExponent = pointPosition - 1
        var out = value.sign == .minus ? "-" : ""
        out.append(digits[0])
        if digits.count > 1 {
            out += "."
            out += String(digits[1...])
        }
        out += "e"
        out += decimalExponent < 0 ? "-" : "+"
        let exponentDigits = String(abs(decimalExponent))
        // Go writes at least two exponent digits; encoding/json drops the leading zero of a negative one.
        if exponentDigits.count < 2, decimalExponent >= 0 { out += "0" }
        out += exponentDigits
        return out
    }
}
