import FjordLogQL
import FjordModel

/// Vector aggregations (`sum by (x)`, `topk`, `sort_desc` …) with Loki's per-step semantics (`evaluator.go`
/// `VectorAggEvaluator`): groups are formed once per series, then every step aggregates the members present at it.
enum VectorAggregationEvaluator {
    /// Aggregates `input` with `operation`; `k` is the parameter of `topk`/`bottomk`. `instant`: the query has one
    /// evaluation time and `topk`/`sort` results keep that step's order (what `sort`/`sort_desc` return); a range
    /// query keeps the input order, which does not depend on the grid (so a query split by steps stays exact).
    static func evaluate(_ operation: VectorOperation, grouping: Grouping?, k: Int?, input: SeriesSet,
                         instant: Bool = false) -> SeriesSet {
        let grouping = grouping ?? Grouping(without: false, labels: [])
        // Group membership, in order of first appearance.
        var groupIndex: [Labels: Int] = [:]
        var groupLabels: [Labels] = []
        var membership = [Int](repeating: 0, count: input.series.count)
        for (position, series) in input.series.enumerated() {
            let key = groupKey(series.labels, grouping)
            if let existing = groupIndex[key] {
                membership[position] = existing
            } else {
                membership[position] = groupLabels.count
                groupIndex[key] = groupLabels.count
                groupLabels.append(key)
            }
        }
        let buckets = StepBuckets(input)
        switch operation {
        case .topk, .bottomk, .approxTopk, .sort, .sortDesc:
            return select(operation, k: k ?? 0, input: input, buckets: buckets, membership: membership,
                          groups: groupLabels.count, stepOrder: instant)
        default:
            return reduce(operation, input: input, buckets: buckets, membership: membership, groupLabels: groupLabels)
        }
    }

    /// The labels a series is grouped under: `by` keeps the listed names, `without` drops them.
    static func groupKey(_ labels: Labels, _ grouping: Grouping) -> Labels {
        if grouping.without { return labels.filter(names: { !grouping.labels.contains($0) }) }
        return labels.filter(names: { grouping.labels.contains($0) })
    }

    private struct Accumulator {
        var value = 0.0
        var mean = 0.0
        var count = 0
        var lastStep = -1
    }

    /// `sum avg count min max stddev stdvar`.
    private static func reduce(_ operation: VectorOperation, input: SeriesSet, buckets: StepBuckets,
                               membership: [Int], groupLabels: [Labels]) -> SeriesSet {
        var outputs = groupLabels.map { StepSeries(labels: $0) }
        var accumulators = [Accumulator](repeating: Accumulator(), count: groupLabels.count)
        var touched: [Int] = []
        for step in 0..<input.stepCount {
            touched.removeAll(keepingCapacity: true)
            for slot in buckets.slots(step) {
                let group = membership[buckets.seriesIndex[slot]]
                let value = buckets.values[slot]
                if accumulators[group].lastStep != step {
                    accumulators[group] = Accumulator(value: operation == .stddev || operation == .stdvar ? 0 : value,
                                                      mean: value, count: 1, lastStep: step)
                    touched.append(group)
                    continue
                }
                var accumulator = accumulators[group]
                switch operation {
                case .sum:
                    accumulator.value += value
                case .avg:
                    accumulator.count += 1
                    accumulator.mean += (value - accumulator.mean) / Double(accumulator.count)
                case .max:
                    if accumulator.value < value || accumulator.value.isNaN { accumulator.value = value }
                case .min:
                    if accumulator.value > value || accumulator.value.isNaN { accumulator.value = value }
                case .count:
                    accumulator.count += 1
                case .stddev, .stdvar:
                    accumulator.count += 1
                    let delta = value - accumulator.mean
                    accumulator.mean += delta / Double(accumulator.count)
                    accumulator.value += delta * (value - accumulator.mean)
                default:
                    preconditionFailure("reduce called with selection operation \(operation)")
                }
                accumulators[group] = accumulator
            }
            for group in touched {
                let accumulator = accumulators[group]
                let value: Double
                switch operation {
                case .avg: value = accumulator.mean
                case .count: value = Double(accumulator.count)
                case .stddev: value = (accumulator.value / Double(accumulator.count)).squareRoot()
                case .stdvar: value = accumulator.value / Double(accumulator.count)
                default: value = accumulator.value
                }
                outputs[group].append(step: step, value: value)
            }
        }
        return SeriesSet(stepCount: input.stepCount, series: outputs.filter { !$0.steps.isEmpty })
    }

    /// `topk bottomk sort sort_desc`: keeps member series (with their own labels) at the steps where they are
    /// selected. With `stepOrder` the series order of the result is the order of the last step, which is what an
    /// instant query with `sort`/`sort_desc` returns; otherwise it is the input order.
    private static func select(_ operation: VectorOperation, k: Int, input: SeriesSet, buckets: StepBuckets,
                               membership: [Int], groups: Int, stepOrder: Bool) -> SeriesSet {
        let limitless = operation == .sort || operation == .sortDesc
        guard limitless || k >= 1 else { return SeriesSet(stepCount: input.stepCount) }
        let largest = operation == .topk || operation == .approxTopk || operation == .sortDesc
        var perSeries = input.series.map { StepSeries(labels: $0.labels) }
        var candidates = [[(series: Int, value: Double)]](repeating: [], count: groups)
        var lastOrder: [Int] = []
        for step in 0..<input.stepCount {
            for group in 0..<groups { candidates[group].removeAll(keepingCapacity: true) }
            for slot in buckets.slots(step) {
                let series = buckets.seriesIndex[slot]
                candidates[membership[series]].append((series, buckets.values[slot]))
            }
            var order: [Int] = []
            for group in 0..<groups where !candidates[group].isEmpty {
                let chosen = limitless ? candidates[group] : keep(k, of: candidates[group], largest: largest)
                let sorted = chosen.sorted { lhs, rhs in
                    largest ? valueLess(rhs.value, lhs.value) : valueLess(lhs.value, rhs.value)
                }
                for item in sorted {
                    perSeries[item.series].append(step: step, value: item.value)
                    order.append(item.series)
                }
            }
            if !order.isEmpty { lastOrder = order }
        }
        guard stepOrder else {
            return SeriesSet(stepCount: input.stepCount, series: perSeries.filter { !$0.steps.isEmpty })
        }
        var seen = Set<Int>()
        var result: [StepSeries] = []
        for series in lastOrder where seen.insert(series).inserted { result.append(perSeries[series]) }
        for (position, series) in perSeries.enumerated() where !series.steps.isEmpty && !seen.contains(position) {
            result.append(series)
        }
        return SeriesSet(stepCount: input.stepCount, series: result)
    }

    /// Order used by Loki's value heaps: NaN sorts below every number.
    private static func valueLess(_ lhs: Double, _ rhs: Double) -> Bool {
        if lhs.isNaN { return !rhs.isNaN }
        return lhs < rhs
    }

    /// Loki's streaming top-k: a bounded heap whose root is the weakest kept sample; a new sample replaces it when
    /// it is stronger or the root is NaN.
    private static func keep(_ k: Int, of candidates: [(series: Int, value: Double)], largest: Bool)
        -> [(series: Int, value: Double)]
    {
        // "weaker" = closer to eviction.
        func weaker(_ lhs: Double, _ rhs: Double) -> Bool {
            if lhs.isNaN { return true }
            return largest ? lhs < rhs : lhs > rhs
        }
        // k comes from the query (topk(99999999999, ...) is valid): never reserve more than there are candidates.
        var heap = BinaryHeap<(series: Int, value: Double)>(capacity: min(k, candidates.count)) { weaker($0.value, $1.value) }
        for candidate in candidates {
            if heap.count < k {
                heap.push(candidate)
            } else if let root = heap.first, weaker(root.value, candidate.value) || root.value.isNaN {
                _ = heap.pop()
                heap.push(candidate)
            }
        }
        var kept: [(series: Int, value: Double)] = []
        while let item = heap.pop() { kept.append(item) }
        return kept
    }
}
