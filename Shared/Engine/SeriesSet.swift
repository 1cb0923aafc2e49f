import FjordModel

/// One series of an intermediate metric result: its labels and a value at some evaluation steps.
///
/// Sparse on purpose: a range aggregation over thousands of streams yields thousands of series that each have
/// points at only some of the steps.
struct StepSeries: Sendable {
    var labels: Labels
    /// Indices into the query's ``StepGrid``, ascending and unique.
    var steps: [Int32]
    var values: [Double]

    init(labels: Labels, steps: [Int32] = [], values: [Double] = []) {
        self.labels = labels
        self.steps = steps
        self.values = values
    }

    mutating func append(step: Int, value: Double) {
        steps.append(Int32(step))
        values.append(value)
    }
}

/// The value of a metric expression over all evaluation steps: a list of series. Several series may share a label
/// set (after `label_replace`); Loki keeps such samples apart until the final result merges them.
struct SeriesSet: Sendable {
    var stepCount: Int
    var series: [StepSeries]

    init(stepCount: Int, series: [StepSeries] = []) {
        self.stepCount = stepCount
        self.series = series
    }
}

/// A step-major view of a ``SeriesSet``: for every step, the present samples in series order (what Loki's step
/// evaluators see as one instant vector).
struct StepBuckets {
    /// `offsets[step]..<offsets[step + 1]` indexes `seriesIndex` and `values`.
    private(set) var offsets: [Int]
    private(set) var seriesIndex: [Int]
    private(set) var values: [Double]

    init(_ set: SeriesSet) {
        var counts = [Int](repeating: 0, count: set.stepCount + 1)
        for series in set.series {
            for step in series.steps { counts[Int(step) + 1] += 1 }
        }
        for step in 0..<set.stepCount { counts[step + 1] += counts[step] }
        offsets = counts
        let total = counts[set.stepCount]
        var fill = counts
        var seriesIndex = [Int](repeating: 0, count: total)
        var values = [Double](repeating: 0, count: total)
        for (index, series) in set.series.enumerated() {
            for (position, step) in series.steps.enumerated() {
                let slot = fill[Int(step)]
                fill[Int(step)] += 1
                seriesIndex[slot] = index
                values[slot] = series.values[position]
            }
        }
        self.seriesIndex = seriesIndex
        self.values = values
    }

    /// The sample slots of `step`.
    @inlinable func slots(_ step: Int) -> Range<Int> { offsets[step]..<offsets[step + 1] }
}

/// Collects output points keyed by an identity (a source series, a matched pair) into series, in step order.
struct SeriesBuilder<Key: Hashable> {
    private var index: [Key: Int] = [:]
    private var keys: [Key] = []
    private(set) var series: [StepSeries] = []

    mutating func append(_ key: Key, labels: @autoclosure () -> Labels, step: Int, value: Double) {
        if let existing = index[key] {
            series[existing].append(step: step, value: value)
        } else {
            index[key] = series.count
            keys.append(key)
            series.append(StepSeries(labels: labels(), steps: [Int32(step)], values: [value]))
        }
    }

    /// The series ordered by key. First appearance depends on which steps the grid holds; key order does not, so
    /// a query split by steps feeds later aggregations the same order as the unsplit query. (For a one-step grid
    /// key order is first-appearance order.)
    func series(orderedBy less: (Key, Key) -> Bool) -> [StepSeries] {
        series.indices.sorted { less(keys[$0], keys[$1]) }.map { series[$0] }
    }
}
