import FjordLogQL

/// Slides every step's window `(t−O−R, t−O]` over the samples of one series and aggregates what it covers.
///
/// Counts and byte sums ("additive" operations) are kept as running totals while two pointers move through each
/// time-ordered run, so no series needs sorting and every sample is touched twice at most. Other aggregations need
/// the window's samples in time order: their series are sorted first and each window is aggregated with Loki's
/// algorithm (`RangeFunctions`).
struct WindowEvaluator: Sendable {
    let grid: StepGrid
    let operation: RangeOperation
    let range: Int64
    let offset: Int64
    let parameter: Double?
    let hasUnwrap: Bool

    init(grid: StepGrid, aggregation: RangeAggregation) {
        self.grid = grid
        operation = aggregation.operation
        range = aggregation.range.range
        offset = aggregation.range.offset
        parameter = aggregation.parameter
        hasUnwrap = aggregation.range.unwrap != nil
    }

    /// True when the value only depends on the number of samples or the sum of integer sizes.
    var isAdditive: Bool {
        switch operation {
        case .countOverTime, .absentOverTime, .bytesOverTime, .bytesRate: return true
        case .rate: return !hasUnwrap
        default: return false
        }
    }

    /// The aggregated value at every step whose window holds samples. A non-additive series must be sorted.
    func evaluate(_ series: SampleSeries) -> StepSeries {
        if isAdditive { return additive(series) }
        precondition(series.isSorted, "WindowEvaluator: \(operation) needs a time-ordered series")
        var output = StepSeries(labels: series.labels)
        series.times.withUnsafeBufferPointer { times in
            series.values.withUnsafeBufferPointer { values in
                var low = 0
                var high = 0
                for step in 0..<grid.count {
                    let window = grid.window(step, range: range, offset: offset)
                    while low < times.count, times[low] <= window.after { low += 1 }
                    if high < low { high = low }
                    while high < times.count, times[high] <= window.through { high += 1 }
                    guard high > low else { continue }
                    let value = RangeFunctions.aggregate(
                        operation, range: range, parameter: parameter, hasUnwrap: hasUnwrap,
                        times: UnsafeBufferPointer(rebasing: times[low..<high]),
                        values: UnsafeBufferPointer(rebasing: values[low..<high]))
                    output.append(step: step, value: value)
                }
            }
        }
        return output
    }

    /// Counts and sums per step, run by run.
    private func additive(_ series: SampleSeries) -> StepSeries {
        let runs = series.runs
        var counts = [Int](repeating: 0, count: runs.count > 1 ? grid.count : 0)
        var sums = [Double](repeating: 0, count: runs.count > 1 && !series.values.isEmpty ? grid.count : 0)
        var output = StepSeries(labels: series.labels)
        series.times.withUnsafeBufferPointer { times in
            series.values.withUnsafeBufferPointer { values in
                for run in runs {
                    var low = run.lowerBound
                    var high = run.lowerBound
                    var sum = 0.0
                    for step in 0..<grid.count {
                        let window = grid.window(step, range: range, offset: offset)
                        while high < run.upperBound, times[high] <= window.through {
                            if !values.isEmpty { sum += values[high] }
                            high += 1
                        }
                        while low < high, times[low] <= window.after {
                            if !values.isEmpty { sum -= values[low] }
                            low += 1
                        }
                        let count = high - low
                        guard count > 0 else {
                            if high >= run.upperBound { break }
                            continue
                        }
                        if runs.count > 1 {
                            counts[step] += count
                            if !values.isEmpty { sums[step] += sum }
                        } else {
                            output.append(step: step, value: value(count: count, sum: sum))
                        }
                    }
                }
            }
        }
        if runs.count > 1 {
            for step in 0..<grid.count where counts[step] > 0 {
                output.append(step: step, value: value(count: counts[step], sum: sums.isEmpty ? 0 : sums[step]))
            }
        }
        return output
    }

    private func value(count: Int, sum: Double) -> Double {
        switch operation {
        case .rate: return Double(count) / RangeFunctions.seconds(range)
        case .bytesOverTime: return sum
        case .bytesRate: return sum / RangeFunctions.seconds(range)
        default: return Double(count)
        }
    }
}
