/// A set of ring instance indexes (``RingInstance/index``) as a bit set: which instances are healthy, which answered.
/// Cheap to copy and to test, so a push can check hundreds of streams against one snapshot.
public struct InstanceSet: Sendable, Hashable, Sequence {
    private var words: [UInt64]

    /// The empty set.
    public init() { words = [] }

    /// Every index in `0..<count`.
    public init(all count: Int) {
        precondition(count >= 0, "InstanceSet: negative count \(count)")
        words = Array(repeating: ~0, count: (count + 63) / 64)
        if count % 64 != 0 { words[words.count - 1] = (1 << UInt64(count % 64)) - 1 }
    }

    /// The given indexes.
    public init(_ indexes: some Sequence<Int>) {
        words = []
        for index in indexes { insert(index) }
    }

    @inlinable
    public func contains(_ index: Int) -> Bool {
        let word = index >> 6
        guard index >= 0, word < wordCount else { return false }
        return bit(word) & (1 << UInt64(index & 63)) != 0
    }

    @usableFromInline
    var wordCount: Int { words.count }

    @usableFromInline
    func bit(_ word: Int) -> UInt64 { words[word] }

    public mutating func insert(_ index: Int) {
        precondition(index >= 0, "InstanceSet: negative index \(index)")
        let word = index >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(index & 63)
    }

    public mutating func remove(_ index: Int) {
        let word = index >> 6
        guard index >= 0, word < words.count else { return }
        words[word] &= ~(1 << UInt64(index & 63))
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// Equal when the same indexes are present (trailing empty words do not matter).
    public static func == (lhs: InstanceSet, rhs: InstanceSet) -> Bool {
        let length = Swift.max(lhs.words.count, rhs.words.count)
        for word in 0..<length {
            let left = word < lhs.words.count ? lhs.words[word] : 0
            let right = word < rhs.words.count ? rhs.words[word] : 0
            if left != right { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        var last = words.count
        while last > 0, words[last - 1] == 0 { last -= 1 }
        for word in words[..<last] { hasher.combine(word) }
    }

    /// Indexes in ascending order.
    public func makeIterator() -> AnyIterator<Int> {
        var word = 0
        var bits: UInt64 = words.first ?? 0
        let words = self.words
        return AnyIterator {
            while true {
                if bits != 0 {
                    let offset = bits.trailingZeroBitCount
                    bits &= bits - 1
                    return word * 64 + offset
                }
                word += 1
                guard word < words.count else { return nil }
                bits = words[word]
            }
        }
    }
}
