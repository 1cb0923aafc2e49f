/// Go's `utf8.DecodeRune`: one scalar and its width, or `nil` and width 1 for an invalid sequence.
enum UTF8Decoding {
    static func decode(_ bytes: [UInt8], at index: Int) -> (UInt32?, Int) {
        let first = bytes[index]
        if first < 0x80 { return (UInt32(first), 1) }
        let count: Int
        var value: UInt32
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch first {
        case 0xC2...0xDF:
            count = 2
            value = UInt32(first & 0x1F)
        case 0xE0...0xEF:
            count = 3
            value = UInt32(first & 0x0F)
            if first == 0xE0 { lowerBound = 0xA0 }
            if first == 0xED { upperBound = 0x9F }
        case 0xF0...0xF4:
            count = 4
            value = UInt32(first & 0x07)
            if first == 0xF0 { lowerBound = 0x90 }
            if first == 0xF4 { upperBound = 0x8F }
        default:
            return (nil, 1)
        }
        guard index + count <= bytes.count else { return (nil, 1) }
        for offset in 1..<count {
            let byte = bytes[index + offset]
            let low = offset == 1 ? lowerBound : 0x80
            let high = offset == 1 ? upperBound : 0xBF
            guard byte >= low, byte <= high else { return (nil, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (value, count)
    }

    static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        let array = Array(bytes)
        var index = 0
        while index < array.count {
            let (scalar, width) = decode(array, at: index)
            if scalar == nil { return false }
            index += width
        }
        return true
    }
}

/// Go's `unicode` predicates on runes (`Int32`, negative for EOF).
enum GoUnicode {
    private static func scalar(_ rune: Int32) -> Unicode.Scalar? {
        rune < 0 ? nil : Unicode.Scalar(UInt32(rune))
    }

    /// `unicode.IsLetter`: categories Lu, Ll, Lt, Lm, Lo.
    static func isLetter(_ rune: Int32) -> Bool {
        if rune >= 0x41, rune <= 0x5A { return true }
        if rune >= 0x61, rune <= 0x7A { return true }
        guard rune >= 0x80, let scalar = scalar(rune) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `unicode.IsDigit`: category Nd.
    static func isDigit(_ rune: Int32) -> Bool {
        if rune >= 0x30, rune <= 0x39 { return true }
        guard rune >= 0x80, let scalar = scalar(rune) else { return false }
        return scalar.properties.generalCategory == .decimalNumber
    }

    /// `unicode.IsNumber`: categories Nd, Nl, No.
    static func isNumber(_ rune: Int32) -> Bool {
        if rune >= 0x30, rune <= 0x39 { return true }
        guard rune >= 0x80, let scalar = scalar(rune) else { return false }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `unicode.IsSpace`.
    static func isSpace(_ rune: Int32) -> Bool {
        switch rune {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0: return true
        default:
            guard rune > 0xFF, let scalar = scalar(rune) else { return false }
            return scalar.properties.isWhitespace
        }
    }

    static func string(_ rune: Int32) -> String {
        guard let scalar = scalar(rune) else { return "\u{FFFD}" }
        return String(scalar)
    }
}

/// Prometheus' `strutil.Unquote`: the unquoting Loki applies to string tokens.
enum GoUnquote {
    /// Returns the unquoted value, or `nil` for Go's `invalid syntax`.
    static func unquote(_ token: ArraySlice<UInt8>) -> String? {
        let bytes = Array(token)
        guard bytes.count >= 2, let quote = bytes.first, bytes.last == quote else { return nil }
        let body = Array(bytes[1..<(bytes.count - 1)])
        if quote == 0x60 {
            if body.contains(0x60) { return nil }
            return String(decoding: body, as: UTF8.self)
        }
        guard quote == 0x22 || quote == 0x27 else { return nil }
        if body.contains(0x0A) { return nil }
        if !body.contains(0x5C), !body.contains(quote) { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            let byte = body[index]
            if byte == quote { return nil }
            if byte != 0x5C {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < body.count else { return nil }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case 0x61: out.append(0x07)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x76: out.append(0x0B)
            case 0x5C: out.append(0x5C)
            case 0x27, 0x22:
                guard escape == quote else { return nil }
                out.append(escape)
            case 0x78, 0x75, 0x55:  // x u U
                let width = escape == 0x78 ? 2 : (escape == 0x75 ? 4 : 8)
                guard index + width <= body.count else { return nil }
                var value: UInt32 = 0
                for offset in 0..<width {
                    let digit = QueryScanner.digitValue(Int32(body[index + offset]))
                    guard digit < 16 else { return nil }
                    value = value << 4 | UInt32(digit)
                }
                index += width
                if escape == 0x78 {
                    out.append(UInt8(value))
                } else {
                    guard let scalar = Unicode.Scalar(value) else { return nil }
                    out.append(contentsOf: Array(String(scalar).utf8))
                }
            case 0x30...0x37:
                guard index + 2 <= body.count else { return nil }
                var value = UInt32(escape - 0x30)
                for offset in 0..<2 {
                    let digit = body[index + offset]
                    guard digit >= 0x30, digit <= 0x37 else { return nil }
                    value = value << 3 | UInt32(digit - 0x30)
                }
                index += 2
                guard value <= 255 else { return nil }
                out.append(UInt8(value))
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
