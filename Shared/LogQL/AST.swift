public import FjordModel

// The LogQL abstract syntax tree. The parser (Parser.swift) builds it, the printer (Printer.swift) renders it the way
// Loki's `format_query` does, the pipeline module compiles `PipelineStage`s and the engine evaluates expressions.
// Times and durations are Unix nanoseconds / nanoseconds in `Int64`.

/// A whole LogQL query: either a log query (returns streams) or a metric query (returns samples).
public enum Expr: Sendable, Hashable {
    case log(LogSelectorExpr)
    case metric(MetricExpr)
}

/// `{matchers} pipeline`: selects streams and transforms their lines.
public struct LogSelectorExpr: Sendable, Hashable {
    public var matchers: [LabelMatcher]
    public var pipeline: [PipelineStage]

    public init(matchers: [LabelMatcher], pipeline: [PipelineStage] = []) {
        self.matchers = matchers
        self.pipeline = pipeline
    }
}

/// One stage of a log pipeline, in query order.
public enum PipelineStage: Sendable, Hashable {
    /// `|= "a" or "b"`, `!~ "re"`, `|> "<_> x"`, `|= ip("10.0.0.0/8")` …; consecutive filters are separate stages.
    /// Negated filters never carry `or` alternatives: like Loki, the parser turns `!= "a" or "b"` into two stages.
    case lineFilter(LineFilter)
    /// `| logfmt [--strict] [--keep-empty] [a, b="key"]`.
    case logfmt(strict: Bool, keepEmpty: Bool, extractions: [LabelExtraction])
    /// `| json [a, b="expr"]`.
    case json(extractions: [LabelExtraction])
    /// `| regexp "re"`.
    case regexp(String)
    /// `| pattern "<a> <_>"`.
    case pattern(String)
    /// `| unpack`.
    case unpack
    /// `| label filter expression`.
    case labelFilter(LabelFilterExpr)
    /// `| line_format "template"`.
    case lineFormat(String)
    /// `| label_format a=b, c="template"`.
    case labelFormat([LabelFormatOp])
    /// `| decolorize`.
    case decolorize
    /// `| drop a, b="v"`.
    case drop([LabelSelection])
    /// `| keep a, b="v"`.
    case keep([LabelSelection])
}

/// A line filter with its `or` alternatives: the operator applies to every alternative.
public struct LineFilter: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable {
        case contains = "|="
        case notContains = "!="
        case regex = "|~"
        case notRegex = "!~"
        case pattern = "|>"
        case notPattern = "!>"
    }

    /// A filter operand: a string literal or `ip("…")`.
    public enum Value: Sendable, Hashable {
        case literal(String)
        case ip(String)
    }

    public var op: Operator
    /// The first operand followed by each `or` alternative.
    public var values: [Value]

    public init(op: Operator, values: [Value]) {
        self.op = op
        self.values = values
    }
}

/// A parser extraction `name` or `name="expression"`; `expression` is `nil` for the bare form.
public struct LabelExtraction: Sendable, Hashable {
    public var name: String
    public var expression: String?

    public init(name: String, expression: String? = nil) {
        self.name = name
        self.expression = expression
    }
}

/// Comparison operators of numeric/duration/bytes label filters and binary operations.
public enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "=="
    case notEqual = "!="
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
}

/// A label filter expression after `|`.
public indirect enum LabelFilterExpr: Sendable, Hashable {
    /// `a and b`, `a, b` or `a b`.
    case and(LabelFilterExpr, LabelFilterExpr)
    /// `a or b`.
    case or(LabelFilterExpr, LabelFilterExpr)
    /// `(a)`. Never produced by the parser: like Loki it drops parentheses, the tree shape is the grouping.
    case parenthesized(LabelFilterExpr)
    /// `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
    case string(LabelMatcher)
    /// `name > 1.5` etc.; `literal` is the number as written.
    case number(name: String, op: ComparisonOperator, value: Double, literal: String)
    /// `name > 10s` etc.: value in seconds; `literal` is the duration as written.
    case duration(name: String, op: ComparisonOperator, seconds: Double, literal: String)
    /// `name > 10KB` etc.: value in bytes; `literal` as written.
    case bytes(name: String, op: ComparisonOperator, bytes: Double, literal: String)
    /// `name = ip("…")` or `name != ip("…")`.
    case ip(name: String, equal: Bool, pattern: String)
}

/// One `label_format` operation.
public enum LabelFormatOp: Sendable, Hashable {
    /// `dst=src`: rename.
    case rename(destination: String, source: String)
    /// `dst="template"`.
    case template(destination: String, template: String)
}

/// A label named in `drop`/`keep`, optionally only when its value matches.
public struct LabelSelection: Sendable, Hashable {
    public var name: String
    public var matcher: LabelMatcher?

    public init(name: String, matcher: LabelMatcher? = nil) {
        self.name = name
        self.matcher = matcher
    }
}

/// `selector pipeline [unwrap] [range] offset`.
public struct LogRangeExpr: Sendable, Hashable {
    public var selector: LogSelectorExpr
    /// The `[range]` in nanoseconds.
    public var range: Int64
    /// The `offset` in nanoseconds (0 when absent).
    public var offset: Int64
    public var unwrap: UnwrapExpr?
    /// True when the range was written right after the selector (`{a="b"}[5m] | json`), for printing.
    public var rangeAfterSelector: Bool

    public init(selector: LogSelectorExpr, range: Int64, offset: Int64 = 0, unwrap: UnwrapExpr? = nil,
                rangeAfterSelector: Bool = false) {
        self.selector = selector
        self.range = range
        self.offset = offset
        self.unwrap = unwrap
        self.rangeAfterSelector = rangeAfterSelector
    }
}

/// `| unwrap label`, `| unwrap duration(label)` … plus label filters after it.
public struct UnwrapExpr: Sendable, Hashable {
    public enum Conversion: String, Sendable, Hashable {
        case none = ""
        case duration = "duration"
        case durationSeconds = "duration_seconds"
        case bytes = "bytes"
    }

    public var label: String
    public var conversion: Conversion
    public var postFilters: [LabelFilterExpr]

    public init(label: String, conversion: Conversion = .none, postFilters: [LabelFilterExpr] = []) {
        self.label = label
        self.conversion = conversion
        self.postFilters = postFilters
    }
}

/// Range aggregation functions.
public enum RangeOperation: String, Sendable, Hashable, CaseIterable {
    case countOverTime = "count_over_time"
    case rate = "rate"
    case rateCounter = "rate_counter"
    case bytesOverTime = "bytes_over_time"
    case bytesRate = "bytes_rate"
    case avgOverTime = "avg_over_time"
    case sumOverTime = "sum_over_time"
    case minOverTime = "min_over_time"
    case maxOverTime = "max_over_time"
    case stdvarOverTime = "stdvar_over_time"
    case stddevOverTime = "stddev_over_time"
    case quantileOverTime = "quantile_over_time"
    case firstOverTime = "first_over_time"
    case lastOverTime = "last_over_time"
    case absentOverTime = "absent_over_time"
}

/// Vector aggregation functions.
public enum VectorOperation: String, Sendable, Hashable, CaseIterable {
    case sum, avg, count, max, min, stddev, stdvar, bottomk, topk, sort
    case sortDesc = "sort_desc"
    case approxTopk = "approx_topk"
}

/// `by (a, b)` or `without (a, b)`; `by ()` is allowed (empty `labels`).
public struct Grouping: Sendable, Hashable {
    public var without: Bool
    public var labels: [String]

    public init(without: Bool, labels: [String]) {
        self.without = without
        self.labels = labels
    }
}

/// `count_over_time(...)` etc.
public struct RangeAggregation: Sendable, Hashable {
    public var operation: RangeOperation
    public var range: LogRangeExpr
    /// The φ of `quantile_over_time`.
    public var parameter: Double?
    public var grouping: Grouping?

    public init(operation: RangeOperation, range: LogRangeExpr, parameter: Double? = nil, grouping: Grouping? = nil) {
        self.operation = operation
        self.range = range
        self.parameter = parameter
        self.grouping = grouping
    }
}

/// `sum by (x) (...)`, `topk(5, ...)` etc.
public struct VectorAggregation: Sendable, Hashable {
    public var operation: VectorOperation
    public var inner: MetricExpr
    /// The `k` of `topk`/`bottomk`/`approx_topk`.
    public var parameter: Int?
    public var grouping: Grouping?
    /// True when the grouping was written after the parenthesised argument (`sum(x) by (a)`), for printing.
    public var groupingAfter: Bool

    public init(operation: VectorOperation, inner: MetricExpr, parameter: Int? = nil, grouping: Grouping? = nil,
                groupingAfter: Bool = false) {
        self.operation = operation
        self.inner = inner
        self.parameter = parameter
        self.grouping = grouping
        self.groupingAfter = groupingAfter
    }
}

/// Binary operators in precedence groups (see logql.md §2).
public enum BinaryOperator: String, Sendable, Hashable {
    case or, and, unless
    case equal = "==", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual: return true
        default: return false
        }
    }

    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }
}

/// `on(...)`/`ignoring(...)` with optional `group_left(...)`/`group_right(...)`.
public struct VectorMatching: Sendable, Hashable {
    public enum Card: Sendable, Hashable {
        case oneToOne
        case manyToOne(include: [String])  // group_left
        case oneToMany(include: [String])  // group_right
    }

    /// True for `on(...)`, false for `ignoring(...)`.
    public var on: Bool
    public var labels: [String]
    public var card: Card

    public init(on: Bool, labels: [String], card: Card = .oneToOne) {
        self.on = on
        self.labels = labels
        self.card = card
    }
}

/// `lhs op [bool] [matching] rhs`.
public struct BinaryExpr: Sendable, Hashable {
    public var op: BinaryOperator
    public var lhs: MetricExpr
    public var rhs: MetricExpr
    public var returnBool: Bool
    public var matching: VectorMatching?

    public init(op: BinaryOperator, lhs: MetricExpr, rhs: MetricExpr, returnBool: Bool = false,
                matching: VectorMatching? = nil) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
    }
}

/// `label_replace(inner, "dst", "replacement", "src", "regex")`.
public struct LabelReplaceExpr: Sendable, Hashable {
    public var inner: MetricExpr
    public var destination: String
    public var replacement: String
    public var source: String
    public var regex: String

    public init(inner: MetricExpr, destination: String, replacement: String, source: String, regex: String) {
        self.inner = inner
        self.destination = destination
        self.replacement = replacement
        self.source = source
        self.regex = regex
    }
}

/// An expression that yields samples.
public indirect enum MetricExpr: Sendable, Hashable {
    case rangeAggregation(RangeAggregation)
    case vectorAggregation(VectorAggregation)
    case binary(BinaryExpr)
    /// A number literal (`1`, `-1.5`); binary operations on two literals are folded by the parser.
    case literal(Double)
    /// `vector(1)`.
    case vector(Double)
    case labelReplace(LabelReplaceExpr)
    /// `( expr )`. Never produced by the parser: like Loki it drops parentheses, the tree shape is the grouping.
    case parenthesized(MetricExpr)
}
