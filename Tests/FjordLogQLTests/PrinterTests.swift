import Foundation
import Testing
@testable import FjordLogQL

/// `String()` forms as Loki prints them, and print → parse round trips.
struct PrinterTests {
    @Test(arguments: [
        ("{foo=\"bar\"}", "{foo=\"bar\"}"),
        ("{ foo = \"bar\" , a!~\"b\" }", "{foo=\"bar\", a!~\"b\"}"),
        ("{foo=\"bar\"} |= \"baz\" |~ \"blip\" != \"flip\" !~ \"flap\"",
         "{foo=\"bar\"} |= \"baz\" |~ \"blip\" != \"flip\" !~ \"flap\""),
        ("{a=\"b\"} != \"x\" or \"y\"", "{a=\"b\"} != \"x\" != \"y\""),
        ("{a=\"b\"} |= \"x\" or \"y\" or ip(\"z\")", "{a=\"b\"} |= \"x\" or \"y\" or ip(\"z\")"),
        ("{a=\"b\"} |> \"<_> x\" !> `y`", "{a=\"b\"} |> \"<_> x\" !> \"y\""),
        ("{a=\"b\"} | json foo, bar=\"baz\"", "{a=\"b\"} | json foo=\"foo\",bar=\"baz\""),
        ("{a=\"b\"} | logfmt --strict foo", "{a=\"b\"} | logfmt --strict foo=\"foo\""),
        ("{a=\"b\"} | logfmt --keep-empty --strict", "{a=\"b\"} | logfmt --strict --keep-empty"),
        ("{a=\"b\"} | regexp `(?P<a>\\d)` | pattern \"<a> \\\"x\\\"\"",
         "{a=\"b\"} | regexp \"(?P<a>\\\\d)\" | pattern \"<a> \\\"x\\\"\""),
        ("{a=\"b\"} | x > 5s | y >= 1m | z < 250ms | w == 1h30m | v != 5d",
         "{a=\"b\"} | x>5s | y>=1m0s | z<250ms | w==1h30m0s | v!=120h0m0s"),
        ("{a=\"b\"} | s >= 2.5KiB | t < 20MB | u = 5B", "{a=\"b\"} | s>=2.6kB | t<20MB | u==5B"),
        ("{a=\"b\"} | x = 5.50 | y > -1 | z <= 1e6", "{a=\"b\"} | x==5.5 | y>-1 | z<=1000000"),
        ("{a=\"b\"} | x = ip(\"1.2.3.4\") | y != ip(\"::1\")", "{a=\"b\"} | x=ip(\"1.2.3.4\") | y!=ip(\"::1\")"),
        ("{a=\"b\"} | line_format \"{{.a}}\\n\" | decolorize | unpack",
         "{a=\"b\"} | line_format \"{{.a}}\\n\" | decolorize | unpack"),
        ("{a=\"b\"} | label_format a=b, c=\"d\" | drop a, b=\"c\" | keep x, y=~\"z\"",
         "{a=\"b\"} | label_format a=b,c=\"d\" | drop a,b=\"c\" | keep x,y=~\"z\""),
        ("count_over_time({a=\"b\"}[5m] offset 1h)", "count_over_time({a=\"b\"}[5m] offset 1h0m0s)"),
        ("count_over_time({a=\"b\"}[90s] |= \"x\")", "count_over_time({a=\"b\"} |= \"x\"[1m30s])"),
        ("sum_over_time({a=\"b\"} | unwrap bytes(x) | y > 1 [8d])",
         "sum_over_time({a=\"b\"} | unwrap bytes(x) | y>1[8d])"),
        ("quantile_over_time(0.99, {a=\"b\"} | unwrap x [1w]) by (c, d)",
         "quantile_over_time(0.99,{a=\"b\"} | unwrap x[1w]) by (c,d)"),
        ("sum by (a,b) (rate({a=\"b\"}[5m]))", "sum by (a,b)(rate({a=\"b\"}[5m]))"),
        ("sum(rate({a=\"b\"}[5m])) without (a)", "sum without (a)(rate({a=\"b\"}[5m]))"),
        ("sum by () (rate({a=\"b\"}[5m]))", "sum(rate({a=\"b\"}[5m]))"),
        ("sum without () (rate({a=\"b\"}[5m]))", "sum without ()(rate({a=\"b\"}[5m]))"),
        ("topk(5, rate({a=\"b\"}[5m]))", "topk(5,rate({a=\"b\"}[5m]))"),
        ("rate({a=\"b\"}[5m]) / on(a) group_left(b) rate({a=\"b\"}[5m])",
         "(rate({a=\"b\"}[5m]) / on (a) group_left (b) rate({a=\"b\"}[5m]))"),
        ("rate({a=\"b\"}[5m]) / on(a) rate({a=\"b\"}[5m])", "(rate({a=\"b\"}[5m]) / on (a)  rate({a=\"b\"}[5m]))"),
        ("rate({a=\"b\"}[5m]) > bool ignoring(x) rate({a=\"b\"}[5m])",
         "(rate({a=\"b\"}[5m]) > bool ignoring (x)  rate({a=\"b\"}[5m]))"),
        ("rate({a=\"b\"}[5m]) > bool 1e6", "(rate({a=\"b\"}[5m]) > bool 1e+06)"),
        ("rate({a=\"b\"}[5m]) * 0.00001", "(rate({a=\"b\"}[5m]) * 1e-05)"),
        ("vector(3.5)", "vector(3.500000)"),
        ("1 + 1", "2"),
        ("label_replace(vector(1), \"a\", \"$1\", \"b\", \"(.*)\")",
         "label_replace(vector(1.000000),\"a\",\"$1\",\"b\",\"(.*)\")"),
    ])
    func canonicalForm(_ query: String, _ expected: String) throws {
        #expect(try LogQLParser.parse(query).description == expected)
    }

    @Test func quotedLabelNames() throws {
        let selector = try LogQLParser.parse("{é=\"x\"}")
        #expect(selector.description == "{\"é\"=\"x\"}")
    }

    /// Literal texts and bare extraction names are not kept by printing; compare what the query means.
    static func normalized(_ expr: Expr) -> Expr {
        switch expr {
        case .log(let selector): return .log(normalized(selector))
        case .metric(let metric): return .metric(normalized(metric))
        }
    }

    static func normalized(_ selector: LogSelectorExpr) -> LogSelectorExpr {
        LogSelectorExpr(matchers: selector.matchers, pipeline: selector.pipeline.map(normalized))
    }

    static func normalized(_ stage: PipelineStage) -> PipelineStage {
        func extractions(_ list: [LabelExtraction]) -> [LabelExtraction] {
            list.map { LabelExtraction(name: $0.name, expression: $0.expression ?? $0.name) }
        }
        switch stage {
        case .labelFilter(let filter): return .labelFilter(normalized(filter))
        case .json(let list): return .json(extractions: extractions(list))
        case .logfmt(let strict, let keepEmpty, let list):
            return .logfmt(strict: strict, keepEmpty: keepEmpty, extractions: extractions(list))
        default: return stage
        }
    }

    static func normalized(_ filter: LabelFilterExpr) -> LabelFilterExpr {
        switch filter {
        case .and(let a, let b): return .and(normalized(a), normalized(b))
        case .or(let a, let b): return .or(normalized(a), normalized(b))
        case .parenthesized(let inner): return normalized(inner)
        case .number(let name, let op, let value, _): return .number(name: name, op: op, value: value, literal: "")
        case .duration(let name, let op, let seconds, _):
            return .duration(name: name, op: op, seconds: seconds, literal: "")
        case .bytes(let name, let op, let bytes, _): return .bytes(name: name, op: op, bytes: bytes, literal: "")
        case .string, .ip: return filter
        }
    }

    static func normalized(_ metric: MetricExpr) -> MetricExpr {
        switch metric {
        case .rangeAggregation(var aggregation):
            aggregation.range.selector = normalized(aggregation.range.selector)
            aggregation.range.rangeAfterSelector = false
            if var unwrap = aggregation.range.unwrap {
                unwrap.postFilters = unwrap.postFilters.map(normalized)
                aggregation.range.unwrap = unwrap
            }
            return .rangeAggregation(aggregation)
        case .vectorAggregation(var aggregation):
            aggregation.inner = normalized(aggregation.inner)
            aggregation.groupingAfter = false
            if let grouping = aggregation.grouping, !grouping.without, grouping.labels.isEmpty {
                aggregation.grouping = nil
            }
            return .vectorAggregation(aggregation)
        case .binary(var binary):
            binary.lhs = normalized(binary.lhs)
            binary.rhs = normalized(binary.rhs)
            return .binary(binary)
        case .labelReplace(var replace):
            replace.inner = normalized(replace.inner)
            return .labelReplace(replace)
        case .parenthesized(let inner): return normalized(inner)
        case .literal, .vector: return metric
        }
    }

    static let roundTripQueries: [String] = [
        "{a=\"b\"} |= \"x\" or \"y\" != \"z\" or \"w\" |~ \"r\" | logfmt --strict x, y=\"z\" | json a, b=\"c[0]\"",
        "{a=\"b\"} | regexp \"(?P<a>.)\" | pattern \"<b> <_>\" | unpack | line_format \"{{.a}}\" | decolorize",
        "{a=\"b\"} | x > 1.5 or y < 2s and (z >= 3KB, w = ip(\"1.1.1.1\")) v != ip(\"::1\") | u=~\"a.*\"",
        "{a=\"b\"} | label_format a=b, c=\"{{.d}}\" | drop x, y=\"z\" | keep k, l!~\"m\"",
        "quantile_over_time(0.9, {a=\"b\"} | json | unwrap duration_seconds(x) | x > 1 [5m] offset 30s) by (a)",
        "sum by (a) (rate({a=\"b\"}[5m] offset 1h)) / on (a) group_left (c) sum by (a) (rate({a=\"b\"}[5m]))",
        "topk(3, sum without (x) (count_over_time({a=\"b\"}[1m]))) > bool ignoring (y) group_right 5",
        "label_replace(sort_desc(avg(bytes_rate({a=\"b\"}[1h]))), \"d\", \"$1\", \"s\", \"(.*)\") or vector(0)",
        "-1.5", "vector(2) ^ vector(3) ^ vector(2) % 4", "absent_over_time({a=~\"x|y\"}[5m])",
        "sum_over_time({a=\"b\"} | unwrap bytes(x) | __error__=\"\" [10m])",
    ]

    @Test(arguments: roundTripQueries)
    func roundTrip(_ query: String) throws {
        let expr = try LogQLParser.parse(query)
        let printed = expr.description
        let reparsed = try LogQLParser.parse(printed)
        #expect(Self.normalized(reparsed) == Self.normalized(expr), "\(printed)")
        #expect(reparsed.description == printed)
        let pretty = expr.prettified(maxLineLength: 20)
        #expect(Self.normalized(try LogQLParser.parse(pretty)) == Self.normalized(expr), "\(pretty)")
    }

    @Test func conformanceQueriesRoundTrip() throws {
        for testCase in try ConformanceParseTests.loadCases() where testCase.parseError == nil {
            let expr = try LogQLParser.parse(testCase.query)
            let printed = expr.description
            let reparsed = try LogQLParser.parse(printed)
            #expect(Self.normalized(reparsed) == Self.normalized(expr), "\(testCase.id): \(printed)")
            #expect(Self.normalized(try LogQLParser.parse(expr.prettified())) == Self.normalized(expr),
                    "\(testCase.id)")
        }
    }
}
