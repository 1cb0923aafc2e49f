import FjordModel

/// Go's `strconv` number parsing with its exact syntax and error texts, on bytes.
enum GoStrconv {
    /// `strconv.ParseFloat(s, 64)`: decimal or hexadecimal (`0x1p-2`) floats, `inf`/`infinity`/`nan` in any case,
    /// underscores only after a base prefix. Errors: `strconv.ParseFloat: parsing "x": invalid syntax` /
    /// `value out of range`.
    static func parseFloat(_ bytes: UnsafeRawBufferPointer) -> Result<Double, GoNumberError> {
        guard let value = parseFloatValue(bytes) else {
            return .failure(GoNumberError(function: "ParseFloat", input: Bytes.string(bytes), reason: "invalid syntax"))
        }
        if value.isInfinite, !isInfinityLiteral(bytes) {
            return .failure(GoNumberError(function: "ParseFloat", input: Bytes.string(bytes), reason: "value out of range"))
        }
        return .success(value)
    }

    static func parseFloat(_ text: String) -> Result<Double, GoNumberError> {
        Bytes.withUTF8(text) { parseFloat($0) }
    }

    private static func isInfinityLiteral(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var body = Bytes.string(bytes).lowercased()
        if body.hasPrefix("+") || body.hasPrefix("-") { body.removeFirst() }
        return body == "inf" || body == "infinity"
    }

    private static func parseFloatValue(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let count = bytes.count
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == 0x2b || bytes[0] == 0x2d {
            negative = bytes[0] == 0x2d
            index = 1
        }
        // Special values.
        let rest = Bytes.string(UnsafeRawBufferPointer(rebasing: bytes[index...])).lowercased()
        if rest == "inf" || rest == "infinity" { return negative ? -.infinity : .infinity }
        if rest == "nan" { return .nan }
        var hex = false
        if index + 1 < count, bytes[index] == 0x30, bytes[index + 1] | 0x20 == 0x78 {
            hex = true
            index += 2
        }
        var digits = 0
        var sawDot = false
        var sawExponent = false
        var underscores = false
        var clean: [UInt8] = negative ? [0x2d] : []
        if hex { clean += [0x30, 0x78] }
        var lastWasUnderscore = false
        while index < count {
            let byte = bytes[index]
            if byte == 0x5f {
                // Go: underscores only with a base prefix, between digits.
                guard hex, !lastWasUnderscore else { return nil }
                underscores = true
                lastWasUnderscore = true
                index += 1
                continue
            }
            lastWasUnderscore = false
            if Bytes.isDigit(byte) || (hex && ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)) {
                digits += 1
            } else if byte == 0x2e {
                if sawDot { return nil }
                sawDot = true
            } else if (!hex && (byte | 0x20) == 0x65) || (hex && (byte | 0x20) == 0x70) {
                break
            } else {
                return nil
            }
            clean.append(byte)
            index += 1
        }
        if digits == 0 { return nil }
        if index < count {
            // Exponent.
            sawExponent = true
            clean.append(bytes[index])
            index += 1
            if index < count, bytes[index] == 0x2b || bytes[index] == 0x2d {
                clean.append(bytes[index])
                index += 1
            }
            var exponentDigits = 0
            while index < count {
                let byte = bytes[index]
                if byte == 0x5f, hex {
                    index += 1
                    continue
                }
                guard Bytes.isDigit(byte) else { return nil }
                clean.append(byte)
                exponentDigits += 1
                index += 1
            }
            if exponentDigits == 0 { return nil }
        }
        if hex && !sawExponent { return nil }
        if lastWasUnderscore { return nil }
        _ = underscores
        let text = String(decoding: clean, as: UTF8.self)
        return Double(text)
    }
}

/// A Go `strconv` error (`*strconv.NumError`).
struct GoNumberError: Error, Sendable {
    let function: String
    let input: String
    let reason: String

    var message: String { "strconv.\(function): parsing \(GoQuote.quote(input)): \(reason)" }
}
