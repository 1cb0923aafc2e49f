/// Which WAL segments still hold entries that are not in the store, per stream: the answer to "which segments may
/// ``WALWriter/removeSegments(before:)`` delete?" (docs/wal-format.md §7). A pure value; the ingester feeds it.
///
/// Feed it every append (with the ticket's segment) and every replayed stream (with the record's segment), and every
/// flush mark it writes. ``removableBefore(currentSegment:)`` is then the smallest segment any stream still needs.
public struct WALSegmentPins: Sendable {
    private struct Key: Hashable {
        var tenant: String
        var fingerprint: UInt64
    }

    /// Per stream: the segments holding its unflushed entries, oldest first, each with the stream's counter after
    /// its last entry in that segment.
    private var streams: [Key: [(segment: Int, counterAfter: UInt64)]] = [:]

    public init() {}

    /// Records that entries of the stream up to counter `counterAfter` (exclusive) were logged in `segment`.
    /// Calls for one stream must come in log order.
    public mutating func appended(tenant: String, fingerprint: UInt64, counterAfter: UInt64, segment: Int) {
        let key = Key(tenant: tenant, fingerprint: fingerprint)
        var runs = streams[key] ?? []
        if let last = runs.last, last.segment >= segment {
            precondition(last.segment == segment, "WALSegmentPins: stream \(fingerprint) logged in segment \(segment) after \(last.segment)")
            runs[runs.count - 1].counterAfter = max(last.counterAfter, counterAfter)
        } else {
            runs.append((segment, counterAfter))
        }
        streams[key] = runs
    }

    /// Records that the stream's entries with counter values below `flushedThrough` are in the store.
    public mutating func flushed(tenant: String, fingerprint: UInt64, through flushedThrough: UInt64) {
        let key = Key(tenant: tenant, fingerprint: fingerprint)
        guard var runs = streams[key] else { return }
        let done = runs.prefix { $0.counterAfter <= flushedThrough }.count
        runs.removeFirst(done)
        streams[key] = runs.isEmpty ? nil : runs
    }

    /// Forgets a stream entirely (dropped from memory after everything in it was flushed).
    public mutating func forget(tenant: String, fingerprint: UInt64) {
        streams[Key(tenant: tenant, fingerprint: fingerprint)] = nil
    }

    /// The oldest segment some stream still needs, or `currentSegment` when none does: pass it to
    /// ``WALWriter/removeSegments(before:)``.
    public func removableBefore(currentSegment: Int) -> Int {
        streams.values.reduce(currentSegment) { oldest, runs in min(oldest, runs.first?.segment ?? oldest) }
    }

    /// Streams with unflushed entries in the log.
    public var pinningStreams: Int { streams.count }
}
