import FjordLogQL
import FjordModel

/// Nanoseconds per second.
let second: Int64 = 1_000_000_000
/// An hour-aligned base time for test data (Unix nanoseconds).
let base: Int64 = 1_700_000_000 * second - (1_700_000_000 % 3600) * second

func labels(_ pairs: KeyValuePairs<String, String>) -> Labels {
    Labels(pairs.map { LabelPair(name: $0.key, value: $0.value) })
}

func equal(_ name: String, _ value: String) -> LabelMatcher {
    .equal(name, value)
}

func regex(_ name: String, _ value: String) -> LabelMatcher {
    // Test patterns are valid.
    // swiftlint:disable:next force_try
    try! LabelMatcher(name: name, kind: .regexMatch, value: value)
}

func contains(_ text: String) -> PipelineStage {
    .lineFilter(LineFilter(op: .contains, values: [.literal(text)]))
}

func range(_ operation: RangeOperation, _ matchers: [LabelMatcher], _ pipeline: [PipelineStage] = [],
           seconds: Int64, offset: Int64 = 0, grouping: Grouping? = nil, parameter: Double? = nil) -> MetricExpr {
    .rangeAggregation(RangeAggregation(
        operation: operation,
        range: LogRangeExpr(selector: LogSelectorExpr(matchers: matchers, pipeline: pipeline), range: seconds * second,
                            offset: offset),
        parameter: parameter, grouping: grouping))
}

func aggregate(_ operation: VectorOperation, _ inner: MetricExpr, by names: [String]? = nil,
               without: [String]? = nil, k: Int? = nil) -> MetricExpr {
    var grouping: Grouping? = nil
    if let names { grouping = Grouping(without: false, labels: names) }
    if let without { grouping = Grouping(without: true, labels: without) }
    return .vectorAggregation(VectorAggregation(operation: operation, inner: inner, parameter: k, grouping: grouping))
}

func binary(_ op: BinaryOperator, _ lhs: MetricExpr, _ rhs: MetricExpr, returnBool: Bool = false,
            matching: VectorMatching? = nil) -> MetricExpr {
    .binary(BinaryExpr(op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: matching))
}
