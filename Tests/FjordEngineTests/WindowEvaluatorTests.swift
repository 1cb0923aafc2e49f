@testable import FjordEngine
import FjordLogQL
import FjordModel
import Testing

/// Window sliding: counting run by run must equal counting the sorted series, and a split grid must give the points
/// of the whole grid.
@Suite struct WindowEvaluatorTests {
    func aggregation(_ operation: RangeOperation, seconds: Int64, offset: Int64 = 0) -> RangeAggregation {
        RangeAggregation(operation: operation,
                         range: LogRangeExpr(selector: LogSelectorExpr(matchers: [equal("a", "b")]),
                                             range: seconds * second, offset: offset * second))
    }

    /// Three interleaved runs of pseudo-random times and sizes.
    func series(withValues: Bool) -> SampleSeries {
        var series = SampleSeries(labels: Labels())
        var state: UInt64 = 42
        func next() -> Int64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64(state >> 40)
        }
        for _ in 0..<3 {
            var time = base
            for _ in 0..<400 {
                time += next() % (30 * second)
                series.append(time: time, value: withValues ? Double(next() % 500) : nil)
            }
        }
        return series
    }

    @Test(arguments: [RangeOperation.countOverTime, .rate, .bytesOverTime, .bytesRate])
    func runsGiveTheSameAnswerAsSortedSamples(operation: RangeOperation) {
        let withValues = operation == .bytesOverTime || operation == .bytesRate
        let unsorted = series(withValues: withValues)
        #expect(!unsorted.isSorted)
        var sorted = unsorted
        sorted.sortByTime()
        let grid = StepGrid.range(start: base, end: base + 3600 * second, step: 60 * second, align: true)
        let windows = WindowEvaluator(grid: grid, aggregation: aggregation(operation, seconds: 300))
        let fromRuns = windows.evaluate(unsorted)
        let fromSorted = windows.evaluate(sorted)
        #expect(fromRuns.steps == fromSorted.steps)
        #expect(fromRuns.values == fromSorted.values)
        #expect(!fromRuns.steps.isEmpty)
    }

    @Test(arguments: [RangeOperation.countOverTime, .sumOverTime, .avgOverTime, .quantileOverTime])
    func splitGridsGiveTheWholeGridsPoints(operation: RangeOperation) {
        var samples = series(withValues: true)
        samples.sortByTime()
        var aggregate = aggregation(operation, seconds: 600, offset: 120)
        aggregate.parameter = 0.9
        let whole = StepGrid.range(start: base, end: base + 7200 * second, step: 300 * second, align: true)
        let first = StepGrid.range(start: base, end: base + 3300 * second, step: 300 * second, align: true)
        let later = StepGrid.range(start: base + 3600 * second, end: base + 7200 * second, step: 300 * second,
                                   align: true)
        func points(_ grid: StepGrid) -> [(Int64, Double)] {
            let output = WindowEvaluator(grid: grid, aggregation: aggregate).evaluate(samples)
            return zip(output.steps, output.values).map { (grid.time(Int($0.0)), $0.1) }
        }
        let split = points(first) + points(later)
        let unsplit = points(whole)
        #expect(split.map(\.0) == unsplit.map(\.0))
        #expect(split.map(\.1) == unsplit.map(\.1))
    }
}
