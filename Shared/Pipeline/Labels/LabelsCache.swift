public import FjordModel

/// Remembers recently built label sets by a hash of their bytes, so that entries with the same labels share one
/// ``Labels`` value instead of allocating strings again (Loki's `resultCache`). Bounded: it is cleared when full.
final class LabelsCache {
    private var slots: [UInt64: Labels] = [:]
    private let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    /// The cached labels for `hash` if `matches` confirms they are the ones wanted.
    @inline(__always)
    func lookup(_ hash: UInt64, matches: (Labels) -> Bool) -> Labels? {
        guard let labels = slots[hash], matches(labels) else { return nil }
        return labels
    }

    func insert(_ hash: UInt64, _ labels: Labels) {
        if slots.count >= limit { slots.removeAll(keepingCapacity: true) }
        slots[hash] = labels
    }

    @inline(__always)
    static func mix(_ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash ^= 0xff
        hash &*= 0x0000_0100_0000_01b3
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
