/// Parses a Prometheus label-set string such as `{app="api", "service.name"='x', env=`prod`}` the way Loki's
/// `syntax.ParseLabels` does (Prometheus `ParseMetric`, then `WithoutEmpty`).
///
/// Accepted syntax: optional metric name, then `{` items separated by `,` (a trailing comma is allowed) `}`; `{}`,
/// an empty string and whitespace or `#` comments anywhere are allowed. An item is `name = value` where the name is
/// an identifier `[a-zA-Z_][a-zA-Z0-9_]*` or a quoted string (UTF-8 names), and the value is a `"…"` or `'…'` string
/// with Go escapes or a `` `raw` `` string. A bare quoted string item (or a leading metric name) sets `__name__`.
/// Labels with an empty value are dropped; the result is sorted by name.
///
/// Errors read like Prometheus' (`1:6: parse error: unexpected identifier "b" in label set, expected string`).
public enum LabelParser {
    /// Loki refuses label strings above 16 MiB.
    public static let maxInputSize = 1 << 24

    /// Parses `text` into a label set. When a name repeats, the last value wins (use ``parsePairs(_:)-swift.type.method``
    /// to see repeated names).
    public static func parse(_ text: String) throws(LabelParseError) -> Labels {
        Labels(try parsePairs(text))
    }

    /// Parses `text` into pairs sorted by name (stable), empty values removed, repeated names kept.
    public static func parsePairs(_ text: String) throws(LabelParseError) -> [LabelPair] {
        var copy = text
        let result: Result<[LabelPair], LabelParseError> = copy.withUTF8 { buffer in
            Result { () throws(LabelParseError) -> [LabelPair] in try parsePairs(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }

    /// Parses UTF-8 bytes into pairs sorted by name (stable), empty values removed, repeated names kept.
    public static func parsePairs(_ bytes: UnsafeRawBufferPointer) throws(LabelParseError) -> [LabelPair] {
        guard bytes.count <= maxInputSize else {
            throw LabelParseError(message: "labels size \(bytes.count >> 20) MiB exceeds limit of \(maxInputSize >> 20)",
                                  input: bytes, offset: 0)
        }
        var parser = LabelSetParser(input: bytes)
        let pairs = try parser.parse()
        let kept = pairs.enumerated().filter { !$0.element.value.isEmpty }
        return kept.sorted { lhs, rhs in
            if lhs.element.name == rhs.element.name { return lhs.offset < rhs.offset }
            return Labels.nameLess(lhs.element.name, rhs.element.name)
        }.map(\.element)
    }
}

/// A label-set string could not be parsed. `description` is Prometheus' form `<line>:<column>: parse error: <message>`.
public struct LabelParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, without the position.
    public var message: String
    /// 1-based line and byte column of the offending token.
    public var line: Int
    public var column: Int

    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    init(message: String, input: UnsafeRawBufferPointer, offset: Int) {
        var line = 1
        var lastBreak = -1
        for index in 0..<min(offset, input.count) where input[index] == 0x0A {
            line += 1
            lastBreak = index
        }
        self.init(message: message, line: line, column: offset - lastBreak)
    }

    public var description: String { "\(line):\(column): parse error: \(message)" }
}

/// The tokens of Prometheus' lexer that can appear in a label set.
private enum LabelToken {
    case identifier(String)
    case string(raw: String, value: [UInt8])
    case leftBrace, rightBrace, comma, equal
    case otherOperator(String)
    case end

    /// Prometheus' `Item.desc()` wording used in "unexpected …" messages.
    var description: String {
        switch self {
        case .identifier(let name): return "identifier " + GoQuote.quote(name)
        case .string(let raw, _):
            let scalars = Array(raw.unicodeScalars)
            if raw.utf8.count > 10 {
                var head = String.UnicodeScalarView()
                head.append(contentsOf: scalars.prefix(10))
                return "string " + GoQuote.quote(String(head)) + "..."
            }
            return "string " + GoQuote.quote(raw)
        case .leftBrace: return "\"{\""
        case .rightBrace: return "\"}\""
        case .comma: return "\",\""
        case .equal: return "\"=\""
        case .otherOperator(let op): return "<op:\(op)>"
        case .end: return "end of input"
        }
    }
}

/// A recursive-descent parser over Prometheus' metric grammar (`metric_identifier? label_set`).
private struct LabelSetParser {
    let input: UnsafeRawBufferPointer
    var position = 0
    var insideBraces = false

    init(input: UnsafeRawBufferPointer) { self.input = input }

    mutating func parse() throws(LabelParseError) -> [LabelPair] {
        var pairs: [LabelPair] = []
        var (token, start) = try next()
        if case .identifier(let name) = token {
            pairs.append(LabelPair(name: "__name__", value: name))
            (token, start) = try next()
        }
        switch token {
        case .end: return pairs
        case .leftBrace: break
        default: throw unexpected(token, at: start, expected: nil)
        }
        insideBraces = true
        while true {
            (token, start) = try next()
            if case .rightBrace = token { break }
            switch token {
            case .identifier(let name):
                let (equal, equalStart) = try next()
                guard case .equal = equal else { throw unexpected(equal, at: equalStart, expected: "\"=\"", context: true) }
                pairs.append(LabelPair(name: name, value: try value()))
            case .string(_, let nameBytes):
                let name = String(decoding: nameBytes, as: UTF8.self)
                let (after, afterStart) = try next()
                switch after {
                case .equal:
                    pairs.append(LabelPair(name: name, value: try value()))
                case .comma:
                    pairs.append(LabelPair(name: "__name__", value: name))
                    continue
                case .rightBrace:
                    pairs.append(LabelPair(name: "__name__", value: name))
                    return try finish(pairs)
                default:
                    throw unexpected(after, at: afterStart, expected: "\"=\"", context: true)
                }
            default:
                throw unexpected(token, at: start, expected: "identifier or \"}\"", context: true)
            }
            let (separator, separatorStart) = try next()
            switch separator {
            case .comma: continue
            case .rightBrace: return try finish(pairs)
            default: throw unexpected(separator, at: separatorStart, expected: "\",\" or \"}\"", context: true)
            }
        }
        return try finish(pairs)
    }

    private mutating func finish(_ pairs: [LabelPair]) throws(LabelParseError) -> [LabelPair] {
        insideBraces = false
        let (token, start) = try next()
        guard case .end = token else { throw unexpected(token, at: start, expected: nil) }
        return pairs
    }

    private mutating func value() throws(LabelParseError) -> String {
        let (token, start) = try next()
        guard case .string(_, let bytes) = token else { throw unexpected(token, at: start, expected: "string", context: true) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func unexpected(_ token: LabelToken, at offset: Int, expected: String?, context: Bool = false) -> LabelParseError {
        var message = "unexpected " + token.description
        if context { message += " in label set" }
        if let expected { message += ", expected " + expected }
        return LabelParseError(message: message, input: input, offset: offset)
    }

    private func error(_ message: String, at offset: Int) -> LabelParseError {
        LabelParseError(message: message, input: input, offset: offset)
    }

    // MARK: Lexer

    private mutating func skipSpaceAndComments() {
        while position < input.count {
            let byte = input[position]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                position += 1
            } else if byte == 0x23 { // '#' line comment
                while position < input.count, input[position] != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        byte == 0x5F || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// PromQL words that the lexer turns into keywords or numbers, so they cannot be metric names.
    private static let reservedWords: Set<String> = [
        "avg", "bottomk", "count", "count_values", "group", "max", "min", "quantile", "stddev", "stdvar", "sum",
        "topk", "limitk", "limit_ratio", "offset", "by", "without", "on", "ignoring", "group_left", "group_right",
        "bool", "atan2", "and", "or", "unless", "inf", "nan",
    ]

    private mutating func next() throws(LabelParseError) -> (LabelToken, Int) {
        skipSpaceAndComments()
        let start = position
        guard position < input.count else {
            if insideBraces { throw error("unexpected end of input inside braces", at: start) }
            return (.end, start)
        }
        let byte = input[position]
        if Self.isAlpha(byte) || (!insideBraces && byte == 0x3A) {
            position += 1
            while position < input.count {
                let next = input[position]
                guard Self.isAlpha(next) || Self.isDigit(next) || (!insideBraces && next == 0x3A) else { break }
                position += 1
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
            if !insideBraces, Self.reservedWords.contains(name.lowercased()) {
                throw error("unexpected " + GoQuote.quote(name), at: start)
            }
            return (.identifier(name), start)
        }
        position += 1
        switch byte {
        case 0x7B: // {
            if insideBraces { throw error("unexpected left brace '{' inside braces", at: start) }
            return (.leftBrace, start)
        case 0x7D: // }
            if !insideBraces { throw error("unexpected right brace '}'", at: start) }
            return (.rightBrace, start)
        case 0x2C: // ,
            if !insideBraces { throw error("unexpected \",\"", at: start) }
            return (.comma, start)
        case 0x3D: // = or =~
            if position < input.count, input[position] == 0x7E {
                position += 1
                return (.otherOperator("=~"), start)
            }
            return (.equal, start)
        case 0x21: // != or !~
            if position < input.count, input[position] == 0x3D || input[position] == 0x7E {
                let op = input[position] == 0x3D ? "!=" : "!~"
                position += 1
                return (.otherOperator(op), start)
            }
            let following = position < input.count ? characterDescription(at: position) : "'\\x00'"
            throw error("unexpected character after '!' inside braces: \(following)", at: start)
        case 0x22, 0x27: // " or '
            let value = try quotedString(quote: byte, start: start)
            return (.string(raw: rawText(start), value: value), start)
        case 0x60: // `
            let value = try rawString(start: start)
            return (.string(raw: rawText(start), value: value), start)
        default:
            position = start
            let described = characterDescription(at: start)
            if insideBraces { throw error("unexpected character inside braces: \(described)", at: start) }
            throw error("unexpected character: \(described)", at: start)
        }
    }

    private func rawText(_ start: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
    }

    /// Go's `%q` of the rune at `offset` (`strconv.QuoteRune`).
    private func characterDescription(at offset: Int) -> String {
        let scalar = decodeScalar(at: offset).0 ?? "\u{FFFD}"
        switch scalar {
        case "'": return "'\\''"
        case "\"": return "'\"'"
        default:
            let quoted = GoQuote.quote(String(Character(scalar)))
            return "'" + quoted.dropFirst().dropLast() + "'"
        }
    }

    /// Decodes one UTF-8 scalar at `offset`; `nil` for an invalid sequence. Returns the byte length consumed.
    private func decodeScalar(at offset: Int) -> (Unicode.Scalar?, Int) {
        let first = input[offset]
        if first < 0x80 { return (Unicode.Scalar(first), 1) }
        let length: Int
        var value: UInt32
        switch first {
        case 0xC2...0xDF: length = 2; value = UInt32(first & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(first & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(first & 0x07)
        default: return (nil, 1)
        }
        guard offset + length <= input.count else { return (nil, 1) }
        for index in 1..<length {
            let byte = input[offset + index]
            guard byte & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : (length == 3 ? 0x800 : 0x10000)
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return (nil, 1) }
        return (scalar, length)
    }

    /// Checks the UTF-8 of a string body byte; Prometheus rejects invalid sequences and U+FFFD alike.
    private mutating func consumeScalar(start: Int) throws(LabelParseError) {
        let (scalar, length) = decodeScalar(at: position)
        guard let scalar, scalar != "\u{FFFD}" else { throw error("invalid UTF-8 rune", at: start) }
        position += length
    }

    private mutating func rawString(start: Int) throws(LabelParseError) -> [UInt8] {
        let bodyStart = position
        while position < input.count {
            if input[position] == 0x60 {
                let value = Array(UnsafeRawBufferPointer(rebasing: input[bodyStart..<position]))
                position += 1
                return value
            }
            try consumeScalar(start: start)
        }
        throw error("unterminated raw string", at: start)
    }

    private mutating func quotedString(quote: UInt8, start: Int) throws(LabelParseError) -> [UInt8] {
        var value: [UInt8] = []
        while position < input.count {
            let byte = input[position]
            if byte == quote {
                position += 1
                return value
            }
            if byte == 0x0A { break }
            if byte == 0x5C { // backslash
                position += 1
                try escape(quote: quote, start: start, into: &value)
                continue
            }
            let scalarStart = position
            try consumeScalar(start: start)
            value.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[scalarStart..<position]))
        }
        throw error("unterminated quoted string", at: start)
    }

    /// `\a \b \f \n \r \t \v \\` and the bytes they stand for.
    private static let simpleEscapes: [UInt8: UInt8] = [
        0x61: 0x07, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09, 0x76: 0x0B, 0x5C: 0x5C,
    ]

    private mutating func escape(quote: UInt8, start: Int, into value: inout [UInt8]) throws(LabelParseError) {
        guard position < input.count else { throw error("escape sequence not terminated", at: start) }
        let byte = input[position]
        position += 1
        if let mapped = Self.simpleEscapes[byte] {
            value.append(mapped)
            return
        }
        if byte == quote {
            value.append(quote)
            return
        }
        var digits: Int
        var base: UInt32
        var maximum: UInt32
        var isRune = false
        switch byte {
        case 0x30...0x37:
            digits = 3; base = 8; maximum = 255
            position -= 1
        case 0x78: digits = 2; base = 16; maximum = 255
        case 0x75: digits = 4; base = 16; maximum = 0x10FFFF; isRune = true
        case 0x55: digits = 8; base = 16; maximum = 0x10FFFF; isRune = true
        default:
            position -= 1
            let (scalar, _) = decodeScalar(at: position)
            let code = scalar?.value ?? 0xFFFD
            let hex = String(code, radix: 16, uppercase: true)
            let padded = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw error("unknown escape sequence U+\(padded) '\(String(Character(scalar ?? "\u{FFFD}")))'", at: start)
        }
        var result: UInt32 = 0
        while digits > 0 {
            guard position < input.count else { throw error("escape sequence not terminated", at: start) }
            let digit = input[position]
            let digitValue: UInt32
            switch digit {
            case 0x30...0x39: digitValue = UInt32(digit - 0x30)
            case 0x61...0x66: digitValue = UInt32(digit - 0x61 + 10)
            case 0x41...0x46: digitValue = UInt32(digit - 0x41 + 10)
            default: digitValue = 99
            }
            guard digitValue < base else {
                throw error("illegal character \(characterDescription(at: position)) in escape sequence", at: start)
            }
            result = result * base + digitValue
            digits -= 1
            position += 1
        }
        guard result <= maximum, !(0xD800..<0xE000).contains(result) else {
            throw error("escape sequence is an invalid Unicode code point", at: start)
        }
        if isRune, let scalar = Unicode.Scalar(result) {
            value.append(contentsOf: Array(String(Character(scalar)).utf8))
        } else {
            value.append(UInt8(truncatingIfNeeded: result))
        }
    }
}
