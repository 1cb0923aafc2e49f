import FjordModel
import FjordQueryFrontend
import Testing

@Suite struct QuerySplitterTests {
    static let second: Int64 = 1_000_000_000
    static let minute = 60 * second
    static let hour = 60 * minute

    @Test func metricSplitsPartitionTheAlignedGridByBucket() {
        let splitter = QuerySplitter(interval: Self.hour)
        // 00:10:07 to 03:00:00 every 7 minutes: the grid starts at the multiple of 7 min at or before the start.
        let start = 10 * Self.minute + 7 * Self.second
        let end = 3 * Self.hour
        let step = 7 * Self.minute
        let splits = splitter.metricSplits(start: start, end: end, step: step, maxRange: 5 * Self.minute)
        var steps: [Int64] = []
        for split in splits {
            #expect(split.start % step == 0 && split.end % step == 0)
            #expect(split.start / Self.hour == split.bucket && split.end / Self.hour == split.bucket)
            steps.append(contentsOf: stride(from: split.start, through: split.end, by: Int(step)))
        }
        let first = start - start % step
        let last = end % step == 0 ? end : end + step - end % step
        #expect(steps == Array(stride(from: first, through: last, by: Int(step))))
        #expect(splits.map(\.bucket) == [0, 1, 2, 3])
    }

    @Test func theIntervalGrowsToFourTimesTheLargestRange() {
        let splitter = QuerySplitter(interval: Self.hour)
        #expect(splitter.metricInterval(maxRange: 5 * Self.minute) == Self.hour)
        #expect(splitter.metricInterval(maxRange: 15 * Self.minute) == Self.hour)
        // 4 × 20 m = 80 m, rounded up to whole intervals.
        #expect(splitter.metricInterval(maxRange: 20 * Self.minute) == 2 * Self.hour)
        #expect(splitter.metricInterval(maxRange: Self.hour) == 4 * Self.hour)
        #expect(splitter.metricInterval(maxRange: 3 * Self.hour) == 12 * Self.hour)
        #expect(splitter.metricInterval(maxRange: Int64.max / 2) % Self.hour == 0)
        let splits = splitter.metricSplits(start: 0, end: 8 * Self.hour, step: Self.minute, maxRange: Self.hour)
        #expect(splits.map(\.start) == [0, 4 * Self.hour, 8 * Self.hour])
        #expect(splits.last?.end == 8 * Self.hour)
    }

    @Test func aStepLongerThanTheIntervalGivesOneStepPerSplit() {
        let splits = QuerySplitter(interval: Self.hour).metricSplits(
            start: 0, end: 10 * Self.hour, step: 2 * Self.hour, maxRange: Self.minute)
        #expect(splits.map(\.start) == [0, 2, 4, 6, 8, 10].map { $0 * Self.hour })
        #expect(splits.allSatisfy { $0.start == $0.end })
    }

    @Test func zeroIntervalDoesNotSplit() {
        let splits = QuerySplitter(interval: 0).metricSplits(start: 5, end: 10 * Self.hour, step: Self.minute, maxRange: 0)
        #expect(splits.count == 1)
        #expect(splits[0].start == 0 && splits[0].end == 10 * Self.hour)
        #expect(QuerySplitter(interval: 0).logSplits(start: 5, end: 99, direction: .backward).count == 1)
    }

    @Test func logSplitsCoverTheRangeNewestFirstForBackward() {
        let splitter = QuerySplitter(interval: Self.hour)
        let start = 30 * Self.minute
        let end = 3 * Self.hour + 10 * Self.minute
        let forward = splitter.logSplits(start: start, end: end, direction: .forward)
        #expect(forward.map(\.start) == [start, Self.hour, 2 * Self.hour, 3 * Self.hour])
        #expect(forward.map(\.end) == [Self.hour, 2 * Self.hour, 3 * Self.hour, end])
        let backward = splitter.logSplits(start: start, end: end, direction: .backward)
        #expect(backward.map(\.start) == forward.map(\.start).reversed())
        #expect(splitter.logSplits(start: end, end: end, direction: .forward).isEmpty)
    }

    @Test func bucketsBeforeTheEpochFloor() {
        let splits = QuerySplitter(interval: Self.hour).logSplits(start: -90 * Self.minute, end: 0, direction: .forward)
        #expect(splits.map(\.bucket) == [-2, -1])
        #expect(splits.map(\.start) == [-90 * Self.minute, -Self.hour])
    }
}
