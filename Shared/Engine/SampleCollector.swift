import FjordModel

/// The samples of one range-aggregation series: times (nanoseconds) and values, in time order once sorted.
struct SampleSeries: Sendable {
    var labels: Labels
    /// The labels carry `__error__`: any sample inside a window fails the query.
    let hasError: Bool
    var times: [Int64] = []
    /// Empty when every value is 1 (counting without a pipeline or unwrap).
    var values: [Double] = []
    private(set) var isSorted = true

    init(labels: Labels) {
        self.labels = labels
        hasError = labels.index(of: "__error__") != nil
    }

    mutating func append(time: Int64, value: Double?) {
        if let last = times.last, time < last { isSorted = false }
        times.append(time)
        if let value { values.append(value) }
    }

    /// Puts the samples in time order; samples with equal times keep their arrival order.
    mutating func sortByTime() {
        guard !isSorted else { return }
        defer { isSorted = true }
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

    /// True when samples of series `position` carry `__error__`.
    func hasError(_ position: Int) -> Bool {
        series[position].hasError
    }

    func labels(_ position: Int) -> Labels {
        series[position].labels
    }

    /// Hands over the series, each in time order.
    mutating func finish() -> [SampleSeries] {
        for position in series.indices { series[position].sortByTime() }
        let result = series
        series = []
        index = [:]
        return result
    }
}
