import FjordModel
@testable import FjordLogQL

/// What in a parsed query keeps Loki's printed form (`String()`, which Fjord reproduces) from re-parsing to the same
/// AST. These are properties of Loki's printer, not parser bugs:
/// - label names that are not legacy identifiers (`{'c'="x"}`, `{日本="x"}`: the lexer takes them as identifiers) are
///   printed quoted, as Prometheus quotes them, and the selector grammar accepts no quoted names;
/// - literals NaN, ±Inf (from `0/0`, `1e999`) and -0 print as `NaN`, `+Inf`, `-0`; the lexer reads `-0` as a duration;
/// - byte sizes in label filters print through go-humanize, rounded to two or three digits (`3TiB` → `3.3TB`);
/// - `group_left`/`group_right` without labels print right before the right operand, so a parenthesised operand
///   (`a > on (x) group_left (b * c)`) reads back as the group's label list.
struct PrintingQuirks {
    var quotedLabelNames: [String] = []
    var unprintableLiterals: [Double] = []
    var groupsBeforeParenthesis = 0
    var byteValues: [Double] = []

    init(_ expr: Expr) {
        switch expr {
        case .log(let selector): visit(selector)
        case .metric(let metric): visit(metric)
        }
    }

    private mutating func visit(_ selector: LogSelectorExpr) {
        for matcher in selector.matchers { visit(matcher) }
        for stage in selector.pipeline {
            switch stage {
            case .labelFilter(let filter): visit(filter)
            case .drop(let selections), .keep(let selections):
                for selection in selections { if let matcher = selection.matcher { visit(matcher) } }
            default: break
            }
        }
    }

    private mutating func visit(_ matcher: LabelMatcher) {
        if !LabelNames.isLegacyValid(matcher.name) { quotedLabelNames.append(matcher.name) }
    }

    private mutating func visit(_ filter: LabelFilterExpr) {
        switch filter {
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            visit(lhs)
            visit(rhs)
        case .parenthesized(let inner): visit(inner)
        case .string(let matcher): visit(matcher)
        case .bytes(_, _, let bytes, _): byteValues.append(bytes)
        case .number, .duration, .ip: break
        }
    }

    private mutating func visit(_ metric: MetricExpr) {
        switch metric {
        case .rangeAggregation(let aggregation):
            visit(aggregation.range.selector)
            for filter in aggregation.range.unwrap?.postFilters ?? [] { visit(filter) }
        case .vectorAggregation(let aggregation): visit(aggregation.inner)
        case .binary(let binary):
            visit(binary.lhs)
            visit(binary.rhs)
            switch binary.matching?.card {
            case .manyToOne(let include)?, .oneToMany(let include)?:
                if include.isEmpty, binary.rhs.description.hasPrefix("(") { groupsBeforeParenthesis += 1 }
            default: break
            }
        case .literal(let value), .vector(let value):
            if !value.isFinite || (value == 0 && value.sign == .minus) { unprintableLiterals.append(value) }
        case .labelReplace(let replace): visit(replace.inner)
        case .parenthesized(let inner): visit(inner)
        }
    }

    /// True when the printed form may fail to re-parse for one of the reasons above.
    var printedFormMayNotParse: Bool {
        !quotedLabelNames.isEmpty || !unprintableLiterals.isEmpty || groupsBeforeParenthesis > 0
    }

    /// The byte sizes of two trees agree within go-humanize's rounding (at most three significant digits).
    static func byteValuesAgree(_ lhs: [Double], _ rhs: [Double]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { abs($0 - $1) <= 0.05 * max(abs($0), abs($1)) }
    }

    /// `expr` with every byte size set to 0, to compare trees whose sizes went through go-humanize.
    static func erasingBytes(_ expr: Expr) -> Expr {
        switch expr {
        case .log(let selector): return .log(erasingBytes(selector))
        case .metric(let metric): return .metric(erasingBytes(metric))
        }
    }

    private static func erasingBytes(_ selector: LogSelectorExpr) -> LogSelectorExpr {
        LogSelectorExpr(matchers: selector.matchers, pipeline: selector.pipeline.map { stage in
            if case .labelFilter(let filter) = stage { return .labelFilter(erasingBytes(filter)) }
            return stage
        })
    }

    private static func erasingBytes(_ filter: LabelFilterExpr) -> LabelFilterExpr {
        switch filter {
        case .and(let lhs, let rhs): return .and(erasingBytes(lhs), erasingBytes(rhs))
        case .or(let lhs, let rhs): return .or(erasingBytes(lhs), erasingBytes(rhs))
        case .parenthesized(let inner): return .parenthesized(erasingBytes(inner))
        case .bytes(let name, let op, _, let literal): return .bytes(name: name, op: op, bytes: 0, literal: literal)
        case .string, .number, .duration, .ip: return filter
        }
    }

    private static func erasingBytes(_ metric: MetricExpr) -> MetricExpr {
        switch metric {
        case .rangeAggregation(var aggregation):
            aggregation.range.selector = erasingBytes(aggregation.range.selector)
            if var unwrap = aggregation.range.unwrap {
                unwrap.postFilters = unwrap.postFilters.map(erasingBytes)
                aggregation.range.unwrap = unwrap
            }
            return .rangeAggregation(aggregation)
        case .vectorAggregation(var aggregation):
            aggregation.inner = erasingBytes(aggregation.inner)
            return .vectorAggregation(aggregation)
        case .binary(var binary):
            binary.lhs = erasingBytes(binary.lhs)
            binary.rhs = erasingBytes(binary.rhs)
            return .binary(binary)
        case .labelReplace(var replace):
            replace.inner = erasingBytes(replace.inner)
            return .labelReplace(replace)
        case .parenthesized(let inner): return .parenthesized(erasingBytes(inner))
        case .literal, .vector: return metric
        }
    }
}
