import FjordModel
import Foundation

/// Go's number parsing and formatting where LogQL's parser and printer depend on it.
enum GoNumber {
    /// A `strconv` failure: Go's message and the value Go returns with it (0, or ±Inf when out of range).
    struct ParseError: Error {
        var message: String
        var value: Double
    }

    /// Go's `strconv.ParseFloat(text, 64)` for the number syntax LogQL's scanner produces.
    static func parseFloat(_ text: String) -> Result<Double, ParseError> {
        let syntax = ParseError(message: "strconv.ParseFloat: parsing \(GoQuote.quote(text)): invalid syntax",
                                value: 0)
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        let lower = body.lowercased()
        let value: Double
        if lower.hasPrefix("0x") {
            // Hexadecimal floats need a `p` exponent.
            guard lower.contains("p"), let parsed = Double(String(body).replacingOccurrences(of: "_", with: "")) else {
                return .failure(syntax)
            }
            value = parsed
        } else {
            guard !lower.hasPrefix("0o"), !lower.hasPrefix("0b"), !lower.isEmpty,
                  lower.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "_"
                                                    || $0 == "+" || $0 == "-") }),
                  let parsed = Double(String(body).replacingOccurrences(of: "_", with: ""))
            else { return .failure(syntax) }
            value = parsed
        }
        let signed = negative ? -value : value
        if signed.isInfinite {
            return .failure(ParseError(
                message: "strconv.ParseFloat: parsing \(GoQuote.quote(text)): value out of range", value: signed))
        }
        return .success(signed)
    }

    /// Go's `strconv.Atoi`: optional sign and decimal digits that fit in 64 bits.
    static func atoi(_ text: String) -> Int? {
        var body = Substring(text)
        if let first = body.first, first == "+" || first == "-" { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// Go's `%f`: six decimals.
    static func formatFixed(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return String(format: "%.6f", value)
    }

    /// Go's `%v` (`fmt.Sprint`) of a float64: the shortest representation, in exponent form below 1e-4 and from
    /// 1e6 on (`1e+06`, `1.5e-05`).
    static func formatShortest(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (negative, digits, pointPosition) = decimalDigits(value)
        let exponent = pointPosition - 1
        var out = negative ? "-" : ""
        if exponent < -4 || exponent >= 6 {
            out += String(digits.first ?? "0")
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += "e" + (exponent < 0 ? "-" : "+")
            let magnitude = String(abs(exponent))
            out += (magnitude.count < 2 ? "0" : "") + magnitude
        } else if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<index] + "." + digits[index...]
        }
        return out
    }

    /// The shortest round-trip decimal digits of `value` (no leading/trailing zeros) and the position of the
    /// decimal point relative to them (`123.4` → `"1234"`, 3).
    private static func decimalDigits(_ value: Double) -> (Bool, String, Int) {
        var text = Substring(value.description)
        var negative = false
        if text.first == "-" {
            negative = true
            text = text.dropFirst()
        }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var integer = text
        var fraction: Substring = ""
        if let dot = text.firstIndex(of: ".") {
            integer = text[..<dot]
            fraction = text[text.index(after: dot)...]
        }
        var digits = String(integer) + String(fraction)
        var point = integer.count + exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (negative, digits, point)
    }
}
