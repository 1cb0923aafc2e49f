import Testing
import FjordLogQL

/// Loki's semantic checks after a successful parse, with their exact messages (`parse error : …`).
struct ValidationTests {
    static let emptyCompatible = "parse error : queries require at least one regexp or equality matcher that does not "
        + "have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will"

    static func message(_ query: String, stages: Bool = false) -> String? {
        do {
            let expr = try LogQLParser.parse(query)
            if stages { try expr.validateStages() }
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        "{}", "{app=\"\"}", "{app=~\"\"}", "{app=~\".*\"}", "{app!=\"x\"}", "{app!~\"x\"}", "{app!~\".+\"}",
        "{app=~\"a|\"}", "{app=~\"(?i)\"}", "sum(count_over_time({app=\"\"}[5m]))",
        "count_over_time({app=\"a\"}[5m]) / count_over_time({app=\"\"}[5m])",
        "vector(1) + count_over_time({app=~\".*\"}[5m])", "label_replace(1, \"a\", \"b\", \"c\", \"d\")",
    ])
    func emptyCompatibleSelectors(_ query: String) {
        #expect(Self.message(query) == Self.emptyCompatible)
    }

    @Test(arguments: [
        "{app=~\".+\"}", "{app=\"\", pod=\"a\"}", "{app=\"a\", pod=~\".*\"}", "{app!=\"\"}",
        "max by(level)(rate({__error__!=\"\"}[5m]))", "count_over_time(({app=\"a\"})[5m])",
        "topk(1, count_over_time({app=\"a\"}[5m]))", "vector(1)", "1 + 1", "-1.5",
        "label_replace(vector(1), \"a\", \"b\", \"c\", \"d\")", "sort by () (sum(rate({a=\"b\"}[5m])))",
        "max_over_time({a=\"b\"} | unwrap x [5m]) by (a)", "rate({a=\"b\"} | unwrap x [5m])",
        "{app=\"a\"} | regexp \"(?P<a>x)(y)\"", "{app=\"a\"} | pattern \"<_> <a> <_>\"",
    ])
    func accepted(_ query: String) {
        #expect(Self.message(query) == nil)
    }

    @Test(arguments: [
        ("absent_over_time({ foo = \"bar\" }[5h]) by (foo)", "grouping not allowed for absent_over_time aggregation"),
        ("rate({service=\"api\"}[5m]) by (container)", "grouping not allowed for rate aggregation"),
        ("count_over_time({a=\"b\"}[5m]) by ()", "grouping not allowed for count_over_time aggregation"),
        ("sum_over_time({a=\"b\"}[5m])", "invalid aggregation sum_over_time without unwrap"),
        ("count_over_time({app=\"foo\"} |= \"foo\" | json | unwrap foo [5m])",
         "invalid aggregation count_over_time with unwrap"),
        ("bytes_rate({a=\"b\"} | unwrap x [5m])", "invalid aggregation bytes_rate with unwrap"),
        ("quantile_over_time({a=\"b\"} | unwrap x [5m])", "parameter required for operation quantile_over_time"),
        ("rate(5, {a=\"b\"}[5m])", "parameter 5 not supported for operation rate"),
        ("quantile_over_time(0x1F, {a=\"b\"} | unwrap x [5m])",
         "invalid parameter for operation quantile_over_time: strconv.ParseFloat: parsing \"0x1F\": invalid syntax"),
        ("sum(3 ,count_over_time({ foo = \"bar\" }[5h]))", "unsupported parameter for operation sum(3,"),
        ("topk(count_over_time({ foo = \"bar\" }[5h]))", "parameter required for operation topk"),
        ("bottomk(1.2,count_over_time({ foo = \"bar\" }[5h]))", "invalid parameter bottomk(1.2,"),
        ("topk(0, count_over_time({app=\"a\"}[5m]))", "invalid parameter (must be greater than 0) topk(0"),
        ("topk(00, count_over_time({app=\"a\"}[5m]))", "invalid parameter (must be greater than 0) topk(00"),
        ("topk by (pod) (0, count_over_time({app=\"a\"}[5m]))", "invalid parameter (must be greater than 0) topk(0"),
        ("sum(topk(0, count_over_time({app=\"a\"}[5m])))", "invalid parameter (must be greater than 0) topk(0"),
        ("approx_topk(2, count_over_time({ foo = \"bar\" }[5h])) by (foo)",
         "grouping not allowed for approx_topk aggregation"),
        ("sort by (a) (sum(rate({a=\"b\"}[5m])))", "sort and sort_desc doesn't allow grouping by "),
        ("sort_desc(sum(rate({a=\"b\"}[5m]))) by (a)", "sort and sort_desc doesn't allow grouping by "),
        ("vector(1) and 1", "unexpected literal for right leg of logical/set binary operation (and): 1.000000"),
        ("2.5 unless vector(1)", "unexpected literal for left leg of logical/set binary operation (unless): 2.500000"),
        ("{a=\"b\"} or vector(1)", "unexpected type for left leg of binary operation (or): *syntax.MatchersExpr"),
        ("vector(1) + {a=\"b\"} |= \"x\"",
         "unexpected type for right leg of binary operation (+): *syntax.PipelineExpr"),
        ("label_replace(rate({service=\"api\"}[5m]), \"dst\", \"$1\", \"src\", \"(\")",
         "invalid regex in label_replace: error parsing regexp: missing closing ): `^(?:()$`"),
        ("label_replace(rate({ foo = \"bar\" }[5m]),\"foo\",\"$1\",\"bar\",\"^^^^x43\\\\q\")",
         "invalid regex in label_replace: error parsing regexp: invalid escape sequence: `\\q`"),
        ("{service=~\"(api\"}", "error parsing regexp: missing closing ): `(api`"),
        ("{a=\"b\"} | x=~\"[\"", "error parsing regexp: missing closing ]: `[`"),
        ("{app=\"a\"} | regexp \"([\"", "invalid regexp parser: error parsing regexp: missing closing ]: `[`"),
        ("{app=\"a\"} | regexp \"abc\"", "invalid regexp parser: at least one named capture must be supplied"),
        ("{app=\"a\"} | regexp \"(x)\"", "invalid regexp parser: at least one named capture must be supplied"),
        ("{app=\"a\"} | regexp \"(?P<a>x)(?P<a>y)\"", "invalid regexp parser: duplicate extracted label name 'a'"),
        ("{app=\"a\"} | pattern \"<_><_>\"", "invalid pattern parser: at least one capture is required"),
        ("{app=\"a\"} | pattern \"abc\"", "invalid pattern parser: at least one capture is required"),
        ("{app=\"a\"} | pattern \"<a> <a>\"", "invalid pattern parser: duplicate capture name (a): invalid expression"),
        ("{app=\"a\"} | pattern \"<a><b>\"", "invalid pattern parser: found consecutive capture '<a><b>': invalid expression"),
        ("{app=\"a\"} | pattern \"x<a><_>\"", "invalid pattern parser: found consecutive capture '<a><_>': invalid expression"),
        ("{app=\"a\"} | pattern \"\"",
         "invalid pattern parser: parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or LITERAL"),
        ("1 + 0x1F", "unable to parse literal as a float: strconv.ParseFloat: parsing \"0x1F\": invalid syntax"),
    ])
    func semanticError(_ query: String, _ detail: String) {
        #expect(Self.message(query) == "parse error : " + detail)
    }

    /// Pipeline-construction checks (Loki reports them when it builds the pipeline, after parsing).
    @Test(arguments: [
        ("{service=\"api\"} |~ \"(unclosed\"",
         "stage '|~ \"(unclosed\"' : error parsing regexp: missing closing ): `(unclosed`"),
        ("{a=\"b\"} |= \"x\" | json |~ \"(\" != \"y\"",
         "stage '|= \"x\" |~ \"(\" != \"y\"' : error parsing regexp: missing closing ): `(`"),
        ("{a=\"b\"} |~ \"(\" |~ \"[\"", "stage '|~ \"(\" |~ \"[\"' : error parsing regexp: missing closing ]: `[`"),
        ("{a=\"b\"} |~ \"x\" or \"(\"", "stage '|~ \"x\" or \"(\"' : error parsing regexp: missing closing ): `(`"),
        ("{service=\"api\"} | label_format a=b, a=c",
         "stage '| label_format a=b,a=c' : multiple label name 'a' not allowed in a single format operation"),
        ("{app=\"a\"} | label_format x=\"a\", x=\"b\"",
         "stage '| label_format x=\"a\",x=\"b\"' : multiple label name 'x' not allowed in a single format operation"),
        ("{app=\"a\"} | label_format __error__=\"a\"", "stage '| label_format __error__=\"a\"' : __error__ cannot be formatted"),
        ("sum(count_over_time({a=\"b\"} | label_format a=b, a=c [5m]))",
         "stage '| label_format a=b,a=c' : multiple label name 'a' not allowed in a single format operation"),
    ])
    func stageError(_ query: String, _ detail: String) {
        #expect(Self.message(query) == nil)
        #expect(Self.message(query, stages: true) == "parse error : " + detail)
    }

    @Test func variantsAreDisabled() {
        let query = "variants(count_over_time({a=\"b\"}[1m]), bytes_over_time({a=\"b\"}[1m])) of ({a=\"b\"}[1m])"
        #expect(Self.message(query) == "multi variant queries are disabled for this instance")
        #expect(Self.message("variants(count_over_time({a=\"b\"}[1m])) of ({a=\"\"}[1m])") == Self.emptyCompatible)
    }

    @Test func matchersOnly() throws {
        #expect(try LogQLParser.parseMatchers("{app=\"a\", b=~\"c\"}", validate: true).map(\.name) == ["app", "b"])
        #expect(try LogQLParser.parseMatchers("{}", validate: false).isEmpty)
        #expect(throws: LogQLParseError(Self.emptyCompatible.replacingPrefix())) {
            _ = try LogQLParser.parseMatchers("{app=\"\"}", validate: true)
        }
        #expect(throws: LogQLParseError.unprefixed("only label matchers are supported")) {
            _ = try LogQLParser.parseMatchers("{app=\"a\"} |= \"x\"", validate: false)
        }
        #expect(throws: LogQLParseError.unprefixed("only log selector is supported")) {
            _ = try LogQLParser.parseLogSelector("count_over_time({app=\"a\"}[5m])")
        }
        #expect(throws: LogQLParseError.unprefixed("only sample expression supported")) {
            _ = try LogQLParser.parseSampleExpr("{app=\"a\"}")
        }
    }
}

extension String {
    fileprivate func replacingPrefix() -> String { String(dropFirst("parse error : ".count)) }
}
