import FjordLogQL


/// The value of a range aggregation over the samples of one window, with Loki's numeric algorithms
/// (`pkg/logql/range_vector.go`). Samples are in time order; `times` are nanoseconds.
enum RangeFunctions {
    /// Go's `time.Duration.Seconds()`.
    static func seconds(_ duration: Int64) -> Double {
        Double(duration / 1_000_000_000) + Double(duration % 1_000_000_000) / 1e9
    }

    /// Aggregates `values[0..<count]` (and their `times`) for `operation`. `count` is at least 1.
    static func aggregate(_ operation: RangeOperation, range: Int64, parameter: Double?, hasUnwrap: Bool,
                          times: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) -> Double {
        switch operation {
        case .countOverTime:
            return Double(values.count)
        case .rate:
            if !hasUnwrap { return Double(values.count) / seconds(range) }
            return sum(values) / seconds(range)
        case .bytesOverTime, .sumOverTime:
            return sum(values)
        case .bytesRate:
            return sum(values) / seconds(range)
        case .rateCounter:
            return extrapolatedRate(times: times, values: values, range: range)
        case .avgOverTime:
            return average(values)
        case .maxOverTime:
            var result = values[0]
            for value in values where value > result || result.isNaN { result = value }
            return result
        case .minOverTime:
            var result = values[0]
            for value in values where value < result || result.isNaN { result = value }
            return result
        case .stdvarOverTime:
            return variance(values)
        case .stddevOverTime:
            return variance(values).squareRoot()
        case .quantileOverTime:
            return quantile(parameter ?? 0, Array(values))
        case .firstOverTime:
            return values[0]
        case .lastOverTime:
            return values[values.count - 1]
        case .absentOverTime:
            return 1
        }
    }

    static func sum(_ values: UnsafeBufferPointer<Double>) -> Double {
        var total = 0.0
        for value in values { total += value }
        return total
    }

    /// Prometheus' Inf-safe incremental mean.
    static func average(_ values: UnsafeBufferPointer<Double>) -> Double {
        var mean = 0.0
        var count = 0.0
        for value in values {
            count += 1
            if mean.isInfinite {
                if value.isInfinite, (mean > 0) == (value > 0) { continue }
                if !value.isInfinite, !value.isNaN { continue }
            }
            mean += value / count - mean / count
        }
        return mean
    }

    /// Welford's population variance.
    static func variance(_ values: UnsafeBufferPointer<Double>) -> Double {
        var aux = 0.0
        var count = 0.0
        var mean = 0.0
        for value in values {
            count += 1
            let delta = value - mean
            mean += delta / count
            aux += delta * (value - mean)
        }
        return aux / count
    }

    /// Prometheus' quantile with linear interpolation; φ < 0 → −Inf, φ > 1 → +Inf, no values → NaN.
    static func quantile(_ phi: Double, _ input: [Double]) -> Double {
        if input.isEmpty { return .nan }
        if phi < 0 { return -.infinity }
        if phi > 1 { return .infinity }
        // Loki sorts with `HeapByMaxValue`, whose Less puts NaN first.
        let values = input.sorted { lhs, rhs in lhs.isNaN ? !rhs.isNaN : lhs < rhs }
        let count = Double(values.count)
        let rank = phi * (count - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(count - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return values[Int(lower)] * (1 - weight) + values[Int(upper)] * weight
    }

    /// Loki's copy of Prometheus `extrapolatedRate(isCounter: true, isRate: true)`. Loki feeds it nanosecond sample
    /// times while subtracting the range in milliseconds; that mix is reproduced on purpose.
    static func extrapolatedRate(times: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>,
                                 range: Int64) -> Double {
        let count = values.count
        if count < 2 { return 0 }
        let firstTime = times[0]
        let lastTime = times[count - 1]
        let rangeStart = firstTime - range / 1_000_000
        let rangeEnd = lastTime
        var result = values[count - 1] - values[0]
        var lastValue = 0.0
        for value in values {
            if value < lastValue { result += lastValue }
            lastValue = value
        }
        var durationToStart = Double(firstTime - rangeStart) / 1000
        let durationToEnd = Double(rangeEnd - lastTime) / 1000
        let sampledInterval = Double(lastTime - firstTime) / 1000
        let averageDurationBetweenSamples = sampledInterval / Double(count - 1)
        if result > 0, values[0] >= 0 {
            let durationToZero = sampledInterval * (values[0] / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageDurationBetweenSamples * 1.1
        var extrapolateToInterval = sampledInterval
        extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2
        extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2
        result *= extrapolateToInterval / sampledInterval
        return result / seconds(range)
    }
}
