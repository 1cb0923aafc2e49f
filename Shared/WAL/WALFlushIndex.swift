/// The flush marks of a log, answering "which entries of this stream, logged at this position, are already in the
/// store?" for replay.
///
/// Rule: an entry with counter value `c` of stream `s`, logged at position `p`, is flushed when some flush mark for
/// `s` at a position after `p` has `flushedThrough > c`. Only marks written *after* the entry count, so a stream
/// that was flushed, dropped from memory and later recreated with its counter starting again at 0 is not affected
/// by the marks of its earlier life.
public struct WALFlushIndex: Sendable {
    private struct Key: Hashable {
        var tenant: String
        var fingerprint: UInt64
    }

    /// Per stream: mark positions ascending and, after `finish()`, the maximum `flushedThrough` of each mark and
    /// all later ones.
    private var marks: [Key: (positions: [WALPosition], through: [UInt64])] = [:]
    private var finished = false

    public init() {}

    /// Adds the marks of a record found at `position`. Records must be added in log order.
    public mutating func add(_ record: WALFlushRecord, at position: WALPosition) {
        precondition(!finished, "WALFlushIndex: add after finish")
        for mark in record.marks {
            let key = Key(tenant: record.tenant, fingerprint: mark.fingerprint)
            var entry = marks[key] ?? ([], [])
            precondition(entry.positions.last.map { $0 <= position } ?? true, "WALFlushIndex: marks added out of log order")
            entry.positions.append(position)
            entry.through.append(mark.flushedThrough)
            marks[key] = entry
        }
    }

    /// Turns the collected marks into suffix maxima; call once after the last ``add(_:at:)``.
    public mutating func finish() {
        guard !finished else { return }
        finished = true
        for key in Array(marks.keys) {
            guard var entry = marks[key] else { continue }
            var running: UInt64 = 0
            for index in entry.through.indices.reversed() {
                running = max(running, entry.through[index])
                entry.through[index] = running
            }
            marks[key] = entry
        }
    }

    /// Entries of the stream logged at `position` with counter values below the result are in the store.
    public func flushedThrough(tenant: String, fingerprint: UInt64, loggedAt position: WALPosition) -> UInt64 {
        precondition(finished, "WALFlushIndex: query before finish")
        guard let entry = marks[Key(tenant: tenant, fingerprint: fingerprint)] else { return 0 }
        var low = 0
        var high = entry.positions.count
        while low < high {
            let mid = (low + high) / 2
            if entry.positions[mid] <= position { low = mid + 1 } else { high = mid }
        }
        return low < entry.through.count ? entry.through[low] : 0
    }

    /// Number of streams with marks.
    public var streamCount: Int { marks.count }
}
