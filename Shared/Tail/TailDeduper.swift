import DequeModule
public import FjordModel

/// Remembers the entries a tailer has already sent, for a while, so the same entry arriving from several replicas
/// (RF ingesters each offer it) or from both the history and the live feed is sent once. Entries are identical when
/// stream labels, timestamp and line bytes are; they are forgotten `windowNanos` after they were first seen, and the
/// oldest ones beyond `maxEntries`.
public struct TailDeduper {
    private struct Key: Hashable {
        var fingerprint: UInt64
        var timestamp: Int64
        var line: [UInt8]
    }

    public let windowNanos: Int64
    public let maxEntries: Int
    private var seen = Set<Key>()
    private var order = Deque<(seenAt: Int64, key: Key)>()

    public init(windowNanos: Int64 = 60_000_000_000, maxEntries: Int = 200_000) {
        self.windowNanos = windowNanos
        self.maxEntries = max(1, maxEntries)
    }

    /// Entries currently remembered.
    public var count: Int { seen.count }

    /// True the first time an entry is offered within the window; false for a repeat.
    public mutating func firstSighting(labels: Labels, timestamp: Int64, line: ArraySlice<UInt8>, now: Int64) -> Bool {
        expire(now: now)
        let key = Key(fingerprint: labels.fingerprint, timestamp: timestamp, line: Array(line))
        guard seen.insert(key).inserted else { return false }
        order.append((now, key))
        if order.count > maxEntries, let oldest = order.popFirst() { seen.remove(oldest.key) }
        return true
    }

    private mutating func expire(now: Int64) {
        while let first = order.first, now - first.seenAt > windowNanos {
            order.removeFirst()
            seen.remove(first.key)
        }
    }
}
