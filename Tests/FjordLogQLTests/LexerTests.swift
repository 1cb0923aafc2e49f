import Testing
@testable import FjordLogQL

/// Loki's lexical rules: keywords, function names, numbers with units, strings, comments, positions.
struct LexerTests {
    static func tokens(_ query: String) throws -> [Token] {
        var lexer = Lexer(Array(query.utf8))
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            if token.kind == .eof { return tokens }
            tokens.append(token)
        }
    }

    static func kinds(_ query: String) throws -> [TokenKind] { try tokens(query).map(\.kind) }

    @Test func keywordsAreCaseInsensitive() throws {
        #expect(try Self.kinds("SUM BY (a) (Count_Over_Time({a=\"b\"}[1m]))")
            == [.sum, .by, .openParen, .identifier, .closeParen, .openParen, .countOverTime, .openParen, .openBrace,
                .identifier, .eq, .string, .closeBrace, .range, .closeParen, .closeParen])
        #expect(try Self.kinds("| JSON | Logfmt | UNPACK | Line_Format \"x\" | OR AND unless")
            == [.pipe, .json, .pipe, .logfmt, .pipe, .unpack, .pipe, .lineFormat, .string, .pipe, .or, .and, .unless])
    }

    @Test func functionNamesAreIdentifiersUnlessCalled() throws {
        #expect(try Self.kinds("count > 2") == [.identifier, .gt, .number])
        #expect(try Self.kinds("rate=\"a\" rate (") == [.identifier, .eq, .string, .rate, .openParen])
        #expect(try Self.kinds("sum by (a) sum\n\twithout  (b) sum bytes") ==
            [.sum, .by, .openParen, .identifier, .closeParen, .sum, .without, .openParen, .identifier, .closeParen,
             .identifier, .identifier])
        #expect(try Self.kinds("ip(\"x\") ip=\"y\" bytes(b) duration_seconds x")
            == [.ip, .openParen, .string, .closeParen, .identifier, .eq, .string, .bytesConv, .openParen, .identifier,
                .closeParen, .identifier, .identifier])
        #expect(try Self.tokens("Count > 2").first?.text == "Count")
    }

    @Test func operators() throws {
        #expect(try Self.kinds("= != =~ !~ |= |~ |> !> | == > >= < <= + - * / % ^ , ( ) { } .")
            == [.eq, .neq, .re, .nre, .pipeExact, .pipeMatch, .pipePattern, .npa, .pipe, .cmpEq, .gt, .gte,
                            .lt, .lte, .add, .sub, .mul, .div, .mod, .pow, .comma, .openParen, .closeParen,
                            .openBrace, .closeBrace, .dot])
        // Unknown characters are identifiers in Loki's lexer.
        #expect(try Self.tokens("@ ! ~").map(\.text) == ["@", "!", "~"])
    }

    @Test func numbersDurationsAndBytes() throws {
        let tokens = try Self.tokens("5 1.5 .5 1e3 0x1F 5m 1h30m 1.5h 250ms -5m 5d 1w 1y 20KB 1KiB 5MB 100B 10kB")
        #expect(tokens.map(\.kind) == [.number, .number, .number, .number, .number, .duration, .duration, .duration,
                                       .duration, .duration, .duration, .duration, .duration, .bytes, .bytes, .bytes,
                                       .bytes, .bytes])
        #expect(tokens[5...12].map(\.duration) == [300_000_000_000, 5_400_000_000_000, 5_400_000_000_000, 250_000_000,
                                                  -300_000_000_000, 432_000_000_000_000, 604_800_000_000_000,
                                                  31_536_000_000_000_000])
        #expect(tokens[13...].map(\.bytes) == [20_000, 1024, 5_000_000, 100, 10_000])
        #expect(tokens[5].text == "5m")
        // A unit that stops parsing leaves the rest as an identifier.
        #expect(try Self.kinds("5mb 1b 5x") == [.duration, .identifier, .number, .identifier, .number, .identifier])
        // `-` before a non-duration is subtraction.
        #expect(try Self.kinds("1 -1 - 5d") == [.number, .sub, .number, .sub, .duration])
    }

    @Test func ranges() throws {
        let tokens = try Self.tokens("[5m] [1h30m] [0]")
        #expect(tokens.map(\.kind) == [.range, .range, .range])
        #expect(tokens.map(\.duration) == [300_000_000_000, 5_400_000_000_000, 0])
        #expect(throws: LogQLParseError("unknown unit \".\" in duration \"1.5h\"", line: 0, column: 1)) {
            _ = try Self.tokens("[1.5h]")
        }
        #expect(throws: LogQLParseError("empty duration string", line: 0, column: 1)) { _ = try Self.tokens("[]") }
        #expect(throws: LogQLParseError("not a valid duration string: \"30m1h\"", line: 0, column: 3)) {
            _ = try Self.tokens("x [30m1h]")
        }
    }

    @Test func strings() throws {
        let tokens = try Self.tokens(#""a\"b" "\u00e9\x41\101\t" `raw\n"` "é""#)
        #expect(tokens.map(\.text) == ["a\"b", "éAA\t", "raw\\n\"", "é"])
        #expect(throws: LogQLParseError("invalid char escape", line: 1, column: 1)) { _ = try Self.tokens(#""\q""#) }
        #expect(throws: LogQLParseError("literal not terminated", line: 1, column: 3)) { _ = try Self.tokens("x \"abc") }
        #expect(throws: LogQLParseError("literal not terminated", line: 1, column: 1)) { _ = try Self.tokens("`abc") }
        #expect(throws: LogQLParseError("invalid syntax", line: 1, column: 1)) { _ = try Self.tokens(#""\ud800""#) }
        // Single quotes are Go character literals, which Loki's lexer turns into identifiers.
        #expect(try Self.tokens("'x'").map(\.kind) == [.identifier])
    }

    @Test func flags() throws {
        #expect(try Self.tokens("--strict --keep-empty").map(\.text) == ["--strict", "--keep-empty"])
        #expect(try Self.kinds("--foo") == [.sub, .sub, .identifier])
    }

    @Test func comments() throws {
        #expect(try Self.kinds("{a=\"b\"} # comment |= \"x\"\n|= \"y\" // c\n /* multi\nline */ |= \"z\"")
            == [.openBrace, .identifier, .eq, .string, .closeBrace, .pipeExact, .string, .pipeExact, .string])
        #expect(throws: LogQLParseError("comment not terminated", line: 1, column: 3)) { _ = try Self.tokens("x /* y") }
    }

    @Test func positions() throws {
        let tokens = try Self.tokens("{a=\"b\"}\n  |= \"x\" [5m] 5m")
        #expect(tokens.map { [$0.line, $0.column] } == [[1, 1], [1, 2], [1, 3], [1, 4], [1, 7], [0, 3], [2, 6],
                                                        [0, 10], [0, 15]])
        // Columns count characters, not bytes.
        #expect(try Self.tokens("\"é\" x").last.map { [$0.line, $0.column] } == [1, 5])
    }

    @Test func numberScanErrors() throws {
        #expect(throws: LogQLParseError("hexadecimal literal has no digits", line: 1, column: 5)) {
            _ = try Self.tokens("1 + 0x")
        }
        #expect(throws: LogQLParseError("exponent has no digits", line: 1, column: 1)) { _ = try Self.tokens("5e") }
        #expect(throws: LogQLParseError("invalid digit '9' in octal literal", line: 1, column: 1)) {
            _ = try Self.tokens("09")
        }
        #expect(throws: LogQLParseError("binary literal has no digits", line: 1, column: 1)) { _ = try Self.tokens("0B") }
        #expect(throws: LogQLParseError("'_' must separate successive digits", line: 1, column: 1)) {
            _ = try Self.tokens("1__0")
        }
    }
}
