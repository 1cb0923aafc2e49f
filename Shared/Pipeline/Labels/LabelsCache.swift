public import FjordModel

/// Remembers recently built label sets by a hash of their bytes, so that entries with the same labels share one
/// ``Labels`` value instead of allocating strings again (Loki's `resultCache`). Bounded: it is cleared when full.
///
/// When almost every entry has different labels (a unique request id per line), caching only costs time: after a
/// stretch with a hit rate under 5 % the cache stands aside for a while and then tries again.
final class LabelsCache {
    @exclusivity(unchecked) private var slots: [UInt64: Labels] = [:]
    private let limit: Int
    @exclusivity(unchecked) private var lookups = 0
    @exclusivity(unchecked) private var hits = 0
    @exclusivity(unchecked) private var bypass = 0

    init(limit: Int = 4096) { self.limit = limit }

    /// True while the cache stands aside; callers then skip hashing too. Counts one use.
    @inline(__always)
    func isBypassing() -> Bool {
        if bypass > 0 {
            bypass -= 1
            return true
        }
        return false
    }

    /// The cached labels for `hash` if `matches` confirms they are the ones wanted.
    @inline(__always)
    func lookup(_ hash: UInt64, matches: (Labels) -> Bool) -> Labels? {
        lookups += 1
        if lookups >= 1024 {
            if hits * 20 < lookups { bypass = 16_384 }
            lookups = 0
            hits = 0
        }
        guard let labels = slots[hash], matches(labels) else { return nil }
        hits += 1
        return labels
    }

    func insert(_ hash: UInt64, _ labels: Labels) {
        if bypass > 0 { return }
        if slots.count >= limit { slots.removeAll(keepingCapacity: true) }
        slots[hash] = labels
    }

    /// Mixes `bytes` into `hash` eight bytes at a time (not a stable hash: only for the in-memory cache).
    @inline(__always)
    static func mix(_ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = hash ^ UInt64(bytes.count)
        var offset = 0
        let count = bytes.count
        if let base = bytes.baseAddress {
            while offset + 8 <= count {
                hash = (hash ^ base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                hash ^= hash >> 29
                offset += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << shift
                shift += 8
                offset += 1
            }
            hash = (hash ^ tail) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 29
        }
        return hash
    }

    static func mix(_ hash: UInt64, _ text: String) -> UInt64 {
        Bytes.withUTF8(text) { mix(hash, $0) }
    }
}

/// How sample labels are reduced (the `by`/`without` grouping a sample extractor applies, Loki's
/// `groups`/`without`/`noLabels`).
struct SampleGrouping: Sendable {
    /// Sorted, unique names.
    let names: [ByteString]
    let without: Bool
    /// `by ()` (or `absent_over_time`): every sample gets `{}`.
    let noLabels: Bool

    init(names: [String], without: Bool, noLabels: Bool) {
        self.names = Array(Set(names)).sorted { Labels.nameLess($0, $1) }.map(ByteString.init)
        self.without = without
        self.noLabels = noLabels
    }

    /// No grouping: samples keep all their labels.
    static let none = SampleGrouping(names: [], without: false, noLabels: false)

    @inline(__always)
    func contains(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        for group in names where group.hash == hash {
            if Bytes.equal(group.bytes, name) { return true }
        }
        return false
    }
}
