public import FjordModel
import FjordEngine

/// One part of a split metric range query: the evaluation times `start, start+step, …, end` (both on the step grid),
/// all inside one interval bucket.
public struct MetricSplit: Sendable, Hashable {
    /// First evaluation time (Unix nanoseconds, a multiple of the step).
    public var start: Int64
    /// Last evaluation time (inclusive, a multiple of the step).
    public var end: Int64
    /// `floor(start / interval)`: the bucket the split belongs to (a cache key part).
    public var bucket: Int64
}

/// One part of a split log query: entries with `start <= ts < end`, inside one interval bucket.
public struct LogSplit: Sendable, Hashable {
    public var start: Int64
    public var end: Int64
    public var bucket: Int64
}

/// Cuts range queries into time splits (Loki's `split_queries_by_interval`), as a pure value.
///
/// Metric queries are split by **evaluation step**, never by data: the grid `start, start+step, …` (start floored,
/// end ceiled to multiples of the step, as the engine aligns it) is partitioned into runs of consecutive steps that
/// fall into the same interval bucket (`[k·interval, (k+1)·interval)` since the Unix epoch). Every split is then an
/// ordinary range query over its own steps; each step reads its own window `(t−offset−range, t−offset]` whatever
/// split it is in, so windows that cross split boundaries, `offset`, and per-step aggregations (`topk`, `sort`,
/// `quantile_over_time`, binary operations) all give exactly the unsplit answer. The interval grows to
/// ``rangeMultiple`` times the largest `[range]` of the query (Loki grows it to the range itself): a split reads its
/// own span plus one range before it, so with 1 h splits a `[1h]` query read every entry twice; at four ranges the
/// extra reading stays under a quarter.
///
/// Log queries are split at interval boundaries into `[start, b1), [b1, b2), …, [bn, end)`, returned in the
/// order they are needed: newest first for `backward`, oldest first for `forward`.
public struct QuerySplitter: Sendable, Hashable {
    /// `split_queries_by_interval` in nanoseconds; 0 disables splitting.
    public let interval: Int64

    public init(interval: Int64) {
        precondition(interval >= 0, "QuerySplitter needs a non-negative interval, got \(interval)")
        self.interval = interval
    }

    /// How many of its largest `[range]` a metric query's split spans at least.
    public static let rangeMultiple: Int64 = 4

    /// The interval a metric query with `maxRange` as its largest `[range]` is split by (0 = not split): the
    /// configured interval, grown to a multiple of it that spans at least ``rangeMultiple`` ranges.
    public func metricInterval(maxRange: Int64) -> Int64 {
        guard interval > 0 else { return 0 }
        let (wanted, overflow) = maxRange.multipliedReportingOverflow(by: Self.rangeMultiple)
        if overflow { return Int64.max / interval * interval }
        guard wanted > interval else { return interval }
        let (rounded, roundOverflow) = ((wanted + interval - 1) / interval).multipliedReportingOverflow(by: interval)
        return roundOverflow ? Int64.max / interval * interval : rounded
    }

    /// The splits of a range metric query over `[start, end]` every `step`, oldest first. One split covering the
    /// whole aligned grid when splitting is off.
    public func metricSplits(start: Int64, end: Int64, step: Int64, maxRange: Int64) -> [MetricSplit] {
        precondition(step > 0, "a range metric query needs a positive step, got \(step)")
        let (first, last) = StepGrid.aligned(start: start, end: end, step: step)
        let interval = metricInterval(maxRange: maxRange)
        guard last >= first else { return [] }
        guard interval > 0 else { return [MetricSplit(start: first, end: last, bucket: 0)] }
        var splits: [MetricSplit] = []
        var time = first
        while time <= last {
            let bucket = Self.floorDivide(time, interval)
            let (bucketEnd, overflow) = (bucket + 1).multipliedReportingOverflow(by: interval)
            var splitEnd = last
            if !overflow, bucketEnd <= last {
                // The last step before the next bucket starts.
                splitEnd = time + (bucketEnd - 1 - time) / step * step
            }
            splits.append(MetricSplit(start: time, end: splitEnd, bucket: bucket))
            let (next, nextOverflow) = splitEnd.addingReportingOverflow(step)
            if nextOverflow { break }
            time = next
        }
        return splits
    }

    /// The splits of a log query over `[start, end)`, in the order the query needs them (newest first for
    /// `backward`). One split when splitting is off.
    public func logSplits(start: Int64, end: Int64, direction: Direction) -> [LogSplit] {
        guard start < end else { return [] }
        guard interval > 0 else { return [LogSplit(start: start, end: end, bucket: 0)] }
        var splits: [LogSplit] = []
        var from = start
        while from < end {
            let bucket = Self.floorDivide(from, interval)
            let (bucketEnd, overflow) = (bucket + 1).multipliedReportingOverflow(by: interval)
            let to = overflow ? end : min(bucketEnd, end)
            splits.append(LogSplit(start: from, end: to, bucket: bucket))
            from = to
        }
        return direction == .backward ? splits.reversed() : splits
    }

    /// Floor division (Swift's `/` truncates toward zero).
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
