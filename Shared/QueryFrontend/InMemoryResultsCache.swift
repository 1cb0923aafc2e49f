import Synchronization

/// The embedded results cache: an LRU map bounded by bytes (keys plus values) whose entries also expire after a
/// time to live. The clock is injected so tests control expiry.
public final class InMemoryResultsCache: ResultsCacheStore, Sendable {
    private struct Entry {
        var value: [UInt8]
        var expires: Int64
        var previous: String?
        var next: String?
    }

    /// The map plus a doubly linked recency list through the keys (head = most recently used).
    private struct State {
        var entries: [String: Entry] = [:]
        var head: String?
        var tail: String?
        var bytes = 0

        mutating func unlink(_ key: String) {
            guard let entry = entries[key] else { return }
            if let previous = entry.previous { entries[previous]?.next = entry.next } else { head = entry.next }
            if let next = entry.next { entries[next]?.previous = entry.previous } else { tail = entry.previous }
            entries[key]?.previous = nil
            entries[key]?.next = nil
        }

        mutating func pushFront(_ key: String) {
            entries[key]?.next = head
            entries[key]?.previous = nil
            if let head { entries[head]?.previous = key }
            head = key
            if tail == nil { tail = key }
        }

        mutating func remove(_ key: String) {
            guard let entry = entries[key] else { return }
            unlink(key)
            entries[key] = nil
            bytes -= key.utf8.count + entry.value.count
        }
    }

    private let state = Mutex(State())
    /// Most bytes (keys + values) kept.
    public let maxBytes: Int
    /// Lifetime of an entry in nanoseconds (0 = until evicted).
    public let ttl: Int64
    private let now: @Sendable () -> Int64

    public init(maxBytes: Int, ttl: Int64, now: @escaping @Sendable () -> Int64) {
        precondition(maxBytes >= 0 && ttl >= 0, "InMemoryResultsCache needs non-negative bounds")
        self.maxBytes = maxBytes
        self.ttl = ttl
        self.now = now
    }

    /// Bytes held now.
    public var bytes: Int { state.withLock { $0.bytes } }

    /// Entries held now.
    public var count: Int { state.withLock { $0.entries.count } }

    public func fetch(_ keys: [String]) async -> [String: [UInt8]] {
        let time = now()
        return state.withLock { state in
            var found: [String: [UInt8]] = [:]
            for key in keys {
                guard let entry = state.entries[key] else { continue }
                if ttl > 0, entry.expires <= time {
                    state.remove(key)
                    continue
                }
                state.unlink(key)
                state.pushFront(key)
                found[key] = entry.value
            }
            return found
        }
    }

    public func store(_ entries: [(key: String, value: [UInt8])]) async {
        let expires = ttl > 0 ? now() &+ ttl : Int64.max
        state.withLock { state in
            for (key, value) in entries {
                state.remove(key)
                let size = key.utf8.count + value.count
                guard size <= maxBytes else { continue }
                while state.bytes + size > maxBytes, let oldest = state.tail { state.remove(oldest) }
                state.entries[key] = Entry(value: value, expires: expires)
                state.pushFront(key)
                state.bytes += size
            }
        }
    }
}
