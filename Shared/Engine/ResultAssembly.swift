import FjordModel

/// Turns an evaluated ``SeriesSet`` into the query's final result shape (Loki's `JoinSampleVector`).
enum ResultAssembly {
    /// A range query's matrix: samples with equal labels are joined into one series (points in step order, several
    /// points per step kept), the series limit is enforced, series are sorted by labels.
    static func matrix(_ set: SeriesSet, grid: StepGrid, maxSeries: Int) throws(QueryError) -> [Series] {
        if set.stepCount > 0 {
            let firstStep = set.series.reduce(0) { $0 + ($1.steps.first == 0 ? 1 : 0) }
            if firstStep > maxSeries { throw QueryError.seriesLimit(maxSeries) }
        }
        var index: [Labels: Int] = [:]
        var members: [[Int]] = []
        var labels: [Labels] = []
        for (position, series) in set.series.enumerated() where !series.steps.isEmpty {
            if let existing = index[series.labels] {
                members[existing].append(position)
            } else {
                index[series.labels] = labels.count
                labels.append(series.labels)
                members.append([position])
            }
        }
        if labels.count > maxSeries { throw QueryError.seriesLimit(maxSeries) }
        var result: [Series] = []
        result.reserveCapacity(labels.count)
        for (group, memberList) in members.enumerated() {
            var points: [SamplePoint] = []
            if memberList.count == 1 {
                let series = set.series[memberList[0]]
                points.reserveCapacity(series.steps.count)
                for (position, step) in series.steps.enumerated() {
                    points.append(SamplePoint(timestampMillis: millis(grid, Int(step)), value: series.values[position]))
                }
            } else {
                // Step order first, then the order the samples had within the step.
                var merged: [(step: Int32, member: Int, value: Double)] = []
                for (order, member) in memberList.enumerated() {
                    let series = set.series[member]
                    for (position, step) in series.steps.enumerated() {
                        merged.append((step, order, series.values[position]))
                    }
                }
                merged.sort { $0.step != $1.step ? $0.step < $1.step : $0.member < $1.member }
                points = merged.map { SamplePoint(timestampMillis: millis(grid, Int($0.step)), value: $0.value) }
            }
            result.append(Series(labels: labels[group], points: points))
        }
        result.sort { compare($0.labels, $1.labels) < 0 }
        return result
    }

    /// An instant query's vector: the samples at the single step, sorted by labels unless the query sorts by value.
    static func vector(_ set: SeriesSet, grid: StepGrid, maxSeries: Int, keepOrder: Bool) throws(QueryError)
        -> [InstantSample]
    {
        var samples: [InstantSample] = []
        for series in set.series {
            guard let position = series.steps.firstIndex(of: 0) else { continue }
            samples.append(InstantSample(labels: series.labels, timestampMillis: millis(grid, 0),
                                         value: series.values[position]))
        }
        if samples.count > maxSeries { throw QueryError.seriesLimit(maxSeries) }
        if !keepOrder { samples.sort { compare($0.labels, $1.labels) < 0 } }
        return samples
    }

    /// A literal over a range query: one `{}` series with the value at every step.
    static func literalMatrix(_ value: Double, grid: StepGrid) -> [Series] {
        let points = (0..<grid.count).map { SamplePoint(timestampMillis: millis(grid, $0), value: value) }
        return [Series(labels: Labels(), points: points)]
    }

    static func millis(_ grid: StepGrid, _ step: Int) -> Int64 {
        grid.time(step) / 1_000_000
    }

    /// Prometheus `labels.Compare`.
    static func compare(_ lhs: Labels, _ rhs: Labels) -> Int {
        Labels.prometheusCompare(lhs, rhs)
    }
}
