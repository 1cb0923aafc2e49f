public import FjordModel

/// Joins and cuts matrix results of disjoint, time-ordered step ranges (the splits of a metric query, or cached
/// extents and freshly computed gaps).
public enum MatrixPieces {
    /// Joins `pieces` given oldest first, whose points do not overlap in time: series with equal labels get their
    /// points concatenated; series are sorted by labels like the engine sorts a matrix.
    public static func join(_ pieces: [[Series]]) -> [Series] {
        let nonEmpty = pieces.filter { !$0.isEmpty }
        if nonEmpty.count <= 1 { return nonEmpty.first ?? [] }
        var index: [Labels: Int] = [:]
        var joined: [Series] = []
        for piece in nonEmpty {
            for series in piece {
                if let existing = index[series.labels] {
                    joined[existing].points.append(contentsOf: series.points)
                } else {
                    index[series.labels] = joined.count
                    joined.append(series)
                }
            }
        }
        joined.sort { Labels.prometheusCompare($0.labels, $1.labels) < 0 }
        return joined
    }

    /// The points with `from <= timestampMillis <= through`; series left without points are dropped.
    public static func cut(_ series: [Series], fromMillis from: Int64, throughMillis through: Int64) -> [Series] {
        var out: [Series] = []
        out.reserveCapacity(series.count)
        for one in series {
            guard let first = one.points.first, let last = one.points.last else { continue }
            if first.timestampMillis >= from, last.timestampMillis <= through {
                out.append(one)
                continue
            }
            let points = one.points.filter { $0.timestampMillis >= from && $0.timestampMillis <= through }
            if !points.isEmpty { out.append(Series(labels: one.labels, points: points)) }
        }
        return out
    }

    /// Number of points.
    public static func pointCount(_ series: [Series]) -> Int { series.reduce(0) { $0 + $1.points.count } }
}
