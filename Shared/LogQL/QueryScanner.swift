import FjordModel

/// A character scanner with the exact behaviour of the Go `text/scanner` copy Loki's LogQL lexer is built on:
/// Go tokens (identifiers, Go numbers, `"…"` with escapes, `` `…` `` raw strings, `'…'` chars), Go comments
/// skipped, one character of look-ahead, and Loki's error positions (line/column of the last scanned token; a
/// `Next()` call invalidates the line, which is why Loki reports some errors at "line 0").
struct QueryScanner {
    static let eof: Int32 = -1
    static let identToken: Int32 = -2
    static let intToken: Int32 = -3
    static let floatToken: Int32 = -4
    static let charToken: Int32 = -5
    static let stringToken: Int32 = -6
    static let rawStringToken: Int32 = -7

    /// A scanner error with the position Loki reports for it.
    struct Issue: Sendable {
        var message: String
        var line: Int
        var column: Int
    }

    let source: [UInt8]
    private(set) var sourcePosition = 0
    /// The look-ahead character; -2 before the first read.
    private var lookahead: Int32 = -2
    private var line = 1
    private var column = 0
    private var lastLineLength = 0
    private var lastCharLength = 0
    private var tokenStart = -1
    private var tokenEnd = 0
    /// Start of the most recently scanned token; `positionLine == 0` means invalidated.
    private(set) var positionLine = 0
    private(set) var positionColumn = 0
    /// Errors in the order Loki would record them.
    var issues: [Issue] = []

    init(_ source: [UInt8]) {
        self.source = source
    }

    // MARK: Characters

    /// Decodes the next character (Go `next`): updates line/column, reports invalid UTF-8 and NUL.
    private mutating func read() -> Int32 {
        guard sourcePosition < source.count else {
            if lastCharLength > 0 { column += 1 }
            lastCharLength = 0
            return Self.eof
        }
        let (scalar, width) = UTF8Decoding.decode(source, at: sourcePosition)
        sourcePosition += width
        lastCharLength = width
        column += 1
        guard let scalar else {
            report("invalid UTF-8 encoding")
            return 0xFFFD
        }
        if scalar == 0 { report("invalid character NUL") }
        if scalar == 0x0A {
            line += 1
            lastLineLength = column
            column = 0
        }
        return Int32(bitPattern: scalar)
    }

    /// The next character without consuming it (Go `Peek`).
    mutating func peek() -> Int32 {
        if lookahead == -2 {
            lookahead = read()
            if lookahead == 0xFEFF { lookahead = read() }
        }
        return lookahead
    }

    /// Consumes and returns the next character (Go `Next`); invalidates the token position.
    @discardableResult
    mutating func next() -> Int32 {
        tokenStart = -1
        positionLine = 0
        let current = peek()
        if current != Self.eof { lookahead = read() }
        return current
    }

    private mutating func report(_ message: String) {
        issues.append(Issue(message: message, line: positionLine, column: positionColumn))
    }

    /// The bytes of the most recently scanned token.
    var tokenBytes: ArraySlice<UInt8> {
        guard tokenStart >= 0, tokenEnd >= tokenStart else { return [] }
        return source[tokenStart..<tokenEnd]
    }

    var tokenText: String { String(decoding: tokenBytes, as: UTF8.self) }

    /// The first byte offset at or after `start` where the Go scanner would report an encoding error (invalid UTF-8
    /// or NUL), with the error message.
    static func firstEncodingProblem(in source: [UInt8], from start: Int) -> (offset: Int, message: String)? {
        var index = start
        while index < source.count {
            let (scalar, width) = UTF8Decoding.decode(source, at: index)
            guard let scalar else { return (index, "invalid UTF-8 encoding") }
            if scalar == 0 { return (index, "invalid character NUL") }
            index += width
        }
        return nil
    }

    // MARK: Tokens

    /// Scans the next token (Go `Scan`): returns one of the token constants or the character itself.
    mutating func scan() -> Int32 {
        var char = peek()
        tokenStart = -1
        positionLine = 0
        while true {
            while char == 0x09 || char == 0x0A || char == 0x0D || char == 0x20 { char = read() }
            tokenStart = sourcePosition - lastCharLength
            if column > 0 {
                positionLine = line
                positionColumn = column
            } else {
                positionLine = line - 1
                positionColumn = lastLineLength
            }
            var token = char
            if Self.isIdentRune(char, 0) {
                token = Self.identToken
                char = read()
                var index = 1
                while Self.isIdentRune(char, index) {
                    char = read()
                    index += 1
                }
            } else if Self.isDecimal(char) {
                (token, char) = scanNumber(char, seenDot: false)
            } else {
                switch char {
                case Self.eof:
                    break
                case 0x22:  // "
                    _ = scanString(quote: 0x22)
                    token = Self.stringToken
                    char = read()
                case 0x27:  // '
                    if scanString(quote: 0x27) != 1 { report("invalid char literal") }
                    token = Self.charToken
                    char = read()
                case 0x2E:  // .
                    char = read()
                    if Self.isDecimal(char) { (token, char) = scanNumber(char, seenDot: true) }
                case 0x2F:  // /
                    char = read()
                    if char == 0x2F || char == 0x2A {
                        tokenStart = -1
                        char = scanComment(char)
                        continue
                    }
                case 0x60:  // `
                    scanRawString()
                    token = Self.rawStringToken
                    char = read()
                default:
                    char = read()
                }
            }
            tokenEnd = sourcePosition - lastCharLength
            lookahead = char
            return token
        }
    }

    private mutating func scanString(quote: Int32) -> Int {
        var count = 0
        var char = read()
        while char != quote {
            if char == 0x0A || char < 0 {
                report("literal not terminated")
                return count
            }
            char = char == 0x5C ? scanEscape(quote: quote) : read()
            count += 1
        }
        return count
    }

    private mutating func scanEscape(quote: Int32) -> Int32 {
        var char = read()
        switch char {
        case 0x61, 0x62, 0x66, 0x6E, 0x72, 0x74, 0x76, 0x5C, quote:  // a b f n r t v \ quote
            char = read()
        case 0x30...0x37:
            char = scanDigits(char, base: 8, count: 3)
        case 0x78:  // x
            char = scanDigits(read(), base: 16, count: 2)
        case 0x75:  // u
            char = scanDigits(read(), base: 16, count: 4)
        case 0x55:  // U
            char = scanDigits(read(), base: 16, count: 8)
        default:
            report("invalid char escape")
        }
        return char
    }

    private mutating func scanDigits(_ first: Int32, base: Int32, count: Int) -> Int32 {
        var char = first
        var remaining = count
        while remaining > 0, Self.digitValue(char) < base {
            char = read()
            remaining -= 1
        }
        if remaining > 0 { report("invalid char escape") }
        return char
    }

    private mutating func scanRawString() {
        var char = read()
        while char != 0x60 {
            if char < 0 {
                report("literal not terminated")
                return
            }
            char = read()
        }
    }

    private mutating func scanComment(_ first: Int32) -> Int32 {
        var char = first
        if char == 0x2F {
            char = read()
            while char != 0x0A, char >= 0 { char = read() }
            return char
        }
        char = read()
        while true {
            if char < 0 {
                report("comment not terminated")
                break
            }
            let previous = char
            char = read()
            if previous == 0x2A, char == 0x2F {
                char = read()
                break
            }
        }
        return char
    }

    // MARK: Numbers (Go literal syntax)

    private mutating func digits(_ first: Int32, base: Int, invalid: inout Int32) -> (Int32, Int) {
        var char = first
        var separators = 0
        if base <= 10 {
            let maxDigit = Int32(0x30 + base)
            while Self.isDecimal(char) || char == 0x5F {
                var flag = 1
                if char == 0x5F {
                    flag = 2
                } else if char >= maxDigit, invalid == 0 {
                    invalid = char
                }
                separators |= flag
                char = read()
            }
        } else {
            while Self.isHex(char) || char == 0x5F {
                separators |= char == 0x5F ? 2 : 1
                char = read()
            }
        }
        return (char, separators)
    }

    private mutating func scanNumber(_ first: Int32, seenDot dotSeen: Bool) -> (Int32, Int32) {
        var char = first
        var seenDot = dotSeen
        var base = 10
        var prefix: Int32 = 0
        var digitSeparators = 0
        var invalid: Int32 = 0
        var token = Self.intToken
        if !seenDot {
            if char == 0x30 {
                char = read()
                switch Self.lower(char) {
                case 0x78:  // x
                    char = read()
                    base = 16
                    prefix = 0x78
                case 0x6F:  // o
                    char = read()
                    base = 8
                    prefix = 0x6F
                case 0x62:  // b — Loki's space check looks at a stale look-ahead, so the prefix always applies.
                    char = read()
                    base = 2
                    prefix = 0x62
                default:
                    base = 8
                    prefix = 0x30
                    digitSeparators = 1
                }
            }
            let (after, found) = digits(char, base: base, invalid: &invalid)
            char = after
            digitSeparators |= found
            if char == 0x2E {
                char = read()
                seenDot = true
            }
        }
        if seenDot {
            token = Self.floatToken
            if prefix == 0x6F || prefix == 0x62 { report("invalid radix point in " + Self.literalName(prefix)) }
            let (after, found) = digits(char, base: base, invalid: &invalid)
            char = after
            digitSeparators |= found
        }
        if digitSeparators & 1 == 0 { report(Self.literalName(prefix) + " has no digits") }
        let exponent = Self.lower(char)
        if exponent == 0x65 || exponent == 0x70 {  // e p
            if exponent == 0x65, prefix != 0, prefix != 0x30 {
                report("\(Self.goQuoteRune(char)) exponent requires decimal mantissa")
            } else if exponent == 0x70, prefix != 0x78 {
                report("\(Self.goQuoteRune(char)) exponent requires hexadecimal mantissa")
            }
            char = read()
            token = Self.floatToken
            if char == 0x2B || char == 0x2D { char = read() }
            var ignored: Int32 = 0
            let (after, found) = digits(char, base: 10, invalid: &ignored)
            char = after
            digitSeparators |= found
            if found & 1 == 0 { report("exponent has no digits") }
        } else if prefix == 0x78, token == Self.floatToken {
            report("hexadecimal mantissa requires a 'p' exponent")
        }
        if token == Self.intToken, invalid != 0 {
            report("invalid digit \(Self.goQuoteRune(invalid)) in \(Self.literalName(prefix))")
        }
        if digitSeparators & 2 != 0 {
            tokenEnd = sourcePosition - lastCharLength
            if Self.invalidSeparator(Array(tokenBytes)) { report("'_' must separate successive digits") }
        }
        return (token, char)
    }

    private static func literalName(_ prefix: Int32) -> String {
        switch prefix {
        case 0x78: return "hexadecimal literal"
        case 0x6F, 0x30: return "octal literal"
        case 0x62: return "binary literal"
        default: return "decimal literal"
        }
    }

    /// Go's `invalidSep`: true if a `_` does not separate two digits.
    private static func invalidSeparator(_ text: [UInt8]) -> Bool {
        var hexPrefix: UInt8 = 0x20
        var previousClass: UInt8 = 0x2E  // '.' = anything else, '0' = digit, '_' = separator
        var index = 0
        if text.count >= 2, text[0] == 0x30 {
            hexPrefix = text[1] | 0x20
            if hexPrefix == 0x78 || hexPrefix == 0x6F || hexPrefix == 0x62 {
                previousClass = 0x30
                index = 2
            }
        }
        while index < text.count {
            let before = previousClass
            let byte = text[index]
            if byte == 0x5F {
                if before != 0x30 { return true }
                previousClass = 0x5F
            } else if (byte >= 0x30 && byte <= 0x39) || (hexPrefix == 0x78 && isHex(Int32(byte))) {
                previousClass = 0x30
            } else {
                if before == 0x5F { return true }
                previousClass = 0x2E
            }
            index += 1
        }
        return previousClass == 0x5F
    }

    // MARK: Character classes

    static func isDecimal(_ char: Int32) -> Bool { char >= 0x30 && char <= 0x39 }

    static func lower(_ char: Int32) -> Int32 { char | 0x20 }

    static func isHex(_ char: Int32) -> Bool {
        isDecimal(char) || (lower(char) >= 0x61 && lower(char) <= 0x66)
    }

    static func digitValue(_ char: Int32) -> Int32 {
        if isDecimal(char) { return char - 0x30 }
        if lower(char) >= 0x61, lower(char) <= 0x66 { return lower(char) - 0x61 + 10 }
        return 16
    }

    static func isIdentRune(_ char: Int32, _ index: Int) -> Bool {
        char == 0x5F || GoUnicode.isLetter(char) || (GoUnicode.isDigit(char) && index > 0)
    }

    /// Go's `%q` of a rune, e.g. `'e'`.
    static func goQuoteRune(_ char: Int32) -> String {
        guard let scalar = Unicode.Scalar(UInt32(bitPattern: char)) else { return "'\\ufffd'" }
        if scalar == "'" { return "'\\''" }
        let quoted = GoQuote.quote(String(scalar))
        return "'" + quoted.dropFirst().dropLast() + "'"
    }
}
