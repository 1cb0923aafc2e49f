import FjordLogQL
import FjordModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Binary operations between two vectors or a vector and a literal, with Loki's semantics (`evaluator.go`
/// `vectorBinop`, `vectorAnd/Or/Unless`, `syntax.MergeBinOp`): `x/0` and `x%0` are NaN, comparisons filter unless
/// `bool`, and matching errors are reported at the first step where they occur.
enum BinaryOperationEvaluator {
    // MARK: Scalars

    /// `op` applied to two numbers; `nil` when a filtering comparison fails.
    static func apply(_ op: BinaryOperator, _ lhs: Double, _ rhs: Double, filter: Bool) -> Double? {
        func compare(_ holds: Bool) -> Double? { holds ? 1 : (filter ? nil : 0) }
        switch op {
        case .add: return lhs + rhs
        case .subtract: return lhs - rhs
        case .multiply: return lhs * rhs
        case .divide: return rhs == 0 ? .nan : lhs / rhs
        case .modulo: return rhs == 0 ? .nan : goModulo(lhs, rhs)
        case .power: return goPower(lhs, rhs)
        case .equal: return compare(lhs == rhs)
        case .notEqual: return compare(lhs != rhs)
        case .greater: return compare(lhs > rhs)
        case .greaterOrEqual: return compare(lhs >= rhs)
        case .less: return compare(lhs < rhs)
        case .lessOrEqual: return compare(lhs <= rhs)
        case .and, .or, .unless: return nil
        }
    }

    /// Go's `math.Mod`: the result has the sign of `lhs`.
    static func goModulo(_ lhs: Double, _ rhs: Double) -> Double {
        lhs.truncatingRemainder(dividingBy: rhs)
    }

    /// Go's `math.Pow` (agrees with C `pow` on the special cases Loki can produce).
    static func goPower(_ lhs: Double, _ rhs: Double) -> Double {
        if rhs == 0 { return 1 }
        if lhs == 1 { return 1 }
        return pow(lhs, rhs)
    }

    // MARK: Vector and literal

    /// `vector op literal` (`literalOnLeft` false) or `literal op vector`. Comparisons without `bool` keep the
    /// vector's value where they hold.
    static func withLiteral(_ op: BinaryOperator, vector: SeriesSet, literal: Double, literalOnLeft: Bool,
                            returnBool: Bool) -> SeriesSet {
        var output = SeriesSet(stepCount: vector.stepCount)
        output.series.reserveCapacity(vector.series.count)
        for series in vector.series {
            var result = StepSeries(labels: series.labels)
            for (position, step) in series.steps.enumerated() {
                let value = series.values[position]
                let (lhs, rhs) = literalOnLeft ? (literal, value) : (value, literal)
                guard var merged = apply(op, lhs, rhs, filter: !returnBool) else { continue }
                if op.isComparison, !returnBool { merged = value }
                result.append(step: Int(step), value: merged)
            }
            if !result.steps.isEmpty { output.series.append(result) }
        }
        return output
    }

    // MARK: Vector and vector

    /// `lhs op rhs` between two vectors.
    static func vectors(_ expression: BinaryExpr, lhs: SeriesSet, rhs: SeriesSet) throws(QueryError) -> SeriesSet {
        let matching = expression.matching ?? VectorMatching(on: false, labels: [])
        var signatures = SignatureTable(matching: matching)
        let leftSignatures = lhs.series.map { signatures.id(of: $0.labels) }
        let rightSignatures = rhs.series.map { signatures.id(of: $0.labels) }
        let left = StepBuckets(lhs)
        let right = StepBuckets(rhs)
        let stepCount = min(lhs.stepCount, rhs.stepCount)
        switch expression.op {
        case .and, .or, .unless:
            return setOperation(expression.op, lhs: lhs, rhs: rhs, left: left, right: right,
                                leftSignatures: leftSignatures, rightSignatures: rightSignatures,
                                signatureCount: signatures.count, stepCount: stepCount)
        default:
            return try arithmetic(expression, matching: matching, lhs: lhs, rhs: rhs, left: left, right: right,
                                  leftSignatures: leftSignatures, rightSignatures: rightSignatures,
                                  signatureCount: signatures.count, stepCount: stepCount)
        }
    }

    private enum Side: Hashable {
        case left(Int)
        case right(Int)
    }

    private static func setOperation(_ op: BinaryOperator, lhs: SeriesSet, rhs: SeriesSet, left: StepBuckets,
                                     right: StepBuckets, leftSignatures: [Int], rightSignatures: [Int],
                                     signatureCount: Int, stepCount: Int) -> SeriesSet {
        var builder = SeriesBuilder<Side>()
        var stamp = [Int](repeating: -1, count: signatureCount)
        for step in 0..<stepCount {
            let leftSlots = left.slots(step)
            let rightSlots = right.slots(step)
            func emitLeft() {
                for slot in leftSlots {
                    let series = left.seriesIndex[slot]
                    builder.append(.left(series), labels: lhs.series[series].labels, step: step,
                                   value: left.values[slot])
                }
            }
            switch op {
            case .and:
                guard !leftSlots.isEmpty, !rightSlots.isEmpty else { continue }
                for slot in rightSlots { stamp[rightSignatures[right.seriesIndex[slot]]] = step }
                for slot in leftSlots where stamp[leftSignatures[left.seriesIndex[slot]]] == step {
                    let series = left.seriesIndex[slot]
                    builder.append(.left(series), labels: lhs.series[series].labels, step: step,
                                   value: left.values[slot])
                }
            case .or:
                for slot in leftSlots { stamp[leftSignatures[left.seriesIndex[slot]]] = step }
                emitLeft()
                for slot in rightSlots where leftSlots.isEmpty || stamp[rightSignatures[right.seriesIndex[slot]]] != step {
                    let series = right.seriesIndex[slot]
                    builder.append(.right(series), labels: rhs.series[series].labels, step: step,
                                   value: right.values[slot])
                }
            default: // unless
                if leftSlots.isEmpty { continue }
                if rightSlots.isEmpty {
                    emitLeft()
                    continue
                }
                for slot in rightSlots { stamp[rightSignatures[right.seriesIndex[slot]]] = step }
                for slot in leftSlots where stamp[leftSignatures[left.seriesIndex[slot]]] != step {
                    let series = left.seriesIndex[slot]
                    builder.append(.left(series), labels: lhs.series[series].labels, step: step,
                                   value: left.values[slot])
                }
            }
        }
        return SeriesSet(stepCount: stepCount, series: builder.series { lhs, rhs in
            switch (lhs, rhs) {
            case (.left(let a), .left(let b)), (.right(let a), .right(let b)): return a < b
            case (.left, .right): return true
            case (.right, .left): return false
            }
        })
    }

    private struct Pair: Hashable {
        var many: Int
        var one: Int
    }

    private static func arithmetic(_ expression: BinaryExpr, matching: VectorMatching, lhs: SeriesSet,
                                   rhs: SeriesSet, left: StepBuckets, right: StepBuckets, leftSignatures: [Int],
                                   rightSignatures: [Int], signatureCount: Int, stepCount: Int)
        throws(QueryError) -> SeriesSet
    {
        // One-to-many is evaluated as many-to-one with the sides swapped, then swapped back per sample.
        let swapped: Bool
        if case .oneToMany = matching.card { swapped = true } else { swapped = false }
        let oneToOne: Bool
        if case .oneToOne = matching.card { oneToOne = true } else { oneToOne = false }
        let (manySet, oneSet) = swapped ? (rhs, lhs) : (lhs, rhs)
        let (manyBuckets, oneBuckets) = swapped ? (right, left) : (left, right)
        let (manySignatures, oneSignatures) = swapped ? (rightSignatures, leftSignatures)
            : (leftSignatures, rightSignatures)
        var metrics: [Pair: Labels] = [:]
        var builder = SeriesBuilder<Pair>()
        var oneBySignature = [Int](repeating: -1, count: signatureCount)
        var oneStamp = [Int](repeating: -1, count: signatureCount)
        var matchedStamp = [Int](repeating: -1, count: signatureCount)
        var matchedMetrics: [Int: Set<Labels>] = [:]
        for step in 0..<stepCount {
            for slot in oneBuckets.slots(step) {
                let signature = oneSignatures[oneBuckets.seriesIndex[slot]]
                if oneStamp[signature] == step {
                    throw QueryError(.internalError, "found duplicate series on the \(swapped ? "left" : "right") "
                        + "hand-side;many-to-many matching not allowed: matching labels must be unique on one side")
                }
                oneStamp[signature] = step
                oneBySignature[signature] = slot
            }
            matchedMetrics.removeAll(keepingCapacity: true)
            for slot in manyBuckets.slots(step) {
                let manySeries = manyBuckets.seriesIndex[slot]
                let signature = manySignatures[manySeries]
                guard oneStamp[signature] == step else { continue }
                let oneSlot = oneBySignature[signature]
                let oneSeries = oneBuckets.seriesIndex[oneSlot]
                let pair = Pair(many: manySeries, one: oneSeries)
                let metric: Labels
                if let cached = metrics[pair] {
                    metric = cached
                } else {
                    metric = resultMetric(manySet.series[manySeries].labels, oneSet.series[oneSeries].labels,
                                          matching: matching)
                    metrics[pair] = metric
                }
                if oneToOne {
                    if matchedStamp[signature] == step {
                        throw QueryError(.internalError, "multiple matches for labels: many-to-one matching must be "
                            + "explicit (group_left/group_right)")
                    }
                    matchedStamp[signature] = step
                } else {
                    if !matchedMetrics[signature, default: []].insert(metric).inserted {
                        throw QueryError(.internalError, "multiple matches for labels: grouping labels must ensure "
                            + "unique matches")
                    }
                }
                let manyValue = manyBuckets.values[slot]
                let oneValue = oneBuckets.values[oneSlot]
                let (leftValue, rightValue) = swapped ? (oneValue, manyValue) : (manyValue, oneValue)
                guard var merged = apply(expression.op, leftValue, rightValue, filter: !expression.returnBool)
                else { continue }
                if expression.op.isComparison, !expression.returnBool { merged = leftValue }
                builder.append(pair, labels: metric, step: step, value: merged)
            }
        }
        return SeriesSet(stepCount: stepCount, series: builder.series { lhs, rhs in
            lhs.many != rhs.many ? lhs.many < rhs.many : lhs.one < rhs.one
        })
    }

    /// Loki's `resultMetric`: one-to-one `on(…)` keeps only the matching labels, `ignoring(…)` drops them; with
    /// `group_left/right(…)` the listed labels are copied from the "one" side (removed when empty there).
    static func resultMetric(_ many: Labels, _ one: Labels, matching: VectorMatching) -> Labels {
        var result = many
        switch matching.card {
        case .oneToOne:
            if matching.on {
                result = many.filter(names: { matching.labels.contains($0) })
            } else {
                for name in matching.labels { result.remove(name) }
            }
        case .manyToOne(let include), .oneToMany(let include):
            for name in include {
                if let value = one[name], !value.isEmpty {
                    result.set(name, value)
                } else {
                    result.remove(name)
                }
            }
        }
        return result
    }
}

/// Interns matching signatures (the labels a binary operation matches on) as small integers.
struct SignatureTable {
    let matching: VectorMatching
    private var ids: [Labels: Int] = [:]

    init(matching: VectorMatching) {
        self.matching = matching
    }

    var count: Int { ids.count }

    mutating func id(of labels: Labels) -> Int {
        let signature = matching.on
            ? labels.filter(names: { matching.labels.contains($0) })
            : labels.filter(names: { !matching.labels.contains($0) })
        if let existing = ids[signature] { return existing }
        let id = ids.count
        ids[signature] = id
        return id
    }
}
