import FjordModel

/// The samples of one range-aggregation series: times (nanoseconds) and values.
///
/// Samples arrive in runs that are each in time order (one stream after another, one reader after another);
/// `runStarts` records where a run begins. Sums and counts are evaluated run by run; order-sensitive aggregations
/// sort the series first (``sortByTime()``).
struct SampleSeries: Sendable {
    var labels: Labels
    /// The labels carry `__error__`: any sample inside a window fails the query.
    let hasError: Bool
    var times: [Int64] = []
    /// Empty when every value is 1 (counting without a pipeline or unwrap).
    var values: [Double] = []
    /// Start index of every time-ordered run; `[0]` when the whole series is in time order.
    private(set) var runStarts: [Int] = [0]

    init(labels: Labels) {
        self.labels = labels
        hasError = labels.index(of: "__error__") != nil
    }

    var isSorted: Bool { runStarts.count == 1 }

    mutating func append(time: Int64, value: Double?) {
        if let last = times.last, time < last { runStarts.append(times.count) }
        times.append(time)
        if let value { values.append(value) }
    }

    /// Appends a time-ordered run of samples (`values` empty when counting).
    mutating func append(times run: UnsafeBufferPointer<Int64>, values runValues: [Double]) {
        guard let first = run.first else { return }
        if let last = times.last, first < last { runStarts.append(times.count) }
        times.append(contentsOf: run)
        values.append(contentsOf: runValues)
    }

    /// Appends the samples of another reader's series with the same labels.
    mutating func absorb(_ other: SampleSeries) {
        let offset = times.count
        if let last = times.last, let first = other.times.first, first < last { runStarts.append(offset) }
        runStarts.append(contentsOf: other.runStarts.dropFirst().map { $0 + offset })
        times.append(contentsOf: other.times)
        values.append(contentsOf: other.values)
    }

    /// The index ranges of the time-ordered runs.
    var runs: [Range<Int>] {
        (0..<runStarts.count).map { index in
            runStarts[index]..<(index + 1 < runStarts.count ? runStarts[index + 1] : times.count)
        }
    }

    /// Puts the samples in time order; samples with equal times keep their arrival order.
    mutating func sortByTime() {
        guard !isSorted else { return }
        defer { runStarts = [0] }
        if values.isEmpty {
            times.sort()
            return
        }
        let order = times.indices.sorted { lhs, rhs in
            times[lhs] != times[rhs] ? times[lhs] < times[rhs] : lhs < rhs
        }
        times = order.map { times[$0] }
        values = order.map { values[$0] }
    }
}

/// Groups extracted samples into series by their final labels (after grouping and tenant labelling).
struct SampleCollector {
    let plan: ExtractionPlan
    let labelTenants: Bool
    private(set) var series: [SampleSeries] = []
    private var index: [Labels: Int] = [:]
    /// Per-stream cache: the last raw labels and the series they went to.
    private var lastRaw = Labels()
    private var lastSeries = -1

    init(plan: ExtractionPlan, labelTenants: Bool) {
        self.plan = plan
        self.labelTenants = labelTenants
    }

    /// Starts a new stream (invalidates the label cache).
    mutating func beginStream() {
        lastSeries = -1
    }

    /// The series for a sample whose extractor labels are `raw`.
    mutating func seriesIndex(raw: Labels, tenant: String) -> Int {
        if lastSeries >= 0, raw == lastRaw { return lastSeries }
        var labels = plan.group(raw)
        if labelTenants { labels = TenantScope.labeling(labels, tenant: tenant) }
        let position: Int
        if let existing = index[labels] {
            position = existing
        } else {
            position = series.count
            index[labels] = position
            series.append(SampleSeries(labels: labels))
        }
        lastRaw = raw
        lastSeries = position
        return position
    }

    mutating func append(series position: Int, time: Int64, value: Double?) {
        series[position].append(time: time, value: value)
    }

    mutating func append(series position: Int, times: UnsafeBufferPointer<Int64>, values: [Double]) {
        series[position].append(times: times, values: values)
    }

    /// True when samples of series `position` carry `__error__`.
    func hasError(_ position: Int) -> Bool {
        series[position].hasError
    }

    func labels(_ position: Int) -> Labels {
        series[position].labels
    }

    /// Joins the series of several readers by labels.
    static func merge(_ parts: [[SampleSeries]]) -> [SampleSeries] {
        if parts.count == 1 { return parts[0] }
        var index: [Labels: Int] = [:]
        var merged: [SampleSeries] = []
        for part in parts {
            for series in part {
                if let existing = index[series.labels] {
                    merged[existing].absorb(series)
                } else {
                    index[series.labels] = merged.count
                    merged.append(series)
                }
            }
        }
        return merged
    }

    /// Hands over the series.
    mutating func finish() -> [SampleSeries] {
        let result = series
        series = []
        index = [:]
        return result
    }
}
