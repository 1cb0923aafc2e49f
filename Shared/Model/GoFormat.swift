/// Go's `strconv.Quote`: the quoting Loki and Prometheus use in label strings and error messages.
public enum GoQuote {
    /// Quotes `text` with double quotes, escaping like Go's `strconv.Quote`.
    public static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if isPrint(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        out += "\""
        return out
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    public static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value >= 0x20 && scalar.value < 0x7f }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Go's `strconv.FormatFloat(v, fmt, -1, 64)` for the `'f'`, `'e'` and `'g'` formats: the shortest decimal digits that
/// round-trip. Loki prints every sample value with `'f'` (`"0.5"`, `"1267.1266666666666"`, `"NaN"`, `"+Inf"`);
/// Prometheus prints alert values with `'e'` and templates print floats with `'g'` (`fmt`'s `%v`).
public enum GoFloat {
    /// `'f'`: never in exponent form.
    public static func format(_ value: Double) -> String {
        if let special = special(value) { return special }
        let (negative, digits, pointPosition) = shortestDigits(value)
        return (negative ? "-" : "") + fixed(digits, pointPosition)
    }

    /// `'e'`: always in exponent form, at least two exponent digits (`1e+00`, `1.5e-07`).
    public static func formatExponent(_ value: Double) -> String {
        if let special = special(value) { return special }
        let (negative, digits, pointPosition) = shortestDigits(value)
        return (negative ? "-" : "") + exponential(digits, pointPosition - 1)
    }

    /// `'g'` (and `fmt`'s `%v`): exponent form when the decimal exponent is below -4 or at least 6 (the precision
    /// Go uses for that decision when printing the shortest digits): `123456`, `1.234567e+06`, `0.0001`, `1e-05`.
    public static func formatShortest(_ value: Double) -> String {
        if let special = special(value) { return special }
        let (negative, digits, pointPosition) = shortestDigits(value)
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 { return (negative ? "-" : "") + exponential(digits, exponent) }
        return (negative ? "-" : "") + fixed(digits, pointPosition)
    }

    /// The shortest round-trip decimal digits of a finite, non-zero `value` (no leading or trailing zeros) and the
    /// position of the decimal point relative to the first digit (`123.4` → `"1234"`, 3; `0.05` → `"5"`, -1).
    public static func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        // Swift's description is the shortest round-trip representation, possibly with an exponent.
        var body = Substring(value.description)
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        var exponent = 0
        if let eIndex = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(body[body.index(after: eIndex)...]) ?? 0
            body = body[..<eIndex]
        }
        var integerPart = body
        var fractionPart: Substring = ""
        if let dot = body.firstIndex(of: ".") {
            integerPart = body[..<dot]
            fractionPart = body[body.index(after: dot)...]
        }
        var digits = String(integerPart) + String(fractionPart)
        var pointPosition = integerPart.count + exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (negative, digits, pointPosition)
    }

    private static func special(_ value: Double) -> String? {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        return nil
    }

    private static func fixed(_ digits: String, _ pointPosition: Int) -> String {
        if pointPosition <= 0 { return "0." + String(repeating: "0", count: -pointPosition) + digits }
        if pointPosition >= digits.count { return digits + String(repeating: "0", count: pointPosition - digits.count) }
        let index = digits.index(digits.startIndex, offsetBy: pointPosition)
        return String(digits[..<index]) + "." + String(digits[index...])
    }

    private static func exponential(_ digits: String, _ exponent: Int) -> String {
        var out = String(digits.prefix(1))
        if digits.count > 1 { out += "." + digits.dropFirst() }
        let magnitude = abs(exponent)
        return out + (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
    }
}
