/// Derives an ingester's ring tokens from its id, so a membership file need not list them.
///
/// The algorithm is part of Fjord's compatibility contract: every process (and every release) must compute the same
/// tokens, or gateways would disagree about where streams live. Do not change it; add a new version instead.
///
/// Version 1:
/// 1. `seed` = 64-bit FNV-1a over the bytes of `"fjord-ring-v1/"` followed by the id's UTF-8 bytes
///    (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`; for each byte: `h ^= b; h *= prime`).
/// 2. A SplitMix64 generator starts at `state = seed`; each step: `state += 0x9e3779b97f4a7c15`,
///    `z = state; z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9; z = (z ^ (z >> 27)) * 0x94d049bb133111eb; z ^= z >> 31`.
/// 3. Each token is the high 32 bits of the next output; a value the instance already has is skipped. Tokens are
///    returned in generation order (the ring sorts them).
public enum TokenDerivation {
    /// The seed prefix of algorithm version 1.
    public static let seedPrefix = "fjord-ring-v1/"

    /// `count` distinct tokens for `id`.
    public static func tokens(forInstanceID id: String, count: Int) -> [UInt32] {
        precondition(count >= 0, "TokenDerivation: negative token count \(count)")
        var generator = SplitMix64(seed: seed(forInstanceID: id))
        var seen = Set<UInt32>(minimumCapacity: count)
        var tokens: [UInt32] = []
        tokens.reserveCapacity(count)
        while tokens.count < count {
            let token = UInt32(truncatingIfNeeded: generator.next() >> 32)
            if seen.insert(token).inserted { tokens.append(token) }
        }
        return tokens
    }

    /// The generator seed for `id` (step 1).
    public static func seed(forInstanceID id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seedPrefix.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed, seedable generator. Used for token derivation and
/// for deterministic simulations.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
