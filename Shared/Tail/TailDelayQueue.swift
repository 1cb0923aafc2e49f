public import FjordModel

/// `delay_for`: holds processed entries until their timestamp is at least the delay in the past, so entries that
/// arrive slightly out of order (from different clients or replicas) still go out sorted. Loki's tailer does the
/// same with its heap of stream iterators.
public struct TailDelayQueue {
    private struct Held {
        var labels: Labels
        var streamLabels: Labels
        var entry: ResultEntry
    }

    public let delayNanos: Int64
    private var held: [Held] = []

    public init(delayNanos: Int64) { self.delayNanos = delayNanos }

    public var isEmpty: Bool { held.isEmpty }

    /// The timestamp of the oldest held entry.
    public var earliest: Int64? { held.lazy.map(\.entry.timestamp).min() }

    public mutating func add(_ streams: [ResultStream]) {
        for stream in streams {
            for entry in stream.entries {
                held.append(Held(labels: stream.labels, streamLabels: stream.streamLabels, entry: entry))
            }
        }
    }

    /// Takes the entries whose timestamp is at most `now - delayNanos`: streams sorted by labels, entries ascending.
    public mutating func takeDue(now: Int64) -> [ResultStream] {
        let cutoff = now - delayNanos
        var grouped: [Labels: ResultStream] = [:]
        var kept: [Held] = []
        for item in held {
            if item.entry.timestamp <= cutoff {
                grouped[item.labels, default: ResultStream(labels: item.labels, streamLabels: item.streamLabels, entries: [])]
                    .entries.append(item.entry)
            } else {
                kept.append(item)
            }
        }
        held = kept
        var out = Array(grouped.values)
        for index in out.indices { out[index].entries.sort { $0.timestamp < $1.timestamp } }
        out.sort { $0.labels.canonicalString < $1.labels.canonicalString }
        return out
    }
}
