public import FjordModel

/// A cached answer of a metric range query for the evaluation times `start, start+step, …, end` of one split
/// bucket (both ends on the step grid, inclusive).
public struct MatrixExtent: Sendable {
    public var start: Int64
    public var end: Int64
    public var series: [Series]

    public init(start: Int64, end: Int64, series: [Series]) {
        self.start = start
        self.end = end
        self.series = series
    }
}

/// How to answer one metric split from the cache: which cached pieces to use and which step ranges to compute.
public struct ExtentPlan: Sendable {
    /// One part of the split's answer, in time order.
    public enum Piece: Sendable {
        /// Points already cut from a cached extent.
        case cached([Series])
        /// Evaluation times `start…end` (inclusive) to compute.
        case missing(start: Int64, end: Int64)
    }

    public var pieces: [Piece]

    /// The step ranges to compute.
    public var missing: [(start: Int64, end: Int64)] {
        pieces.compactMap { piece in
            if case .missing(let start, let end) = piece { return (start, end) }
            return nil
        }
    }
}

/// The bookkeeping of the results cache for metric range queries, as pure functions over extents.
///
/// Extents live on the step grid (multiples of the step since the Unix epoch) because every key includes the step
/// and queries are step-aligned; evaluation time `t` is reported at `t / 1 ms`, so with a step that is a whole
/// number of milliseconds each step has its own timestamp and an extent can be cut by timestamp exactly.
public struct ExtentBookkeeping: Sendable, Hashable {
    /// The query step (nanoseconds, a positive multiple of 1 ms).
    public let step: Int64

    public init(step: Int64) {
        precondition(step > 0 && step % 1_000_000 == 0, "cached steps are whole milliseconds, got \(step)")
        self.step = step
    }

    /// True when extents of this query can be cached (the step is a positive whole number of milliseconds).
    public static func canCache(step: Int64) -> Bool { step > 0 && step % 1_000_000 == 0 }

    /// The extents that lie on the grid with `start <= end`, sorted by start; anything else is dropped (a
    /// defensive check against values written by another build).
    public func usable(_ extents: [MatrixExtent]) -> [MatrixExtent] {
        extents.filter { $0.start % step == 0 && $0.end % step == 0 && $0.start <= $0.end }
            .sorted { $0.start < $1.start }
    }

    /// Plans the split `start…end` (on the grid) against `extents`: cached steps are cut from the extents, every
    /// other run of steps is to be computed.
    public func plan(start: Int64, end: Int64, extents: [MatrixExtent]) -> ExtentPlan {
        var pieces: [ExtentPlan.Piece] = []
        var cursor = start
        for extent in usable(extents) where cursor <= end {
            guard extent.end >= cursor else { continue }
            if extent.start > end { break }
            if extent.start > cursor {
                pieces.append(.missing(start: cursor, end: extent.start - step))
                cursor = extent.start
            }
            let through = min(extent.end, end)
            pieces.append(.cached(MatrixPieces.cut(extent.series, fromMillis: cursor / 1_000_000,
                                                   throughMillis: through / 1_000_000)))
            cursor = through + step
        }
        if cursor <= end { pieces.append(.missing(start: cursor, end: end)) }
        return ExtentPlan(pieces: pieces)
    }

    /// The part of a computed extent that may be cached: the steps at or before `cutoff` (now minus
    /// `max_cache_freshness_per_query`); nil when none is.
    public func cacheable(_ extent: MatrixExtent, cutoff: Int64) -> MatrixExtent? {
        guard extent.start <= cutoff else { return nil }
        if extent.end <= cutoff { return extent }
        let last = extent.start + (cutoff - extent.start) / step * step
        return MatrixExtent(start: extent.start, end: last,
                            series: MatrixPieces.cut(extent.series, fromMillis: extent.start / 1_000_000,
                                                     throughMillis: last / 1_000_000))
    }

    /// Joins extents: overlapping or adjacent ones become one (where both cover a step, the earlier extent's
    /// points are kept; both were computed from the same data). Returns extents sorted by start.
    public func merge(_ extents: [MatrixExtent]) -> [MatrixExtent] {
        var merged: [MatrixExtent] = []
        for extent in usable(extents) {
            guard var last = merged.last, extent.start <= last.end + step else {
                merged.append(extent)
                continue
            }
            if extent.end > last.end {
                let tail = MatrixPieces.cut(extent.series, fromMillis: (last.end + step) / 1_000_000,
                                            throughMillis: extent.end / 1_000_000)
                last.series = MatrixPieces.join([last.series, tail])
                last.end = extent.end
                merged[merged.count - 1] = last
            }
        }
        return merged
    }
}

/// Time ranges `[start, end)` over which a log query is known to return nothing (Loki caches only empty log
/// results: a non-empty answer depends on `limit` and `direction`).
public struct EmptyExtents: Sendable, Hashable {
    public var ranges: [Range<Int64>]

    public init(_ ranges: [Range<Int64>] = []) {
        self.ranges = ranges
    }

    /// True when `[start, end)` lies inside one known-empty range.
    public func covers(start: Int64, end: Int64) -> Bool {
        ranges.contains { $0.lowerBound <= start && end <= $0.upperBound }
    }

    /// Adds `[start, end)` joined with any range it overlaps or touches.
    public func adding(start: Int64, end: Int64) -> EmptyExtents {
        guard start < end else { return self }
        var all = ranges + [start..<end]
        all.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int64>] = []
        for range in all {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return EmptyExtents(merged)
    }
}
