import FjordModel
import Testing
@testable import FjordLogQL

/// AST shapes: precedence, associativity, label filter grouping, literal folding, range placements.
struct ParserTests {
    static func metric(_ query: String) throws -> MetricExpr {
        guard case .metric(let metric) = try LogQLParser.parse(query) else {
            Issue.record("not a metric query: \(query)")
            return .literal(0)
        }
        return metric
    }

    static func log(_ query: String) throws -> LogSelectorExpr {
        guard case .log(let selector) = try LogQLParser.parse(query) else {
            Issue.record("not a log query: \(query)")
            return LogSelectorExpr(matchers: [])
        }
        return selector
    }

    @Test(arguments: [
        ("vector(1) + vector(2) * vector(3)", "(vector(1.000000) + (vector(2.000000) * vector(3.000000)))"),
        ("vector(1) * vector(2) + vector(3)", "((vector(1.000000) * vector(2.000000)) + vector(3.000000))"),
        ("vector(1) - vector(2) - vector(3)", "((vector(1.000000) - vector(2.000000)) - vector(3.000000))"),
        ("vector(2) ^ vector(3) ^ vector(2)", "(vector(2.000000) ^ (vector(3.000000) ^ vector(2.000000)))"),
        ("vector(1) or vector(2) and vector(3)", "(vector(1.000000) or (vector(2.000000) and vector(3.000000)))"),
        ("vector(1) and vector(2) unless vector(3)", "((vector(1.000000) and vector(2.000000)) unless vector(3.000000))"),
        ("vector(1) > vector(2) + vector(3)", "(vector(1.000000) > (vector(2.000000) + vector(3.000000)))"),
        ("vector(1) == vector(2) or vector(3) % vector(4)",
         "((vector(1.000000) == vector(2.000000)) or (vector(3.000000) % vector(4.000000)))"),
        ("(vector(1) + vector(2)) * vector(3)", "((vector(1.000000) + vector(2.000000)) * vector(3.000000))"),
    ])
    func binaryPrecedence(_ query: String, _ expected: String) throws {
        #expect(try Self.metric(query).description == expected)
    }

    @Test(arguments: [
        ("1 + 1", 2.0), ("1 + -2 / 1", -1), ("1 + 1 - -1", 3), ("2 ^ 3 ^ 2", 512), ("7 % 4", 3), ("1 > 2", 0),
        ("2 > 1", 1), ("2 >= bool 2", 1), ("1 == 1", 1), ("1 != 1", 0), ("-1.5", -1.5), ("+3", 3), ("(1 + 2) * 3", 9),
        ("10 / 4", 2.5), ("-7 % 4", -3),
    ])
    func literalFolding(_ query: String, _ value: Double) throws {
        #expect(try Self.metric(query) == .literal(value))
    }

    @Test func divisionByZeroFoldsToNaN() throws {
        for query in ["1 / 0", "5 % 0"] {
            guard case .literal(let value) = try Self.metric(query) else {
                Issue.record("not folded: \(query)")
                continue
            }
            #expect(value.isNaN)
        }
    }

    @Test func vectorWithLiteralIsNotFolded() throws {
        #expect(try Self.metric("sum(count_over_time({foo=\"bar\"}[5m])) by (foo) + 1 / 2").description
            == "(sum by (foo)(count_over_time({foo=\"bar\"}[5m])) + 0.5)")
    }

    @Test(arguments: [
        ("| a=\"1\" or b=\"2\" and c=\"3\"", "( a=\"1\" or ( b=\"2\" , c=\"3\" ) )"),
        ("| a=\"1\" and b=\"2\" or c=\"3\"", "( ( a=\"1\" , b=\"2\" ) or c=\"3\" )"),
        ("| a=\"1\" or b=\"2\" or c=\"3\"", "( ( a=\"1\" or b=\"2\" ) or c=\"3\" )"),
        ("| a=\"1\" and b=\"2\" and c=\"3\"", "( ( a=\"1\" , b=\"2\" ) , c=\"3\" )"),
        ("| foo=\"bar\" buzz!=\"blip\", blop=~\"boop\" or fuzz==5",
         "( foo=\"bar\" , ( buzz!=\"blip\" , ( blop=~\"boop\" or fuzz==5 ) ) )"),
        ("| (a=\"1\" or b=\"2\"), c=\"3\"", "( ( a=\"1\" or b=\"2\" ) , c=\"3\" )"),
        ("| a=\"1\" and b=\"2\", c=\"3\"", "( a=\"1\" , ( b=\"2\" , c=\"3\" ) )"),
        ("| latency >= 250ms or ( status_code < 500 and status_code > 200)",
         "( latency>=250ms or ( status_code<500 , status_code>200 ) )"),
        ("| (duration > 1s or status!= 200) and method!=\"POST\"",
         "( ( duration>1s or status!=200 ) , method!=\"POST\" )"),
    ])
    func labelFilterGrouping(_ filter: String, _ expected: String) throws {
        let selector = try Self.log("{app=\"foo\"} " + filter)
        guard case .labelFilter(let expr) = selector.pipeline.first else {
            Issue.record("no label filter")
            return
        }
        #expect(expr.description == expected)
    }

    @Test func labelFilterValues() throws {
        let selector = try Self.log("{a=\"b\"} | x > 5s | y <= 2.5KiB | z == -5 | w = ip(\"10.0.0.0/8\") | v != \"q\" | u = 1")
        let filters = selector.pipeline.compactMap { stage -> LabelFilterExpr? in
            if case .labelFilter(let filter) = stage { return filter }
            return nil
        }
        #expect(filters == [
            .duration(name: "x", op: .greater, seconds: 5, literal: "5s"),
            .bytes(name: "y", op: .lessOrEqual, bytes: 2560, literal: "2.5KiB"),
            .number(name: "z", op: .equal, value: -5, literal: "-5"),
            .ip(name: "w", equal: true, pattern: "10.0.0.0/8"),
            .string(.equal("v", "q").with(kind: .notEqual)),
            .number(name: "u", op: .equal, value: 1, literal: "1"),
        ])
    }

    @Test func keywordsAsLabelNames() throws {
        let selector = try Self.log("{a=\"b\"} | logfmt | count > 2 | rate=\"x\" | bytes >= 1 | ip=\"1.2.3.4\"")
        #expect(selector.description == "{a=\"b\"} | logfmt | count>2 | rate=\"x\" | bytes>=1 | ip=\"1.2.3.4\"")
    }

    @Test func lineFilters() throws {
        let selector = try Self.log("{a=\"b\"} |= \"x\" or \"y\" != \"p\" or \"q\" |~ \"r\" |= ip(\"1.2.3.4\") or \"s\"")
        #expect(selector.pipeline == [
            .lineFilter(LineFilter(op: .contains, values: [.literal("x"), .literal("y")])),
            .lineFilter(LineFilter(op: .notContains, values: [.literal("p")])),
            .lineFilter(LineFilter(op: .notContains, values: [.literal("q")])),
            .lineFilter(LineFilter(op: .regex, values: [.literal("r")])),
            .lineFilter(LineFilter(op: .contains, values: [.ip("1.2.3.4"), .literal("s")])),
        ])
    }

    @Test func parsersAndFormats() throws {
        let selector = try Self.log("{a=\"b\"} | logfmt --strict --keep-empty x, y=\"z\" | json | json a=\"b[0]\" "
            + "| regexp \"(?P<n>.)\" | pattern \"<n> <_>\" | unpack | line_format \"{{.n}}\" | decolorize "
            + "| label_format a=b, c=\"{{.d}}\" | drop x, y=\"z\" | keep k")
        #expect(selector.pipeline == [
            .logfmt(strict: true, keepEmpty: true, extractions: [LabelExtraction(name: "x"),
                                                                 LabelExtraction(name: "y", expression: "z")]),
            .json(extractions: []),
            .json(extractions: [LabelExtraction(name: "a", expression: "b[0]")]),
            .regexp("(?P<n>.)"), .pattern("<n> <_>"), .unpack, .lineFormat("{{.n}}"), .decolorize,
            .labelFormat([.rename(destination: "a", source: "b"), .template(destination: "c", template: "{{.d}}")]),
            .drop([LabelSelection(name: "x"), LabelSelection(name: "y", matcher: .equal("y", "z"))]),
            .keep([LabelSelection(name: "k")]),
        ])
    }

    @Test(arguments: [
        "count_over_time({a=\"b\"} |= \"x\" | json | unwrap y | y > 1 [5m] offset 1h)",
        "count_over_time({a=\"b\"}[5m] offset 1h |= \"x\" | json | unwrap y | y > 1)",
        "count_over_time(({a=\"b\"} |= \"x\" | json | unwrap y | y > 1)[5m] offset 1h)",
        "count_over_time((({a=\"b\"} |= \"x\" | json | unwrap y | y > 1)[5m] offset 1h))",
        "count_over_time(({a=\"b\"} |= \"x\" | json | unwrap y | y > 1 [5m] offset 1h))",
    ])
    func rangePlacements(_ query: String) throws {
        // All placements give the same range (validation would reject the unwrap; use the unvalidated form).
        let result = try LogQLParser.parseUnvalidated(Array(query.utf8), maxInputSize: 131_072)
        guard case .metric(.rangeAggregation(let aggregation)) = result.expr else {
            Issue.record("not a range aggregation")
            return
        }
        #expect(aggregation.range.range == 300_000_000_000)
        #expect(aggregation.range.offset == 3_600_000_000_000)
        #expect(aggregation.range.selector.pipeline.count == 2)
        #expect(aggregation.range.unwrap?.label == "y")
        #expect(aggregation.range.unwrap?.postFilters.count == 1)
    }

    @Test func parenthesisedSelectorThenUnwrap() throws {
        let metric = try Self.metric("sum_over_time(({a=\"b\"})[5m] | unwrap duration(x))")
        guard case .rangeAggregation(let aggregation) = metric else {
            Issue.record("not a range aggregation")
            return
        }
        #expect(aggregation.range.unwrap == UnwrapExpr(label: "x", conversion: .duration))
    }

    @Test func aggregations() throws {
        let topk = try Self.metric("topk by (a) (5, sum without (b) (rate({c=\"d\"}[1m])))")
        guard case .vectorAggregation(let outer) = topk, case .vectorAggregation(let inner) = outer.inner else {
            Issue.record("unexpected shape")
            return
        }
        #expect(outer.operation == .topk)
        #expect(outer.parameter == 5)
        #expect(outer.grouping == Grouping(without: false, labels: ["a"]))
        #expect(!outer.groupingAfter)
        #expect(inner.grouping == Grouping(without: true, labels: ["b"]))
        let after = try Self.metric("sum(rate({c=\"d\"}[1m])) by ()")
        guard case .vectorAggregation(let aggregation) = after else { return }
        #expect(aggregation.grouping == Grouping(without: false, labels: []))
        #expect(aggregation.groupingAfter)
        let quantile = try Self.metric("quantile_over_time(0.99, {a=\"b\"} | unwrap x [1m]) by (c)")
        guard case .rangeAggregation(let range) = quantile else { return }
        #expect(range.parameter == 0.99)
        #expect(try Self.metric("sum(1)") == .vectorAggregation(VectorAggregation(operation: .sum, inner: .literal(1))))
    }

    @Test func binaryModifiers() throws {
        let metric = try Self.metric("vector(1) / ignoring(a, b) group_right(c) vector(2) > bool on() vector(3)")
        guard case .binary(let outer) = metric, case .binary(let inner) = outer.lhs else {
            Issue.record("unexpected shape")
            return
        }
        #expect(outer.op == .greater)
        #expect(outer.returnBool)
        #expect(outer.matching == VectorMatching(on: true, labels: []))
        #expect(inner.matching == VectorMatching(on: false, labels: ["a", "b"], card: .oneToMany(include: ["c"])))
    }

    @Test func labelReplaceAndVector() throws {
        #expect(try Self.metric("label_replace(vector(2), \"dst\", \"$1\", \"src\", \"(.*)\")")
            == .labelReplace(LabelReplaceExpr(inner: .vector(2), destination: "dst", replacement: "$1",
                                              source: "src", regex: "(.*)")))
    }

    @Test func selectorMatchers() throws {
        let selector = try Self.log("{ a = \"b\", c != \"d\", e =~ \"f.*\", g !~ \"h\" }")
        #expect(selector.matchers.map(\.description) == ["a=\"b\"", "c!=\"d\"", "e=~\"f.*\"", "g!~\"h\""])
    }
}

extension LabelMatcher {
    fileprivate func with(kind: Kind) -> LabelMatcher {
        // Non-regex kinds never throw.
        (try? LabelMatcher(name: name, kind: kind, value: value)) ?? self
    }
}
