/// The evaluation times of a metric query and the sample windows they read (pure time arithmetic).
///
/// A range query is evaluated at `start, start+step, …` up to and including `end`; an instant query at one time.
/// At time `t` a range aggregation `[R] offset O` reads the samples with `t−O−R < ts ≤ t−O`, and the output point
/// carries `t` (in milliseconds). Splitting a query into consecutive grids and concatenating their points gives the
/// unsplit result, because every point depends only on its own window.
public struct StepGrid: Sendable, Hashable {
    /// The first evaluation time (Unix nanoseconds).
    public let start: Int64
    /// Distance between evaluation times (nanoseconds, > 0; 1 for an instant query, like Loki).
    public let step: Int64
    /// Number of evaluation times (0 when `end < start`).
    public let count: Int

    /// A grid of `count` times from `start` spaced by `step`.
    public init(start: Int64, step: Int64, count: Int) {
        precondition(step > 0, "StepGrid needs a positive step, got \(step)")
        precondition(count >= 0, "StepGrid needs a non-negative count, got \(count)")
        self.start = start
        self.step = step
        self.count = count
    }

    /// The single evaluation time of an instant query.
    public static func instant(at time: Int64) -> StepGrid {
        StepGrid(start: time, step: 1, count: 1)
    }

    /// The evaluation times of a range query from `start` through `end` (inclusive) every `step`; with `align`,
    /// `start` is first floored and `end` ceiled to multiples of `step` since the Unix epoch (Loki's query-frontend
    /// `alignStartEnd`).
    public static func range(start: Int64, end: Int64, step: Int64, align: Bool) -> StepGrid {
        precondition(step > 0, "a range query needs a positive step, got \(step)")
        let (first, last) = align ? aligned(start: start, end: end, step: step) : (start, end)
        if last < first { return StepGrid(start: first, step: step, count: 0) }
        let count = (last - first) / step + 1
        return StepGrid(start: first, step: step, count: Int(count))
    }

    /// Loki's `alignStartEnd`: start rounded down, end rounded up to a multiple of `step` (Go's truncating `%`).
    public static func aligned(start: Int64, end: Int64, step: Int64) -> (start: Int64, end: Int64) {
        let alignedStart = start - start % step
        var alignedEnd = end
        let remainder = end % step
        if remainder != 0 { alignedEnd += step - remainder }
        return (alignedStart, alignedEnd)
    }

    /// The last evaluation time (equal to `start` when `count` ≤ 1).
    public var end: Int64 { start + step * Int64(Swift.max(count - 1, 0)) }

    /// Evaluation time `index` (nanoseconds).
    @inlinable public func time(_ index: Int) -> Int64 { start + step * Int64(index) }

    /// The millisecond timestamp Loki reports for evaluation `index` of an expression with `offset`: it evaluates at
    /// `t−offset` and adds the offset back after converting each part to milliseconds separately.
    @inlinable public func outputMillis(_ index: Int, offset: Int64 = 0) -> Int64 {
        (time(index) - offset) / 1_000_000 + offset / 1_000_000
    }

    /// The sample window of evaluation `index`: samples with `after < ts ≤ through`.
    @inlinable public func window(_ index: Int, range: Int64, offset: Int64) -> (after: Int64, through: Int64) {
        let through = time(index) - offset
        return (through - range, through)
    }

    /// The first evaluation whose window `(t−O−R, t−O]` holds a sample at `time`, or `nil` when none does (windows
    /// leave gaps when `range < step`).
    public func firstWindow(containing time: Int64, range: Int64, offset: Int64) -> Int? {
        let distance = time + offset - start
        var index = distance <= 0 ? 0 : (distance + step - 1) / step
        if index < 0 { index = 0 }
        guard index < Int64(count) else { return nil }
        let candidate = Int(index)
        return window(candidate, range: range, offset: offset).after < time ? candidate : nil
    }

    /// The union of all windows: the entries a range aggregation must read, `after < ts ≤ through`.
    public func sampleBounds(range: Int64, offset: Int64) -> (after: Int64, through: Int64) {
        (start - offset - range, end - offset)
    }
}
