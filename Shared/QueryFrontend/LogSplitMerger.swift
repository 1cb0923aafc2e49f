public import FjordModel

/// Joins the results of a log query's splits, taken in query direction (newest split first for `backward`), into
/// the answer of the unsplit query: at most `limit` entries, the first ones in direction order, streams sorted by
/// their label strings.
///
/// A split answered with its own `limit`; when it brings more entries than are still missing, the missing count is
/// cut from it by timestamp. If the cut falls between entries with the same timestamp, which of them the unsplit
/// query keeps depends on the streams' order (known only to the engine), so the merger asks for that split again
/// with the remaining limit instead of guessing.
public struct LogSplitMerger: Sendable {
    /// What to do after adding a split.
    public enum Step: Sendable, Hashable {
        /// Add the next split.
        case next
        /// `limit` entries are kept: later splits cannot contribute.
        case complete
        /// Run the same split again with this limit and add that answer instead.
        case rerun(limit: Int)
    }

    public let limit: Int
    public let direction: Direction
    private var index: [Labels: Int] = [:]
    private var streams: [ResultStream] = []
    /// Entries kept so far.
    public private(set) var count = 0

    public init(limit: Int, direction: Direction) {
        self.limit = limit
        self.direction = direction
    }

    /// True when `limit` entries are kept.
    public var isComplete: Bool { count >= limit }

    /// Adds the answer of the next split in direction order.
    public mutating func add(_ split: [ResultStream]) -> Step {
        guard !isComplete else { return .complete }
        let remaining = limit - count
        let total = split.reduce(0) { $0 + $1.entries.count }
        if total <= remaining {
            append(split)
            return isComplete ? .complete : .next
        }
        // The `remaining`-th and the next entry in direction order: a clean cut needs different timestamps.
        var times = split.flatMap { $0.entries.map(\.timestamp) }
        let backward = direction == .backward
        times.sort { backward ? $0 > $1 : $0 < $1 }
        let threshold = times[remaining - 1]
        guard times[remaining] != threshold else { return .rerun(limit: remaining) }
        let cut = split.compactMap { stream -> ResultStream? in
            let kept = stream.entries.prefix { backward ? $0.timestamp >= threshold : $0.timestamp <= threshold }
            guard !kept.isEmpty else { return nil }
            return ResultStream(labels: stream.labels, streamLabels: stream.streamLabels, entries: Array(kept))
        }
        append(cut)
        precondition(count == limit, "LogSplitMerger cut \(count) entries, wanted \(limit)")
        return .complete
    }

    /// The joined streams, sorted by label string.
    public var result: [ResultStream] {
        let keys = streams.map { Array($0.labels.canonicalString.utf8) }
        return streams.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }.map { streams[$0] }
    }

    private mutating func append(_ split: [ResultStream]) {
        for stream in split where !stream.entries.isEmpty {
            count += stream.entries.count
            if let existing = index[stream.labels] {
                streams[existing].entries.append(contentsOf: stream.entries)
            } else {
                index[stream.labels] = streams.count
                streams.append(stream)
            }
        }
    }
}
