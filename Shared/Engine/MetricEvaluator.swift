public import FjordLogQL
import FjordModel

/// Walks a metric expression and evaluates every node over the whole step grid.
struct MetricEvaluator {
    let source: any LogSource
    let tenants: [String]
    let grid: StepGrid
    let limits: QueryLimits
    let parallelism: Int
    /// An instant query (`sort`/`topk` keep the order of their single step).
    let instant: Bool
    var statistics = QueryStatistics()

    init(source: any LogSource, tenants: [String], grid: StepGrid, limits: QueryLimits, parallelism: Int,
         instant: Bool = false) {
        self.source = source
        self.tenants = tenants
        self.grid = grid
        self.limits = limits
        self.parallelism = parallelism
        self.instant = instant
    }

    mutating func evaluate(_ expression: MetricExpr) async throws(QueryError) -> SeriesSet {
        switch expression {
        case .parenthesized(let inner):
            return try await evaluate(inner)
        case .rangeAggregation(let aggregation):
            return try await range(aggregation, pushedGrouping: nil)
        case .vectorAggregation(let aggregation):
            return try await vectorAggregation(aggregation)
        case .binary(let binary):
            return try await binaryOperation(binary)
        case .labelReplace(let replace):
            let evaluator = try LabelReplaceEvaluator(replace)
            return evaluator.evaluate(try await evaluate(replace.inner))
        case .vector(let value):
            let steps = (0..<grid.count).map { Int32($0) }
            let series = StepSeries(labels: Labels(), steps: steps, values: Array(repeating: value, count: grid.count))
            return SeriesSet(stepCount: grid.count, series: grid.count > 0 ? [series] : [])
        case .literal(let value):
            throw QueryError(.badRequest, "unexpected literal \(value) where a vector is needed")
        }
    }

    /// The number a literal expression stands for (parenthesised literals and literal-only arithmetic fold).
    static func literalValue(_ expression: MetricExpr) -> Double? {
        switch expression {
        case .literal(let value):
            return value
        case .parenthesized(let inner):
            return literalValue(inner)
        case .binary(let binary):
            guard !binary.op.isSetOperator, let lhs = literalValue(binary.lhs), let rhs = literalValue(binary.rhs)
            else { return nil }
            return BinaryOperationEvaluator.apply(binary.op, lhs, rhs, filter: false)
        default:
            return nil
        }
    }

    static func unparenthesized(_ expression: MetricExpr) -> MetricExpr {
        if case .parenthesized(let inner) = expression { return unparenthesized(inner) }
        return expression
    }

    private mutating func range(_ aggregation: RangeAggregation, pushedGrouping: Grouping?)
        async throws(QueryError) -> SeriesSet
    {
        let scope = TenantScope(tenants: tenants, matchers: aggregation.range.selector.matchers)
        let evaluator = RangeAggregationEvaluator(
            aggregation: aggregation, plan: ExtractionPlan(aggregation: aggregation, pushedGrouping: pushedGrouping),
            grid: grid, scope: scope, source: source, parallelism: parallelism)
        return try await evaluator.evaluate(statistics: &statistics)
    }

    private mutating func vectorAggregation(_ aggregation: VectorAggregation) async throws(QueryError) -> SeriesSet {
        if aggregation.operation == .approxTopk, !limits.approxTopkEnabled { throw QueryError.approxTopkDisabled }
        let inner = Self.unparenthesized(aggregation.inner)
        let input: SeriesSet
        if aggregation.operation == .sum, case .rangeAggregation(let rangeAggregation) = inner,
           rangeAggregation.grouping == nil, ExtractionPlan.acceptsPushedGrouping(rangeAggregation.operation) {
            // Loki sends `sum`'s grouping down into the sample extraction (`VectorAggregationExpr.Extractor`).
            input = try await range(rangeAggregation,
                                    pushedGrouping: aggregation.grouping ?? Grouping(without: false, labels: []))
        } else {
            input = try await evaluate(inner)
        }
        return VectorAggregationEvaluator.evaluate(aggregation.operation, grouping: aggregation.grouping,
                                                   k: aggregation.parameter, input: input, instant: instant)
    }

    private mutating func binaryOperation(_ binary: BinaryExpr) async throws(QueryError) -> SeriesSet {
        let leftLiteral = Self.literalValue(binary.lhs)
        let rightLiteral = Self.literalValue(binary.rhs)
        if binary.op.isSetOperator, let literal = leftLiteral ?? rightLiteral {
            let leg = leftLiteral != nil ? "left" : "right"
            throw QueryError(.badRequest, "parse error : unexpected literal for \(leg) leg of logical/set binary "
                + "operation (\(binary.op.rawValue)): \(formatFixed(literal))")
        }
        if let literal = leftLiteral {
            let vector = try await evaluate(binary.rhs)
            return BinaryOperationEvaluator.withLiteral(binary.op, vector: vector, literal: literal,
                                                        literalOnLeft: true, returnBool: binary.returnBool)
        }
        if let literal = rightLiteral {
            let vector = try await evaluate(binary.lhs)
            return BinaryOperationEvaluator.withLiteral(binary.op, vector: vector, literal: literal,
                                                        literalOnLeft: false, returnBool: binary.returnBool)
        }
        let lhs = try await evaluate(binary.lhs)
        let rhs = try await evaluate(binary.rhs)
        return try BinaryOperationEvaluator.vectors(binary, lhs: lhs, rhs: rhs)
    }

    /// Go's `%f`: six decimals.
    private func formatFixed(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        let scaled = (abs(value) * 1_000_000).rounded()
        let whole = scaled / 1_000_000
        let fraction = Int(scaled.truncatingRemainder(dividingBy: 1_000_000))
        let digits = String(fraction)
        let padded = String(repeating: "0", count: 6 - digits.count) + digits
        return (value < 0 ? "-" : "") + String(Int(whole.rounded(.down))) + "." + padded
    }
}

extension MetricExpr {
    /// Every range aggregation in the expression.
    public var rangeAggregations: [RangeAggregation] {
        switch self {
        case .rangeAggregation(let aggregation): return [aggregation]
        case .vectorAggregation(let aggregation): return aggregation.inner.rangeAggregations
        case .binary(let binary): return binary.lhs.rangeAggregations + binary.rhs.rangeAggregations
        case .labelReplace(let replace): return replace.inner.rangeAggregations
        case .parenthesized(let inner): return inner.rangeAggregations
        case .literal, .vector: return []
        }
    }

    /// True when the expression uses `sort` or `sort_desc` (Loki's `Sortable`): instant results keep their order.
    var isSortable: Bool {
        switch self {
        case .vectorAggregation(let aggregation):
            return aggregation.operation == .sort || aggregation.operation == .sortDesc || aggregation.inner.isSortable
        case .binary(let binary): return binary.lhs.isSortable || binary.rhs.isSortable
        case .labelReplace(let replace): return replace.inner.isSortable
        case .parenthesized(let inner): return inner.isSortable
        case .rangeAggregation, .literal, .vector: return false
        }
    }
}
