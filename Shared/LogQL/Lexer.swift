import FjordModel

/// Turns a LogQL query into tokens the way Loki's lexer (`pkg/logql/syntax/lex.go`) does: case-insensitive
/// keywords, function names that are only keywords before `(` or `by`/`without (`, numbers followed by units
/// becoming `DURATION` or `BYTES`, `[range]` tokens, `--strict`/`--keep-empty` flags, `#` comments.
struct Lexer {
    private var scanner: QueryScanner
    /// Where the first badly encoded character of the query is (computed on first use; `.some(nil)` = none).
    private var encodingProblem: (offset: Int, message: String)??

    init(_ source: [UInt8]) {
        scanner = QueryScanner(source)
    }

    /// The next token. Throws the first error Loki's lexer or scanner would have recorded by then.
    mutating func next() throws(LogQLParseError) -> Token {
        let token = lex()
        if let issue = scanner.issues.first {
            throw LogQLParseError(issue.message, line: issue.line, column: issue.column)
        }
        guard let token else {
            // `lex` returned an error token without a scanner issue: cannot happen, issues are recorded first.
            preconditionFailure("lexer returned no token and no error")
        }
        return token
    }

    private func make(_ kind: TokenKind, text: String = "") -> Token {
        Token(kind: kind, text: text, line: scanner.positionLine, column: scanner.positionColumn)
    }

    /// Records an error at the current position (Loki's `lexer.Error`) and returns `nil`.
    private mutating func fail(_ message: String) -> Token? {
        scanner.issues.append(.init(message: message, line: scanner.positionLine, column: scanner.positionColumn))
        return nil
    }

    /// Runs `body` on a copy of the scanner (Loki's look-ahead on a copied scanner); errors the copy meets are
    /// recorded at the current token's position, as Loki's shared error callback does.
    private mutating func onCopy<T>(_ body: (inout QueryScanner) -> T) -> T {
        var copy = scanner
        let before = copy.issues.count
        let result = body(&copy)
        for issue in copy.issues[before...] {
            scanner.issues.append(.init(message: issue.message, line: scanner.positionLine,
                                        column: scanner.positionColumn))
        }
        return result
    }

    private mutating func lex() -> Token? {
        while true {
            let char = scanner.scan()
            switch char {
            case 0x23:  // '#': comment to the end of the line
                var next = scanner.peek()
                while !(next == 0x0A || next == QueryScanner.eof) { next = scanner.next() }
                continue
            case QueryScanner.eof:
                return make(.eof)
            case QueryScanner.intToken, QueryScanner.floatToken:
                let text = scanner.tokenText
                if let (duration, literal) = tryScanDuration(prefix: text) {
                    var token = make(.duration, text: literal)
                    token.duration = duration
                    return token
                }
                if let (bytes, literal) = tryScanBytes(prefix: text) {
                    var token = make(.bytes, text: literal)
                    token.bytes = bytes
                    return token
                }
                return make(.number, text: text)
            case 0x2D:  // '-': flags and negative durations
                if scanner.peek() == 0x2D, let flag = tryScanFlag() {
                    return make(.functionFlag, text: flag)
                }
                if let (duration, literal) = tryScanDuration(prefix: "-") {
                    var token = make(.duration, text: literal)
                    token.duration = duration
                    return token
                }
            case QueryScanner.stringToken, QueryScanner.rawStringToken:
                let raw = scanner.tokenBytes
                if !UTF8Decoding.isValid(raw) { return fail("invalid UTF-8 rune") }
                guard let value = GoUnquote.unquote(raw) else { return fail("invalid syntax") }
                return make(.string, text: value)
            default:
                break
            }
            if char == 0x5B { return scanRange() }
            return keywordOrIdentifier()
        }
    }

    private mutating func scanRange() -> Token? {
        var contents = ""
        var char = scanner.next()
        while char != QueryScanner.eof {
            if char == 0x5D {
                do {
                    let nanos = try PromDuration.parse(contents)
                    var token = make(.range)
                    token.duration = nanos
                    return token
                } catch {
                    return fail(error.message)
                }
            }
            contents += GoUnicode.string(char)
            char = scanner.next()
        }
        return fail("missing closing ']' in duration")
    }

    private mutating func keywordOrIdentifier() -> Token? {
        let text = scanner.tokenText
        let lower = text.lowercased()
        if let kind = TokenKind.functions[lower] {
            return isFunctionCall() ? make(kind) : make(.identifier, text: text)
        }
        let withNext = (text + GoUnicode.string(scanner.peek())).lowercased()
        if let kind = TokenKind.keywords[withNext] {
            scanner.next()
            return make(kind)
        }
        if let kind = TokenKind.keywords[lower] { return make(kind) }
        return make(.identifier, text: text)
    }

    /// Loki's `isFunction`: after optional spaces comes `(`, or `by`/`without` then optional spaces and `(`.
    private mutating func isFunctionCall() -> Bool {
        if encodingProblem == nil {
            encodingProblem = .some(QueryScanner.firstEncodingProblem(in: scanner.source, from: 0))
        }
        let problem = encodingProblem ?? nil
        return onCopy { copy in
            Self.skipSpaces(&copy)
            var seen = ""
            var char = copy.next()
            while char != QueryScanner.eof {
                seen += GoUnicode.string(char)
                switch seen.lowercased() {
                case "(":
                    return true
                case "by", "without":
                    Self.skipSpaces(&copy)
                    return copy.next() == 0x28
                case "b", "w", "wi", "wit", "with", "witho", "withou":
                    break
                default:
                    // Loki keeps reading to the end of the query without matching; only its encoding errors matter.
                    if let problem, problem.offset >= copy.sourcePosition {
                        copy.issues.append(.init(message: problem.message, line: 0, column: 0))
                    }
                    return false
                }
                char = copy.next()
            }
            return false
        }
    }

    private static func skipSpaces(_ scanner: inout QueryScanner) {
        while true {
            let char = scanner.peek()
            guard char != QueryScanner.eof, GoUnicode.isSpace(char) else { return }
            scanner.next()
        }
    }

    /// Loki's `tryScanDuration`: the number plus following digits, unit letters and dots, up to a space, parsed as a
    /// Prometheus duration or else a Go duration.
    private mutating func tryScanDuration(prefix: String) -> (Int64, String)? {
        tryScanUnit(prefix: prefix, isUnitRune: Self.isDurationRune, parse: Self.parseDuration)
    }

    /// Loki's `parseDuration`: Prometheus syntax first, then Go's `time.ParseDuration`.
    static func parseDuration(_ text: String) -> Int64? {
        if let nanos = try? PromDuration.parse(text) { return nanos }
        return try? GoDuration.parse(text)
    }

    private static func isDurationRune(_ char: Int32) -> Bool {
        switch char {
        case 0x6E, 0x75, 0xB5, 0x6D, 0x73, 0x68, 0x64, 0x77, 0x79: return true  // n u µ m s h d w y
        default: return false
        }
    }

    /// Loki's `tryScanBytes`: like durations, with go-humanize size units.
    private mutating func tryScanBytes(prefix: String) -> (UInt64, String)? {
        tryScanUnit(prefix: prefix, isUnitRune: Self.isBytesRune) { try? HumanizeBytes.parse($0) }
    }

    private static func isBytesRune(_ char: Int32) -> Bool {
        switch char {
        case 0x42, 0x69, 0x6B, 0x4B, 0x4D, 0x47, 0x54, 0x50: return true  // B i k K M G T P
        default: return false
        }
    }

    /// Appends the following digits, unit runes and dots (up to a space) to `prefix`; if that parses, consumes them.
    private mutating func tryScanUnit<Value>(prefix: String, isUnitRune: (Int32) -> Bool,
                                              parse: (String) -> Value?) -> (Value, String)? {
        let candidate = onCopy { copy -> (String, Int) in
            var text = prefix
            var consumed = 0
            var char = copy.peek()
            while char != QueryScanner.eof, !GoUnicode.isSpace(char) {
                guard GoUnicode.isNumber(char) || isUnitRune(char) || char == 0x2E else { break }
                text += GoUnicode.string(char)
                copy.next()
                consumed += 1
                char = copy.peek()
            }
            return (text, consumed)
        }
        guard candidate.1 > 0, let value = parse(candidate.0) else { return nil }
        for _ in 0..<candidate.1 { scanner.next() }
        return (value, candidate.0)
    }

    /// Loki's `tryScanFlag`: `-` followed by letters and dashes forming `--strict` or `--keep-empty`.
    private mutating func tryScanFlag() -> String? {
        let candidate = onCopy { copy -> (String, Int) in
            var text = "-"
            var consumed = 0
            var char = copy.peek()
            while GoUnicode.isLetter(char) || char == 0x2D {
                text += GoUnicode.string(char)
                copy.next()
                consumed += 1
                char = copy.peek()
            }
            return (text, consumed)
        }
        guard candidate.0 == "--strict" || candidate.0 == "--keep-empty" else { return nil }
        for _ in 0..<candidate.1 { scanner.next() }
        return candidate.0
    }
}
