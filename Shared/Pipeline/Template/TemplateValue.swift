import Foundation
import FjordModel

/// A value during template evaluation, with the Go type it stands for (type names appear in Go's error texts and
/// decide which conversions are allowed).
indirect enum TemplateValue {
    case string(String)
    /// Go `int` (template integer constants, `len`, `count`, `int`).
    case int(Int)
    /// Go `int64` (sprig arithmetic).
    case int64(Int64)
    case float(Double)
    case bool(Bool)
    case time(GoTimeValue)
    /// The template data: the entry's labels (`map[string]string`).
    case labels
    /// `map[string]interface {}` (from `fromJson`).
    case map([String: TemplateValue])
    /// `[]interface {}` (from `fromJson`).
    case list([TemplateValue])
    /// A byte (`uint8`, from `index` on a string).
    case byte(UInt8)
    /// An invalid / nil interface value (`<no value>` when printed).
    case none

    /// Go's type name for messages.
    var typeName: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .int64: return "int64"
        case .float: return "float64"
        case .bool: return "bool"
        case .time: return "time.Time"
        case .labels: return "map[string]string"
        case .map: return "map[string]interface {}"
        case .list: return "[]interface {}"
        case .byte: return "uint8"
        case .none: return "<nil>"
        }
    }

    /// text/template's `isTrue`.
    func isTrue(labelCount: Int) -> Bool {
        switch self {
        case .string(let text): return !text.isEmpty
        case .int(let value): return value != 0
        case .int64(let value): return value != 0
        case .float(let value): return value != 0
        case .bool(let value): return value
        case .time: return true
        case .labels: return labelCount > 0
        case .map(let map): return !map.isEmpty
        case .list(let list): return !list.isEmpty
        case .byte(let value): return value != 0
        case .none: return false
        }
    }
}

/// A Go `time.Time`: Unix nanoseconds plus the zone it is shown in.
struct GoTimeValue {
    var nanos: Int64
    var offsetSeconds: Int
    var zoneName: String

    static func utc(_ nanos: Int64) -> GoTimeValue { GoTimeValue(nanos: nanos, offsetSeconds: 0, zoneName: "UTC") }

    /// The zero time (`0001-01-01 00:00:00 +0000 UTC`); Unix seconds -62135596800.
    static let zero = GoTimeValue(nanos: Int64.min, offsetSeconds: 0, zoneName: "UTC")

    var isZero: Bool { nanos == Int64.min }

    /// Seconds since the epoch (Go's `Unix()`), exact also for the zero time.
    var unixSeconds: Int64 {
        if isZero { return -62_135_596_800 }
        return nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
    }

    var nanosecond: Int {
        if isZero { return 0 }
        let fraction = nanos % 1_000_000_000
        return Int(fraction < 0 ? fraction + 1_000_000_000 : fraction)
    }
}

/// Go's `fmt` printing of template values (`%v` and friends).
enum GoFormat {
    /// `fmt.Sprint(value)` as text/template prints an action's result.
    static func print(_ value: TemplateValue, labels: LabelState?) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .int64(let number): return String(number)
        case .float(let number): return formatFloat(number, verb: "g", precision: -1)
        case .bool(let flag): return flag ? "true" : "false"
        case .time(let time): return GoTimeFormat.format(time, layout: "2006-01-02 15:04:05.999999999 -0700 MST")
        case .labels:
            guard let labels else { return "map[]" }
            var pairs: [(String, String)] = []
            labels.forEachVisible { name, value in pairs.append((Bytes.string(name), Bytes.string(value))) }
            if !labels.errorType.isEmpty { pairs.append((ErrorLabels.error.string, labels.errorType)) }
            if !labels.errorDetails.isEmpty { pairs.append((ErrorLabels.details.string, labels.errorDetails)) }
            pairs.sort { Labels.nameLess($0.0, $1.0) }
            return "map[" + pairs.map { "\($0.0):\($0.1)" }.joined(separator: " ") + "]"
        case .map(let map):
            let keys = map.keys.sorted { Labels.nameLess($0, $1) }
            return "map[" + keys.map { "\($0):\(print(map[$0]!, labels: labels))" }.joined(separator: " ") + "]"
        case .list(let list):
            return "[" + list.map { print($0, labels: labels) }.joined(separator: " ") + "]"
        case .byte(let byte): return String(byte)
        case .none: return "<no value>"
        }
    }

    /// `fmt.Sprint(a...)`: spaces between operands when neither is a string.
    static func sprint(_ values: [TemplateValue], labels: LabelState?) -> String {
        var out = ""
        for (index, value) in values.enumerated() {
            if index > 0 {
                let previousIsString: Bool
                if case .string = values[index - 1] { previousIsString = true } else { previousIsString = false }
                let currentIsString: Bool
                if case .string = value { currentIsString = true } else { currentIsString = false }
                if !previousIsString && !currentIsString { out += " " }
            }
            out += print(value, labels: labels).replacingOccurrences(of: "<no value>", with: "<nil>")
        }
        return out
    }

    /// `strconv.FormatFloat(value, verb, precision, 64)` for verbs e, E, f, g, G.
    static func formatFloat(_ value: Double, verb: Character, precision: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        switch verb {
        case "f", "F":
            if precision < 0 { return GoFloat.format(value) }
            return fixed(value, precision)
        case "e", "E":
            let (digits, exponent) = decimalDigits(value, significant: precision < 0 ? nil : precision + 1)
            return exponential(value < 0 || (value == 0 && value.sign == .minus), digits, exponent,
                               fraction: precision < 0 ? digits.count - 1 : precision, upper: verb == "E")
        default:
            // 'g' / 'G'
            let shortest = precision < 0
            let significant = shortest ? nil : max(precision, 1)
            let (digits, exponent) = decimalDigits(value, significant: significant)
            var eprec = shortest ? 6 : significant!
            if !shortest, eprec > digits.count, digits.count >= exponent + 1 { eprec = digits.count }
            if shortest { eprec = 6 }
            let negative = value < 0 || (value == 0 && value.sign == .minus)
            if exponent < -4 || exponent >= eprec {
                let fraction = shortest ? digits.count - 1 : max(significant! - 1, 0)
                var text = exponential(negative, digits, exponent, fraction: fraction, upper: verb == "G")
                if !shortest { text = trimExponentZeros(text) }
                return text
            }
            let fractionDigits = max(digits.count - (exponent + 1), 0)
            var text = fixedFromDigits(negative, digits, exponent, fraction: shortest ? fractionDigits
                                       : max(significant! - (exponent + 1), 0))
            if !shortest, text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text
        }
    }

    private static func trimExponentZeros(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return mantissa + text[e...]
    }

    /// Decimal digits of |value| (shortest round-trip when `significant` is nil) and the decimal exponent of the
    /// first digit.
    static func decimalDigits(_ value: Double, significant: Int?) -> ([UInt8], Int) {
        let magnitude = abs(value)
        if magnitude == 0 { return ([0x30], 0) }
        var text: String
        if let significant {
            text = String(format: "%.\(max(significant - 1, 0))e", magnitude)
        } else {
            text = "\(magnitude)"
        }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integer = text
        var fraction = ""
        if let dot = text.firstIndex(of: ".") {
            integer = String(text[..<dot])
            fraction = String(text[text.index(after: dot)...])
        }
        var digits = Array((integer + fraction).utf8)
        var pointExponent = integer.count - 1 + exponent
        while digits.count > 1, digits.first == 0x30 {
            digits.removeFirst()
            pointExponent -= 1
        }
        if significant == nil {
            while digits.count > 1, digits.last == 0x30 { digits.removeLast() }
        }
        return (digits, pointExponent)
    }

    private static func exponential(_ negative: Bool, _ digits: [UInt8], _ exponent: Int, fraction: Int, upper: Bool)
        -> String
    {
        var out = negative ? "-" : ""
        out += String(UnicodeScalar(digits[0]))
        if fraction > 0 {
            out += "."
            for index in 1...fraction { out += index < digits.count ? String(UnicodeScalar(digits[index])) : "0" }
        }
        out += upper ? "E" : "e"
        out += exponent < 0 ? "-" : "+"
        let magnitude = abs(exponent)
        out += magnitude < 10 ? "0\(magnitude)" : "\(magnitude)"
        return out
    }

    private static func fixedFromDigits(_ negative: Bool, _ digits: [UInt8], _ exponent: Int, fraction: Int) -> String {
        var out = negative ? "-" : ""
        if exponent < 0 {
            out += "0"
        } else {
            for index in 0...exponent { out += index < digits.count ? String(UnicodeScalar(digits[index])) : "0" }
        }
        if fraction > 0 {
            out += "."
            for offset in 1...fraction {
                let index = exponent + offset
                out += index >= 0 && index < digits.count ? String(UnicodeScalar(digits[index])) : "0"
            }
        }
        return out
    }

    private static func fixed(_ value: Double, _ precision: Int) -> String {
        String(format: "%.\(precision)f", value)
    }
}
