/// Where a source may resume: a file path with its inode and byte offset, a container's last timestamp, a journal
/// cursor. What the positions file stores under `key`.
public struct ResumePoint: Sendable, Hashable {
    public var key: String
    public var value: String
    public var inode: UInt64?

    public init(key: String, value: String, inode: UInt64? = nil) {
        self.key = key
        self.value = value
        self.inode = inode
    }
}

/// Decides how far each source's position may move: a line's resume point counts only once the line — and every
/// line of the source read before it — has been acknowledged by every client (or dropped on purpose). Pure.
public struct AckTracker: Sendable {
    struct Pending: Sendable {
        var seq: UInt64
        var point: ResumePoint
        var remaining: Int
    }

    struct Track: Sendable {
        var committed: ResumePoint
        var pending: [Pending] = []
        var head = 0
        var nextSeq: UInt64 = 0
        var dirty = false
    }

    private var tracks: [Int: Track] = [:]
    /// How many clients must acknowledge each line.
    public let consumers: Int

    public init(consumers: Int) { self.consumers = max(1, consumers) }

    /// Starts tracking a source that resumes at `start`.
    public mutating func open(source: Int, start: ResumePoint) {
        tracks[source] = Track(committed: start)
    }

    /// Forgets a source.
    public mutating func close(source: Int) { tracks.removeValue(forKey: source) }

    /// Registers a line that was read, resuming after it at `point`; returns its sequence number.
    public mutating func read(source: Int, resumeAfter point: ResumePoint) -> UInt64 {
        // Taken out of the dictionary so the pending array is not copied on write.
        guard var track = tracks.removeValue(forKey: source) else { preconditionFailure("source \(source) is not open") }
        let seq = track.nextSeq
        track.nextSeq += 1
        track.pending.append(Pending(seq: seq, point: point, remaining: consumers))
        tracks[source] = track
        return seq
    }

    /// Moves the resume point without a line (for example a source that was re-positioned).
    public mutating func reposition(source: Int, to point: ResumePoint) {
        guard var track = tracks.removeValue(forKey: source) else { return }
        if track.head == track.pending.count {
            track.committed = point
            track.dirty = true
        } else {
            // Lines are in flight: the point goes after them.
            track.pending.append(Pending(seq: track.nextSeq, point: point, remaining: 0))
            track.nextSeq += 1
        }
        tracks[source] = track
    }

    /// One client acknowledged (`all`: every client, as for dropped entries) the lines of `token`.
    public mutating func acknowledge(_ token: AckToken, all: Bool = false) {
        guard tracks[token.source].map({ $0.head < $0.pending.count }) == true,
              var track = tracks.removeValue(forKey: token.source) else { return }
        let base = track.pending[track.head].seq
        if token.last >= base {
            let from = Int(max(token.first, base) - base) + track.head
            let to = min(Int(token.last - base) + track.head, track.pending.count - 1)
            if from <= to {
                for index in from...to {
                    track.pending[index].remaining = all ? 0 : max(0, track.pending[index].remaining - 1)
                }
            }
        }
        while track.head < track.pending.count, track.pending[track.head].remaining == 0 {
            track.committed = track.pending[track.head].point
            track.dirty = true
            track.head += 1
        }
        if track.head > 1024, track.head * 2 > track.pending.count {
            track.pending.removeFirst(track.head)
            track.head = 0
        }
        tracks[token.source] = track
    }

    /// The committed resume point of `source`.
    public func committed(source: Int) -> ResumePoint? { tracks[source]?.committed }

    /// Whether `source` has lines read but not yet acknowledged.
    public func hasPending(source: Int) -> Bool {
        guard let track = tracks[source] else { return false }
        return track.head < track.pending.count
    }

    /// The resume points that moved since the last call.
    public mutating func takeChanged() -> [ResumePoint] {
        var out: [ResumePoint] = []
        for (source, track) in tracks where track.dirty {
            out.append(track.committed)
            tracks[source]?.dirty = false
        }
        return out
    }
}
