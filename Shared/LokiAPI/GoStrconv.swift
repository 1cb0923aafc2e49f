import FjordModel

/// The parts of Go's `strconv` that Loki's parameter parsing relies on, with Go's acceptance rules and error texts
/// (`strconv.ParseInt: parsing "x": invalid syntax`), so that a bad parameter gets Loki's exact message.
enum GoStrconv {
    /// Go's `strconv.Atoi`: optional sign, decimal digits only.
    static func atoi(_ text: String) throws(LokiAPIError) -> Int {
        Int(try parseSignedDecimal(text, function: "Atoi"))
    }

    /// Go's `strconv.ParseInt(text, 10, 64)`.
    static func parseInt(_ text: String) throws(LokiAPIError) -> Int64 {
        try parseSignedDecimal(text, function: "ParseInt")
    }

    private static func parseSignedDecimal(_ text: String, function: String) throws(LokiAPIError) -> Int64 {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { throw numberError(function, text, "invalid syntax") }
        var magnitude: UInt64 = 0
        var overflow = false
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { throw numberError(function, text, "invalid syntax") }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            if o1 || o2 { overflow = true }
            magnitude = sum
            index += 1
        }
        let limit: UInt64 = negative ? 1 << 63 : (1 << 63) - 1
        if overflow || magnitude > limit { throw numberError(function, text, "value out of range") }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    private static func numberError(_ function: String, _ text: String, _ reason: String) -> LokiAPIError {
        .badRequest("strconv.\(function): parsing \(GoQuote.quote(text)): \(reason)")
    }

    /// Go's `strconv.ParseFloat(text, 64)` when it succeeds, else nil. Accepts decimal (`1`, `-0.5`, `.5`, `1e3`),
    /// hexadecimal floats with a `p` exponent, `inf`/`infinity` with a sign and `nan` (case-insensitive); a finite
    /// number that overflows is an error in Go, so it is nil here.
    static func parseFloat(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if let special = parseSpecial(bytes) { return special }
        guard isDecimalFloat(bytes) || isHexFloat(bytes) else { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static func parseSpecial(_ bytes: [UInt8]) -> Double? {
        let lower = bytes.map { $0 | 0x20 }
        var body = lower[...]
        var sign = 1.0
        var signed = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            signed = true
            body = lower.dropFirst()
        }
        if Array(body) == Array("inf".utf8) || Array(body) == Array("infinity".utf8) { return sign * .infinity }
        if !signed, Array(body) == Array("nan".utf8) { return .nan }
        return nil
    }

    /// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`
    private static func isDecimalFloat(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        var mantissaDigits = digits()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }

    /// `[+-]? 0[xX] (hex [. hex?] | . hex) [pP] [+-]? digits` (Go requires the binary exponent).
    private static func isHexFloat(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func isHex(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "0"), bytes[index + 1] | 0x20 == UInt8(ascii: "x")
        else { return false }
        index += 2
        var mantissaDigits = 0
        while index < bytes.count, isHex(bytes[index]) {
            index += 1
            mantissaDigits += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isHex(bytes[index]) {
                index += 1
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0, index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "p") else { return false }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        let exponentStart = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        return index > exponentStart && index == bytes.count
    }
}
