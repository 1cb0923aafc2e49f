import Testing
@testable import FjordLogQL

/// Syntax errors carry Loki's exact text: yacc's token names, position (line 0 for tokens Loki's lexer completes
/// character by character) and expected-token lists (only when at most four tokens are possible).
struct SyntaxErrorTests {
    /// Texts from Loki's own tests and from answers of real Loki servers.
    static let lokiCases: [(String, String)] = [
        ("foo_over_time({service=\"api\"}[5m])", "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"),
        ("sum(rate({service=\"api\"}))", "parse error at line 1, col 25: syntax error: unexpected )"),
        ("{service=\"api\"} | distinct level", "parse error at line 1, col 28: syntax error: unexpected IDENTIFIER"),
        ("sum by (service) ({service=\"api\"})", "parse error at line 1, col 34: syntax error: unexpected )"),
        ("{foo=\"bar\"", "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,"),
        ("{foo=\"bar\"} |~", "parse error at line 1, col 15: syntax error: unexpected $end, expecting STRING or ip"),
        ("{foo=\"bar\"} \"foo\"", "parse error at line 1, col 13: syntax error: unexpected STRING"),
        ("{foo=\"bar\"} foo", "parse error at line 1, col 13: syntax error: unexpected IDENTIFIER"),
        ("{foo=\"bar}", "parse error at line 1, col 6: literal not terminated"),
        ("{app=~\"\u{a0}\"} |= \"\\q\"", "parse error at line 1, col 15: invalid char escape"),
        ("unk({ foo = \"bar\" }[5m])", "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"),
        ("rate({ foo = \"bar\" }[5minutes])", "parse error at line 0, col 21: unknown unit \"minutes\" in duration \"5minutes\""),
        ("rate({ foo = \"bar\" }[5)", "parse error at line 0, col 21: missing closing ']' in duration"),
        ("min({ foo = \"bar\" }[5m])", "parse error at line 0, col 20: syntax error: unexpected RANGE"),
        ("label_replace(rate({ foo = \"bar\" }[5m]),\"\")",
         "parse error at line 1, col 43: syntax error: unexpected ), expecting ,"),
        ("{ foo = \"bar\" }|logfmt|addr>=ip(\"1.2.3.4\")", "parse error at line 1, col 30: syntax error: unexpected ip"),
        ("{ foo = \"bar\" }|logfmt|addr<ip(\"1.2.3.4\")", "parse error at line 1, col 29: syntax error: unexpected ip"),
        ("bottomk(he,count_over_time({ foo = \"bar\" }[5h]))",
         "parse error at line 1, col 9: syntax error: unexpected IDENTIFIER"),
        ("stddev({ foo = \"bar\" })", "parse error at line 1, col 23: syntax error: unexpected )"),
        ("|= \"error\"", "parse error at line 0, col 1: syntax error: unexpected |="),
        ("max_over_time(sum(rate({app=\"a\"}[1m]))[30m:5m])",
         "parse error at line 1, col 15: syntax error: unexpected SUM, expecting NUMBER or { or ("),
        ("quantile_over_time(0.5, rate({app=\"a\"}[1m])[30m:5m])",
         "parse error at line 1, col 25: syntax error: unexpected RATE, expecting { or ("),
        ("max_over_time((rate({app=\"a\"}[1m]))[30m:5m])",
         "parse error at line 1, col 16: syntax error: unexpected RATE, expecting { or ("),
        ("sum_over_time(vector(1)[5m:1m])",
         "parse error at line 1, col 15: syntax error: unexpected VECTOR, expecting NUMBER or { or ("),
        ("max_over_time(label_replace(rate({app=\"a\"}[1m]),\"a\",\"b\",\"c\",\"d\")[30m:5m])",
         "parse error at line 1, col 15: syntax error: unexpected label_replace, expecting NUMBER or { or ("),
        ("count_over_time({app=\"a\"}[30m:5m])", "parse error at line 0, col 26: unknown unit \"m:\" in duration \"30m:5m\""),
        ("{app=\"a\"} | label_format x=\"a\",", "parse error at line 1, col 32: syntax error: unexpected $end, expecting IDENTIFIER"),
        ("{app=\"a\"} | label_format x", "parse error at line 1, col 27: syntax error: unexpected $end, expecting ="),
        ("{app=\"a\"} | json foo=", "parse error at line 1, col 22: syntax error: unexpected $end, expecting STRING"),
        ("count without (rate({namespace=\"apps\"}[15s]))",
         "parse error at line 1, col 16: syntax error: unexpected RATE, expecting IDENTIFIER or )"),
        ("", "parse error : syntax error: unexpected $end"),
        ("  ", "parse error at line 1, col 3: syntax error: unexpected $end"),
    ]

    /// One query for every distinct parser state Loki reports an error in (verified against Loki's grammar tables).
    static let stateCases: [(String, String)] = [
        (")",
         "parse error at line 1, col 1: syntax error: unexpected )"),
        ("- %",
         "parse error at line 1, col 3: syntax error: unexpected %, expecting NUMBER"),
        ("{ 5",
         "parse error at line 1, col 3: syntax error: unexpected NUMBER, expecting IDENTIFIER or }"),
        ("{ x",
         "parse error at line 1, col 4: syntax error: unexpected $end, expecting = or =~ or !~ or !="),
        ("1 > [",
         "parse error at line 0, col 5: missing closing ']' in duration"),
        ("1 + on",
         "parse error at line 1, col 7: syntax error: unexpected $end, expecting ("),
        ("{ app = . }",
         "parse error at line 1, col 9: syntax error: unexpected ., expecting STRING"),
        ("rate\n  (\n  )",
         "parse error at line 3, col 3: syntax error: unexpected ), expecting NUMBER or { or ("),
        ("vector ( 1 -",
         "parse error at line 1, col 12: syntax error: unexpected -, expecting )"),
        ("( { a = \"b\" x )",
         "parse error at line 1, col 13: syntax error: unexpected IDENTIFIER, expecting } or ,"),
        ("count_over_time ( 3.5 )",
         "parse error at line 1, col 23: syntax error: unexpected ), expecting ,"),
        ("{ service = \"api\" } |~ *",
         "parse error at line 1, col 24: syntax error: unexpected *, expecting STRING or ip"),
        ("{ container =~ \"eap-api\" ,",
         "parse error at line 1, col 27: syntax error: unexpected $end, expecting IDENTIFIER"),
        ("{ a = \"b\" } | ( | unwrap x",
         "parse error at line 1, col 17: syntax error: unexpected |, expecting IDENTIFIER or ("),
        ("sum\n  by\n  (\n  \"api\"\n  }\n  )",
         "parse error at line 4, col 3: syntax error: unexpected STRING, expecting IDENTIFIER or )"),
        ("rate ( { a = \"b\" } | unwrap x % )",
         "parse error at line 1, col 31: syntax error: unexpected %, expecting RANGE or |"),
        ("quantile_over_time\n  (\n  0.5\n  ,\n  )",
         "parse error at line 5, col 3: syntax error: unexpected ), expecting { or ("),
        ("rate ( { a = \"b\" } | unwrap % [1m] )",
         "parse error at line 1, col 29: syntax error: unexpected %, expecting IDENTIFIER or BYTES_CONV or DURATION_CONV or DURATION_SECONDS_CONV"),
        ("max\n  by\n  (\n  service\n  }\n  [10m]\n  )\n  )",
         "parse error at line 5, col 3: syntax error: unexpected }, expecting , or )"),
        ("absent_over_time ( { a = \"b\" } [1m] offset",
         "parse error at line 1, col 43: syntax error: unexpected $end, expecting DURATION"),
        ("count_over_time ( ( { a = \"b\" } ) [5m] | ( x )",
         "parse error at line 1, col 42: syntax error: unexpected (, expecting unwrap"),
        ("count_over_time ( ( ( { a = \"b\" } |= \"x\" ) % ) )",
         "parse error at line 1, col 44: syntax error: unexpected %, expecting RANGE"),
        ("{ service = \"api\" } | label_format a = , , a = c",
         "parse error at line 1, col 40: syntax error: unexpected ,, expecting IDENTIFIER or STRING"),
        ("{ service = \"api\" } | label_format a ( b , a = c",
         "parse error at line 1, col 38: syntax error: unexpected (, expecting ="),
        ("count_over_time ( ( { a = \"b\" } | unwrap x 5 [1m] )",
         "parse error at line 1, col 44: syntax error: unexpected NUMBER, expecting RANGE or ) or |"),
        ("variants ( count_over_time ( { service = \"litellm\" } [1m] ) )",
         "parse error at line 1, col 62: syntax error: unexpected $end, expecting of"),
    ]

    @Test(arguments: lokiCases + stateCases)
    func syntaxError(_ query: String, _ expected: String) {
        #expect(throws: LogQLParseError.self) { _ = try LogQLParser.parse(query) }
        do {
            _ = try LogQLParser.parse(query)
        } catch {
            #expect(error.message == expected)
        }
    }

    @Test func invalidUTF8IsReportedAtTheString() {
        var bytes = Array("{app=~\"".utf8)
        bytes += [0xA0, 0xA1]
        bytes += Array("\"}".utf8)
        #expect(throws: LogQLParseError("invalid UTF-8 encoding", line: 1, column: 7)) {
            _ = try LogQLParser.parse(bytes: bytes)
        }
    }

    @Test func inputSizeLimit() {
        let query = "{app=\"" + String(repeating: "x", count: 131_072) + "\"}"
        #expect(throws: LogQLParseError("input size too long (131080 > 131072)")) { _ = try LogQLParser.parse(query) }
        #expect(throws: LogQLParseError("input size too long (20 > 10)")) {
            _ = try LogQLParser.parse(String(repeating: "a", count: 20), maxInputSize: 10)
        }
    }

    /// Fjord bounds nesting and chain length (Loki does not) so hostile queries cannot exhaust a thread's stack.
    @Test func nestingAndSizeLimits() throws {
        let nested = "(" + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 301)
        #expect(throws: LogQLParseError("query is too deeply nested (more than 256 levels)")) {
            _ = try LogQLParser.parse(nested)
        }
        #expect(throws: LogQLParseError("query is too deeply nested (more than 256 levels)")) {
            _ = try LogQLParser.parse("1" + String(repeating: " ^ 1", count: 300))
        }
        #expect(throws: LogQLParseError("query has too many operations (more than 1000)")) {
            _ = try LogQLParser.parse("vector(1)" + String(repeating: " + vector(1)", count: 1001))
        }
        #expect(throws: LogQLParseError("query has too many operations (more than 1000)")) {
            _ = try LogQLParser.parse("{a=\"b\"} | a=\"b\"" + String(repeating: ", a=\"b\"", count: 1001))
        }
        let longChain = try LogQLParser.parse("vector(1)" + String(repeating: " + vector(1)", count: 999))
        let printed = longChain.description
        #expect(printed.utf8.filter { $0 == UInt8(ascii: "+") }.count == 999)
        let manyStages = try LogQLParser.parse("{a=\"b\"}" + String(repeating: " | count > 1", count: 5000))
        #expect(manyStages.pipelines.first?.count == 5000)
    }

    @Test func errorPrefixes() {
        #expect(LogQLParseError("x").message == "parse error : x")
        #expect(LogQLParseError("x", line: 0, column: 3).message == "parse error at line 0, col 3: x")
        #expect(LogQLParseError.unprefixed("only label matchers are supported").message
            == "only label matchers are supported")
        #expect(LogQLParseError.stage("| json", "boom").message == "parse error : stage '| json' : boom")
    }
}
