import Foundation
import FjordModel
import FjordRegex

/// Go's `strings` functions on UTF-8 bytes (Swift's `String` methods compare by canonical equivalence, Go does not).
enum GoStrings {
    static func contains(_ text: String, _ substring: String) -> Bool {
        if substring.isEmpty { return true }
        return Bytes.withUTF8(text) { t in Bytes.withUTF8(substring) { s in Bytes.contains(t, s) } }
    }

    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        text.utf8.starts(with: prefix.utf8)
    }

    static func hasSuffix(_ text: String, _ suffix: String) -> Bool {
        text.utf8.count >= suffix.utf8.count && text.utf8.reversed().starts(with: suffix.utf8.reversed())
    }

    static func trimPrefix(_ text: String, _ prefix: String) -> String {
        guard hasPrefix(text, prefix) else { return text }
        return String(decoding: Array(text.utf8).dropFirst(prefix.utf8.count), as: UTF8.self)
    }

    static func trimSuffix(_ text: String, _ suffix: String) -> String {
        guard hasSuffix(text, suffix) else { return text }
        return String(decoding: Array(text.utf8).dropLast(suffix.utf8.count), as: UTF8.self)
    }

    /// `strings.Replace(s, old, new, n)`; n < 0 replaces all. An empty `old` inserts `new` around every rune.
    static func replace(_ text: String, _ old: String, _ new: String, count: Int) -> String {
        if count == 0 || old == new && !old.isEmpty { return text }
        let source = Array(text.utf8)
        let needle = Array(old.utf8)
        let replacement = Array(new.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(source.count)
        var remaining = count
        if needle.isEmpty {
            // Insert before each rune and at the end.
            var index = 0
            for scalar in text.unicodeScalars {
                if remaining == 0 { break }
                out += replacement
                let width = String(scalar).utf8.count
                out += source[index..<(index + width)]
                index += width
                remaining -= 1
            }
            if remaining != 0 { out += replacement }
            if index < source.count { out += source[index...] }
            return String(decoding: out, as: UTF8.self)
        }
        var index = 0
        source.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { n in
                while remaining != 0, index <= source.count,
                      let found = Bytes.find(n, in: UnsafeRawBufferPointer(rebasing: haystack[index...]))
                {
                    out += source[index..<(index + found)]
                    out += replacement
                    index += found + needle.count
                    remaining -= 1
                }
            }
        }
        out += source[index...]
        return String(decoding: out, as: UTF8.self)
    }

    /// `strings.Trim/TrimLeft/TrimRight(s, cutset)`.
    static func trim(_ text: String, cutset: String, left: Bool, right: Bool) -> String {
        let cut = Set(cutset.unicodeScalars)
        var scalars = Array(text.unicodeScalars)[...]
        if left { while let first = scalars.first, cut.contains(first) { scalars = scalars.dropFirst() } }
        if right { while let last = scalars.last, cut.contains(last) { scalars = scalars.dropLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `strings.TrimSpace`.
    static func trimSpace(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `strings.ToLower` (per-rune simple mapping).
    static func toLower(_ text: String) -> String { CaseFolding.lowercase(text) }

    /// `strings.ToUpper` (per-rune simple mapping).
    static func toUpper(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(upper(scalar)) }
        return String(out)
    }

    private static func upper(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value < 0x80 {
            if scalar.value >= 0x61 && scalar.value <= 0x7a { return Unicode.Scalar(scalar.value - 32)! }
            return scalar
        }
        let mapping = scalar.properties.uppercaseMapping.unicodeScalars
        if mapping.count == 1, let first = mapping.first { return first }
        return scalar
    }

    /// `strings.Title`: the first letter of every word in title case.
    static func title(_ text: String) -> String {
        var previous: Unicode.Scalar = " "
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isSeparator(previous) {
                let mapping = scalar.properties.titlecaseMapping.unicodeScalars
                out.append(mapping.count == 1 ? mapping.first! : scalar)
            } else {
                out.append(scalar)
            }
            previous = scalar
        }
        return String(out)
    }

    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value <= 0x7f {
            let byte = UInt8(scalar.value)
            return !Bytes.isLabelNameByte(byte)
        }
        if scalar.properties.isAlphabetic || scalar.properties.numericType != nil { return false }
        return scalar.properties.isWhitespace
    }
}

/// Escapers of the template builtins and Loki's URL functions.
enum Escapes {
    /// `template.HTMLEscapeString`.
    static func html(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `template.JSEscapeString`.
    static func javaScript(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `url.QueryEscape`.
    static func queryEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if Bytes.isLabelNameByte(byte) && byte != 0x5f || byte == 0x2d || byte == 0x5f || byte == 0x2e || byte == 0x7e {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == 0x20 {
                out += "+"
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `url.QueryUnescape`.
    static func queryUnescape(_ text: String) throws -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x25 {
                guard index + 2 < bytes.count, let high = Bytes.hexValue(bytes[index + 1]),
                      let low = Bytes.hexValue(bytes[index + 2]) else {
                    let fragment = String(decoding: bytes[index..<min(index + 3, bytes.count)], as: UTF8.self)
                    throw TemplateCallError(message: "invalid URL escape \(GoQuote.quote(fragment))")
                }
                out.append(UInt8(high << 4 | low))
                index += 3
            } else {
                out.append(byte == 0x2b ? 0x20 : byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// sprig's `b64dec` with padding added when missing; Go's error text on invalid input.
    static func base64Decode(_ text: String) -> String {
        var padded = text
        if padded.utf8.count % 4 != 0 { padded += String(repeating: "=", count: 4 - padded.utf8.count % 4) }
        if let data = Data(base64Encoded: padded) { return String(decoding: data, as: UTF8.self) }
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let position = text.utf8.firstIndex { !alphabet.contains($0) && $0 != 0x3d }
            .map { text.utf8.distance(from: text.utf8.startIndex, to: $0) } ?? text.utf8.count
        return "illegal base64 data at input byte \(position)"
    }
}

/// text/template's `eq` / `lt` on basic kinds.
enum Comparison {
    private enum Kind { case bool, int, float, string, invalid, other }

    private static func kind(_ value: TemplateValue) -> Kind {
        switch value {
        case .bool: return .bool
        case .int, .int64, .byte: return .int
        case .float: return .float
        case .string: return .string
        case .none: return .invalid
        default: return .other
        }
    }

    private static func integer(_ value: TemplateValue) -> Int64 {
        switch value {
        case .int(let n): return Int64(n)
        case .int64(let n): return n
        case .byte(let b): return Int64(b)
        default: return 0
        }
    }

    static func equal(_ lhs: TemplateValue, _ rhs: TemplateValue) throws -> Bool {
        let k1 = kind(lhs)
        let k2 = kind(rhs)
        if k1 != k2 {
            if k1 == .invalid || k2 == .invalid { return false }
            throw TemplateCallError(message: "incompatible types for comparison")
        }
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        case (.string(let a), .string(let b)): return Array(a.utf8) == Array(b.utf8)
        default:
            if k1 == .int { return integer(lhs) == integer(rhs) }
            if k1 == .invalid { return true }
            throw TemplateCallError(message: "non-comparable types")
        }
    }

    static func less(_ lhs: TemplateValue, _ rhs: TemplateValue) throws -> Bool {
        let k1 = kind(lhs)
        let k2 = kind(rhs)
        guard k1 != .invalid, k1 != .other, k2 != .invalid, k2 != .other else {
            throw TemplateCallError(message: "invalid type for comparison")
        }
        guard k1 == k2 else { throw TemplateCallError(message: "incompatible types for comparison") }
        switch (lhs, rhs) {
        case (.float(let a), .float(let b)): return a < b
        case (.string(let a), .string(let b)): return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        case (.bool, .bool): throw TemplateCallError(message: "invalid type for comparison")
        default: return integer(lhs) < integer(rhs)
        }
    }
}

/// spf13/cast conversions used by sprig's arithmetic.
enum Cast {
    static func toInt64(_ value: TemplateValue) -> Int64 {
        switch value {
        case .int(let n): return Int64(n)
        case .int64(let n): return n
        case .byte(let b): return Int64(b)
        case .float(let f): return f.isFinite && abs(f) < 9.2e18 ? Int64(f) : Int64.min
        case .bool(let b): return b ? 1 : 0
        case .string(let text):
            if case .success(let parsed) = GoStrconvInt.parse(trimZeroDecimal(text), base: 0) { return parsed }
            return 0
        default: return 0
        }
    }

    static func toFloat64(_ value: TemplateValue) -> Double {
        switch value {
        case .int(let n): return Double(n)
        case .int64(let n): return Double(n)
        case .byte(let b): return Double(b)
        case .float(let f): return f
        case .bool(let b): return b ? 1 : 0
        case .string(let text):
            if case .success(let parsed) = GoStrconv.parseFloat(text) { return parsed }
            return 0
        default: return 0
        }
    }

    /// cast's `trimZeroDecimal`: `"1.0"` → `"1"`.
    static func trimZeroDecimal(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var foundZero = false
        var index = bytes.count
        while index > 0 {
            switch bytes[index - 1] {
            case 0x2e:
                if foundZero { return String(decoding: bytes[..<(index - 1)], as: UTF8.self) }
                return text
            case 0x30:
                foundZero = true
            default:
                return text
            }
            index -= 1
        }
        return text
    }
}

/// Go's `strconv.ParseInt(s, base, 64)` (base 0: prefixes `0x` `0o` `0b` and a leading `0` for octal, underscores).
enum GoStrconvInt {
    static func parse(_ text: String, base: Int = 10) -> Result<Int64, GoNumberError> {
        let fail = Result<Int64, GoNumberError>.failure(GoNumberError(function: "ParseInt", input: text, reason: "invalid syntax"))
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("+") || body.hasPrefix("-") {
            negative = body.hasPrefix("-")
            body = body.dropFirst()
        }
        var radix = base
        if base == 0 {
            radix = 10
            let lower = body.lowercased()
            if lower.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
            else if lower.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
            else if lower.hasPrefix("0b") { radix = 2; body = body.dropFirst(2) }
            else if body.count > 1, body.hasPrefix("0") { radix = 8; body = body.dropFirst() }
            if body.contains("_") {
                if body.hasPrefix("_") || body.hasSuffix("_") || body.contains("__") { return fail }
                body = Substring(body.replacingOccurrences(of: "_", with: ""))
            }
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return fail }
        guard let magnitude = UInt64(body, radix: radix) else {
            if UInt64(body.filter { $0.isHexDigit }, radix: 16) != nil, body.allSatisfy({ Int(String($0), radix: radix) != nil }) {
                return .failure(GoNumberError(function: "ParseInt", input: text, reason: "value out of range"))
            }
            return fail
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else {
                return .failure(GoNumberError(function: "ParseInt", input: text, reason: "value out of range"))
            }
            return .success(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else {
            return .failure(GoNumberError(function: "ParseInt", input: text, reason: "value out of range"))
        }
        return .success(Int64(magnitude))
    }
}

/// sprig's `addf`/`subf`/`mulf`/`divf`, computed in decimal like shopspring/decimal.
enum DecimalMath {
    static func fold(_ values: [TemplateValue], start: Double, operation: Character) -> Double {
        var result = decimal(start)
        for value in values {
            let operand = decimal(Cast.toFloat64(value))
            switch operation {
            case "+": result += operand
            case "-": result -= operand
            case "*": result *= operand
            default:
                if operand == 0 { return start.isNaN ? .nan : (Double(truncating: result as NSNumber) >= 0 ? .infinity : -.infinity) }
                var quotient = result / operand
                var rounded = Decimal()
                NSDecimalRound(&rounded, &quotient, 16, .plain)
                result = rounded
            }
        }
        return Double(String(describing: result)) ?? Double(truncating: result as NSNumber)
    }

    private static func decimal(_ value: Double) -> Decimal {
        if !value.isFinite { return Decimal(value) }
        return Decimal(string: "\(value)", locale: Locale(identifier: "en_US_POSIX")) ?? Decimal(value)
    }
}

/// `json.Unmarshal` into `interface{}` for sprig's `fromJson` (invalid JSON gives nil).
enum JSONValueParser {
    static func parse(_ text: String) -> TemplateValue {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return .none }
        return convert(object)
    }

    private static func convert(_ object: Any) -> TemplateValue {
        switch object {
        case let dictionary as [String: Any]: return .map(dictionary.mapValues(convert))
        case let array as [Any]: return .list(array.map(convert))
        case let string as String: return .string(string)
        case let number as NSNumber:
            // JSON booleans come back as NSNumber of type `c` (char); numbers as integers or doubles.
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .float(number.doubleValue)
        default: return .none
        }
    }
}

/// Go `regexp`'s `ReplaceAllString`, `ReplaceAllLiteralString` and `FindAllStringIndex` counting.
enum RegexReplace {
    static func replaceAll(_ regex: RE2RegexType, in text: String, with replacement: String, literal: Bool) -> String {
        let source = Array(text.utf8)
        var out: [UInt8] = []
        source.withUnsafeBytes { bytes in
            var lastMatchEnd = 0
            var searchPosition = 0
            while searchPosition <= bytes.count {
                guard let groups = regex.firstMatch(in: bytes, from: searchPosition), let whole = groups[0] else { break }
                out += source[lastMatchEnd..<whole.lowerBound]
                if whole.upperBound > lastMatchEnd || whole.lowerBound == 0 {
                    if literal {
                        out += Array(replacement.utf8)
                    } else {
                        expand(replacement, groups: groups, names: regex.groupNames, source: source, into: &out)
                    }
                }
                lastMatchEnd = whole.upperBound
                let width = searchPosition < bytes.count ? (UTF8Decoding.decode(bytes, at: searchPosition)?.1 ?? 1) : 0
                if searchPosition + width > whole.upperBound {
                    searchPosition += width
                } else if searchPosition + 1 > whole.upperBound {
                    searchPosition += 1
                } else {
                    searchPosition = whole.upperBound
                }
            }
            out += source[lastMatchEnd...]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func countMatches(_ regex: RE2RegexType, in text: String) -> Int {
        let source = Array(text.utf8)
        return source.withUnsafeBytes { bytes in
            var count = 0
            var position = 0
            var previousEnd = -1
            while position <= bytes.count {
                guard let groups = regex.firstMatch(in: bytes, from: position), let whole = groups[0] else { break }
                var accept = true
                if whole.upperBound == position {
                    if whole.lowerBound == previousEnd { accept = false }
                    position += position < bytes.count ? (UTF8Decoding.decode(bytes, at: position)?.1 ?? 1) : 1
                } else {
                    position = whole.upperBound
                }
                previousEnd = whole.upperBound
                if accept { count += 1 }
            }
            return count
        }
    }

    /// Go's `Regexp.Expand` template: `$1`, `${1}`, `$name`, `${name}`, `$$`.
    private static func expand(_ template: String, groups: [Range<Int>?], names: [String?], source: [UInt8],
                               into out: inout [UInt8]) {
        let bytes = Array(template.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x24, index + 1 < bytes.count else {
                out.append(byte)
                index += 1
                continue
            }
            if bytes[index + 1] == 0x24 {
                out.append(0x24)
                index += 2
                continue
            }
            var name: [UInt8] = []
            var end = index + 1
            if bytes[end] == 0x7b {
                end += 1
                while end < bytes.count, Bytes.isLabelNameByte(bytes[end]) { name.append(bytes[end]); end += 1 }
                guard end < bytes.count, bytes[end] == 0x7d, !name.isEmpty else {
                    out.append(byte)
                    index += 1
                    continue
                }
                end += 1
            } else {
                while end < bytes.count, Bytes.isLabelNameByte(bytes[end]) { name.append(bytes[end]); end += 1 }
                if name.isEmpty {
                    out.append(byte)
                    index += 1
                    continue
                }
            }
            index = end
            let key = String(decoding: name, as: UTF8.self)
            var group: Int?
            if let number = Int(key), number >= 0 {
                group = number
            } else {
                group = names.firstIndex { $0 == key }
            }
            if let group, group < groups.count, let range = groups[group] { out += source[range] }
        }
    }
}

typealias RE2RegexType = RE2Regex
