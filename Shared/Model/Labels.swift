/// One label: a name and its value.
public struct LabelPair: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A set of labels sorted by name (byte order, like Go's string comparison), names unique.
///
/// This identifies a stream (stream labels), a series in a metric result, or the structured metadata of an entry.
/// The canonical text form is Prometheus' `{a="1", b="2"}`, which Loki uses for hashing, storage and responses.
public struct Labels: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    /// The pairs, sorted by name and unique by name.
    public private(set) var pairs: [LabelPair]

    /// The empty label set `{}`.
    public init() { pairs = [] }

    /// Builds a label set from pairs in any order. When a name repeats, the last value wins.
    public init(_ unsorted: [LabelPair]) {
        var sorted = unsorted
        // Stable sort keeps the original order of equal names, so "last wins" below is well defined.
        sorted = sorted.enumerated().sorted { lhs, rhs in
            if lhs.element.name == rhs.element.name { return lhs.offset < rhs.offset }
            return Labels.nameLess(lhs.element.name, rhs.element.name)
        }.map(\.element)
        var unique: [LabelPair] = []
        unique.reserveCapacity(sorted.count)
        for pair in sorted {
            if let last = unique.last, last.name == pair.name {
                unique[unique.count - 1] = pair
            } else {
                unique.append(pair)
            }
        }
        pairs = unique
    }

    /// Builds a label set from pairs the caller guarantees are sorted by name and unique.
    public init(sortedPairs: [LabelPair]) {
        assert(zip(sortedPairs, sortedPairs.dropFirst()).allSatisfy { Labels.nameLess($0.name, $1.name) },
               "Labels(sortedPairs:) needs pairs sorted by name and unique: \(sortedPairs)")
        pairs = sortedPairs
    }

    /// Builds a label set from a dictionary.
    public init(_ dictionary: [String: String]) {
        self.init(dictionary.map { LabelPair(name: $0.key, value: $0.value) })
    }

    /// Go's byte-wise string order, which Loki and Prometheus use for label names and label strings.
    @inlinable
    public static func nameLess(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    public var startIndex: Int { pairs.startIndex }
    public var endIndex: Int { pairs.endIndex }
    public subscript(position: Int) -> LabelPair { pairs[position] }

    /// The value of label `name`, or `nil` when absent.
    public subscript(name: String) -> String? {
        guard let index = index(of: name) else { return nil }
        return pairs[index].value
    }

    /// Position of `name` in `pairs`, found by binary search.
    public func index(of name: String) -> Int? {
        var low = 0
        var high = pairs.count
        while low < high {
            let mid = (low + high) / 2
            let candidate = pairs[mid].name
            if candidate == name { return mid }
            if Labels.nameLess(candidate, name) { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// Sets `name` to `value`, inserting it in order or replacing an existing value.
    public mutating func set(_ name: String, _ value: String) {
        var low = 0
        var high = pairs.count
        while low < high {
            let mid = (low + high) / 2
            let candidate = pairs[mid].name
            if candidate == name {
                pairs[mid].value = value
                return
            }
            if Labels.nameLess(candidate, name) { low = mid + 1 } else { high = mid }
        }
        pairs.insert(LabelPair(name: name, value: value), at: low)
    }

    /// Removes `name` if present.
    public mutating func remove(_ name: String) {
        if let index = index(of: name) { pairs.remove(at: index) }
    }

    /// A copy with `name` set to `value`.
    public func setting(_ name: String, _ value: String) -> Labels {
        var copy = self
        copy.set(name, value)
        return copy
    }

    /// A copy without `name`.
    public func removing(_ name: String) -> Labels {
        var copy = self
        copy.remove(name)
        return copy
    }

    /// A copy keeping only labels whose name satisfies `keep`.
    public func filter(names keep: (String) -> Bool) -> Labels {
        Labels(sortedPairs: pairs.filter { keep($0.name) })
    }

    /// The union of two label sets; on equal names `other` wins.
    public func merging(_ other: Labels) -> Labels {
        if other.isEmpty { return self }
        if isEmpty { return other }
        var merged: [LabelPair] = []
        merged.reserveCapacity(pairs.count + other.pairs.count)
        var left = 0
        var right = 0
        while left < pairs.count, right < other.pairs.count {
            let lhs = pairs[left]
            let rhs = other.pairs[right]
            if lhs.name == rhs.name {
                merged.append(rhs)
                left += 1
                right += 1
            } else if Labels.nameLess(lhs.name, rhs.name) {
                merged.append(lhs)
                left += 1
            } else {
                merged.append(rhs)
                right += 1
            }
        }
        merged.append(contentsOf: pairs[left...])
        merged.append(contentsOf: other.pairs[right...])
        return Labels(sortedPairs: merged)
    }

    /// Names in order.
    public var names: [String] { pairs.map(\.name) }

    /// The canonical Prometheus text form `{a="1", b="2"}`: names sorted, values quoted like Go's `strconv.Quote`,
    /// names quoted only when they are not legacy-valid identifiers.
    public var canonicalString: String {
        var out = "{"
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out += ", " }
            if LabelNames.isLegacyValid(pair.name) {
                out += pair.name
            } else {
                out += GoQuote.quote(pair.name)
            }
            out += "="
            out += GoQuote.quote(pair.value)
        }
        out += "}"
        return out
    }

    public var description: String { canonicalString }

    /// A 64-bit FNV-1a hash over names and values, stable across processes and releases; used as the stream
    /// fingerprint in storage keys and the WAL. Changing it changes on-disk keys: bump the storage format if you do.
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        for pair in pairs {
            for byte in pair.name.utf8 { mix(byte) }
            mix(0xff)
            for byte in pair.value.utf8 { mix(byte) }
            mix(0xff)
        }
        return hash
    }
}

/// Rules for label names.
public enum LabelNames {
    /// `[a-zA-Z_][a-zA-Z0-9_]*`: a name that needs no quoting (Prometheus "legacy" validation).
    public static func isLegacyValid(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        for (index, byte) in name.utf8.enumerated() {
            let letter = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || byte == 0x5f
            let digit = byte >= 0x30 && byte <= 0x39
            if !(letter || (digit && index > 0)) { return false }
        }
        return true
    }
}
